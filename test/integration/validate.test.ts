// End-to-end runs of `validate` against fixture repositories, with the real binaries and schema cache.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdtemp, cp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { projectRoot } from '../../src/lib/versions.ts';
import { toolPath } from '../../src/lib/tools.ts';
import { ensureSchemaCache } from '../../src/schemas/cache.ts';
import type { Report } from '../../src/validate/types.ts';

const fixtures = path.join(projectRoot, 'test/integration/fixtures/validate');
const cli = path.join(projectRoot, 'src/cli/validate.ts');

async function run(args: string[], env: Record<string, string> = {}) {
  const r = await execa(process.execPath, ['--import', 'tsx', cli, ...args], {
    reject: false,
    cwd: projectRoot,
    env: { NO_COLOR: '1', ...env },
  });
  return { code: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

async function json(fixture: string, extra: string[] = []): Promise<{ code: number | undefined; report: Report }> {
  const r = await run([path.join(fixtures, fixture), '--format', 'json', ...extra]);
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

const rules = (r: Report) => r.findings.map((f) => f.rule).sort();

before(async () => {
  await ensureSchemaCache();
});

test('clean repository passes', async () => {
  const { code, report } = await json('clean');
  assert.equal(code, 0);
  assert.equal(report.ok, true);
  assert.deepEqual(report.findings, []);
  assert.deepEqual(report.overlays, [{ name: 'x', path: 'overlays/x', resources: 2 }]);
});

test('schema violation in a built-in kind', async () => {
  const { code, report } = await json('schema-builtin');
  assert.equal(code, 1);
  assert.equal(report.ok, false);
  const f = report.findings.find((x) => x.rule === 'schema');
  assert.ok(f, JSON.stringify(report.findings));
  assert.equal(f.kind, 'Deployment');
  assert.equal(f.name, 'web');
  assert.equal(f.namespace, 'matrix');
  assert.equal(f.overlay, 'x');
  assert.match(f.message, /replicaz/);
});

test('typo in a CRD field (Flux Kustomization spec.intervall)', async () => {
  const { code, report } = await json('crd-typo');
  assert.equal(code, 1);
  const f = report.findings.find((x) => x.rule === 'schema' && x.kind === 'Kustomization' && /intervall/.test(x.message));
  assert.ok(f, JSON.stringify(report.findings));
  assert.match(f.message, /additional propert/);
});

test('a kind of an unknown API group is a warning that says how to add its schema', async () => {
  const { code, report } = await json('schema-missing');
  assert.equal(code, 0);
  assert.deepEqual(rules(report), ['schema-unknown-group']);
  assert.equal(report.findings[0].kind, 'Widget');
  assert.equal(report.findings[0].severity, 'warning');
  assert.equal(
    report.findings[0].message,
    'Widget (widgets.example.com/v1) not checked: no schema for API group widgets.example.com; commit its CustomResourceDefinition to the repository or pass --crds DIR (a folder of CRD YAML)',
  );
});

test('an unknown kind in a known API group stays an error (strictness kept)', async () => {
  const { code, report } = await json('schema-missing-known-group');
  assert.equal(code, 1);
  assert.deepEqual(rules(report), ['schema-missing']);
  assert.equal(report.findings[0].kind, 'Certificat');
});

test('--crds makes schemas from a folder of CRDs', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mx-crds-'));
  try {
    await writeFile(
      path.join(dir, 'widget-crd.yaml'),
      [
        'apiVersion: apiextensions.k8s.io/v1',
        'kind: CustomResourceDefinition',
        'metadata: {name: widgets.widgets.example.com}',
        'spec:',
        '  group: widgets.example.com',
        '  names: {kind: Widget, plural: widgets}',
        '  scope: Namespaced',
        '  versions:',
        '    - name: v1',
        '      served: true',
        '      storage: true',
        '      schema:',
        '        openAPIV3Schema:',
        '          type: object',
        '          properties:',
        '            spec: {type: object, properties: {sizes: {type: integer}}}',
        '',
      ].join('\n'),
    );
    const { code, report } = await json('schema-missing', ['--crds', dir]);
    assert.ok(report.findings.length > 0, JSON.stringify(report));
    assert.equal(code, 1);
    assert.deepEqual(rules(report), ['schema']);
    assert.match(report.findings[0].message, /size/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a kustomize build failure is an error finding', async () => {
  const { code, report } = await json('build-error');
  assert.equal(code, 1);
  assert.deepEqual(rules(report), ['kustomize-build']);
  assert.equal(report.findings[0].overlay, 'x');
  assert.match(report.findings[0].message, /missing\.yaml/);
});

test('plaintext Secret in git', async () => {
  const { code, report } = await json('secret-plaintext');
  assert.equal(code, 1);
  assert.deepEqual(rules(report), ['secret-plaintext']);
  assert.equal(report.findings[0].file, 'overlays/x/secrets/web.sops.yaml');
});

test('a repository carrying a copy of the bundled rules does not share cached results with one scoped to Matrix workloads', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mx-validate-copy-'));
  const cache = await mkdtemp(path.join(tmpdir(), 'mx-validate-cache-'));
  try {
    await cp(path.join(fixtures, 'secret-plaintext'), dir, { recursive: true });
    await cp(path.join(projectRoot, 'policies'), path.join(dir, 'policies'), { recursive: true });
    // Same rules, same entry name, same built YAML: only the scoping differs.
    const withCopy = await run([dir, '--format', 'json'], { MATRIX_GITOPS_RESULT_CACHE: cache });
    assert.ok((JSON.parse(withCopy.stdout) as Report).findings.some((f) => f.rule === 'MX-NET-002'));
    const scoped = await run([path.join(fixtures, 'secret-plaintext'), '--format', 'json'], { MATRIX_GITOPS_RESULT_CACHE: cache });
    assert.deepEqual(rules(JSON.parse(scoped.stdout) as Report), ['secret-plaintext']);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(cache, { recursive: true, force: true });
  }
});

test('encrypted Secret not covered by .sops.yaml', async () => {
  const { code, report } = await json('secret-not-covered');
  assert.equal(code, 1);
  assert.deepEqual(rules(report), ['secret-not-covered']);
  assert.equal(report.findings[0].file, 'secrets/web.yaml');
});

test('Secrets encrypted by the real sops pass hygiene only where .sops.yaml covers them', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mx-validate-sops-'));
  try {
    await cp(path.join(fixtures, 'clean'), dir, { recursive: true });
    const key = path.join(dir, 'age.key');
    await execa(toolPath('age-keygen'), ['-o', key]);
    const recipient = (await readFile(key, 'utf8')).match(/public key: (age1\w+)/)?.[1];
    assert.ok(recipient);
    const plain = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: real\n  namespace: matrix\nstringData:\n  token: hunter2\n';
    // A config of its own, because the repository's .sops.yaml (rightly) refuses the stray path.
    const config = path.join(dir, 'encrypt-config.yaml');
    await writeFile(config, `creation_rules:\n  - age: ${recipient}\n    encrypted_regex: ^(data|stringData)$\n`);
    const encrypt = async (rel: string) => {
      await writeFile(path.join(dir, rel), plain);
      const r = await execa(toolPath('sops'), ['--config', config, '--encrypt', '--in-place', rel], {
        cwd: dir,
        env: { SOPS_DISABLE_VERSION_CHECK: '1' },
      });
      assert.equal(r.exitCode, 0);
    };
    await encrypt('overlays/x/secrets/real.sops.yaml');
    await encrypt('stray-secret.yaml');
    await rm(key);
    await rm(config);
    const r = await run([dir, '--format', 'json']);
    const report = JSON.parse(r.stdout) as Report;
    assert.equal(r.code, 1);
    assert.deepEqual(
      report.findings.map((f) => `${f.rule} ${f.file}`),
      ['secret-not-covered stray-secret.yaml'],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('policies: ids, severities, per-overlay data and counted exceptions', async () => {
  const { code, report } = await json('policy');
  assert.equal(code, 1);
  const deny = report.findings.filter((f) => f.rule === 'MX-TEST-001');
  assert.equal(deny.length, 1, 'data.mx.overlay limits the rule to production');
  assert.equal(deny[0].overlay, 'production');
  assert.equal(deny[0].severity, 'error');
  assert.equal(deny[0].kind, 'Deployment');
  assert.equal(deny[0].name, 'web');
  assert.equal(deny[0].namespace, 'matrix');
  // trustedRegistries comes from the fixture's matrix-gitops.yaml, so ghcr.io is untrusted there.
  const warns = report.findings.filter((f) => f.rule === 'MX-TEST-002');
  assert.deepEqual(warns.map((w) => `${w.overlay} ${w.severity}`).sort(), ['production warning', 'staging warning']);
  assert.deepEqual(report.exceptions.map((e) => `${e.rule} ${e.overlay}`).sort(), ['MX-TEST-003 production', 'MX-TEST-003 staging']);
  assert.ok(!report.findings.some((f) => f.rule === 'MX-TEST-003'));
});

test('--overlay limits the run to one overlay', async () => {
  const { code, report } = await json('policy', ['--overlay', 'staging']);
  assert.equal(code, 0, 'warnings alone do not fail');
  assert.deepEqual(report.overlays.map((o) => o.name), ['staging']);
  const r = await run([path.join(fixtures, 'policy'), '--overlay', 'nope']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown overlay "nope"/);
});

test('usage errors exit 2 with one line naming the problem', async () => {
  const flag = await run(['--bogus']);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /--bogus/);
  assert.equal(flag.stderr.trim().split('\n').length, 1);
  const fmt = await run([path.join(fixtures, 'clean'), '--format', 'xml']);
  assert.equal(fmt.code, 2);
  assert.match(fmt.stderr, /unknown format "xml"/);
  const help = await run(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: matrix-gitops validate /);
});

test('nonexistent DIR exits 2', async () => {
  const r = await run([path.join(fixtures, 'does-not-exist')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /does-not-exist/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('missing schema cache exits 2 and never fetches', async () => {
  const empty = await mkdtemp(path.join(tmpdir(), 'mx-no-schemas-'));
  try {
    const r = await run([path.join(fixtures, 'clean')], { MATRIX_GITOPS_SCHEMA_DIR: empty });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /schema cache missing at .*; run `npx matrix-gitops setup`/);
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});

test('every --format parses', async () => {
  const dir = path.join(fixtures, 'schema-builtin');
  const sarif = await run([dir, '--format', 'sarif']);
  assert.equal(sarif.code, 1);
  const doc = JSON.parse(sarif.stdout) as {
    version: string;
    runs: {
      tool: { driver: { name: string; rules: { id: string }[] } };
      results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[];
    }[];
  };
  assert.equal(doc.version, '2.1.0');
  const run0 = doc.runs[0];
  assert.ok(run0.tool.driver.name);
  assert.ok(run0.tool.driver.rules.some((r) => r.id === 'schema'));
  assert.equal(run0.results[0].ruleId, 'schema');
  assert.equal(run0.results[0].level, 'error');
  // The rendered resource is traced back to the raw file that defines it.
  assert.equal(run0.results[0].locations[0].physicalLocation.artifactLocation.uri, 'overlays/x/deployment.yaml');
  assert.equal(run0.results[0].locations[0].physicalLocation.region.startLine, 4, 'the metadata.name line');

  const junit = await run([dir, '--format', 'junit']);
  assert.equal(junit.code, 1);
  assert.match(junit.stdout, /^<\?xml/);
  assert.match(junit.stdout, /<testsuite name="x"[^>]*failures="1"/);

  const gh = await run([dir, '--format', 'github']);
  assert.equal(gh.code, 1);
  assert.match(gh.stdout, /^::error file=overlays\/x\/deployment\.yaml,line=4,title=schema::/m);

  const pretty = await run([dir]);
  assert.equal(pretty.code, 1);
  assert.match(pretty.stdout, /error schema/);
  assert.doesNotMatch(pretty.stdout, /\u001b\[/, 'no colours off a TTY');
});
