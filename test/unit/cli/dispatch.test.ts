// The matrix-gitops dispatcher and every subcommand: --help answers (exit 0) without side effects,
// an unknown flag or command is one exact line naming it and pointing at --help (exit 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { projectRoot } from '../../../src/lib/versions.ts';
import { COMMANDS } from '../../../src/cli/main.ts';

const main = path.join(projectRoot, 'src', 'cli', 'main.ts');
const cli = (args: string[]) => execa(process.execPath, ['--import', 'tsx', main, ...args], { cwd: projectRoot, reject: false });

test('every subcommand answers --help with its usage, exit 0', async () => {
  for (const name of Object.keys(COMMANDS)) {
    const r = await cli([name, '--help']);
    assert.equal(r.exitCode, 0, `${name}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^Usage: matrix-gitops ${name}`), name);
  }
  const top = await cli(['--help']);
  assert.equal(top.exitCode, 0);
  for (const name of Object.keys(COMMANDS)) assert.match(top.stdout, new RegExp(`^  ${name} `, 'm'), `--help lists ${name}`);
});

test('an unknown flag is one line naming it and pointing at the subcommand help, exit 2', async () => {
  for (const name of ['init', 'scaffold', 'validate', 'status', 'setup', 'doctor']) {
    const args = name === 'init' ? [name, 'new-repo', '--bogus'] : [name, '--bogus'];
    const r = await cli(args);
    assert.equal(r.exitCode, 2, name);
    assert.equal(r.stderr, `${name}: unknown option --bogus; see \`matrix-gitops ${name} --help\``);
  }
});

test('an unknown command, no command, and a missing init directory', async () => {
  const unknown = await cli(['frobnicate']);
  assert.equal(unknown.exitCode, 2);
  assert.equal(unknown.stderr, 'matrix-gitops: unknown command frobnicate; see `matrix-gitops --help`');
  const none = await cli([]);
  assert.equal(none.exitCode, 2);
  assert.match(none.stdout, /^Usage: matrix-gitops <command>/);
  const init = await cli(['init']);
  assert.equal(init.exitCode, 2);
  assert.equal(init.stderr, 'init: DIR: missing; name the new repository directory first, e.g. `matrix-gitops init my-matrix --server-name example.org`; see `matrix-gitops init --help`');
  const nonEmpty = await cli(['init', 'src']);
  assert.equal(nonEmpty.exitCode, 2);
  assert.equal(nonEmpty.stderr, 'init: src: already exists and is not empty; init only creates new repositories (to update one, run `matrix-gitops scaffold --out src`)');
  const sops = await cli(['sops']);
  assert.equal(sops.exitCode, 2);
  assert.equal(sops.stderr, 'sops: missing sops arguments, e.g. `matrix-gitops sops decrypt FILE`; see `matrix-gitops sops --help`');
});

test('every npm script answers --help quickly and without side effects', async () => {
  const pkg = (await import(path.join(projectRoot, 'package.json'), { with: { type: 'json' } })).default as { scripts: Record<string, string> };
  // render:self would replace base/ (a new inode); the test scripts would recurse into this suite.
  const inode = () => statSync(path.join(projectRoot, 'base')).ino;
  const before = inode();
  const status = async () => (await execa('git', ['status', '--porcelain'], { cwd: projectRoot })).stdout;
  const gitBefore = await status();
  for (const script of Object.keys(pkg.scripts)) {
    if (script === 'typecheck') continue; // tsc's own --help
    const r = await execa('npm', ['run', '--silent', script, '--', '--help'], { cwd: projectRoot, reject: false, timeout: 60_000 });
    assert.equal(r.exitCode, 0, `${script}: ${r.stderr}`);
    assert.match(r.stdout, /^Usage: /m, `npm run ${script} -- --help prints a usage`);
  }
  assert.equal(inode(), before, 'render:self --help did not re-render');
  assert.equal(await status(), gitBefore, 'no file of the checkout changed');
});
