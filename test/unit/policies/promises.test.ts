// docs/policies.md "Promises and the rule that keeps each" is hand-written: every rule the policies
// define must appear there (alone or inside an "A … B" range), or a rule exists that no promise explains.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../../src/lib/versions.ts';
import { ruleFiles } from '../../../src/validate/policy.ts';

test('policies: every rule id is linked from the promises table of docs/policies.md', () => {
  const docs = readFileSync(path.join(projectRoot, 'docs', 'policies.md'), 'utf8');
  const table = docs.split('## Promises and the rule that keeps each')[1]?.split('\n## ')[0] ?? '';
  assert.ok(table.includes('| Promise | Rule |'), 'docs/policies.md has no promises table');
  const linked = new Set<string>();
  for (const row of table.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Promise'))) {
    for (const m of row.matchAll(/\[(MX-[A-Z]+)-(\d{3})\](?:\([^)]*\))?(?:\s*…\s*\[(MX-[A-Z]+)-(\d{3})\])?/g)) {
      const last = m[3] === m[1] ? Number(m[4]) : Number(m[2]);
      for (let n = Number(m[2]); n <= last; n++) linked.add(`${m[1]}-${String(n).padStart(3, '0')}`);
    }
  }
  const ids = new Set(ruleFiles(projectRoot).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/^#\s+id:\s*(MX-[A-Z]+-\d{3})\s*$/gm)].map((m) => m[1])));
  assert.ok(ids.size > 50, `expected the policies' rule ids, found ${ids.size}`);
  assert.deepEqual([...ids].filter((id) => !linked.has(id)).sort(), [], 'rules missing from the promises table');
});
