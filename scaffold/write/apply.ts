// Applies a plan without ever leaving a half-written repository: the new tree is assembled in a
// sibling temp directory (same filesystem) and swapped in with renames; on any error the target is
// exactly as it was.
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface FileWrite {
  path: string;
  content: string;
  mode?: number;
}

export interface Change {
  writes: FileWrite[];
  deletes: string[];
  /** runs inside the staged tree before the swap (e.g. writing secrets, git commit) */
  stage?: (dir: string) => Promise<void>;
}

export async function applyAtomically(target: string, change: Change): Promise<void> {
  const abs = path.resolve(target);
  const parent = path.dirname(abs);
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(path.join(parent, `.${path.basename(abs)}.scaffold-`));
  const work = path.join(staging, 'repo');
  try {
    if (existsSync(abs)) cpSync(abs, work, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
    else mkdirSync(work);
    for (const p of change.deletes) rmSync(path.join(work, p), { force: true });
    for (const w of change.writes) {
      const file = path.join(work, w.path);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, w.content, { mode: w.mode ?? 0o644 });
    }
    if (change.stage) await change.stage(work);
    // Swap: old tree aside, new tree in, old tree removed. Each rename is atomic.
    const old = path.join(staging, 'old');
    if (existsSync(abs)) renameSync(abs, old);
    try {
      renameSync(work, abs);
    } catch (err) {
      if (existsSync(old)) renameSync(old, abs);
      throw err;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
