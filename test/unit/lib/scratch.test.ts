// validate's short-lived files go to memory where the system has it, and where the user says otherwise, there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const module = path.resolve(import.meta.dirname, '../../../src/lib/scratch.ts');

function rootWith(env: NodeJS.ProcessEnv): string {
  const script = `import { scratchRoot } from ${JSON.stringify(module)}; console.log(scratchRoot());`;
  return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env, encoding: 'utf8' }).trim();
}

test('scratch: a TMPDIR you set wins', () => {
  const mine = mkdtempSync(path.join(tmpdir(), 'mx-scratch-test-'));
  try {
    assert.equal(rootWith({ ...process.env, TMPDIR: mine }), mine);
  } finally {
    rmSync(mine, { recursive: true, force: true });
  }
});

test('scratch: without TMPDIR, /dev/shm on Linux when it is there', { skip: process.platform !== 'linux' || !existsSync('/dev/shm') }, () => {
  const env = { ...process.env };
  delete env.TMPDIR;
  assert.equal(rootWith(env), '/dev/shm');
});
