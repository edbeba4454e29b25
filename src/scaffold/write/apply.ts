// Applies a change without ever leaving a half-written repository.
//
// Everything new is first written into a staging directory that is a sibling of the target (same
// filesystem, so every move is a rename(2), atomic per file). Then:
// - a target that does not exist yet is created by renaming the whole staged tree into place;
// - an existing target is updated file by file *in place* (its directory, and a shell or editor
//   sitting in it, stay valid): each replaced or deleted file is first moved aside into the staging
//   directory, under a journal written before the first move. A failure rolls every move back; a
//   hard kill (power loss, SIGKILL) leaves the journal, and the next run rolls back from it before
//   doing anything else. SIGINT/SIGTERM/SIGHUP during the moves (milliseconds) are held until the
//   moves are done, so Ctrl-C never lands between two renames.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../../lib/errors.ts';

export interface Change {
  /** repo-relative paths to remove (missing ones are ignored) */
  deletes: string[];
  /**
   * Writes the new files into `dir` (repo-relative layout). For a new target `dir` becomes the
   * repository as a whole (so it may also `git init` there); for an existing one only the files in
   * `dir` are moved into the target, everything else is left alone.
   */
  stage: (dir: string, fresh: boolean) => Promise<void>;
}

export interface Applied {
  fresh: boolean;
  written: string[];
  deleted: string[];
}

interface JournalOp {
  path: string;
  kind: 'write' | 'delete';
  /** the target had this path before the run (so a rollback restores it rather than removing it) */
  existed: boolean;
}

interface Journal {
  target: string;
  ops: JournalOp[];
  /** directories the run creates in the target, parents first */
  createdDirs: string[];
}

const PREFIX = (target: string) => `.${path.basename(target)}.scaffold-`;
const OWNER = 'owner.pid';
const JOURNAL = 'journal.json';
const DONE = 'done';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Files (and symlinks) under `dir`, repo-relative POSIX paths, sorted. */
export function listFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, p));
    else out.push(p);
  }
  return out.sort();
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Undoes the moves a journal describes, however far they got. Idempotent. */
function rollback(staging: string, j: Journal): void {
  for (const op of [...j.ops].reverse()) {
    const target = path.join(j.target, op.path);
    const aside = path.join(staging, 'old', op.path);
    if (exists(aside)) renameSync(aside, target);
    else if (op.kind === 'write' && !op.existed && !exists(path.join(staging, 'new', op.path)) && exists(target)) rmSync(target, { force: true });
  }
  for (const d of [...j.createdDirs].reverse()) {
    try {
      rmdirSync(d);
    } catch {
      // not empty (something else put a file there) or already gone: leave it
    }
  }
}

/**
 * Staging directories a previous run left next to the target: a live one means another run is
 * writing; a dead one with an unfinished journal is rolled back. Returns what was recovered.
 */
export function recoverInterrupted(target: string): string[] {
  const abs = existsSync(target) ? realpathSync(target) : path.resolve(target);
  const parent = path.dirname(abs);
  if (!existsSync(parent)) return [];
  const recovered: string[] = [];
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(PREFIX(abs))) continue;
    const staging = path.join(parent, name);
    const pid = Number(existsSync(path.join(staging, OWNER)) ? readFileSync(path.join(staging, OWNER), 'utf8') : NaN);
    if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) {
      throw new EnvironmentError(`${abs}: another scaffold run (pid ${pid}) is writing it; wait for it to finish`);
    }
    const journalFile = path.join(staging, JOURNAL);
    if (existsSync(journalFile) && !existsSync(path.join(staging, DONE))) {
      rollback(staging, JSON.parse(readFileSync(journalFile, 'utf8')) as Journal);
      recovered.push(staging);
    }
    rmSync(staging, { recursive: true, force: true });
  }
  return recovered;
}

const STAGE_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The staging directory next to the target (a symlinked target: next to the real directory, so renames stay on one filesystem). */
function makeStaging(abs: string): string {
  const parent = path.dirname(abs);
  try {
    mkdirSync(parent, { recursive: true });
    return mkdtempSync(path.join(parent, PREFIX(abs)));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new EnvironmentError(`${parent}: cannot create the staging directory next to ${path.basename(abs)} (${code}); every run is staged beside the repository, so its parent folder must be writable`);
  }
}

export async function applyAtomically(target: string, change: Change): Promise<Applied> {
  const abs = existsSync(target) ? realpathSync(target) : path.resolve(target);
  recoverInterrupted(abs);
  // One signal handler for the whole run, installed before the staging directory exists (a signal
  // in between would otherwise kill the process with the default action and leave it behind):
  // - while staging (sops, git) nothing in the target has moved yet, so a Ctrl-C drops the staged
  //   tree (it may hold a freshly generated private key) and dies of the same signal. The staging
  //   work already under way (sops processes, file writes, recursive mkdirs) is let finish first:
  //   removing the folder under it would let a late mkdir re-create part of it;
  // - while moving files into place (milliseconds) it is held and honoured once the moves are done,
  //   so Ctrl-C never lands between two renames.
  let staging: string | undefined;
  let staged: Promise<void> | undefined;
  let moving = false;
  let pending: NodeJS.Signals | undefined;
  let aborting: NodeJS.Signals | undefined;
  const release = () => { for (const t of STAGE_SIGNALS) process.off(t, onSignal); };
  const die = (s: NodeJS.Signals) => {
    if (staging) rmSync(staging, { recursive: true, force: true });
    release();
    process.kill(process.pid, s);
  };
  function onSignal(s: NodeJS.Signals): void {
    if (moving) {
      pending ??= s;
      return;
    }
    // A second Ctrl-C does not wait (a hung step must never make the tool unkillable).
    if (aborting) return die(s);
    aborting = s;
    void Promise.resolve(staged).catch(() => undefined).finally(() => die(s));
  }
  for (const t of STAGE_SIGNALS) process.on(t, onSignal);
  try {
    staging = makeStaging(abs);
    writeFileSync(path.join(staging, OWNER), String(process.pid));
    const fresh = !existsSync(abs);
    const newDir = path.join(staging, 'new');
    mkdirSync(newDir);
    staged = change.stage(newDir, fresh);
    await staged.catch((err: unknown) => {
      if (!aborting) throw err;
    });
    // Interrupted: onSignal removes the staging folder and ends the process; nothing may move.
    if (aborting) await new Promise<never>(() => undefined);
    moving = true;
    // git's own files (a fresh repository is committed while staged) are not "written files".
    const written = listFiles(newDir).filter((p) => !p.startsWith('.git/'));
    if (fresh) {
      renameSync(newDir, abs);
      return { fresh, written, deleted: [] };
    }
    const deletes = change.deletes.filter((p) => !written.includes(p) && exists(path.join(abs, p)));
    const ops: JournalOp[] = [
      ...written.map((p): JournalOp => ({ path: p, kind: 'write', existed: exists(path.join(abs, p)) })),
      ...deletes.map((p): JournalOp => ({ path: p, kind: 'delete', existed: true })),
    ];
    // Only files are ever moved aside: a directory where a file goes (or is deleted) would vanish
    // with the staging directory, so that is refused before anything moves.
    const dirInTheWay = ops.find((op) => op.existed && lstatSync(path.join(abs, op.path)).isDirectory());
    if (dirInTheWay) throw new EnvironmentError(`${path.join(abs, dirInTheWay.path)}: is a directory where a file belongs; move it away and re-run`);
    const createdDirs: string[] = [];
    for (const p of written) {
      for (let d = path.dirname(path.join(abs, p)); d !== abs && !exists(d) && !createdDirs.includes(d); d = path.dirname(d)) createdDirs.push(d);
    }
    createdDirs.sort((a, b) => a.length - b.length);
    const journal: Journal = { target: abs, ops, createdDirs };
    // The journal is in place (itself by rename) before the first move, so a kill at any point after
    // it can be undone by the next run.
    writeFileSync(path.join(staging, `${JOURNAL}.tmp`), JSON.stringify(journal));
    renameSync(path.join(staging, `${JOURNAL}.tmp`), path.join(staging, JOURNAL));
    try {
      for (const d of createdDirs) mkdirSync(d);
      // Test hook: a signal to itself after N moves, `SIGKILL@5` (a hard kill the next run rolls
      // back) or `SIGINT@5` (a Ctrl-C held until the moves are done), for test/integration.
      const [hookSignal, hookAfter] = (process.env.MATRIX_GITOPS_TEST_SIGNAL_AFTER_MOVES ?? '').split('@');
      let moves = 0;
      for (const op of ops) {
        if (hookSignal && moves++ === Number(hookAfter)) process.kill(process.pid, hookSignal);
        const dest = path.join(abs, op.path);
        if (op.existed) {
          mkdirSync(path.dirname(path.join(staging, 'old', op.path)), { recursive: true });
          renameSync(dest, path.join(staging, 'old', op.path));
        }
        if (op.kind === 'write') renameSync(path.join(newDir, op.path), dest);
      }
      writeFileSync(path.join(staging, DONE), '');
    } catch (err) {
      rollback(staging, journal);
      throw err;
    }
    // Past the commit point: folders the deletes emptied go too (never one that still holds anything).
    for (const p of deletes) {
      for (let d = path.dirname(path.join(abs, p)); d.startsWith(`${abs}${path.sep}`); d = path.dirname(d)) {
        try {
          rmdirSync(d);
        } catch {
          break;
        }
      }
    }
    return { fresh, written, deleted: deletes };
  } finally {
    if (staging) rmSync(staging, { recursive: true, force: true });
    // The moves are synchronous, so a signal that came in meanwhile reaches onSignal only in the
    // event loop's next poll phase; two check-phase turns always have one poll between them. Then
    // honour it (the run completed or rolled back).
    for (let turn = 0; turn < 2; turn++) await new Promise((r) => setImmediate(r));
    release();
    if (pending) process.kill(process.pid, pending);
  }
}
