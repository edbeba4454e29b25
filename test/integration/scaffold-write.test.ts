// The write layer on its own: plan (create/update/unchanged/conflict/delete/keep), the unified diff,
// and the atomic apply, including a run killed between two renames and rolled back by the next one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { applyAtomically, recoverInterrupted } from '../../src/scaffold/write/apply.ts';
import { plan } from '../../src/scaffold/write/plan.ts';
import { unifiedDiff } from '../../src/scaffold/write/diff.ts';
import { sha256, type State } from '../../src/scaffold/write/state.ts';

const work = mkdtempSync(path.join(tmpdir(), 'mx-write-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

function tree(dir: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(path.join(dir, rel))) {
    const p = rel ? `${rel}/${e}` : e;
    if (statSync(path.join(dir, p)).isDirectory()) Object.assign(out, tree(dir, p), { [`${p}/`]: '' });
    else out[p] = readFileSync(path.join(dir, p), 'utf8');
  }
  return out;
}

function makeRepo(name: string, files: Record<string, string>): string {
  const dir = path.join(work, name);
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    writeFileSync(path.join(dir, p), c);
  }
  return dir;
}

const siblings = (dir: string) => readdirSync(path.dirname(dir)).filter((e) => e.startsWith(`.${path.basename(dir)}.scaffold-`));

test('plan: create, update, unchanged, conflict, delete, keep', () => {
  const repo = makeRepo('plan', { 'a.yaml': 'a1\n', 'b.yaml': 'b1\n', 'c.yaml': 'edited\n', 'gone.yaml': 'g\n', 'gone-edited.yaml': 'mine\n', 'x/secrets/s.sops.yaml': 's\n' });
  const state: State = {
    serverName: 'example.org',
    files: { 'a.yaml': sha256('a1\n'), 'b.yaml': sha256('b1\n'), 'c.yaml': sha256('c1\n'), 'gone.yaml': sha256('g\n'), 'gone-edited.yaml': sha256('g\n'), 'x/secrets/s.sops.yaml': sha256('s\n') },
  };
  const actions = plan(repo, [
    { path: 'a.yaml', content: 'a1\n' }, { path: 'b.yaml', content: 'b2\n' }, { path: 'c.yaml', content: 'c2\n' }, { path: 'new.yaml', content: 'n\n' },
  ], state);
  const kinds = Object.fromEntries(actions.map((a) => [a.path, a.kind]));
  assert.deepEqual(kinds, {
    'a.yaml': 'unchanged', 'b.yaml': 'update', 'c.yaml': 'conflict', 'new.yaml': 'create', 'gone.yaml': 'delete', 'gone-edited.yaml': 'keep',
  });
  // A file that was there before the tool ever ran is the user's: a conflict, not an update.
  assert.equal(plan(repo, [{ path: 'a.yaml', content: 'other\n' }], undefined)[0].kind, 'conflict');
});

test('diff: unified format with hunks, context and the no-newline marker', () => {
  const yours = `${Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n')}\n`;
  const ours = yours.replace('line 3\n', 'line three\n').replace('line 18\n', '');
  assert.equal(unifiedDiff('f.yaml', yours, ours), [
    '--- f.yaml (yours)', '+++ f.yaml (matrix-gitops)',
    '@@ -1,6 +1,6 @@', ' line 1', ' line 2', '-line 3', '+line three', ' line 4', ' line 5', ' line 6',
    '@@ -15,6 +15,5 @@', ' line 15', ' line 16', ' line 17', '-line 18', ' line 19', ' line 20', '',
  ].join('\n'));
  assert.equal(unifiedDiff('f', 'a\nb', 'a\nb\n'), '--- f (yours)\n+++ f (matrix-gitops)\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n');
  assert.equal(unifiedDiff('f', 'same\n', 'same\n'), '');
  assert.equal(unifiedDiff('f', '', 'x\n'), '--- f (yours)\n+++ f (matrix-gitops)\n@@ -0,0 +1 @@\n+x\n');
});

test('apply: a new target appears whole; an existing one is updated in place (same directory)', async () => {
  const fresh = path.join(work, 'fresh');
  const r = await applyAtomically(fresh, { deletes: [], stage: async (dir, isFresh) => { assert.ok(isFresh); writeFileSync(path.join(dir, 'f'), '1'); } });
  assert.deepEqual(r, { fresh: true, written: ['f'], deleted: [] });
  assert.deepEqual(tree(fresh), { f: '1' });

  const repo = makeRepo('inplace', { keep: 'k', 'old/x': 'x', upd: 'u1' });
  const inode = statSync(repo).ino;
  await applyAtomically(repo, {
    deletes: ['old/x', 'not-there'],
    stage: async (dir) => {
      writeFileSync(path.join(dir, 'upd'), 'u2');
      mkdirSync(path.join(dir, 'new/deep'), { recursive: true });
      writeFileSync(path.join(dir, 'new/deep/n'), 'n');
    },
  });
  assert.equal(statSync(repo).ino, inode, 'the directory itself is kept (a shell inside it stays valid)');
  assert.deepEqual(tree(repo), { keep: 'k', upd: 'u2', 'new/': '', 'new/deep/': '', 'new/deep/n': 'n' }, 'old/ emptied by the delete is gone');
  assert.deepEqual(siblings(repo), []);
});

test('apply: a failing stage or a failing move leaves the target exactly as it was', async () => {
  const repo = makeRepo('failing', { a: 'a', 'dir/b': 'b', file: 'f' });
  const before = tree(repo);
  await assert.rejects(applyAtomically(repo, {
    deletes: ['a'],
    stage: async (dir) => { writeFileSync(path.join(dir, 'a'), 'changed'); throw new Error('sops failed'); },
  }), /sops failed/);
  assert.deepEqual(tree(repo), before);
  // `a` is replaced first, then `file/x` cannot be moved (its parent is a file): all moves undone.
  await assert.rejects(applyAtomically(repo, {
    deletes: ['dir/b'],
    stage: async (dir) => {
      writeFileSync(path.join(dir, 'a'), 'changed');
      mkdirSync(path.join(dir, 'file'));
      writeFileSync(path.join(dir, 'file/x'), 'x');
      mkdirSync(path.join(dir, 'made/deep'), { recursive: true });
      writeFileSync(path.join(dir, 'made/deep/n'), 'n');
    },
  }), /ENOTDIR/);
  assert.deepEqual(tree(repo), before);
  // A directory where a file goes is refused before anything moves (it would be lost otherwise).
  await assert.rejects(applyAtomically(repo, { deletes: [], stage: async (dir) => { writeFileSync(path.join(dir, 'dir'), 'file'); } }), /dir: is a directory where a file belongs/);
  assert.deepEqual(tree(repo), before);
  assert.deepEqual(siblings(repo), []);
});

test('apply: a run killed between two renames is rolled back by the next run', async () => {
  const repo = makeRepo('killed', { a: 'a1', b: 'b1', 'sub/c': 'c1' });
  const before = tree(repo);
  const child = path.join(import.meta.dirname, 'fixtures', 'scaffold', 'apply-child.ts');
  const spec = JSON.stringify({ writes: { a: 'a2', b: 'b2', 'n/new': 'n' }, deletes: ['sub/c'] });
  const r = await execa(process.execPath, ['--import', 'tsx', child, repo, spec], { reject: false, env: { MATRIX_GITOPS_TEST_SIGNAL_AFTER_MOVES: 'SIGKILL@2' } });
  assert.equal(r.signal, 'SIGKILL');
  assert.notDeepEqual(tree(repo), before, 'the kill landed part way');
  assert.equal(siblings(repo).length, 1, 'the journal is left behind');
  assert.equal(recoverInterrupted(repo).length, 1);
  assert.deepEqual(tree(repo), before);
  assert.deepEqual(siblings(repo), []);
  // And the same change then goes through.
  const ok = await execa(process.execPath, ['--import', 'tsx', child, repo, spec], { reject: false });
  assert.equal(ok.exitCode, 0, ok.stderr);
  assert.deepEqual(tree(repo), { a: 'a2', b: 'b2', 'n/': '', 'n/new': 'n' });
  assert.ok(!existsSync(path.join(repo, 'sub/c')));
});

test('apply: a Ctrl-C between two renames is held until every move is done, then honoured', async () => {
  const repo = makeRepo('held', { a: 'a1', b: 'b1', 'sub/c': 'c1' });
  const child = path.join(import.meta.dirname, 'fixtures', 'scaffold', 'apply-child.ts');
  const spec = JSON.stringify({ writes: { a: 'a2', b: 'b2', 'n/new': 'n' }, deletes: ['sub/c'] });
  const r = await execa(process.execPath, ['--import', 'tsx', child, repo, spec], { reject: false, env: { MATRIX_GITOPS_TEST_SIGNAL_AFTER_MOVES: 'SIGINT@2' } });
  assert.equal(r.signal, 'SIGINT', 'the process still dies of the Ctrl-C');
  assert.deepEqual(tree(repo), { a: 'a2', b: 'b2', 'n/': '', 'n/new': 'n' }, 'but only after the whole change is in place');
  assert.deepEqual(siblings(repo), [], 'and its staging directory is gone');
});

test('apply: refuses while another live run is writing the same target', async () => {
  const repo = makeRepo('busy', { a: 'a' });
  const other = execa('sleep', ['30']);
  try {
    const staging = path.join(work, '.busy.scaffold-other');
    mkdirSync(staging);
    writeFileSync(path.join(staging, 'owner.pid'), String(other.pid));
    await assert.rejects(applyAtomically(repo, { deletes: [], stage: async () => {} }), new RegExp(`another scaffold run \\(pid ${other.pid}\\)`));
    assert.ok(existsSync(staging), 'the live run is left alone');
  } finally {
    other.kill();
    await other.catch(() => undefined);
  }
  // Once that process is gone its leftovers are cleaned up and the run goes ahead.
  await applyAtomically(repo, { deletes: [], stage: async (dir) => { writeFileSync(path.join(dir, 'a'), 'b'); } });
  assert.deepEqual(tree(repo), { a: 'b' });
  assert.deepEqual(siblings(repo), []);
});

test('apply: a symlinked target is updated through the link, staged next to the real folder', async () => {
  const real = makeRepo('real', { a: 'a' });
  const link = path.join(work, 'links', 'repo');
  mkdirSync(path.dirname(link));
  symlinkSync(real, link);
  await applyAtomically(link, { deletes: [], stage: async (dir) => { writeFileSync(path.join(dir, 'a'), 'b'); } });
  assert.deepEqual(tree(real), { a: 'b' });
  assert.ok(lstatSync(link).isSymbolicLink(), 'the link stays a link');
  assert.deepEqual(readdirSync(path.dirname(link)), ['repo']);
});

test('apply: an unwritable parent folder is one clear error, nothing written', { skip: process.getuid?.() === 0 ? 'root can write anywhere' : false }, async () => {
  const parent = path.join(work, 'locked');
  const repo = makeRepo('locked/repo', { a: 'a' });
  chmodSync(parent, 0o555);
  try {
    await assert.rejects(applyAtomically(repo, { deletes: [], stage: async () => {} }), /cannot create the staging directory next to repo \(EACCES\)/);
  } finally {
    chmodSync(parent, 0o755);
  }
});
