// Object identity and normalisation of `diff`, and the markdown cap, on small hand-written streams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { objectsOf, type EntryRender } from '../../../src/diff/objects.ts';
import { compare } from '../../../src/diff/compare.ts';
import { MARKDOWN_CAP, markdown } from '../../../src/diff/format.ts';

const stream = (hash: string, checksum: string, replicas: number) => [
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config-${hash}\n  namespace: ns\ndata:\n  a: "${hash}"\n`,
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  namespace: ns\nspec:\n  replicas: ${replicas}\n  template:\n    metadata:\n      annotations:\n        checksum/config: ${checksum}\n    spec:\n      volumes:\n        - name: c\n          configMap:\n            name: app-config-${hash}\n`,
  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: ns\nstringData:\n  password: ${checksum}-value\n`,
];
const render = (docs: string[]): Map<string, EntryRender> => new Map([['overlays/x', { objects: objectsOf(docs) }]]);

test('a renamed ConfigMap hash and a new checksum are one ConfigMap change; references to it are no change', () => {
  const r = compare(render(stream('b2c4d5f6g7', 'aaa', 1)), render(stream('h9k8m7t6b5', 'bbb', 1)), { base: 'a', head: 'b' });
  assert.equal(r.entries.length, 1);
  const e = r.entries[0];
  assert.deepEqual([e.added, e.removed], [[], []]);
  assert.deepEqual(e.changed.map((c) => `${c.kind}/${c.name}`), ['ConfigMap/app-config-<hash>', 'Secret/s']);
  assert.equal(e.changed[1].diff, undefined, 'a Secret carries no diff');
  assert.ok(!JSON.stringify(r).includes('bbb-value') && !JSON.stringify(r).includes('aaa-value'), 'no secret value anywhere');
  // A real change of the Deployment still shows.
  const d = compare(render(stream('b2c4d5f6g7', 'aaa', 1)), render(stream('b2c4d5f6g7', 'aaa', 3)), { base: 'a', head: 'b' });
  assert.deepEqual(d.entries[0].changed.map((c) => c.kind), ['Deployment']);
  assert.match(d.entries[0].changed[0].diff ?? '', /^-  replicas: 1\n\+  replicas: 3$/m);
  // A name that only looks like a hash outside ConfigMap/Secret kinds is left alone.
  assert.ok(objectsOf(['kind: Service\nmetadata:\n  name: web-b2c4d5f6g7\n']).has('Service/-/web-b2c4d5f6g7'));
});

test('markdown: a change of hundreds of objects stays under the default cap with a note', () => {
  const many = (n: number, v: string) => Array.from({ length: n }, (_, i) => `kind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: ns\ndata:\n${Array.from({ length: 40 }, (_, j) => `  k${j}: ${v}-${j}\n`).join('')}`);
  const r = compare(render(many(300, 'old')), render(many(300, 'new')), { base: 'main', head: 'work tree' });
  const md = markdown(r);
  assert.ok(md.length <= MARKDOWN_CAP, `${md.length}`);
  assert.match(md, /^\| `overlays\/x` \| 0 \| 0 \| 300 \|$/m);
  assert.match(md, /^> Output capped at 60000 characters: \d+ of 300 objects not shown\./m);
  const small = markdown(compare(render(many(2, 'old')), render(many(2, 'new')), { base: 'main', head: 'work tree' }));
  assert.doesNotMatch(small, /capped/);
  assert.equal((small.match(/<details>/g) ?? []).length, 2);
});
