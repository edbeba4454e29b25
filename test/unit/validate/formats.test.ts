import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSarif } from '../../../src/validate/formats/sarif.ts';
import { formatJunit } from '../../../src/validate/formats/junit.ts';
import { formatGithub } from '../../../src/validate/formats/github.ts';
import { formatJson } from '../../../src/validate/formats/json.ts';
import { formatPretty } from '../../../src/validate/formats/pretty.ts';
import type { Report } from '../../../src/validate/types.ts';

const report: Report = {
  ok: false,
  overlays: [{ name: 'prod', path: 'overlays/prod', resources: 3 }],
  findings: [
    { rule: 'schema', severity: 'error', overlay: 'prod', file: 'overlays/prod', kind: 'Deployment', name: 'a', namespace: 'n', message: 'bad <x> & "y"' },
    { rule: 'MX-1', severity: 'warning', overlay: 'prod', file: 'overlays/prod', kind: null, name: null, namespace: null, message: 'line1\nline2: 100%' },
    { rule: 'secret-plaintext', severity: 'error', overlay: null, file: 'a,b:c.yaml', kind: 'Secret', name: 's', namespace: null, message: 'plain' },
  ],
  exceptions: [{ rule: 'MX-2', severity: 'warning', overlay: 'prod', file: 'overlays/prod', kind: null, name: null, namespace: null, message: 'ok' }],
};

test('sarif: 2.1.0 with rules, levels and a location on every result', () => {
  const doc = JSON.parse(formatSarif(report)) as {
    version: string;
    runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; ruleIndex: number; level: string; locations: unknown[] }[] }[];
  };
  assert.equal(doc.version, '2.1.0');
  const { rules } = doc.runs[0].tool.driver;
  for (const r of doc.runs[0].results) {
    assert.equal(rules[r.ruleIndex].id, r.ruleId);
    assert.ok(['error', 'warning'].includes(r.level));
    assert.equal(r.locations.length, 1);
  }
});

test('junit: one testsuite per overlay plus repository-wide, XML-escaped', () => {
  const xml = formatJunit(report);
  assert.equal((xml.match(/<testsuite /g) ?? []).length, 2);
  assert.match(xml, /<testsuite name="prod" tests="2" failures="1"/);
  assert.match(xml, /bad &lt;x&gt; &amp; &quot;y&quot;/);
});

test('github: one command per line, properties and data escaped', () => {
  const lines = formatGithub(report).trimEnd().split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0], /^::error file=overlays\/prod,title=schema::\[prod\] Deployment n\/a: bad/);
  assert.match(lines[1], /^::warning .*line1%0Aline2: 100%25$/);
  assert.match(lines[2], /^::error file=a%2Cb%3Ac\.yaml,title=secret-plaintext::/);
  assert.match(lines[3], /^::notice /);
});

test('json: stable key order and one document', () => {
  const doc = JSON.parse(formatJson(report)) as Report;
  assert.deepEqual(Object.keys(doc), ['ok', 'overlays', 'findings', 'exceptions']);
  assert.deepEqual(Object.keys(doc.findings[0]), ['rule', 'severity', 'overlay', 'file', 'kind', 'name', 'namespace', 'message']);
});

test('pretty: colours only when asked', () => {
  assert.doesNotMatch(formatPretty(report, { colour: false }), /\u001b\[/);
  assert.match(formatPretty(report, { colour: true }), /\u001b\[31merror/);
});
