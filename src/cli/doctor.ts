// `matrix-gitops doctor`: is this machine ready? One line per item (Node, Go, each pinned tool,
// the schema cache, an age key, a kubeconfig) with what to do when it is not. Exit 1 when something
// validate needs is missing; the age key and kubeconfig are reported but optional (only secret
// editing and `status` need them).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { versions } from '../lib/versions.ts';
import { isPinnedVersion, kubectlFallbackMarker, reportedVersion, toolPath, type ToolName } from '../lib/tools.ts';
import { schemaCacheDir, userCacheDir } from '../lib/paths.ts';
import { parseFlags, wantsHelp } from '../lib/args.ts';
import { style } from '../lib/progress.ts';
import { cacheKey, readStamp, schemaSources } from '../schemas/cache.ts';
import { kubeconfigProblem } from '../lib/kubeconfig.ts';
import { execute, isEntryPoint } from './command.ts';

const HELP = `Usage: matrix-gitops doctor

Checks this machine for what matrix-gitops needs and prints one line per item, with what to do
when it is missing: Node.js, Go (to build missing tools), each pinned tool (kustomize,
kubeconform, conftest, sops, age) at its pinned version, the offline schema cache, an age key
(to edit secrets) and a kubeconfig (for \`status\`). Caches: ${'$'}MATRIX_GITOPS_CACHE, else
${'$'}XDG_CACHE_HOME/matrix-gitops, else ~/.cache/matrix-gitops.

Exit codes: 0 ready to validate, 1 something validate needs is missing.`;

export type Level = 'ok' | 'missing' | 'optional';
export interface Check { item: string; level: Level; detail: string }

const SETUP = 'run `npx matrix-gitops setup`';
const MIN_NODE = 20;

function nodeCheck(): Check {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= MIN_NODE
    ? { item: 'node', level: 'ok', detail: process.version }
    : { item: 'node', level: 'missing', detail: `${process.version} is older than ${MIN_NODE}; install Node.js ${MIN_NODE} or newer` };
}

function goVersion(): string | undefined {
  try {
    return execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
  } catch {
    return undefined;
  }
}

function toolChecks(): Check[] {
  const checks: Check[] = [];
  for (const pin of Object.values(versions().tools)) {
    for (const binary of pin.binaries as ToolName[]) {
      try {
        const file = toolPath(binary);
        const out = reportedVersion(file, binary === pin.binaries[0] ? pin.versionArgs : ['--version']);
        // Only the main binary prints the tool's version reliably (age-keygen prints age's).
        const ok = binary !== pin.binaries[0] || binary.startsWith('age') || isPinnedVersion(out, pin.version);
        checks.push(ok
          ? { item: binary, level: 'ok', detail: `${pin.version} (${file})` }
          : { item: binary, level: 'missing', detail: `${file} does not report ${pin.version}; ${SETUP}` });
      } catch {
        if (binary === 'kustomize' && existsSync(kubectlFallbackMarker())) {
          checks.push({ item: binary, level: 'ok', detail: `kubectl kustomize stands in for ${pin.version} (no Go at setup time)` });
        } else {
          checks.push({ item: binary, level: 'missing', detail: `${pin.version} is not installed; ${SETUP}` });
        }
      }
    }
  }
  return checks;
}

function schemaCheck(): Check {
  const dir = schemaCacheDir();
  const stamp = readStamp(dir);
  if (!stamp) return { item: 'schemas', level: 'missing', detail: `no schema cache at ${dir}; ${SETUP}` };
  if (stamp.key !== cacheKey(schemaSources())) return { item: 'schemas', level: 'missing', detail: `${dir} was built from other pins; ${SETUP}` };
  return { item: 'schemas', level: 'ok', detail: `${stamp.files} schemas (${dir})` };
}

function ageKeyCheck(cwd: string): Check {
  const env = process.env;
  if (env.SOPS_AGE_KEY) return { item: 'age key', level: 'ok', detail: 'SOPS_AGE_KEY is set' };
  if (env.SOPS_AGE_KEY_FILE) {
    return existsSync(env.SOPS_AGE_KEY_FILE)
      ? { item: 'age key', level: 'ok', detail: `SOPS_AGE_KEY_FILE=${env.SOPS_AGE_KEY_FILE}` }
      : { item: 'age key', level: 'optional', detail: `SOPS_AGE_KEY_FILE names ${env.SOPS_AGE_KEY_FILE}, which does not exist; point it at your age identity (needed to edit secrets)` };
  }
  const local = path.join(cwd, 'age.key');
  if (existsSync(local)) return { item: 'age key', level: 'ok', detail: `./age.key (matrix-gitops sops uses it; export SOPS_AGE_KEY_FILE for plain sops)` };
  const user = path.join(env.XDG_CONFIG_HOME || path.join(homedir(), '.config'), 'sops', 'age', 'keys.txt');
  if (existsSync(user)) return { item: 'age key', level: 'ok', detail: user };
  return { item: 'age key', level: 'optional', detail: `none found (SOPS_AGE_KEY_FILE, ./age.key, ${user}); needed only to decrypt or edit secrets: set SOPS_AGE_KEY_FILE to your age identity` };
}

function kubeconfigCheck(): Check {
  const problem = kubeconfigProblem();
  if (problem) return { item: 'kubeconfig', level: 'optional', detail: `${problem.replace(/^no kubeconfig: /, '')} (needed only for \`matrix-gitops status\`)` };
  return { item: 'kubeconfig', level: 'ok', detail: process.env.KUBECONFIG || path.join(homedir(), '.kube', 'config') };
}

export function checks(cwd = process.cwd()): Check[] {
  const tools = toolChecks();
  const go = goVersion();
  const toolsMissing = tools.some((t) => t.level === 'missing');
  const goCheck: Check = go
    ? { item: 'go', level: 'ok', detail: go }
    : { item: 'go', level: toolsMissing ? 'missing' : 'optional', detail: `not on PATH; ${toolsMissing ? 'setup needs' : 'only a setup of new pins needs'} Go 1.26.8+ to build the pinned tools: install it (https://go.dev/dl)` };
  return [nodeCheck(), goCheck, ...tools, schemaCheck(), ageKeyCheck(cwd), kubeconfigCheck()];
}

export async function run(argv: string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  parseFlags('doctor', argv, {});
  const results = checks();
  const mark: Record<Level, string> = { ok: style.ok('✓'), missing: style.err('✗'), optional: style.warn('!') };
  const width = Math.max(...results.map((r) => r.item.length));
  process.stdout.write(`  ${'cache'.padEnd(width)}  ${userCacheDir()}\n`);
  for (const r of results) process.stdout.write(`${mark[r.level]} ${r.item.padEnd(width)}  ${r.detail}\n`);
  return results.some((r) => r.level === 'missing') ? 1 : 0;
}

if (isEntryPoint(import.meta.url)) await execute('doctor', { run }, process.argv.slice(2));
