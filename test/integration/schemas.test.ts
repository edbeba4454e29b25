// The converter's output under the real kubeconform: valid API objects pass, each kind of mistake is caught.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { convertCrd, convertSwagger, objectMetaFrom, type Crd } from '../../src/schemas/convert.ts';
import { validationMessages } from '../../src/validate/schema.ts';
import { toolPath } from '../../src/lib/tools.ts';

const unitFixtures = new URL('../unit/schemas/fixtures/', import.meta.url);
const here = new URL('./fixtures/schemas/', import.meta.url);

function buildCache(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mx-schemas-'));
  const swagger = JSON.parse(readFileSync(new URL('swagger.json', unitFixtures), 'utf8')) as Parameters<typeof convertSwagger>[0];
  const crd = parse(readFileSync(new URL('widgets-crd.yaml', unitFixtures), 'utf8')) as Crd;
  for (const [f, s] of [...convertSwagger(swagger), ...convertCrd(crd, objectMetaFrom(swagger))]) writeFileSync(path.join(dir, f), JSON.stringify(s));
  return dir;
}

interface Res { name?: string; status?: string; msg?: string; validationErrors?: { path?: string; msg?: string }[] }

async function kubeconform(dir: string, file: string): Promise<Res[]> {
  const r = await execa(toolPath('kubeconform'), ['-strict', '-verbose', '-output', 'json', '-schema-location', path.join(dir, '{{ .ResourceKind }}{{ .KindSuffix }}.json'), file], { reject: false });
  return (JSON.parse(r.stdout) as { resources: Res[] }).resources;
}

test('valid objects pass: int-or-string both ways, preserve-unknown-fields, nullable, null timestamps, maps', async () => {
  const dir = buildCache();
  try {
    const res = await kubeconform(dir, new URL('good.yaml', here).pathname);
    assert.equal(res.length, 5);
    for (const r of res) assert.equal(r.status, 'statusValid', `${r.name}: ${r.msg}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('each mistake is a finding that names it', async () => {
  const dir = buildCache();
  try {
    const text = readFileSync(new URL('bad.yaml', here), 'utf8');
    const expected = new Map(text.split(/^---$/m).map((doc) => [/name: (\S+)/.exec(doc)?.[1], /# expect: (.+)/.exec(doc)?.[1]]));
    const res = await kubeconform(dir, new URL('bad.yaml', here).pathname);
    assert.equal(res.length, expected.size);
    for (const r of res) {
      assert.notEqual(r.status, 'statusValid', `${r.name} should fail`);
      const said = r.status === 'statusInvalid' ? validationMessages(r).join(' | ') : r.msg ?? '';
      assert.ok(said.includes(expected.get(r.name) ?? '?'), `${r.name}: ${said}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the pinned cache covers every CRD group the stack emits, and a matching stamp skips the rebuild', async () => {
  const { ensureSchemaCache } = await import('../../src/schemas/cache.ts');
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'mx-cache-')), 'schemas');
  try {
    const first = await ensureSchemaCache(dir);
    for (const f of ['deployment-apps-v1', 'secret-v1', 'networkpolicy-networking-v1', 'gitrepository-source-v1', 'kustomization-kustomize-v1',
      'helmrelease-helm-v2', 'alert-notification-v1beta3', 'cluster-postgresql-v1', 'scheduledbackup-postgresql-v1',
      'certificate-cert-manager-v1', 'clusterissuer-cert-manager-v1', 'podmonitor-monitoring-v1', 'servicemonitor-monitoring-v1',
      'prometheusrule-monitoring-v1']) {
      assert.ok(readFileSync(path.join(dir, `${f}.json`), 'utf8').startsWith('{'), f);
    }
    writeFileSync(path.join(dir, 'marker'), '');
    const second = await ensureSchemaCache(dir);
    assert.deepEqual(second, first);
    assert.equal(readFileSync(path.join(dir, 'marker'), 'utf8'), '', 'a warm run leaves the cache alone');
  } finally {
    rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});

test('schema sources that cannot be read are one clear environment error each, and nothing is cached', async () => {
  const { buildSchemas, schemaSources } = await import('../../src/schemas/cache.ts');
  const { EnvironmentError } = await import('../../src/lib/errors.ts');
  const pinned = schemaSources();
  const flux = pinned.crds[0];
  const cases: [typeof pinned, RegExp][] = [
    [{ ...pinned, crds: [{ ...flux, paths: ['no/such/dir'] }] }, /^schema source path no\/such\/dir is missing in .*; fix versions.json "schemas"$/],
    [{ ...pinned, crds: [{ name: 'not crds', module: pinned.builtin.module, version: pinned.builtin.version, paths: ['hack/testdata/pod.yaml'] }] },
      /^no CustomResourceDefinition found in k8s\.io\/kubernetes@v[\d.]+ hack\/testdata\/pod\.yaml$/],
    [{ ...pinned, crds: [flux, { ...flux, name: 'the same again' }] }, /^schema file \S+\.json produced by both flux source-controller v[\d.]+ and the same again v[\d.]+; kubeconform's name template cannot tell them apart$/],
  ];
  for (const [sources, expected] of cases) {
    const dir = mkdtempSync(path.join(tmpdir(), 'mx-badsrc-'));
    try {
      await assert.rejects(buildSchemas(dir, sources), (e: Error) => e instanceof EnvironmentError && expected.test(e.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('a module version the proxy cannot give is one line naming module and version', async () => {
  const { moduleDir } = await import('../../src/schemas/sources.ts');
  const saved = { GOPROXY: process.env.GOPROXY };
  // Offline and not in the module cache: fails at once, without the network.
  process.env.GOPROXY = 'off';
  try {
    await assert.rejects(moduleDir({ module: 'example.com/matrix-gitops/none', version: 'v0.0.1' }),
      /^Error: go mod download example\.com\/matrix-gitops\/none@v0\.0\.1 failed: .+; check versions\.json "schemas" and the Go proxy$/);
  } finally {
    if (saved.GOPROXY === undefined) delete process.env.GOPROXY;
    else process.env.GOPROXY = saved.GOPROXY;
  }
});
