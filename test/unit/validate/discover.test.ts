import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { discover, checkRepoDir } from '../../../src/validate/discover.ts';
import { withoutSops } from '../../../src/validate/schema.ts';
import { EnvironmentError, UsageError } from '../../../src/lib/errors.ts';

test('discovers overlays with a kustomization and every Flux entry point', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mx-discover-'));
  try {
    for (const d of ['overlays/prod', 'overlays/notes', 'flux/system/infra/operators', 'flux/system/docs', 'clusters/home']) {
      await mkdir(path.join(dir, d), { recursive: true });
    }
    await writeFile(path.join(dir, 'overlays/prod/kustomization.yaml'), 'resources: []\n');
    await writeFile(path.join(dir, 'flux/system/kustomization.yaml'), 'resources: []\n');
    await writeFile(path.join(dir, 'flux/system/infra/operators/kustomization.yaml'), 'resources: []\n');
    const entries = await discover(dir);
    assert.deepEqual(
      entries.map((e) => [e.name, e.path, e.hasKustomization]),
      [
        ['prod', 'overlays/prod', true],
        ['flux/system', 'flux/system', true],
        // a folder a Flux Kustomization points at is built on its own, as the cluster does
        ['flux/system/infra/operators', 'flux/system/infra/operators', true],
        ['clusters/home', 'clusters/home', false],
      ],
    );
    assert.deepEqual((await discover(dir, 'flux/system')).map((e) => e.name), ['flux/system']);
    await assert.rejects(discover(dir, 'nope'), UsageError);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a missing or non-directory DIR is an environment error', async () => {
  await assert.rejects(checkRepoDir('/nonexistent/mx'), EnvironmentError);
  await assert.rejects(checkRepoDir(import.meta.filename), EnvironmentError);
});

test('only a Secret loses its sops stanza before schema validation', () => {
  assert.deepEqual(withoutSops({ kind: 'Secret', data: {}, sops: { mac: 'x' } }), { kind: 'Secret', data: {} });
  const cm = { kind: 'ConfigMap', sops: 1 };
  assert.equal(withoutSops(cm), cm);
});

test('splitStream keeps real documents only', async () => {
  const { splitStream } = await import('../../../src/validate/build.ts');
  const docs = splitStream('---\n# only a comment\n---\nkind: A\n--- # trailing comment\nkind: B\n---\n\n');
  assert.deepEqual(docs.map((d) => d.trim()), ['kind: A', 'kind: B']);
});
