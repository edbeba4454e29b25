// Issue 11 "done when": the operator's own changes survive every re-scaffold (a patch in a custom/
// folder, an extraConfig key), and a scaffold with every setting on passes the gate. Real scaffold
// CLI, sops, age, kustomize and the validate gate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, execaSync } from 'execa';
import { parseAllDocuments, parseDocument } from 'yaml';
import { projectRoot } from '../../src/lib/versions.ts';
import { userCacheDir } from '../../src/lib/paths.ts';
import { installCliShim } from '../lib/cli-shim.ts';
import { kustomizeBuild, toolPath } from '../../src/lib/tools.ts';
import { everyOptionText } from '../unit/render/every-option.ts';

const cli = path.join(projectRoot, 'src', 'cli', 'scaffold.ts');
const work = mkdtempSync(path.join(tmpdir(), 'mx-escape-'));
const key = path.join(work, 'key.txt');
// HOME is empty so no key of the user's leaks in; the tools stay in the real per-user cache.
const baseEnv = { HOME: path.join(work, 'home'), SOPS_AGE_KEY_FILE: '', MATRIX_GITOPS_CACHE: userCacheDir() };
type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function scaffold(args: string[], extraEnv: Record<string, string> = {}) {
  return execa(process.execPath, ['--import', 'tsx', cli, ...args, '--yes', '--no-git', '--age-key', key], { cwd: projectRoot, reject: false, env: { ...baseEnv, ...extraEnv } });
}

function build(dir: string): Doc[] {
  const k = kustomizeBuild(dir);
  return parseAllDocuments(execaSync(k.file, k.args, { maxBuffer: 64 * 1024 * 1024 }).stdout).map((d) => d.toJSON() as Doc).filter(Boolean);
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const f = path.join(dir, e);
    return statSync(f).isDirectory() ? (e === '.git' ? [] : allFiles(f)) : [f];
  });
}

async function validate(repo: string) {
  installCliShim(repo);
  const v = await execa('npm', ['run', '--silent', 'validate', '--', '--format', 'json'], { cwd: repo, reject: false });
  return { exitCode: v.exitCode, report: JSON.parse(v.stdout) as { findings: { severity: string; rule: string; message: string }[] } };
}

test.before(async () => { await execa(toolPath('age-keygen'), ['-o', key]); });
test.after(() => rmSync(work, { recursive: true, force: true }));

test('a patch in custom/ and an extraConfig key survive a re-scaffold with a changed config: kept, rendered, exit 0, no conflict', async () => {
  const repo = path.join(work, 'repo');
  const first = await scaffold(['--server-name', 'example.org', '--environments', 'homelab,production', '--out', repo]);
  assert.equal(first.exitCode, 0, first.stderr);

  // 1. A patch of the operator's own: a nodeSelector on Synapse, and the GitRepository secretRef
  //    the README tells private-repository users to add.
  const custom = path.join(repo, 'overlays/production/custom');
  writeFileSync(path.join(custom, 'synapse-node.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: synapse}\nspec: {template: {spec: {nodeSelector: {disk: ssd}}}}\n');
  writeFileSync(path.join(custom, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - path: synapse-node.yaml\n');
  const fluxCustom = path.join(repo, 'flux/production/custom/kustomization.yaml');
  writeFileSync(fluxCustom, 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - target: {kind: GitRepository, name: matrix-gitops}\n    patch: |\n      - {op: add, path: /spec/secretRef, value: {name: flux-git-auth}}\n');
  // 2. An extraConfig key, and 3. a changed setting, both in the repository's own config.
  const configFile = path.join(repo, 'matrix-gitops.yaml');
  const doc = parseDocument(readFileSync(configFile, 'utf8'));
  doc.setIn(['synapse', 'extraConfig'], { admin_contact: 'mailto:ops@example.org' });
  doc.setIn(['synapse', 'maxUploadSize'], '50M');
  writeFileSync(configFile, doc.toString());
  const kept = new Map([path.join(custom, 'synapse-node.yaml'), path.join(custom, 'kustomization.yaml'), fluxCustom].map((f) => [f, readFileSync(f, 'utf8')]));

  const again = await scaffold(['--out', repo]);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.doesNotMatch(again.stderr + again.stdout, /conflict|changed since the last scaffold|--force/);
  for (const [f, content] of kept) assert.equal(readFileSync(f, 'utf8'), content, `${f} kept byte for byte`);

  const hs = readFileSync(path.join(repo, 'overlays/production/synapse/homeserver.yaml'), 'utf8');
  assert.match(hs, /^admin_contact: mailto:ops@example\.org$/m);
  assert.match(hs, /^max_upload_size: 50M$/m);
  const synapse = build(path.join(repo, 'overlays/production')).find((d) => d.kind === 'Deployment' && d.metadata.name === 'synapse');
  assert.deepEqual(synapse?.spec.template.spec.nodeSelector, { disk: 'ssd' });
  const git = build(path.join(repo, 'flux/production')).find((d) => d.kind === 'GitRepository');
  assert.deepEqual(git?.spec.secretRef, { name: 'flux-git-auth' });

  // A third run changes nothing, and the gate still passes with the patches in.
  const third = await scaffold(['--out', repo]);
  assert.equal(third.exitCode, 0, third.stderr);
  assert.match(third.stderr + third.stdout, /nothing to do/);
  const v = await validate(repo);
  assert.deepEqual(v.report.findings.filter((f) => f.severity === 'error'), []);
  assert.equal(v.exitCode, 0);
});

test('every setting on: scaffolds, validates with 0 errors, and no supplied secret appears in plain text', async () => {
  const repo = path.join(work, 'every');
  const config = path.join(work, 'every-option.yaml');
  writeFileSync(config, everyOptionText());
  const supplied = { MATRIX_GITOPS_SMTP_PASSWORD: 'smtp-Pa55-never-in-git', MATRIX_GITOPS_RECAPTCHA_PUBLIC_KEY: 'recaptcha-public-k3y', MATRIX_GITOPS_RECAPTCHA_PRIVATE_KEY: 'recaptcha-private-k3y' };
  const r = await scaffold(['--config', config, '--out', repo], supplied);
  assert.equal(r.exitCode, 0, r.stderr);
  for (const f of allFiles(repo)) {
    const text = readFileSync(f, 'utf8');
    for (const v of [...Object.values(supplied), 'test-only APNs key placeholder']) assert.ok(!text.includes(v), `${path.relative(repo, f)} holds a supplied secret in plain text`);
  }
  for (const env of ['homelab', 'production']) assert.ok(existsSync(path.join(repo, `overlays/${env}/secrets/synapse-email.sops.yaml`)), env);
  const v = await validate(repo);
  assert.deepEqual(v.report.findings.filter((f) => f.severity === 'error'), []);
  assert.equal(v.exitCode, 0);
});

test('a supplied secret that is not there: one line naming the variable, exit 2, nothing written', async () => {
  const repo = path.join(work, 'nopass');
  const config = path.join(work, 'nopass.yaml');
  writeFileSync(config, 'serverName: example.org\nenvironments: [homelab]\nsynapse:\n  email: {smtpHost: smtp.example.org, from: noreply@example.org, user: matrix}\n');
  const r = await scaffold(['--config', config, '--out', repo]);
  assert.equal(r.exitCode, 2, r.stderr);
  const lines = r.stderr.trim().split('\n').filter((l) => /MATRIX_GITOPS_SMTP_PASSWORD/.test(l));
  assert.deepEqual(lines.map((l) => l.replace(/^.*?synapse\.email/, 'synapse.email')), ['synapse.email.passwordEnv: overlays/homelab/secrets/synapse-email.sops.yaml is new and needs the value of the environment variable MATRIX_GITOPS_SMTP_PASSWORD, which is not set; export MATRIX_GITOPS_SMTP_PASSWORD=… and re-run (it is written once, SOPS-encrypted, and never needed again)']);
  assert.ok(!existsSync(repo), 'nothing written');
});

test('on a terminal, the components offered follow the environments; matrix.example.org is its own Synapse host', { skip: execaSync('sh', ['-c', 'command -v script'], { reject: false }).exitCode === 0 ? false : 'script(1) missing' }, async () => {
  const out = path.join(work, 'prompted');
  const cmd = `${process.execPath} --import tsx ${cli} --out ${out} --environments homelab --no-git --age-key ${key}`;
  // Answers: serverName, Synapse host (default), Element host (default), components (refused, then the default), git URL (default).
  const answers = ['matrix.example.org', '', '', 'coturn,workers', '', ''];
  const r = await execa('script', ['-qec', cmd, '/dev/null'], { cwd: projectRoot, reject: false, env: baseEnv, input: `${answers.join('\n')}\n` });
  assert.equal(r.exitCode, 0, r.stdout);
  assert.match(r.stdout, /Synapse host \[matrix\.example\.org\]/);
  assert.match(r.stdout, /Element Web host \[chat\.example\.org\]/);
  assert.match(r.stdout, /Components to enable \(comma list of [^)]+\) \[coturn,livekit,backups\]/);
  assert.match(r.stdout, /workers needs the production environment; leave it out/);
});

test('externalPostgres and externalRedis: scaffold with the supplied passwords and validate with 0 errors', async () => {
  const repo = path.join(work, 'external-db');
  const config = path.join(work, 'external-db.yaml');
  writeFileSync(config, 'serverName: example.org\nexternalPostgres: {host: db.example.org, user: matrix_app, sslmode: verify-full, cidr: 10.0.5.10/32}\nexternalRedis: {host: redis.example.org, cidr: 10.0.6.0/24}\nresources: {production: large}\n');
  const r = await scaffold(['--config', config, '--out', repo], { MATRIX_GITOPS_DB_PASSWORD: 'db-Pa55-never-in-git', MATRIX_GITOPS_REDIS_PASSWORD: 'redis-Pa55-never-in-git' });
  assert.equal(r.exitCode, 0, r.stderr);
  for (const f of allFiles(repo)) assert.ok(!/(db|redis)-Pa55-never-in-git/.test(readFileSync(f, 'utf8')), path.relative(repo, f));
  const v = await validate(repo);
  assert.deepEqual(v.report.findings.filter((f) => f.severity === 'error'), []);
  assert.equal(v.exitCode, 0);
});
