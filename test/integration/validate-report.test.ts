// The report people read: exit codes of --max-warnings, --quiet, a directory without entry points,
// one finding for a plaintext Secret, and annotations at the offending field's line.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { cp, mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { projectRoot } from '../../src/lib/versions.ts';
import { ensureSchemaCache } from '../../src/schemas/cache.ts';
import type { Report } from '../../src/validate/types.ts';
import { validate } from '../../src/validate/report.ts';

const fixtures = path.join(projectRoot, 'test/integration/fixtures/validate');
const cli = path.join(projectRoot, 'src/cli/validate.ts');

async function run(args: string[]) {
  const r = await execa(process.execPath, ['--import', 'tsx', cli, ...args], { reject: false, cwd: projectRoot, env: { NO_COLOR: '1' } });
  return { code: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

before(async () => {
  await ensureSchemaCache();
});

test('a directory without entry points exits 2 with one line saying what was expected', async () => {
  const dir = path.join(fixtures, 'no-entry-points');
  const r = await run([dir]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr.trim(),
    `validate: no entry points in ${dir}: expected overlays/<name>/kustomization.yaml, flux/<name>/, clusters/<name>/ or kubernetes/flux*/ (or pass --path)`,
  );
});

test('--max-warnings N fails above N warnings, passes at N; --quiet prints errors only', async () => {
  const staging = [path.join(fixtures, 'policy'), '--overlay', 'staging'];
  const plain = await run(staging);
  assert.equal(plain.code, 0, 'warnings alone do not fail');
  assert.match(plain.stdout, /^warning MX-TEST-002 ×1/m);
  const over = await run([...staging, '--max-warnings', '0']);
  assert.equal(over.code, 1);
  assert.match(over.stderr, /1 warnings, more than --max-warnings 0/);
  assert.equal((await run([...staging, '--max-warnings', '1'])).code, 0);
  const quiet = await run([...staging, '--quiet']);
  assert.equal(quiet.code, 0);
  assert.doesNotMatch(quiet.stdout, /^(warning|exception)/m);
  assert.match(quiet.stdout, /0 errors, 1 warning,/, 'the summary still counts what --quiet hides');
});

test('bad --max-warnings and --verbose with --quiet are usage errors (exit 2, one line)', async () => {
  const dir = path.join(fixtures, 'clean');
  const bad = await run([dir, '--max-warnings', 'many']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim(), 'validate: --max-warnings expects a whole number >= 0, got "many"');
  const both = await run([dir, '--verbose', '--quiet']);
  assert.equal(both.code, 2);
  assert.equal(both.stderr.trim(), 'validate: --verbose and --quiet exclude each other; pick one');
});

test('a plaintext Secret is one finding that says where the file goes and how to encrypt it', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mx-report-'));
  try {
    await cp(path.join(fixtures, 'secret-plaintext'), dir, { recursive: true });
    // With the project's policies MX-SEC-001/002 see the rendered copy too. The fixture's
    // .sops.yaml covers the path, so the fix is to encrypt in place.
    await cp(path.join(projectRoot, 'policies'), path.join(dir, 'policies'), { recursive: true });
    const r = await run([dir, '--format', 'json']);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout) as Report;
    const about = report.findings.filter((f) => f.kind === 'Secret');
    assert.equal(about.length, 1, JSON.stringify(about, null, 1));
    assert.equal(about[0].rule, 'secret-plaintext');
    assert.equal(about[0].file, 'overlays/x/secrets/web.sops.yaml');
    assert.equal(
      about[0].message,
      'Secret matrix/web is plaintext in git (has no sops stanza (plaintext in git)): encrypt it with `sops --encrypt --in-place overlays/x/secrets/web.sops.yaml`',
    );
    // Without .sops.yaml hygiene also reports the file as not covered: still one finding, now
    // saying where the file should go.
    await rm(path.join(dir, '.sops.yaml'));
    await cp(path.join(dir, 'overlays/x/secrets/web.sops.yaml'), path.join(dir, 'overlays/x/web-secret.yaml'));
    await rm(path.join(dir, 'overlays/x/secrets/web.sops.yaml'));
    await writeFile(path.join(dir, 'overlays/x/kustomization.yaml'), 'resources:\n  - deployment.yaml\n  - web-secret.yaml\n');
    const moved = JSON.parse((await run([dir, '--format', 'json'])).stdout) as Report;
    const one = moved.findings.filter((f) => f.kind === 'Secret');
    assert.equal(one.length, 1, JSON.stringify(one, null, 1));
    assert.equal(
      one[0].message,
      'Secret matrix/web is plaintext in git (has no sops stanza (plaintext in git)): move it to a path .sops.yaml covers (overlays/x/secrets/web.sops.yaml), then encrypt it with `sops --encrypt --in-place overlays/x/secrets/web.sops.yaml`',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** The clean fixture plus overlays/x with one Deployment (an error at containers[0].image, line 15). */
async function treeWithWeb2(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mx-report-'));
  await cp(path.join(fixtures, 'clean'), dir, { recursive: true });
  await cp(path.join(projectRoot, 'policies'), path.join(dir, 'policies'), { recursive: true });
  await mkdir(path.join(dir, 'overlays/x'), { recursive: true });
  const deployment = [
    'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: web2', '  namespace: matrix', 'spec:',
    '  selector:', '    matchLabels: {app.kubernetes.io/name: web}', '  template:', '    metadata:',
    '      labels: {app.kubernetes.io/name: web}', '    spec:', '      containers:',
    '        - name: web', '          image: docker.io/library/nginx:latest', '',
  ].join('\n');
  await writeFile(path.join(dir, 'overlays/x/web.yaml'), deployment);
  // Only the new Deployment (the fixture's own defines another "web").
  await writeFile(path.join(dir, 'overlays/x/kustomization.yaml'), 'resources:\n  - web.yaml\n');
  return dir;
}

test('github annotations point at the offending field, not at metadata.name', async () => {
  const dir = await treeWithWeb2();
  try {
    const r = await run([dir, '--format', 'github']);
    assert.equal(r.code, 1);
    // MX-IMG-001 names containers[0].image: line 15 of web.yaml, not line 4 (metadata.name).
    assert.match(r.stdout, /^::error file=overlays\/x\/web\.yaml,line=15,title=MX-IMG-001::/m);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('findings of a severity the report does not print are not traced to a source line', async () => {
  const dir = await treeWithWeb2();
  try {
    const web2 = (r: Report) => r.findings.filter((f) => f.name === 'web2' && f.overlay === 'x');
    const all = web2(await validate({ dir, overlay: 'x', cache: false }));
    const shown = web2(await validate({ dir, overlay: 'x', cache: false, locate: new Set(['error', 'warning']) }));
    const info = (fs: Report['findings']) => fs.filter((f) => f.severity === 'info').map((f) => [f.rule, f.file, f.line ?? null]);
    assert.ok(info(all).length > 0, 'the Deployment has info findings');
    assert.ok(info(all).every(([, file, line]) => file === 'overlays/x/web.yaml' && typeof line === 'number'), 'traced by default (json, sarif, --verbose)');
    assert.ok(info(shown).every(([, file, line]) => file === 'overlays/x' && line === null), 'left at the entry point when not printed');
    const errors = (fs: Report['findings']) => fs.filter((f) => f.severity === 'error').map((f) => [f.rule, f.file, f.line]);
    assert.deepEqual(errors(shown), errors(all), 'errors are traced either way');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
