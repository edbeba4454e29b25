// Which rule sets run: the rules bundled with the tool unless the repository (or --policies) brings a
// complete gate set of its own; a partial set (extra rules) runs beside the bundled one.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../lib/versions.ts';
import { EnvironmentError } from '../lib/errors.ts';
import { ruleFiles } from './policy.ts';

export const BUNDLED_POLICIES = path.join(projectRoot, 'policies');

/** A folder with main.rego is a complete gate (a scaffolded repository's pinned copy), not an addition. */
function isCompleteSet(dir: string): boolean {
  return existsSync(path.join(dir, 'main.rego'));
}

function hasRules(dir: string): boolean {
  return existsSync(dir) && ruleFiles('', dir).length > 0;
}

/** Policy folders to run, each evaluated on its own (their packages may share names). */
export function policyDirs(repo: string, override?: string): string[] {
  const extra = override ? path.resolve(override) : path.join(repo, 'policies');
  if (override && !hasRules(extra)) throw new EnvironmentError(`--policies ${override}: no .rego rule files there`);
  if (!hasRules(extra)) return [BUNDLED_POLICIES];
  if (isCompleteSet(extra) || path.resolve(extra) === BUNDLED_POLICIES) return [extra];
  return [BUNDLED_POLICIES, extra];
}
