// How entry points are spread over conftest processes: whole entries, balanced by documents, and
// no second process (and second policy compile) for a tree too small to pay for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Built } from '../../../src/validate/build.ts';
import { shardEntries } from '../../../src/validate/policy.ts';

const built = (name: string, docs: number): Built => ({
  entry: { name, path: name, absPath: `/repo/${name}`, hasKustomization: true },
  yaml: '',
  docs: Array.from({ length: docs }, (_, i) => `kind: ConfigMap\nmetadata:\n  name: c${i}\n`),
  findings: [],
});

const names = (shards: Built[][]) => shards.map((s) => s.map((b) => b.entry.name).sort());

test('policy shards: balanced by documents, each entry whole', () => {
  const builts = [built('li', 155), built('production', 118), built('homelab', 56), built('flux/prod', 12), built('flux/home', 4)];
  const shards = shardEntries(builts, 2);
  assert.deepEqual(names(shards), [['flux/home', 'flux/prod', 'li'], ['homelab', 'production']]);
  assert.deepEqual(shards.map((s) => s.reduce((n, b) => n + b.docs.length, 0)), [171, 174]);
});

test('policy shards: one process for a small tree, one per core at most, never more than entries', () => {
  assert.equal(shardEntries([built('a', 100), built('b', 40)], 8).length, 1);
  assert.equal(shardEntries([built('a', 400), built('b', 400), built('c', 400)], 2).length, 2);
  assert.equal(shardEntries([built('a', 900)], 4).length, 1);
  assert.equal(shardEntries([built('a', 300), built('b', 300)], 1).length, 1);
});
