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
  assert.deepEqual(Object.keys(doc), ['ok', 'overlays', 'findings', 'exceptions', 'notes']);
  assert.deepEqual(Object.keys(doc.findings[0]), ['rule', 'severity', 'overlay', 'file', 'kind', 'name', 'namespace', 'message', 'kustomization']);
});

test('pretty: colours only when asked', () => {
  assert.doesNotMatch(formatPretty(report, { colour: false }), /\u001b\[/);
  assert.match(formatPretty(report, { colour: true }), /\u001b\[31merror/);
});

// A report shaped like a real run: many warnings of one rule, an exception seen in three overlays,
// info findings, one error with its fix.
const many: Report = {
  ok: false,
  overlays: [
    { name: 'production', path: 'overlays/production', resources: 10 },
    { name: 'homelab', path: 'overlays/homelab', resources: 5 },
    { name: 'flux/production', path: 'flux/production', resources: 4 },
  ],
  findings: [
    { rule: 'MX-SEC-004', severity: 'error', overlay: 'production', file: 'base/x.yaml', kind: 'ConfigMap', name: 'cfg', namespace: 'matrix', message: 'ConfigMap cfg homeserver.yaml: macaroon_secret_key holds a literal secret', line: 7 },
    ...Array.from({ length: 5 }, (_, i) => ({ rule: 'MX-REL-005', severity: 'warning' as const, overlay: 'production', file: 'base/w.yaml', kind: 'Deployment', name: `w${i}`, namespace: 'matrix', message: `Deployment w${i}: run spec.replicas >= 2` })),
    { rule: 'MX-PSS-018', severity: 'info', overlay: 'production', file: null, kind: 'Deployment', name: 'synapse', namespace: 'matrix', message: 'Deployment synapse containers[0] (synapse): runAsUser 991 is below 10000' },
  ],
  exceptions: ['production', 'homelab', 'li'].map((o) => ({ rule: 'MX-NET-004', severity: 'warning' as const, overlay: o, file: 'base/svc.yaml', kind: 'Service', name: 'jvb', namespace: 'matrix', message: `exception MX-NET-004: Service jvb: no LoadBalancer (reason: media needs UDP)`, reason: 'media needs UDP' })),
  rules: {
    'MX-SEC-004': { title: 'No secrets in ConfigMaps', help: 'Move the value to a SOPS Secret.', anchor: 'mx-sec-004' },
    'MX-REL-005': { title: 'Stateless workloads are replicated', help: 'Set replicas >= 2.', anchor: 'mx-rel-005' },
  },
};

test('pretty: warnings grouped with a count and three examples, exceptions once, errors last with the fix, one summary', () => {
  const out = formatPretty(many, { colour: false });
  const lines = out.trimEnd().split('\n');
  assert.equal(lines[0], 'warning MX-REL-005 ×5 Stateless workloads are replicated');
  assert.equal(lines.filter((l) => l.startsWith('  [production] Deployment w')).length, 3);
  assert.ok(lines.includes('  … 2 more (--verbose lists all)'));
  assert.equal(lines.filter((l) => l.startsWith('exception')).length, 1);
  assert.ok(lines.includes('exception MX-NET-004 Service matrix/jvb [homelab, li, production]: reason: media needs UDP'));
  const err = lines.indexOf('error MX-SEC-004 ×1 No secrets in ConfigMaps');
  assert.ok(err > lines.findIndex((l) => l.startsWith('exception')), 'errors come after warnings and exceptions');
  assert.equal(lines[err + 1], '  [production] ConfigMap cfg homeserver.yaml: macaroon_secret_key holds a literal secret (base/x.yaml:7)');
  assert.equal(lines[err + 2], '  fix: Move the value to a SOPS Secret.');
  assert.equal(lines.at(-1), '✗ 3 entry points (2 overlays, 1 Flux entry point), 19 resources: 1 error, 5 warnings, 1 info, 3 exceptions');
  assert.doesNotMatch(out, /runAsUser 991/, 'info is counted, not listed');
  assert.doesNotMatch(out, /overlays\/production\)?:/, 'entry points are listed by the progress lines, not twice');
  assert.equal(new Set(lines).size, lines.length, 'no line printed twice');
});

test('pretty --verbose: every finding, info and the entry points', () => {
  const out = formatPretty(many, { colour: false, verbose: true });
  assert.equal((out.match(/\[production\] Deployment w\d/g) ?? []).length, 5);
  assert.match(out, /^info MX-PSS-018 ×1$/m);
  assert.match(out, /runAsUser 991/);
  assert.match(out, /^• homelab \(overlays\/homelab\): 5 resources$/m);
});

test('sarif: rules carry title, help and a helpUri into docs/policies.md; info is a note', () => {
  const doc = JSON.parse(formatSarif(many)) as {
    runs: { tool: { driver: { rules: Array<{ id: string; shortDescription: { text: string }; help: { text: string }; helpUri: string }> } }; results: Array<{ ruleId: string; level: string }> }[];
  };
  const rule = doc.runs[0].tool.driver.rules.find((r) => r.id === 'MX-SEC-004');
  assert.ok(rule);
  assert.equal(rule.shortDescription.text, 'No secrets in ConfigMaps');
  assert.equal(rule.help.text, 'Move the value to a SOPS Secret.');
  assert.equal(rule.helpUri, 'https://github.com/matrix-gitops/matrix-gitops/blob/main/docs/policies.md#mx-sec-004');
  assert.equal(doc.runs[0].results.find((r) => r.ruleId === 'MX-PSS-018')?.level, 'note');
});

test('github: annotations at the traced line; info gives none', () => {
  const out = formatGithub(many);
  assert.match(out, /^::error file=base\/x\.yaml,line=7,title=MX-SEC-004::/m);
  assert.doesNotMatch(out, /MX-PSS-018/);
});
