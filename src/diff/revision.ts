// A repository's tree at a git revision, as files in a temporary folder (git archive: read-only for
// the repository, no worktree bookkeeping left behind), or the work tree itself.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { EnvironmentError, UsageError } from '../lib/errors.ts';

export interface Tree {
  /** the revision as the user named it, or "work tree" */
  label: string;
  dir: string;
  dispose: () => Promise<void>;
}

async function git(repo: string, args: string[]): Promise<string> {
  const r = await execa('git', args, { cwd: repo, reject: false });
  if (r.exitCode !== 0) throw new Error((r.stderr || r.message || 'git failed').trim().split('\n')[0]);
  return r.stdout.trim();
}

export async function checkGitRepo(repo: string): Promise<void> {
  try {
    await git(repo, ['rev-parse', '--git-dir']);
  } catch {
    throw new UsageError(`${repo}: not a git repository; diff compares two git revisions (git init and commit first)`);
  }
}

/** The merge base of HEAD with the default branch (origin's HEAD, else main, else master). */
export async function defaultBase(repo: string): Promise<string> {
  const candidates: string[] = [];
  try {
    candidates.push(await git(repo, ['symbolic-ref', '--short', 'refs/remotes/origin/HEAD']));
  } catch {
    // no remote HEAD recorded (a local repository, or a clone without it)
  }
  candidates.push('origin/main', 'main', 'origin/master', 'master');
  for (const branch of candidates) {
    try {
      return await git(repo, ['merge-base', 'HEAD', branch]);
    } catch {
      // that branch does not exist here; try the next
    }
  }
  throw new UsageError(`${repo}: no default branch (main or master) to compare with; pass --base REV`);
}

/** Files of `rev` for the folder `repo` (a subfolder of a larger repository works too). */
export async function treeAt(repo: string, rev: string): Promise<Tree> {
  let commit: string;
  try {
    commit = await git(repo, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  } catch {
    throw new UsageError(`--base/--head: "${rev}" is not a commit in ${repo}; name a branch, tag or commit (git log shows them)`);
  }
  const prefix = await git(repo, ['rev-parse', '--show-prefix']);
  const dir = await mkdtemp(path.join(tmpdir(), 'matrix-gitops-diff-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    // A folder that did not exist at `rev` is an empty tree (everything in it is "added").
    const exists = (await execa('git', ['cat-file', '-e', `${commit}:${prefix}`], { cwd: repo, reject: false })).exitCode === 0;
    if (exists) await execa('sh', ['-c', 'git archive --format=tar "$1" | tar -x -C "$2"', 'sh', prefix ? `${commit}:${prefix}` : commit, dir], { cwd: repo });
  } catch (err) {
    await dispose();
    throw new EnvironmentError(`git archive ${rev}: ${(err as Error).message.split('\n')[0]}`);
  }
  return { label: rev, dir, dispose };
}

export const workTree = (repo: string): Tree => ({ label: 'work tree', dir: repo, dispose: async () => undefined });
