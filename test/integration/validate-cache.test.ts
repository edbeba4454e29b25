// The result cache never changes a verdict: same inputs give the same report, and a change to the
// rendered manifests or to a policy is seen at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { projectRoot } from '../../src/lib/versions.ts';

const work = mkdtempSync(path.join(tmpdir(), 'mx-vcache-'));
const repo = path.join(work, 'repo');
const cache = path.join(work, 'cache');
cpSync(path.join(import.meta.dirname, 'fixtures/validate/policy'), repo, { recursive: true });
test.after(() => rmSync(work, { recursive: true, force: true }));

async function run(...extra: string[]): Promise<{ code: number | undefined; ids: string[]; out: string }> {
  const r = await execa(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src/cli/validate.ts'), repo, '--format', 'json', ...extra], {
    reject: false, env: { MATRIX_GITOPS_RESULT_CACHE: cache },
  });
  const report = JSON.parse(r.stdout) as { findings: { rule: string; message: string }[] };
  return { code: r.exitCode, ids: report.findings.map((f) => `${f.rule}: ${f.message}`).sort(), out: r.stdout };
}

test('a cached run reports exactly what a full run reports', async () => {
  const full = await run('--no-cache');
  const first = await run();
  const second = await run();
  assert.ok(readdirSync(cache).length > 0, 'results were cached');
  assert.equal(first.out, full.out);
  assert.equal(second.out, full.out);
  assert.equal(second.code, 1);
});

test('a change to the manifests or to a policy is never answered from the cache', async () => {
  const before = await run();
  assert.ok(before.ids.some((i) => i.startsWith('MX-TEST-001')), before.ids.join('\n'));
  const policy = path.join(repo, 'policies/test.rego');
  writeFileSync(policy, readFileSync(policy, 'utf8').replace('needs at least 2 replicas', 'must run two replicas'));
  const reworded = await run();
  assert.ok(reworded.ids.some((i) => /MX-TEST-001: .*must run two replicas/.test(i)), reworded.ids.join('\n'));
  const deployment = path.join(repo, 'base/deployment.yaml');
  writeFileSync(deployment, readFileSync(deployment, 'utf8').replace(/replicas: 1\b/, 'replicas: 3'));
  const fixed = await run();
  assert.ok(!fixed.ids.some((i) => i.startsWith('MX-TEST-001')), fixed.ids.join('\n'));
});
