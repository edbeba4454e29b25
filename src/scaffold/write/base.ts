// The merge base of each tool-owned file: what the tool rendered for it last time. Kept in the
// repository under .matrix-gitops/base/<path> (committed, so every clone can merge); git stores a
// base identical to the file it mirrors as the same blob, so an unedited file costs no space.
// Secret files are never rendered twice, so they have no base and nothing secret is ever kept here.
// Repositories from before the base folder existed (0.1.0) fall back to git history: the newest
// committed version of the file whose sha256 is the one the state file recorded.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { sha256, type State } from './state.ts';

export const BASE_DIR = '.matrix-gitops/base';

export const basePath = (p: string): string => `${BASE_DIR}/${p}`;

/** How far back git history is searched for a base (a version written long ago is rarely the last). */
const HISTORY_DEPTH = 50;

async function fromHistory(repo: string, p: string, hash: string): Promise<string | undefined> {
  const log = await execa('git', ['log', `-n${HISTORY_DEPTH}`, '--format=%H', '--', p], { cwd: repo, reject: false });
  if (log.exitCode !== 0) return undefined;
  for (const commit of log.stdout.split('\n').filter(Boolean)) {
    const show = await execa('git', ['show', `${commit}:./${p}`], { cwd: repo, reject: false, stripFinalNewline: false, encoding: 'buffer' });
    if (show.exitCode === 0 && sha256(Buffer.from(show.stdout)) === hash) return Buffer.from(show.stdout).toString('utf8');
  }
  return undefined;
}

/**
 * What the tool last wrote to `p`, or undefined when it cannot be known (never scaffolded, or a
 * base that does not match the state's hash: then a merge would be a guess, and the file is a conflict).
 */
export async function recoverBase(repo: string, p: string, state: State | undefined): Promise<string | undefined> {
  const hash = state?.files[p];
  if (hash === undefined) return undefined;
  const stored = path.join(repo, basePath(p));
  if (existsSync(stored)) {
    const text = readFileSync(stored);
    if (sha256(text) === hash) return text.toString('utf8');
  }
  return fromHistory(repo, p, hash);
}

/** The base file's current bytes, or undefined when there is none. */
export function storedBase(repo: string, p: string): string | undefined {
  const f = path.join(repo, basePath(p));
  return existsSync(f) ? readFileSync(f, 'utf8') : undefined;
}

/** Repo-relative paths that have a stored base (for removing the bases of files no longer rendered). */
export function storedBasePaths(repo: string): string[] {
  const dir = path.join(repo, BASE_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}
