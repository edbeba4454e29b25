// Three-way merge of one file, done by `git merge-file` (the same line merge git itself uses):
// base = what the tool wrote last time, ours = the new render, theirs = the user's file on disk.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { EnvironmentError } from '../../lib/errors.ts';

export interface Merged {
  /** true when no hunk overlapped: `text` is the file to write */
  clean: boolean;
  /** the merged file; with conflict markers when not clean */
  text: string;
  conflicts: number;
}

export const LABELS = { theirs: 'yours', base: 'last scaffold', ours: 'matrix-gitops' } as const;

export async function mergeFile(base: string, ours: string, theirs: string): Promise<Merged> {
  const dir = await mkdtemp(path.join(tmpdir(), 'matrix-gitops-merge-'));
  try {
    const f = (n: string) => path.join(dir, n);
    await Promise.all([writeFile(f('theirs'), theirs), writeFile(f('base'), base), writeFile(f('ours'), ours)]);
    // merge-file folds base→ours into theirs, so the user's file is the one changes land on.
    const r = await execa('git', ['merge-file', '-p', '-L', LABELS.theirs, '-L', LABELS.base, '-L', LABELS.ours, f('theirs'), f('base'), f('ours')], {
      reject: false, stripFinalNewline: false,
    });
    // The exit code is the number of conflicts; a negative one (255 as seen here) is git failing.
    if (r.exitCode === undefined || r.exitCode > 127) {
      throw new EnvironmentError(`git merge-file failed: ${(r.stderr || r.message || 'no output').trim().split('\n')[0]}; install git 2.x or re-run with --force to take ours`);
    }
    return { clean: r.exitCode === 0, text: r.stdout, conflicts: r.exitCode };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The conflicting regions of a merged file, each with its first line number, for the report. */
export function conflictHunks(file: string, merged: string): string {
  const lines = merged.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('<<<<<<< ')) continue;
    const start = i;
    while (i < lines.length && !lines[i].startsWith('>>>>>>> ')) i++;
    out.push(`${file}:${start + 1}: conflict`, ...lines.slice(start, i + 1));
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
