import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { discover, checkRepoDir } from '../../../src/validate/discover.ts';
import { withoutSops } from '../../../src/validate/schema.ts';
import { EnvironmentError, UsageError } from '../../../src/lib/errors.ts';

test('discovers roots and the folders Flux Kustomizations point at, not every nested kustomization', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mx-discover-'));
  try {
    for (const d of ['overlays/prod', 'overlays/notes', 'flux/system/infra/operators', 'flux/system/docs', 'clusters/home', 'apps/matrix']) {
      await mkdir(path.join(dir, d), { recursive: true });
    }
    await writeFile(path.join(dir, 'overlays/prod/kustomization.yaml'), 'resources: []\n');
    await writeFile(path.join(dir, 'flux/system/kustomization.yaml'), 'resources: [ks.yaml]\n');
    await writeFile(
      path.join(dir, 'flux/system/ks.yaml'),
      'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec: {interval: 1m, prune: true, path: ./apps/matrix, sourceRef: {kind: GitRepository, name: flux-system}}\n',
    );
    // Not referenced by any Flux Kustomization: Flux never builds it on its own.
    await writeFile(path.join(dir, 'flux/system/infra/operators/kustomization.yaml'), 'resources: []\n');
    await writeFile(path.join(dir, 'apps/matrix/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n');
    const entries = await discover(dir);
    assert.deepEqual(
      entries.map((e) => [e.name, e.path, e.hasKustomization, e.deliveredBy]),
      [
        ['prod', 'overlays/prod', true, []],
        ['flux/system', 'flux/system', true, []],
        ['clusters/home', 'clusters/home', false, []],
        // a plain folder gets the kustomization Flux generates
        ['apps/matrix', 'apps/matrix', false, ['flux-system/apps']],
      ],
    );
    assert.deepEqual((await discover(dir, 'flux/system')).map((e) => e.name), ['flux/system']);
    assert.deepEqual((await discover(dir, 'flux-system/apps')).map((e) => e.name), ['apps/matrix']);
    assert.deepEqual((await discover(dir, 'apps')).map((e) => e.name), ['apps/matrix']);
    await assert.rejects(discover(dir, 'nope'), (err: Error) => err instanceof UsageError && err.message === 'unknown overlay "nope" (found: prod, flux/system, clusters/home, apps/matrix, flux-system/apps)');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a missing or non-directory DIR is an environment error', async () => {
  await assert.rejects(checkRepoDir('/nonexistent/mx'), EnvironmentError);
  await assert.rejects(checkRepoDir(import.meta.filename), EnvironmentError);
});

test('any encrypted object loses its sops stanza before schema validation (Flux decrypts any kind)', () => {
  assert.deepEqual(withoutSops({ kind: 'Secret', data: {}, sops: { mac: 'x' } }), { kind: 'Secret', data: {} });
  assert.deepEqual(withoutSops({ kind: 'ConfigMap', data: {}, sops: { mac: 'x' } }), { kind: 'ConfigMap', data: {} });
  const odd = { kind: 'ConfigMap', sops: 1 };
  assert.equal(withoutSops(odd), odd);
});

test('splitStream keeps real documents only', async () => {
  const { splitStream } = await import('../../../src/validate/build.ts');
  const docs = splitStream('---\n# only a comment\n---\nkind: A\n--- # trailing comment\nkind: B\n---\n\n');
  assert.deepEqual(docs.map((d) => d.trim()), ['kind: A', 'kind: B']);
});
