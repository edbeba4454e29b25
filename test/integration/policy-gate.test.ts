// validate drives every policy through one `conftest test --combine --namespace gate` process
// (policies/gate.rego) and every schema check through one kubeconform process, mapping results back
// to their entry point. These tests fail if that mapping drops or misplaces per-document,
// cross-resource or schema findings, or if the single process finds anything the two-pass
// fallback would not.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { projectRoot } from '../../src/lib/versions.ts';
import { ensureSchemaCache } from '../../src/schemas/cache.ts';
import { splitStream, type Built } from '../../src/validate/build.ts';
import { walk } from '../../src/validate/flux-graph.ts';
import { loadPolicyData, policyCheckAll, shardEntries, type PolicyOutcome } from '../../src/validate/policy.ts';
import type { Finding, Report } from '../../src/validate/types.ts';

const fixtures = path.join(projectRoot, 'test/integration/fixtures/validate');
const cli = path.join(projectRoot, 'src/cli/validate.ts');
const policies = path.join(projectRoot, 'policies');

before(async () => {
  await ensureSchemaCache();
});

async function report(fixture: string): Promise<Report> {
  const r = await execa(process.execPath, ['--import', 'tsx', cli, path.join(fixtures, fixture), '--format', 'json', '--no-cache'], { reject: false, cwd: projectRoot, env: { NO_COLOR: '1' } });
  assert.equal(r.exitCode, 1, String(r.stderr));
  return JSON.parse(String(r.stdout)) as Report;
}

const has = (fs: Finding[], overlay: string, rule: string, severity: Finding['severity']) =>
  fs.some((f) => f.overlay === overlay && f.rule === rule && f.severity === severity && f.kind === 'Deployment' && f.name === 'synapse' && f.namespace === 'matrix');

test('gate: every entry point reports its per-document, cross-resource and schema findings', async () => {
  const { findings, overlays } = await report('gate-entries');
  assert.deepEqual(overlays.map((o) => o.name).sort(), ['homelab', 'production', 'staging']);
  for (const o of ['production', 'staging']) {
    assert.ok(has(findings, o, 'MX-IMG-003', 'error'), `${o}: per-document MX-IMG-003 (untrusted registry) missing`);
    assert.ok(has(findings, o, 'MX-REL-003', 'error'), `${o}: cross-resource MX-REL-003 (replicas without a PDB) missing`);
  }
  // Each entry's own overlay reaches both kinds of rule: homelab relaxes IMG-003 to a warning and
  // has no REL-003, and its cross-resource MX-NET-001 is a warning where production's is an error.
  assert.ok(has(findings, 'homelab', 'MX-IMG-003', 'warning'));
  assert.ok(!findings.some((f) => f.overlay === 'homelab' && f.rule === 'MX-REL-003'));
  assert.deepEqual(findings.filter((f) => f.rule === 'MX-NET-001').map((f) => `${f.overlay} ${f.severity}`).sort(), [
    'homelab warning', 'homelab warning', 'production error', 'production error', 'staging error', 'staging error',
  ]);
  // The schema finding is staging's alone (its patch adds the unknown field).
  assert.deepEqual(findings.filter((f) => f.rule === 'schema').map((f) => `${f.overlay} ${f.kind}/${f.name} ${f.message}`), [
    "staging Deployment/synapse /spec: additional properties 'replicaCount' not allowed",
  ]);
});

const key = (o: PolicyOutcome | undefined) => [
  ...(o?.findings ?? []).map((f) => JSON.stringify(f)),
  ...(o?.exceptions ?? []).map((f) => `exception ${JSON.stringify(f)}`),
];

test('gate: the gate process, split over several or not, finds exactly what the two passes find', async () => {
  const walked = await walk(projectRoot, {});
  const dir = await mkdtemp(path.join(tmpdir(), 'mx-gate-'));
  try {
    // The project's entries break few rules; the dispatch fixtures break many, here in two entries
    // with different overlays so the per-entry mapping is exercised on them too.
    const text = await readFile(path.join(projectRoot, 'test/unit/policies/fixtures/dispatch-violations.yaml'), 'utf8');
    const extra = (name: string): Built => ({
      entry: { name, path: `violations/${name}`, absPath: path.join(dir, name), hasKustomization: true },
      yaml: text,
      docs: splitStream(text),
      findings: [],
    });
    const builts = [...walked.builts, extra('violations/homelab'), extra('violations/production')];
    // Without policies/gate.rego validate runs the two passes (main, then gate_combined).
    const twoPass = path.join(dir, 'policies');
    await cp(policies, twoPass, { recursive: true });
    await rm(path.join(twoPass, 'gate.rego'));
    const data = await loadPolicyData(projectRoot);
    // One gate process, the same split over two (as on this project's two-core machines), and the two passes.
    assert.equal(shardEntries(builts.filter((b) => b.docs.length > 0), 2).length, 2);
    const [single, sharded, passes] = await Promise.all([
      policyCheckAll(projectRoot, builts, data, policies, 1),
      policyCheckAll(projectRoot, builts, data, policies, 2),
      policyCheckAll(projectRoot, builts, data, twoPass),
    ]);
    const total = builts.reduce((n, b) => n + key(single.get(b)).length, 0);
    assert.ok(total > 300, `expected many findings over the entries, got ${total}`);
    for (const b of builts) {
      assert.deepEqual(key(single.get(b)), key(passes.get(b)), b.entry.name);
      assert.deepEqual(key(sharded.get(b)), key(single.get(b)), `${b.entry.name} (two conftest processes)`);
    }
    // Both kinds of rule are in the comparison, in both violation entries.
    for (const name of ['violations/homelab', 'violations/production']) {
      const rules = new Set(single.get(builts.find((b) => b.entry.name === name) as Built)?.findings.map((f) => f.rule));
      assert.ok(rules.has('MX-PSS-003') || rules.has('MX-PSS-002'), `${name}: per-document findings missing`);
      assert.ok(rules.has('MX-NET-001'), `${name}: cross-resource findings missing`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    await walked.cleanup();
  }
});
