// Runs the Rego unit tests (policies/**/*_test.rego) with the pinned conftest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execa } from 'execa';
import { projectRoot } from '../../../src/lib/versions.ts';
import { toolPath } from '../../../src/lib/tools.ts';

test('policies: conftest verify passes every *_test.rego', async () => {
  const r = await execa(toolPath('conftest'), ['verify', '--policy', path.join(projectRoot, 'policies'), '--no-color', '--show-builtin-errors'], {
    reject: false,
    cwd: projectRoot,
  });
  const out = `${r.stdout}\n${r.stderr}`;
  const summary = /(\d+) tests, (\d+) passed, \d+ warnings, (\d+) failures/.exec(out);
  assert.ok(summary, `no conftest verify summary:\n${out}`);
  const [, total, passed, failures] = summary.map(Number);
  assert.equal(r.exitCode, 0, out);
  assert.equal(failures, 0, out);
  assert.equal(passed, total, out);
  assert.ok(total >= 100, `expected the full policy test suite, found ${total} tests`);
});
