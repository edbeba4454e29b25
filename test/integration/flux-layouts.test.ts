// `validate` on Flux repositories laid out the way real ones are (test/fixtures/flux-layouts/*), with
// the real kustomize, kubeconform, conftest, sops and helm: every Matrix workload is reached, the
// planted problems are found, and nothing valid is reported.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { toolPath } from '../../src/lib/tools.ts';
import { projectRoot } from '../../src/lib/versions.ts';
import { ensureSchemaCache } from '../../src/schemas/cache.ts';
import type { Finding, Report } from '../../src/validate/types.ts';

const fixtures = path.join(projectRoot, 'test/fixtures/flux-layouts');
const cli = path.join(projectRoot, 'src/cli/validate.ts');

async function validate(fixture: string, extra: string[] = [], env: Record<string, string> = {}): Promise<{ code: number | undefined; report: Report; stderr: string }> {
  // No age key unless given: encrypted inputs must be handled without one, as on a CI runner.
  const dir = path.isAbsolute(fixture) ? fixture : path.join(fixtures, fixture);
  const r = await execa(process.execPath, ['--import', 'tsx', cli, dir, '--format', 'json', '--no-cache', ...extra], {
    reject: false,
    cwd: projectRoot,
    env: { NO_COLOR: '1', SOPS_AGE_KEY_FILE: '/nonexistent', XDG_CONFIG_HOME: '/nonexistent', ...env },
  });
  return { code: r.exitCode, report: JSON.parse(String(r.stdout)) as Report, stderr: String(r.stderr) };
}

const has = (r: Report, rule: string, pred: (f: Finding) => boolean = () => true) => r.findings.some((f) => f.rule === rule && pred(f));
/** Rules whose firing on a valid repository would be a false alarm of the kind issue #17 lists. */
const FALSE_ALARMS = ['schema-missing', 'schema', 'kustomize-build', 'flux-substitute', 'flux-path', 'secret-not-covered'];

before(async () => {
  await ensureSchemaCache();
});

test('flux2-kustomize-helm-example layout: ExternalArtifacts from the ArtifactGenerator are followed', async () => {
  const { code, report } = await validate('kustomize-helm-example');
  assert.equal(code, 1);
  // Every Flux Kustomization is reached, through the artifacts the generator assembles.
  assert.deepEqual(report.overlays.map((o) => o.name).sort(), ['apps/staging', 'clusters/staging', 'infrastructure/configs', 'infrastructure/controllers']);
  // Planted: Ingress "/" exposes /_synapse/admin; the preview deny list misses link-local.
  assert.ok(has(report, 'MX-NET-008', (f) => f.kind === 'Ingress' && f.name === 'synapse' && f.kustomization === 'flux-system/apps'), JSON.stringify(report.findings));
  assert.ok(has(report, 'MX-SYN-002', (f) => /169\.254\.0\.0\/16/.test(f.message)));
  // The staging patch (apps/staging) reached the Deployment: requests are set, so no finding says otherwise.
  assert.ok(!has(report, 'MX-REL-001', (f) => /requests\.cpu/.test(f.message)));
  // Must not: vendored Flux controllers, cert-manager, the ClusterIssuer patched by infra-configs.
  for (const f of report.findings) {
    assert.ok(f.namespace === 'matrix' || f.name === 'matrix' || f.kind === 'ArtifactGenerator', `not a Matrix object: ${JSON.stringify(f)}`);
    assert.ok(!FALSE_ALARMS.includes(f.rule), `false alarm: ${JSON.stringify(f)}`);
  }
  // ArtifactGenerator's group has no schema anywhere offline: a warning saying how to add it.
  const ag = report.findings.find((f) => f.rule === 'schema-unknown-group');
  assert.equal(ag?.severity, 'warning');
  assert.match(ag?.message ?? '', /source\.extensions\.fluxcd\.io; commit its CustomResourceDefinition to the repository or pass --crds DIR/);
  assert.ok(report.notes?.some((n) => /HelmRelease cert-manager\/cert-manager: chart cert-manager 1\.x .* not available offline/.test(n)));
});

test('an ExternalArtifact source with a vendored kustomize-controller lacking the feature gate is an error', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mx-fkh-'));
  try {
    await cp(path.join(fixtures, 'kustomize-helm-example'), dir, { recursive: true });
    const file = path.join(dir, 'clusters/staging/flux-system/gotk-components.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('            - --feature-gates=ExternalArtifact=true\n', ''));
    const { code, report } = await validate(dir);
    assert.equal(code, 1);
    const gate = report.findings.filter((f) => f.rule === 'flux-feature-gate').map((f) => f.name).sort();
    assert.deepEqual(gate, ['apps', 'infra-configs', 'infra-controllers']);
    assert.match(report.findings.find((f) => f.rule === 'flux-feature-gate')?.message ?? '', /needs kustomize-controller --feature-gates=ExternalArtifact=true, which the vendored controller in clusters\/staging does not set/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('--overlay takes a Flux Kustomization name', async () => {
  const byNsName = await validate('kustomize-helm-example', ['--overlay', 'flux-system/apps']);
  assert.deepEqual(byNsName.report.overlays.map((o) => o.name), ['apps/staging']);
  const byName = await validate('kustomize-helm-example', ['--overlay', 'infra-configs']);
  assert.deepEqual(byName.report.overlays.map((o) => o.name), ['infrastructure/configs']);
  assert.equal(byName.code, 0);
});

test('cluster-template layout: generated roots, components, substituteFrom a SOPS Secret, ESS values', async () => {
  const { code, report } = await validate('cluster-template');
  assert.equal(code, 1);
  assert.deepEqual(report.overlays.map((o) => o.name).sort(), ['kubernetes/apps', 'kubernetes/apps/matrix/synapse/app', 'kubernetes/flux']);
  // The child Kustomization lives in the namespace the parent build gave it, and is named on findings.
  const syn = report.findings.filter((f) => f.rule === 'MX-SYN-001');
  assert.ok(syn.length > 0, JSON.stringify(report.findings));
  assert.equal(syn[0].kind, 'HelmRelease');
  assert.equal(syn[0].name, 'matrix-stack');
  assert.equal(syn[0].kustomization, 'matrix/synapse');
  // ESS's own underrides close the preview deny list, and its credentials are not in a ConfigMap.
  assert.ok(!has(report, 'MX-SYN-002'));
  assert.ok(!has(report, 'MX-SYN-004'));
  assert.ok(!has(report, 'MX-SYN-007'), 'the pod-volume rule needs the chart render');
  for (const f of report.findings) assert.ok(!FALSE_ALARMS.includes(f.rule), `false alarm: ${JSON.stringify(f)}`);
  assert.ok(report.notes?.some((n) => n === 'matrix/synapse: Secret matrix/cluster-secrets is SOPS-encrypted and no age key is available (SOPS_AGE_KEY_FILE); its variables are checked with typed placeholders'), JSON.stringify(report.notes));
  assert.ok(report.notes?.some((n) => /HelmRelease matrix\/matrix-stack: chart matrix-stack 26\.8\.1 from OCIRepository/.test(n)));
});

test('with an age key, substituteFrom reads the decrypted Secret instead of placeholders', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mx-ct-'));
  try {
    await cp(path.join(fixtures, 'cluster-template'), dir, { recursive: true });
    const key = path.join(dir, 'age.key');
    await execa(toolPath('age-keygen'), ['-o', key]);
    const recipient = (await readFile(key, 'utf8')).match(/public key: (age1\w+)/)?.[1] ?? '';
    const secret = path.join(dir, 'kubernetes/components/sops/cluster-secrets.sops.yaml');
    await writeFile(secret, 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: cluster-secrets\nstringData:\n  SECRET_DOMAIN: chat.example.net\n');
    const enc = await execa(toolPath('sops'), ['encrypt', '--age', recipient, '--encrypted-regex', '^(data|stringData)$', '--in-place', secret], { cwd: dir, env: { SOPS_DISABLE_VERSION_CHECK: '1' }, reject: false });
    assert.equal(enc.exitCode, 0, enc.stderr);
    const { report } = await validate(dir, [], { SOPS_AGE_KEY_FILE: key });
    assert.ok(!report.notes?.some((n) => /typed placeholders/.test(n)), JSON.stringify(report.notes));
    assert.ok(report.findings.some((f) => f.rule === 'MX-SYN-001'), 'the HelmRelease is still checked');
    // The decrypted value never appears in the report.
    assert.doesNotMatch(JSON.stringify(report), /chat\.example\.net/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('community matrix-synapse chart: extraConfig is read as the homeserver configuration', async () => {
  const { code, report } = await validate('community-chart');
  assert.equal(code, 1);
  // Planted: a literal macaroon secret in extraConfig (a ConfigMap in that chart), and a deny list gap.
  assert.ok(has(report, 'MX-SYN-004', (f) => /macaroon_secret_key/.test(f.message) && f.kind === 'HelmRelease' && f.name === 'matrix-synapse'));
  assert.ok(has(report, 'MX-SYN-002', (f) => /169\.254\.0\.0\/16/.test(f.message)));
  // Must not: the runtime-templated SMTP password ($${…} in git, ${…} for the pod).
  assert.ok(!has(report, 'MX-SYN-004', (f) => /smtp_pass/.test(f.message)), JSON.stringify(report.findings));
  // The unknown kustomization field is what Flux drops silently: a warning, and the build goes on.
  const unknown = report.findings.find((f) => f.rule === 'kustomization-unknown-field');
  assert.equal(unknown?.severity, 'warning');
  assert.equal(unknown?.message, 'kustomization.yaml: unknown field "dependsOn"; Flux drops it silently and `kustomize build` fails on it; remove it or fix its spelling');
  for (const f of report.findings) assert.ok(!FALSE_ALARMS.includes(f.rule), `false alarm: ${JSON.stringify(f)}`);
});

test('raw manifests: whole-file SOPS, nested .sops.yaml, reference-only Secrets, in-repo chart rendered', async () => {
  const { code, report } = await validate('raw-sops');
  assert.equal(code, 1);
  // Planted: the plaintext bridge token, and the privileged container the in-repo chart renders.
  assert.ok(has(report, 'secret-plaintext', (f) => f.file === 'deploy/matrix/bridge-credentials.yaml'));
  assert.ok(has(report, 'MX-PSS-003', (f) => f.name === 'telegram-bridge' && f.namespace === 'matrix'), JSON.stringify(report.findings));
  // Must not: the whole-file-encrypted signing key, the nested-.sops.yaml-covered db Secret, the
  // SA token Secret, the op:// reference Secret, the YAML comment, the chart's Go templates.
  const flagged = new Set(report.findings.map((f) => f.name));
  for (const name of ['synapse-signing-key', 'synapse-db', 'synapse-token', 'smtp', 'matrix-well-known']) assert.ok(!flagged.has(name), `${name}: ${JSON.stringify(report.findings)}`);
  assert.ok(!report.findings.some((f) => f.rule === 'secret-not-covered' && f.name !== 'bridge-credentials'));
  assert.ok(!report.findings.some((f) => f.rule.startsWith('schema')));
  assert.ok(report.notes?.some((n) => /SOPS-encrypted as a whole file/.test(n)));
});

test('an object several Flux Kustomizations build (nested paths, two clusters) is checked and reported once', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mx-twice-'));
  try {
    const ks = (name: string, p: string) =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: ${name}, namespace: flux-system}\nspec: {interval: 1m, prune: true, path: ${p}, sourceRef: {kind: GitRepository, name: flux-system}}\n`;
    const widget = 'apiVersion: widgets.example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: matrix}\n';
    for (const c of ['one', 'two']) {
      await cp(path.join(fixtures, 'community-chart/clusters/home/flux-system'), path.join(dir, `clusters/${c}/flux-system`), { recursive: true });
      // all of apps/ (generated kustomization) and, again, apps/a on its own
      await writeFile(path.join(dir, `clusters/${c}/apps.yaml`), `${ks(`all-${c}`, './apps')}---\n${ks(`a-${c}`, './apps/a')}`);
    }
    await cp(path.join(fixtures, 'community-chart/clusters/home/flux-system/gotk-sync.yaml'), path.join(dir, 'clusters/one/flux-system/gotk-sync.yaml'));
    await writeFile(path.join(dir, 'clusters/one/flux-system/gotk-sync.yaml'), (await readFile(path.join(dir, 'clusters/one/flux-system/gotk-sync.yaml'), 'utf8')).replace('./clusters/home', './clusters/one'));
    await writeFile(path.join(dir, 'clusters/two/flux-system/gotk-sync.yaml'), (await readFile(path.join(dir, 'clusters/two/flux-system/gotk-sync.yaml'), 'utf8')).replace('./clusters/home', './clusters/two'));
    await mkdir(path.join(dir, 'apps/a'), { recursive: true });
    await writeFile(path.join(dir, 'apps/a/widget.yaml'), widget);
    const { report } = await validate(dir);
    const w = report.findings.filter((f) => f.kind === 'Widget');
    assert.equal(w.length, 1, JSON.stringify(report.findings));
    assert.equal(w[0].kustomization, 'flux-system/a-one');
    // The identical builds of cluster two are the same entries, delivered by its Kustomizations too.
    assert.deepEqual(report.overlays.map((o) => o.name).sort(), ['apps', 'apps/a', 'clusters/one', 'clusters/two']);
    assert.deepEqual((await validate(dir, ['--overlay', 'flux-system/all-two'])).report.overlays.map((o) => o.name), ['apps']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('what Flux would refuse is an error finding with one clear line each', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mx-bad-'));
  try {
    const ks = (name: string, spec: string) =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: ${name}, namespace: flux-system}\nspec: {interval: 1m, prune: true, sourceRef: {kind: GitRepository, name: flux-system}, ${spec}}\n`;
    await mkdir(path.join(dir, 'clusters/c'), { recursive: true });
    await writeFile(
      path.join(dir, 'clusters/c/ks.yaml'),
      [ks('gone', 'path: ./nowhere'), ks('typo', 'path: ./typo'), ks('stray', 'path: ./stray'), ks('unset', 'path: ./unset, postBuild: {substitute: {A: x}}')].join('---\n'),
    );
    for (const d of ['typo', 'stray', 'unset']) await mkdir(path.join(dir, d));
    await writeFile(path.join(dir, 'typo/kustomization.yaml'), 'resource:\n  - cm.yaml\n');
    await writeFile(path.join(dir, 'stray/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s, namespace: matrix}\n');
    await writeFile(path.join(dir, 'stray/values.yaml'), 'replicaCount: 2\n');
    await writeFile(path.join(dir, 'unset/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: u, namespace: matrix}\ndata: {a: "${A}", b: "${B}"}\n');
    const { code, report } = await validate(dir);
    assert.equal(code, 1);
    const line = (rule: string) => report.findings.filter((f) => f.rule === rule).map((f) => `${f.file} ${f.kind ?? ''}/${f.name ?? ''}: ${f.message}`);
    assert.deepEqual(line('flux-path'), ['clusters/c/ks.yaml Kustomization/gone: spec.path ./nowhere does not exist in the repository; Flux fails with "kustomization path not found"']);
    assert.deepEqual(line('kustomization-empty'), ['typo/kustomization.yaml /: kustomization.yaml builds zero objects once Flux drops resource; with prune: true Flux would delete everything it applied from here; fix the field name']);
    assert.deepEqual(line('kustomize-build'), ['stray/values.yaml /: values.yaml is not Kubernetes YAML, and stray has no kustomization.yaml, so Flux\'s generated kustomization includes it and the build fails ("missing Resource metadata"); add a kustomization.yaml that lists the manifests, or move the file']);
    assert.deepEqual(line('flux-substitute'), ['unset/cm.yaml ConfigMap/u: variable not set (strict mode): "B": Flux fails the whole Kustomization; define the variable in postBuild.substitute or substituteFrom, or escape it as $${…}']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bad --path and --crds: one line, exit 2', async () => {
  const run = async (args: string[]) => {
    const r = await execa(process.execPath, ['--import', 'tsx', cli, path.join(fixtures, 'raw-sops'), ...args], { reject: false, cwd: projectRoot, env: { NO_COLOR: '1' } });
    return { code: r.exitCode, lines: String(r.stderr).trim().split('\n') };
  };
  const p = await run(['--path', 'nope']);
  assert.equal(p.code, 2);
  assert.deepEqual(p.lines, [`validate: --path nope: no such folder in ${path.join(fixtures, 'raw-sops')}`]);
  const c = await run(['--crds', '/nonexistent/crds']);
  assert.equal(c.code, 2);
  assert.deepEqual(c.lines, ['validate: --crds /nonexistent/crds: not a folder (pass a folder of CustomResourceDefinition YAML)']);
});

test('validate time on the largest fixture, per resource', async () => {
  const t0 = performance.now();
  const { report } = await validate('kustomize-helm-example');
  const ms = performance.now() - t0;
  const resources = report.overlays.reduce((n, o) => n + o.resources, 0);
  // Printed for the record (README "validate an existing Flux repository"); a loose bound catches regressions.
  console.log(`# kustomize-helm-example: ${ms.toFixed(0)} ms for ${resources} resources (${(ms / resources).toFixed(0)} ms/resource)`);
  assert.ok(ms < 60_000);
});
