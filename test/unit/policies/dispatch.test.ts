// policies/main.rego evaluates each document against only the rules declared for its kind
// (METADATA `kinds:`). A wrong declaration would silently skip a rule, so this compares the
// dispatched gate with an undispatched one (every rule on every document) over the project's own
// rendered overlays and the rule tests' fixture documents: the findings must be identical.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { projectRoot } from '../../../src/lib/versions.ts';
import { kustomizeBuild, toolPath } from '../../../src/lib/tools.ts';
import { ruleFiles } from '../../../src/validate/policy.ts';
import { dispatchRules, mainCovers, renderMain } from '../../../src/validate/dispatch.ts';
import { generateMain } from '../../../scripts/dev/policy-docs.ts';

const policies = path.join(projectRoot, 'policies');

test('dispatch: policies/main.rego is what scripts/dev/policy-docs.ts generates, and covers every rule', () => {
  const { expected, current } = generateMain();
  assert.equal(current, expected, 'policies/main.rego is out of date; run `npx tsx scripts/dev/policy-docs.ts`');
  assert.equal(mainCovers(policies, ruleFiles(projectRoot)), true);
});

test('dispatch: a rule main.rego does not list makes validate fall back to every package', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mx-dispatch-'));
  try {
    await cp(policies, path.join(dir, 'policies'), { recursive: true });
    await writeFile(path.join(dir, 'policies', 'extra.rego'), 'package mx.extra\n\ndeny_mine contains "x" if input.kind == "Foo"\n');
    assert.equal(mainCovers(path.join(dir, 'policies'), ruleFiles(dir)), false);
    await writeFile(path.join(dir, 'policies', 'main.rego'), '# hand-written\npackage main\n');
    await rm(path.join(dir, 'policies', 'extra.rego'));
    assert.equal(mainCovers(path.join(dir, 'policies'), ruleFiles(dir)), false, 'a main.rego that is not generated is not trusted');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

async function results(policyDir: string, files: string[], data: string): Promise<string[]> {
  const args = ['test', '--no-fail', '-o', 'json', '--namespace', 'main', '-d', data, ...ruleFiles(policyDir).flatMap((f) => ['-p', f]), ...files];
  const r = await execa(toolPath('conftest'), args, { reject: false });
  const out = JSON.parse(r.stdout) as Array<{ filename: string; failures?: Array<{ msg: string }> }>;
  return out.flatMap((o) => (o.failures ?? []).map((f) => `${path.basename(o.filename)}: ${f.msg}`)).sort();
}

test('dispatch: the dispatched gate finds exactly what every rule on every document finds', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mx-dispatch-'));
  try {
    const files: string[] = [];
    for (const overlay of ['homelab', 'production', 'li']) {
      const k = kustomizeBuild(path.join(projectRoot, 'overlays', overlay));
      const r = await execa(k.file, k.args);
      files.push(path.join(dir, `${overlay}.yaml`));
      await writeFile(files.at(-1) as string, r.stdout);
    }
    // Documents that break rules (the project's tree breaks few): the fixtures next to the tests.
    const fixtures = path.join(projectRoot, 'test/unit/policies/fixtures');
    for (const f of ['dispatch-violations.yaml']) files.push(path.join(fixtures, f));
    const data = path.join(dir, 'data.json');
    await writeFile(data, JSON.stringify({ mx: { overlay: 'production', li_allowed_cidrs: ['203.0.113.0/24'] } }));
    const all = path.join(dir, 'all');
    await cp(policies, path.join(all, 'policies'), { recursive: true });
    // Every rule on every document: the same generator with no kinds declared.
    const undispatched = dispatchRules(ruleFiles(projectRoot)).map((r) => ({ ...r, kinds: undefined }));
    await writeFile(path.join(all, 'policies', 'main.rego'), renderMain(undispatched));
    const [got, want] = await Promise.all([results(projectRoot, files, data), results(all, files, data)]);
    assert.ok(want.length > 50, `expected the fixtures to break many rules, got ${want.length}`);
    assert.deepEqual(got, want);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('dispatch: pod in kinds expands to every kind with a pod template', async () => {
  const text = await readFile(path.join(policies, 'main.rego'), 'utf8');
  for (const k of ['CronJob', 'DaemonSet', 'Deployment', 'Job', 'Pod', 'ReplicaSet', 'StatefulSet']) {
    assert.match(text, new RegExp(`"${k}": \\[.*"deny_mx_pss_003"`));
  }
});
