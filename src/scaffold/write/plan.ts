// Compares what the tool renders now with what is on disk and what it wrote last time. Edited
// files come out as conflicts here; resolveEdits (resolve.ts) then merges the ones it can.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { sha256, type State } from './state.ts';
import { UsageError } from '../../lib/errors.ts';

export type Action =
  | { kind: 'create'; path: string; content: string }
  | { kind: 'update'; path: string; content: string }
  | { kind: 'unchanged'; path: string }
  /**
   * the user changed a tool-owned file since the last run (or it existed before the first run) and
   * it could not be merged: no base to merge from, or overlapping changes (`merged` has the markers)
   */
  | { kind: 'conflict'; path: string; content: string; current: string; merged?: string }
  /** the user's edit and the new render merged cleanly: `content` is the merged file */
  | { kind: 'merge'; path: string; content: string; current: string }
  /** the user's edit is kept as it is: the render did not change since the last run */
  | { kind: 'edited'; path: string }
  /** no longer rendered and untouched since the tool wrote it */
  | { kind: 'delete'; path: string }
  /** no longer rendered but edited by the user: left in place */
  | { kind: 'keep'; path: string };

export interface Desired {
  path: string;
  content: string;
  /** user-owned once it exists (custom/ folders): created when missing, otherwise left alone */
  createOnce?: boolean;
}

export function plan(repo: string, desired: Desired[], state: State | undefined): Action[] {
  const actions: Action[] = [];
  const wanted = new Set(desired.map((d) => d.path));
  for (const d of desired) {
    const file = path.join(repo, d.path);
    if (!existsSync(file)) {
      actions.push({ kind: 'create', path: d.path, content: d.content });
      continue;
    }
    if (statSync(file).isDirectory()) throw new UsageError(`${file}: is a directory where matrix-gitops writes a file; move it away and re-run`);
    if (d.createOnce) {
      actions.push({ kind: 'unchanged', path: d.path });
      continue;
    }
    const current = readFileSync(file, 'utf8');
    if (current === d.content) {
      actions.push({ kind: 'unchanged', path: d.path });
      continue;
    }
    const lastWritten = state?.files[d.path];
    if (lastWritten !== undefined && lastWritten === sha256(current)) actions.push({ kind: 'update', path: d.path, content: d.content });
    else actions.push({ kind: 'conflict', path: d.path, content: d.content, current });
  }
  const secrets = new Set(Object.keys(state?.secrets ?? {}));
  for (const [p, hash] of Object.entries(state?.files ?? {})) {
    // Secret files are never removed by the tool, even when their component is turned off.
    if (wanted.has(p) || secrets.has(p) || /(^|\/)secrets\/[^/]+\.sops\.ya?ml$/.test(p)) continue;
    const file = path.join(repo, p);
    if (!existsSync(file) || statSync(file).isDirectory()) continue;
    actions.push(sha256(readFileSync(file)) === hash ? { kind: 'delete', path: p } : { kind: 'keep', path: p });
  }
  return actions;
}
