// The encrypted files against the validate gate's own hygiene rules, per-environment recipients, and
// leaks: no generated value may appear in an encrypted file or in an error message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import {
  decryptFile, encryptYaml, generateAgeKey, recipientsFor, renderSopsConfig, sopsRecipients, writeSecretFiles,
} from '../../../src/scaffold/secrets/index.ts';
import type { SecretSpec } from '../../../src/scaffold/render/lib.ts';
import type { Environment } from '../../../src/scaffold/config/types.ts';
import { execa } from 'execa';
import { loadConfig } from '../../../src/scaffold/config/load.ts';
import { toolPath } from '../../../src/lib/tools.ts';
import { userCacheDir } from '../../../src/lib/paths.ts';
import { hygieneCheck } from '../../../src/validate/hygiene.ts';
import { projectRoot } from '../../../src/lib/versions.ts';

let dir = '';
const keys: Record<'main' | 'li', { file: string; recipient: string }> = { main: { file: '', recipient: '' }, li: { file: '', recipient: '' } };

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'mx-enc-'));
  for (const k of ['main', 'li'] as const) {
    const file = path.join(dir, `${k}.agekey`);
    keys[k] = { file, recipient: (await generateAgeKey(file))[0] };
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

const ENVS: Environment[] = ['homelab', 'production', 'li'];

/** One Secret per value kind in each environment. */
function specs(): SecretSpec[] {
  return ENVS.flatMap((env): SecretSpec[] => [
    { path: `overlays/${env}/secrets/synapse-signing-key.sops.yaml`, name: 'synapse-signing-key', namespace: 'matrix', data: { 'signing.key': { generate: 'synapse-signing-key' } } },
    {
      path: `overlays/${env}/secrets/livekit-keys.sops.yaml`, name: 'livekit-keys', namespace: 'matrix',
      data: { 'api-key': { generate: 'livekit-key' }, 'api-secret': { generate: 'token' }, 'keys.yaml': { template: '{api-key}: {api-secret}' } },
    },
    { path: `overlays/${env}/secrets/pg.sops.yaml`, name: 'pg', namespace: 'matrix', type: 'kubernetes.io/basic-auth', data: { username: { generate: 'literal', value: 'synapse' }, password: { generate: 'password' } } },
  ]);
}

async function writeRepo(repo: string): Promise<void> {
  const config = { ageRecipients: [keys.main.recipient], ageRecipientsByEnvironment: { li: [keys.li.recipient] } };
  const recipients = sopsRecipients(config);
  await writeSecretFiles(specs(), repo, recipients.default, recipients);
  writeFileSync(path.join(repo, '.sops.yaml'), renderSopsConfig(ENVS, recipients));
}

test('every written file passes the validate gate\'s hygiene check: encrypted, with mac, covered by .sops.yaml', async () => {
  const repo = mkdtempSync(path.join(dir, 'repo-'));
  await writeRepo(repo);
  assert.deepEqual(await hygieneCheck(repo), []);
  // The check is not vacuous: a file outside every creation rule is reported.
  writeFileSync(path.join(repo, 'stray.yaml'), readFileSync(path.join(repo, 'overlays/homelab/secrets/pg.sops.yaml')));
  assert.deepEqual((await hygieneCheck(repo)).map((f) => [f.rule, f.file]), [['secret-not-covered', 'stray.yaml']]);
});

test('no generated value appears in any encrypted file; each decrypts back to the manifest with sops.mac', async () => {
  const repo = mkdtempSync(path.join(dir, 'repo-'));
  await writeRepo(repo);
  for (const env of ENVS) {
    const secretsDir = path.join(repo, 'overlays', env, 'secrets');
    const key = env === 'li' ? keys.li.file : keys.main.file;
    for (const f of readdirSync(secretsDir)) {
      const file = path.join(secretsDir, f);
      const raw = readFileSync(file, 'utf8');
      const enc = parse(raw) as { kind: string; sops: { mac: string; age: { recipient: string }[] }; stringData: Record<string, string> };
      assert.equal(enc.kind, 'Secret');
      assert.match(enc.sops.mac, /^ENC\[AES256_GCM,data:/, `${env}/${f} carries sops.mac`);
      const plain = parse(await decryptFile(file, key)) as { kind: string; stringData: Record<string, string> };
      assert.deepEqual(Object.keys(plain.stringData), Object.keys(enc.stringData));
      for (const [k, v] of Object.entries(plain.stringData)) {
        assert.match(enc.stringData[k], /^ENC\[AES256_GCM,data:/, `${env}/${f} ${k} is encrypted`);
        if (k === 'username') continue; // a literal companion value, not a secret
        for (const part of v.split(/[\s:]+/).filter((p) => p.length >= 8)) assert.ok(!raw.includes(part), `${env}/${f} ${k} leaks into the encrypted file`);
      }
    }
  }
});

test('production and li use their own recipients, as .sops.yaml says', async () => {
  const repo = mkdtempSync(path.join(dir, 'repo-'));
  await writeRepo(repo);
  const recipientsOf = (env: Environment): string[] =>
    (parse(readFileSync(path.join(repo, `overlays/${env}/secrets/pg.sops.yaml`), 'utf8')) as { sops: { age: { recipient: string }[] } }).sops.age.map((a) => a.recipient);
  assert.deepEqual(recipientsOf('production'), [keys.main.recipient]);
  assert.deepEqual(recipientsOf('li'), [keys.li.recipient]);
  const rules = (parse(readFileSync(path.join(repo, '.sops.yaml'), 'utf8')) as { creation_rules: { path_regex: string; age: string }[] }).creation_rules;
  assert.deepEqual(rules.map((r) => r.age), [keys.main.recipient, keys.main.recipient, keys.li.recipient]);
  await assert.rejects(decryptFile(path.join(repo, 'overlays/li/secrets/pg.sops.yaml'), keys.main.file), /sops could not decrypt/);
});

test('a sops failure names the file but never the plaintext', async () => {
  const marker = 'Pl41ntextMarkerV4lue';
  await assert.rejects(
    encryptYaml(`apiVersion: v1\nkind: Secret\nstringData:\n  x: ${marker}\n`, ['age1notarecipient'], 'overlays/homelab/secrets/x.sops.yaml'),
    (e: Error) => /sops could not encrypt overlays\/homelab\/secrets\/x\.sops\.yaml/.test(e.message) && !e.message.includes(marker) && !e.message.includes('\n'),
  );
  await assert.rejects(encryptYaml('a: b\n', [], 'x.sops.yaml'), /no age recipient/);
});

test('the project\'s own secrets are encrypted and covered by its .sops.yaml', async () => {
  const config = loadConfig({ file: path.join(projectRoot, 'matrix-gitops.yaml') });
  const findings = await hygieneCheck(projectRoot);
  assert.deepEqual(findings.filter((f) => /^overlays\/[^/]+\/secrets\//.test(f.file ?? '')), []);
  assert.equal(readFileSync(path.join(projectRoot, '.sops.yaml'), 'utf8'), renderSopsConfig(config.environments, sopsRecipients(config)), '.sops.yaml is up to date (npm run render:self)');
  const rules = (parse(readFileSync(path.join(projectRoot, '.sops.yaml'), 'utf8')) as { creation_rules: { path_regex: string; encrypted_regex: string }[] }).creation_rules;
  for (const env of ['homelab', 'production', 'li']) {
    const files = readdirSync(path.join(projectRoot, 'overlays', env, 'secrets'));
    assert.ok(files.length > 0, env);
    for (const f of files) {
      const rel = `overlays/${env}/secrets/${f}`;
      assert.ok(rules.some((r) => new RegExp(r.path_regex).test(rel) && r.encrypted_regex === '^(data|stringData)$'), f);
      // Encrypted to the recipients the config names now (a changed ageRecipients needs `sops updatekeys`).
      const sops = (parse(readFileSync(path.join(projectRoot, rel), 'utf8')) as { sops: { age: { recipient: string }[] } }).sops;
      assert.deepEqual(sops.age.map((a) => a.recipient).sort(), [...recipientsFor(rel, sopsRecipients(config))].sort(), rel);
    }
  }
});

test('an existing secret file is never replaced', async () => {
  const repo = mkdtempSync(path.join(dir, 'repo-'));
  const spec = specs()[0];
  await writeSecretFiles([spec], repo, [keys.main.recipient]);
  const before = readFileSync(path.join(repo, spec.path));
  await assert.rejects(writeSecretFiles([spec], repo, [keys.main.recipient]), /already exists; secret files are written once/);
  assert.deepEqual(readFileSync(path.join(repo, spec.path)), before);
});

test('encryption needs no private key (only the public recipients)', async () => {
  const saved = { ...process.env };
  const home = mkdtempSync(path.join(dir, 'home-'));
  Object.assign(process.env, { MATRIX_GITOPS_CACHE: userCacheDir(saved), HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), SOPS_AGE_KEY_FILE: path.join(home, 'no-such-key') });
  delete process.env.SOPS_AGE_KEY;
  try {
    const out = await encryptYaml('apiVersion: v1\nkind: Secret\nstringData:\n  x: y\n', [keys.main.recipient], 'overlays/homelab/secrets/x.sops.yaml');
    assert.match(out, /sops:/);
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
});

test('.sops.yaml works with plain sops: a secret added by hand in an overlay gets that environment\'s recipients', async () => {
  const repo = mkdtempSync(path.join(dir, 'repo-'));
  await writeRepo(repo);
  const rel = 'overlays/li/secrets/added-by-hand.sops.yaml';
  writeFileSync(path.join(repo, rel), 'apiVersion: v1\nkind: Secret\nmetadata: {name: by-hand, namespace: matrix-li}\nstringData: {token: handmade-value-123}\n', { mode: 0o600 });
  // From a subdirectory too: sops finds .sops.yaml by walking up and matches the repo-relative path.
  const r = await execa(toolPath('sops'), ['encrypt', '--in-place', 'li/secrets/added-by-hand.sops.yaml'], { cwd: path.join(repo, 'overlays'), env: { SOPS_DISABLE_VERSION_CHECK: '1' } });
  assert.equal(r.exitCode, 0);
  const doc = parse(readFileSync(path.join(repo, rel), 'utf8')) as { sops: { age: { recipient: string }[] }; stringData: { token: string } };
  assert.deepEqual(doc.sops.age.map((a) => a.recipient), [keys.li.recipient]);
  assert.match(doc.stringData.token, /^ENC\[/);
  assert.deepEqual(await hygieneCheck(repo), []);
});
