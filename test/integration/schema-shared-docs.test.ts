// A document the same in several entry points is schema-checked once and its findings reach every
// entry that has it; where the borrowed results could be someone else's (two objects of one key in
// the first entry), the document is checked again in its own entry.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ensureSchemaCache } from '../../src/schemas/cache.ts';
import { splitStream, type Built } from '../../src/validate/build.ts';
import { planSchemaInput, schemaCheckAll } from '../../src/validate/schema.ts';

before(async () => {
  await ensureSchemaCache();
});

const deployment = (name: string, extra = '') =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: matrix\nspec:\n  selector:\n    matchLabels: {app: ${name}}\n  template:\n    metadata:\n      labels: {app: ${name}}\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.29\n${extra}`;
const invalid = deployment('synapse', '  replicaCount: 2\n');
const entry = (name: string, ...docs: string[]): Built => {
  const yaml = docs.join('---\n');
  return { entry: { name, path: name, absPath: `/nowhere/${name}`, hasKustomization: true }, yaml, docs: splitStream(yaml), findings: [] };
};

test('schema: a shared invalid document is checked once and reported in every entry that has it', async () => {
  const a = entry('homelab', invalid, deployment('element'));
  const b = entry('production', deployment('element'), invalid);
  const c = entry('staging', deployment('synapse', '  paused: true\n'));
  const plan = planSchemaInput([a, b, c]);
  assert.equal(plan.own.get(b)?.length, 0, 'production repeats homelab: nothing of its own to check');
  assert.equal(plan.borrowed.get(b)?.length, 2);
  const [fa, fb, fc] = await schemaCheckAll([a, b, c]);
  const say = (fs: typeof fa) => fs.map((f) => `${f.overlay} ${f.kind}/${f.name} ${f.message}`);
  assert.deepEqual(say(fa), ["homelab Deployment/synapse /spec: additional properties 'replicaCount' not allowed"]);
  assert.deepEqual(say(fb), ["production Deployment/synapse /spec: additional properties 'replicaCount' not allowed"]);
  assert.deepEqual(say(fc), []);
});

test('schema: no borrowing where the first entry has two objects of that kind and name', () => {
  const other = deployment('synapse').replace('namespace: matrix', 'namespace: matrix-li');
  const a = entry('li', invalid, other);
  const b = entry('production', invalid);
  const plan = planSchemaInput([a, b]);
  assert.equal(plan.borrowed.get(b)?.length, 0);
  assert.equal(plan.own.get(b)?.length, 1);
});
