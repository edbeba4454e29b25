// Remembers the schema and policy findings of a rendered entry point by the hash of everything they
// depend on (the rendered YAML, the policy files, the policy data, the schema cache and the tool
// versions), so a pre-push run over unchanged overlays skips kubeconform and conftest. Any change to
// any input is a different key; a corrupt entry is ignored.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { userCacheDir } from '../lib/paths.ts';
import { versions } from '../lib/versions.ts';
import type { Finding } from './types.ts';

export interface CachedResult {
  schema: Finding[];
  policy: { findings: Finding[]; exceptions: Finding[] };
}

/** Bump when the checks change in a way no input hash captures. */
const CACHE_FORMAT = 1;
const MAX_ENTRIES = 500;

export function resultCacheDir(): string {
  return process.env.MATRIX_GITOPS_RESULT_CACHE ?? path.join(userCacheDir(), 'validate');
}

/** The part of the key shared by every entry of one run. */
export function runKey(policyFiles: string[], data: unknown, schemaDir: string): string {
  const h = createHash('sha256').update(JSON.stringify({ CACHE_FORMAT, tools: versions().tools, data }));
  const stamp = path.join(schemaDir, '.stamp.json');
  h.update(existsSync(stamp) ? readFileSync(stamp) : 'no-schemas');
  for (const f of [...policyFiles].sort()) h.update(f.slice(f.lastIndexOf('policies'))).update(readFileSync(f));
  return h.digest('hex');
}

export function entryKey(run: string, entryName: string, yaml: string): string {
  return createHash('sha256').update(run).update('\0').update(entryName).update('\0').update(yaml).digest('hex');
}

export function readCached(key: string): CachedResult | undefined {
  try {
    const r = JSON.parse(readFileSync(path.join(resultCacheDir(), `${key}.json`), 'utf8')) as CachedResult;
    return Array.isArray(r.schema) && Array.isArray(r.policy?.findings) && Array.isArray(r.policy?.exceptions) ? r : undefined;
  } catch {
    return undefined;
  }
}

export function writeCached(key: string, result: CachedResult): void {
  const dir = resultCacheDir();
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = path.join(dir, `.${key}.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(result));
    renameSync(tmp, path.join(dir, `${key}.json`));
    prune(dir);
  } catch {
    // A cache that cannot be written only costs speed.
  }
}

function prune(dir: string): void {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  if (files.length <= MAX_ENTRIES) return;
  const byAge = files.map((f) => [f, statSync(path.join(dir, f)).mtimeMs] as const).sort((a, b) => a[1] - b[1]);
  for (const [f] of byAge.slice(0, files.length - MAX_ENTRIES)) rmSync(path.join(dir, f), { force: true });
}
