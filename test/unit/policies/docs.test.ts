// docs/policies.md is generated from the policies' METADATA; this keeps the committed file in step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../../src/lib/versions.ts';
import { collectRules, generate, HAND_WRITTEN } from '../../../scripts/dev/policy-docs.ts';

test('policies: docs/policies.md equals what scripts/dev/policy-docs.ts generates', () => {
  const { expected, current } = generate();
  assert.ok(current, 'docs/policies.md is missing; run `npx tsx scripts/dev/policy-docs.ts`');
  assert.equal(current, expected, 'docs/policies.md is out of date; run `npx tsx scripts/dev/policy-docs.ts`');
  assert.ok(current.includes(HAND_WRITTEN));
});

test('policies: every catalogue id has a documented rule with severity, overlays and anchors', () => {
  const rules = collectRules(path.join(projectRoot, 'policies'));
  const ids = new Set(rules.map((r) => r.id));
  const catalogue = [
    ...Array.from({ length: 18 }, (_, i) => `MX-PSS-${String(i + 1).padStart(3, '0')}`),
    'MX-IMG-001', 'MX-IMG-002', 'MX-IMG-003',
    ...Array.from({ length: 7 }, (_, i) => `MX-REL-00${i + 1}`),
    'MX-DB-001',
    ...Array.from({ length: 10 }, (_, i) => `MX-NET-${String(i + 1).padStart(3, '0')}`),
    ...Array.from({ length: 7 }, (_, i) => `MX-SEC-00${i + 1}`),
    'MX-RBAC-001',
    ...Array.from({ length: 10 }, (_, i) => `MX-SYN-${String(i + 1).padStart(3, '0')}`),
    ...Array.from({ length: 5 }, (_, i) => `MX-RTC-00${i + 1}`),
    'MX-LI-001', 'MX-LI-002', 'MX-LI-003',
  ];
  const docs = readFileSync(path.join(projectRoot, 'docs/policies.md'), 'utf8');
  const handWritten = docs.slice(docs.indexOf(HAND_WRITTEN));
  for (const id of catalogue) {
    // Dropping a catalogue rule needs a written reason in the hand-written part of docs/policies.md.
    assert.ok(ids.has(id) || handWritten.includes(id), `${id} is neither implemented nor explained in docs/policies.md`);
  }
  for (const r of rules) {
    assert.ok(r.overlays.length > 0 && r.anchors.length > 0, `${r.id} lacks overlays or anchors`);
    assert.ok(r.rules.some((n) => n.startsWith(`deny_${r.id.toLowerCase().replaceAll('-', '_')} `) || n.startsWith(`warn_${r.id.toLowerCase().replaceAll('-', '_')} `)), `${r.id} has no rule named after it`);
  }
});
