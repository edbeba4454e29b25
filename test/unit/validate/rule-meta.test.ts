// The report's rule titles and fixes come from the policies' METADATA. An id implemented per
// document and again in the cross-resource pass (mx.combined) keeps the per-document title, which
// states the promise, and the help of both parts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { projectRoot } from '../../../src/lib/versions.ts';
import { ruleFiles } from '../../../src/validate/policy.ts';
import { primaryFirst, readCatalog } from '../../../src/validate/rule-meta.ts';

test('rule-meta: an id with a combined part takes the per-document title and both helps', () => {
  const files = ruleFiles(projectRoot);
  // combined.rego sorts first by name; the title must not depend on that.
  assert.ok(path.basename(files[0]) === 'combined.rego', files.map((f) => path.basename(f)).join(', '));
  const catalog = readCatalog(files);
  assert.equal(catalog['MX-DB-001'].title, 'CloudNativePG cluster hardening and Synapse TLS to Postgres');
  assert.equal(catalog['MX-REL-005'].title, 'Stateless workloads are replicated and spread');
  assert.match(catalog['MX-REL-005'].help, /^In production, stateless workloads .* HorizontalPodAutoscaler with minReplicas >= 2/s);
  assert.equal(catalog['MX-REL-005'].anchor, 'mx-rel-005');
});

test('rule-meta: primaryFirst moves only the mx.combined files to the end, keeping the order of the rest', () => {
  const files = ruleFiles(projectRoot);
  const combined = ['combined.rego', 'service_links.rego', 'traffic.rego'];
  const ordered = primaryFirst(files).map((f) => path.basename(f));
  assert.deepEqual(ordered.slice(-combined.length), combined);
  assert.deepEqual(ordered.slice(0, -combined.length), files.map((f) => path.basename(f)).filter((f) => !combined.includes(f)));
});

test('rule-meta: readCatalog with `only` reads just those ids, with the same info', () => {
  const files = ruleFiles(projectRoot);
  const all = readCatalog(files);
  const some = readCatalog(files, new Set(['MX-REL-005', 'MX-SEC-008']));
  assert.deepEqual(some['MX-REL-005'], all['MX-REL-005']);
  assert.deepEqual(some['MX-SEC-008'], all['MX-SEC-008']);
  assert.equal(some['MX-PSS-001'], undefined);
  assert.ok(some.schema, 'the gate checks are always there');
});
