// docHeader decides which documents get parsed: a wrong answer would hide an object from a step,
// so every shape it cannot be sure of must come back undefined (the caller then parses).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { docHeader, documentsWithOffsets } from '../../../src/validate/doc-header.ts';

test('doc-header: kustomize-style, quoted and commented documents agree with the parser', () => {
  const docs = [
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: matrix\ndata:\n  x: "1"\n',
    "apiVersion: v1\nkind: 'Secret'\nmetadata:\n    labels:\n        name: not-this\n    name: \"b\" # the real one\n",
    'kind: Secret\napiVersion: v1\nmetadata:\n  annotations:\n    x: y\n  name: c\nstringData:\n  metadata: |\n    name: nope\n',
  ];
  for (const d of docs) {
    const p = parse(d) as { kind: string; metadata: { name: string; namespace?: string } };
    assert.deepEqual(docHeader(d), { kind: p.kind, name: p.metadata.name, namespace: p.metadata.namespace ?? null }, d);
  }
});

test('doc-header: shapes it cannot read with certainty are left to the parser', () => {
  for (const d of [
    'kind: ConfigMap\nmetadata: {name: a}\n',
    'kind: ConfigMap\nmetadata:\n  name: &n a\n',
    'kind: ConfigMap\nmetadata:\n  name: a\n  name: b\n',
    'kind: ConfigMap\nkind: Secret\nmetadata:\n  name: a\n',
    'kind: ConfigMap\nmetadata:\n  generateName: a-\n',
    'metadata:\n  name: a\n',
  ]) {
    assert.equal(docHeader(d), undefined, d);
  }
});

test('doc-header: documents keep their offsets, comment-only documents are dropped', () => {
  const text = '# header\n---\nkind: A\n---  # two\nkind: B\n---\n# only a comment\n';
  const docs = documentsWithOffsets(text);
  assert.deepEqual(docs.map((d) => d.text.trim()), ['kind: A', 'kind: B']);
  for (const d of docs) assert.equal(text.slice(d.offset, d.offset + d.text.length), d.text);
});
