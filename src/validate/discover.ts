// Checks the repository folder and picks entries by --overlay; what to build is found by flux-graph.ts.
import { stat, access } from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';
import { EnvironmentError, UsageError } from '../lib/errors.ts';
import type { Entry } from './types.ts';


export async function checkRepoDir(dir: string): Promise<string> {
  const abs = path.resolve(dir);
  try {
    const s = await stat(abs);
    if (!s.isDirectory()) throw new EnvironmentError(`${dir} is not a directory`);
    await access(abs, constants.R_OK | constants.X_OK);
  } catch (err) {
    if (err instanceof EnvironmentError) throw err;
    throw new EnvironmentError(`cannot read directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return abs;
}

/** The built entries `--overlay NAME` picks: an entry name or path, or a Flux Kustomization (namespace/name or name) that delivers it. */
export function selectEntries<T extends { entry: Entry }>(builts: T[], only?: string): T[] {
  if (only === undefined) return builts;
  const want = only.replace(/\/+$/, '');
  const picked = builts.filter(
    (b) => b.entry.name === want || b.entry.path === want || (b.entry.deliveredBy ?? []).some((k) => k === want || k.split('/')[1] === want),
  );
  if (picked.length === 0) {
    const known = [...new Set(builts.flatMap((b) => [b.entry.name, ...(b.entry.deliveredBy ?? [])]))].join(', ') || 'none';
    throw new UsageError(`unknown overlay "${only}" (found: ${known})`);
  }
  return picked;
}

/** Every entry the Flux walk reaches (built once to find them); `only` as for --overlay. */
export async function discover(repo: string, only?: string): Promise<Entry[]> {
  const { walk } = await import('./flux-graph.ts');
  const w = await walk(repo);
  try {
    return selectEntries(w.builts, only).map((b) => b.entry);
  } finally {
    await w.cleanup();
  }
}
