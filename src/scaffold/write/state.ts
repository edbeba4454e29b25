// .matrix-gitops/state.json: what the tool wrote last time, so a re-run can tell its own files from
// files the user edited since, and so serverName can never change silently.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../lib/errors.ts';

export const STATE_FILE = '.matrix-gitops/state.json';

export interface State {
  serverName: string;
  /** repo-relative path → sha256 of the content as last written by the tool (secrets included) */
  files: Record<string, string>;
  /** secret files as first written; never re-rendered, never deleted by the tool */
  secrets?: Record<string, string>;
}

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

export function readState(repo: string): State | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(repo, STATE_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const s = JSON.parse(text) as State;
    if (typeof s.serverName !== 'string' || typeof s.files !== 'object') throw new Error('shape');
    return s;
  } catch {
    throw new UsageError(`${path.join(repo, STATE_FILE)}: unreadable scaffold state; restore it from git (git checkout -- ${STATE_FILE})`);
  }
}

export function renderState(state: State): string {
  const files = Object.fromEntries(Object.entries(state.files).sort(([a], [b]) => (a < b ? -1 : 1)));
  const secrets = Object.fromEntries(Object.entries(state.secrets ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));
  return `${JSON.stringify({ serverName: state.serverName, files, secrets }, null, 2)}\n`;
}
