// blockLine decides which line a finding points at without parsing: a wrong number would send a
// reader (and a GitHub annotation) to the wrong place, so on every field of every document of the
// repository's own tree and test fixtures it must agree with `yaml`'s node positions, or say it
// cannot tell (undefined) so the caller parses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseDocument, isMap, isNode, isScalar, isSeq, type Document } from 'yaml';
import { blockLine } from '../../../src/validate/block-lines.ts';
import { documentsWithOffsets } from '../../../src/validate/doc-header.ts';
import { projectRoot } from '../../../src/lib/versions.ts';

type Field = Array<string | number>;

/** What sources.ts answered before blockLine: the line of the deepest node along the field. */
function parsedLine(text: string, doc: Document, field: Field): number | 'absent' {
  for (let n = field.length; n > 0; n--) {
    const node = doc.getIn(field.slice(0, n), true);
    if (isNode(node) && node.range) return text.slice(0, node.range[0]).split('\n').length;
  }
  return 'absent';
}

/** Every path to every node, plus a missing key, a missing index and a step into a scalar. */
function fields(node: unknown, prefix: Field, out: Field[]): void {
  if (prefix.length > 0) out.push(prefix);
  if (isMap(node)) {
    for (const item of node.items) {
      if (!isScalar(item.key) || typeof item.key.value !== 'string') continue;
      fields(item.value, [...prefix, item.key.value], out);
    }
    out.push([...prefix, 'not-a-key']);
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => fields(item, [...prefix, i], out));
    out.push([...prefix, node.items.length]);
  } else if (prefix.length > 0) {
    out.push([...prefix, 'below-a-scalar']);
  }
}

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return ['.git', 'node_modules', '.cache', 'dist'].includes(e.name) ? [] : yamlFilesUnder(full);
    return /\.ya?ml$/.test(e.name) ? [full] : [];
  });
}

test('block-lines: agrees with the parser on every field of the repository and its fixtures', () => {
  let agreed = 0;
  let unsure = 0;
  for (const file of yamlFilesUnder(projectRoot)) {
    for (const part of documentsWithOffsets(readFileSync(file, 'utf8'))) {
      const doc = parseDocument(part.text);
      if (doc.errors.length > 0) continue;
      const all: Field[] = [];
      fields(doc.contents, [], all);
      for (const field of all) {
        const fast = blockLine(part.text, field);
        if (fast === undefined) {
          unsure++;
          continue;
        }
        assert.equal(fast, parsedLine(part.text, doc, field), `${path.relative(projectRoot, file)} ${JSON.stringify(field)}`);
        agreed++;
      }
    }
  }
  // Nearly every field is answered without parsing; otherwise the shortcut has stopped paying.
  assert.ok(agreed > 20 * unsure, `answered ${agreed}, left to the parser ${unsure}`);
});

test('block-lines: shapes, absent fields and what it leaves to the parser', () => {
  const doc = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: synapse # the main process',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '      - name: synapse',
    '        args:',
    '          - --config',
    '        command: |',
    '          run',
    '      -   name: sidecar',
    '',
  ].join('\n');
  assert.equal(blockLine(doc, ['metadata', 'name']), 4);
  assert.equal(blockLine(doc, ['spec', 'template', 'spec', 'containers', 0, 'args', 0]), 11);
  assert.equal(blockLine(doc, ['spec', 'template', 'spec', 'containers', 0, 'command']), 12);
  assert.equal(blockLine(doc, ['spec', 'template', 'spec', 'containers', 1, 'name']), 14);
  // The deepest part the document has: containers[0] (a patch may add the rest).
  assert.equal(blockLine(doc, ['spec', 'template', 'spec', 'containers', 0, 'securityContext', 'runAsUser']), 9);
  assert.equal(blockLine(doc, ['status']), 'absent');
  for (const text of [
    'kind: A\nmetadata: {name: a}\n',
    'kind: A\nmetadata:\n  name: &n a\n',
    'kind: A\nmetadata:\n  name: a\n  name: b\n',
    'kind: A\nmetadata:\n\tname: a\n',
    'kind: A\nmetadata:\n  "na\\u006de": a\n',
    'kind: A\nmetadata:\nspec: {}\n',
  ]) {
    assert.equal(blockLine(text, ['metadata', 'name']), undefined, text);
  }
});
