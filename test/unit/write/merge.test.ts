// The three-way merge (real git merge-file) and the recovery of its base (stored copy, or git history).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { conflictHunks, mergeFile } from '../../../src/scaffold/write/merge.ts';
import { BASE_DIR, recoverBase, storedBasePaths } from '../../../src/scaffold/write/base.ts';
import { sha256 } from '../../../src/scaffold/write/state.ts';

const lines = (n: number, f: (i: number) => string = (i) => `line ${i}`) => `${Array.from({ length: n }, (_, i) => f(i + 1)).join('\n')}\n`;
const work = mkdtempSync(path.join(tmpdir(), 'mx-merge-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

test('merge: changes far apart merge cleanly and keep both sides', async () => {
  const base = lines(12);
  const ours = base.replace('line 10\n', 'line ten\n');
  const theirs = base.replace('line 2\n', 'line two\n');
  const m = await mergeFile(base, ours, theirs);
  assert.deepEqual(m, { clean: true, text: base.replace('line 10\n', 'line ten\n').replace('line 2\n', 'line two\n'), conflicts: 0 });
  // The same change on both sides is no conflict either.
  assert.equal((await mergeFile(base, ours, ours)).clean, true);
  // Only the user changed the file: the merge is the user's file.
  assert.equal((await mergeFile(base, base, theirs)).text, theirs);
});

test('merge: overlapping changes are a conflict with labelled markers and located hunks', async () => {
  const base = lines(6);
  const m = await mergeFile(base, base.replace('line 3\n', 'ours 3\n'), base.replace('line 3\n', 'yours 3\n'));
  assert.equal(m.clean, false);
  assert.equal(m.conflicts, 1);
  assert.equal(conflictHunks('f.yaml', m.text), 'f.yaml:3: conflict\n<<<<<<< yours\nyours 3\n=======\nours 3\n>>>>>>> matrix-gitops\n');
  assert.equal(conflictHunks('f.yaml', base), '');
});

test('base: the stored copy when its hash is the state\'s, else the committed version with that hash, else none', async () => {
  const repo = path.join(work, 'repo');
  mkdirSync(path.join(repo, BASE_DIR, 'dir'), { recursive: true });
  const v1 = 'a: 1\n';
  const v2 = 'a: 2\n';
  writeFileSync(path.join(repo, BASE_DIR, 'dir', 'f.yaml'), v2);
  const state = (content: string) => ({ serverName: 'x', files: { 'dir/f.yaml': sha256(content) } });
  assert.equal(await recoverBase(repo, 'dir/f.yaml', state(v2)), v2);
  assert.deepEqual(storedBasePaths(repo), ['dir/f.yaml']);
  // Not a git repository and the stored copy does not match: no base (a guess would be a silent bad merge).
  assert.equal(await recoverBase(repo, 'dir/f.yaml', state(v1)), undefined);
  assert.equal(await recoverBase(repo, 'dir/f.yaml', undefined), undefined);
  // In git history (a 0.1.0 repository: hashes only), the newest committed version with the hash.
  const git = (...a: string[]) => execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@localhost', ...a], { cwd: repo });
  await git('init', '-q');
  mkdirSync(path.join(repo, 'dir'));
  writeFileSync(path.join(repo, 'dir', 'f.yaml'), v1);
  await git('add', 'dir/f.yaml');
  await git('commit', '-qm', 'v1');
  writeFileSync(path.join(repo, 'dir', 'f.yaml'), 'a: edited\n');
  await git('commit', '-qam', 'edit');
  assert.equal(await recoverBase(repo, 'dir/f.yaml', state(v1)), v1);
  assert.equal(await recoverBase(repo, 'dir/f.yaml', state('a: never written\n')), undefined);
});
