// readYaml/readYamlStream swap the parser on the gate's hot paths; what they return, and what they
// refuse, must stay what `yaml` returns and refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, parseAllDocuments, YAMLParseError } from 'yaml';
import { readYaml, readYamlStream } from '../../../src/lib/yaml-read.ts';

test('yaml-read: the same data as yaml, YAML 1.2 core schema', () => {
  const text = [
    'date: 2026-12-02',
    'time: 2026-12-02T10:00:00Z',
    'octal: 0o14',
    'old_octal: 014',
    'yes: yes',
    'on: on',
    'nulls: [~, null, ]',
    'float: .5',
    'hex: 0x1F',
    'merge:',
    '  <<: {a: 1}',
    'block: |',
    '  line',
    'anchor: &a [1, 2]',
    'alias: *a',
    '',
  ].join('\n');
  assert.deepEqual(readYaml(text), parse(text));
});

test('yaml-read: a repeated key is an error unless uniqueKeys is false, then the last value wins', () => {
  assert.throws(() => readYaml('a: 1\na: 2\n'), YAMLParseError);
  assert.deepEqual(readYaml('a: 1\na: 2\n', { uniqueKeys: false }), { a: 2 });
});

test("yaml-read: text js-yaml refuses is yaml's to accept or refuse", () => {
  // yaml accepts a document that ends in an indented comment after a block scalar; the error, when there is one, is yaml's.
  assert.throws(() => readYaml('a: [1\n'), YAMLParseError);
  const stream = 'kind: A\n---\nkind: [\n---\nkind: C\n';
  const { docs, broken } = readYamlStream(stream);
  assert.equal(broken, 1);
  assert.deepEqual(docs, parseAllDocuments(stream).filter((d) => d.errors.length === 0).map((d) => d.toJS()));
});

test('yaml-read: a clean stream gives every document, empty ones as null', () => {
  const { docs, broken } = readYamlStream('a: 1\n---\n# only a comment\n---\nb: 2\n');
  assert.equal(broken, 0);
  assert.deepEqual(docs, [{ a: 1 }, null, { b: 2 }]);
});
