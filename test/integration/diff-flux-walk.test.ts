// `matrix-gitops diff` sees each entry point exactly as validate does: through the Flux walk, with
// postBuild substitution applied, so a pull request's diff shows the values the cluster gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { projectRoot } from '../../src/lib/versions.ts';
import { renderTree } from '../../src/diff/objects.ts';
import { walk } from '../../src/validate/flux-graph.ts';

const fixture = path.join(projectRoot, 'test/fixtures/flux-layouts/community-chart');

test('diff renders the entry points validate walks, with postBuild substitution applied', async () => {
  const rendered = await renderTree(fixture);
  const walked = await walk(fixture);
  try {
    assert.deepEqual([...rendered.keys()].sort(), [...new Set(walked.builts.map((b) => b.entry.path))].sort());
  } finally {
    await walked.cleanup();
  }
  const release = [...rendered.values()].flatMap((e) => [...e.objects.values()]).find((o) => o.kind === 'HelmRelease');
  assert.ok(release, 'the HelmRelease is rendered');
  assert.match(release.text, /serverName: example\.org/);
  assert.doesNotMatch(release.text, /\$\{DOMAIN\}/);
});
