import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import {
  decryptFile, generateAgeKey, generateSecret, renderSopsConfig, resolveAgeKey, synapseSigningKey, writeSecretFiles,
} from '../../../src/scaffold/secrets/index.ts';
import type { SecretSpec } from '../../../src/scaffold/render/lib.ts';
import { UsageError } from '../../../src/lib/errors.ts';

/** PKCS#8 DER prefix for a raw Ed25519 seed (RFC 8410). */
const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');

test('the Synapse signing key is "ed25519 a_XXXX <unpadded base64 seed>" and the seed is a usable Ed25519 key', () => {
  const line = synapseSigningKey();
  const m = /^ed25519 (a_[A-Za-z0-9]{4}) ([A-Za-z0-9+/]{43})\n$/.exec(line);
  assert.ok(m, line.replace(/\S{20,}/, '<seed>'));
  const seed = Buffer.from(m[2], 'base64');
  assert.equal(seed.length, 32);
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8, seed]), format: 'der', type: 'pkcs8' });
  const sig = sign(null, Buffer.from('matrix'), key);
  assert.ok(verify(null, Buffer.from('matrix'), createPublicKey(key), sig));
  assert.notEqual(synapseSigningKey(), line, 'every key is new');
});

test('generated values: token, password, LiveKit key, literal, template, sameAs', () => {
  const spec: SecretSpec = {
    path: 'overlays/x/secrets/a.sops.yaml', name: 'a', namespace: 'n',
    data: {
      t: { generate: 'token', bytes: 32 }, p: { generate: 'password', length: 40 }, k: { generate: 'livekit-key' },
      u: { generate: 'literal', value: 'synapse' }, keys: { template: '{k}: {t}' },
    },
  };
  const v = generateSecret(spec);
  assert.match(v.t, /^[A-Za-z0-9_-]{43}$/);
  assert.match(v.p, /^[A-Za-z0-9]{40}$/);
  assert.match(v.k, /^API[A-Za-z0-9]{12}$/);
  assert.equal(v.u, 'synapse');
  assert.equal(v.keys, `${v.k}: ${v.t}`);
  const copy = generateSecret({ path: 'b', name: 'b', namespace: 'm', data: { p: { sameAs: { path: spec.path, key: 'p' } } } }, new Map([[spec.path, v]]));
  assert.equal(copy.p, v.p);
  assert.throws(() => generateSecret({ path: 'b', name: 'b', namespace: 'm', data: { p: { sameAs: { path: 'gone', key: 'p' } } } }), /delete both files/);
});

test('writeSecretFiles encrypts with the real sops to age; only the key holder can read it back', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mx-secrets-'));
  try {
    const keyFile = path.join(dir, 'age.key');
    const recipients = await generateAgeKey(keyFile);
    const specs: SecretSpec[] = [
      { path: 'overlays/p/secrets/signing.sops.yaml', name: 'synapse-signing-key', namespace: 'matrix', data: { 'signing.key': { generate: 'synapse-signing-key' } } },
      { path: 'overlays/p/secrets/db.sops.yaml', name: 'db', namespace: 'matrix', type: 'kubernetes.io/basic-auth', data: { username: { generate: 'literal', value: 'synapse' }, password: { generate: 'password' } } },
      { path: 'overlays/p/secrets/db-copy.sops.yaml', name: 'db', namespace: 'other', data: { password: { sameAs: { path: 'overlays/p/secrets/db.sops.yaml', key: 'password' } } } },
    ];
    await writeSecretFiles(specs, dir, recipients);
    const raw = readFileSync(path.join(dir, specs[0].path), 'utf8');
    const doc = parse(raw) as { stringData: Record<string, string>; sops: { mac: string; age: unknown[] }; metadata: { name: string } };
    assert.match(doc.stringData['signing.key'], /^ENC\[AES256_GCM,data:/);
    assert.match(doc.sops.mac, /^ENC\[/);
    assert.equal(doc.metadata.name, 'synapse-signing-key', 'metadata stays readable');
    const plain = parse(await decryptFile(path.join(dir, specs[0].path), keyFile)) as { stringData: Record<string, string> };
    const seedB64 = plain.stringData['signing.key'].split(' ')[2].trim();
    assert.ok(!raw.includes(seedB64), 'the encrypted file does not contain the seed');
    const db = parse(await decryptFile(path.join(dir, specs[1].path), keyFile)) as { type: string; stringData: Record<string, string> };
    const copy = parse(await decryptFile(path.join(dir, specs[2].path), keyFile)) as { stringData: Record<string, string> };
    assert.equal(db.type, 'kubernetes.io/basic-auth');
    assert.equal(copy.stringData.password, db.stringData.password);
    const otherKey = path.join(dir, 'other.key');
    await generateAgeKey(otherKey);
    await assert.rejects(decryptFile(path.join(dir, specs[0].path), otherKey), (e: Error) => !e.message.includes(seedB64));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('.sops.yaml has one path-scoped rule per environment with the data-only regex', () => {
  const text = renderSopsConfig(['homelab', 'production'], { default: ['age1a'], production: ['age1p'] });
  const rules = (parse(text) as { creation_rules: { path_regex: string; encrypted_regex: string; age: string }[] }).creation_rules;
  assert.equal(rules.length, 2);
  assert.ok(new RegExp(rules[1].path_regex).test('overlays/production/secrets/turn-shared-secret.sops.yaml'));
  assert.ok(!new RegExp(rules[1].path_regex).test('overlays/homelab/secrets/turn-shared-secret.sops.yaml'));
  assert.equal(rules[0].encrypted_regex, '^(data|stringData)$');
  assert.deepEqual(rules.map((r) => r.age), ['age1a', 'age1p']);
});

test('age key resolution: flag, SOPS_AGE_KEY_FILE, default location, else a new key in the repo', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mx-age-'));
  try {
    const a = path.join(dir, 'a.key');
    const b = path.join(dir, 'b.key');
    const [ra] = await generateAgeKey(a);
    const [rb] = await generateAgeKey(b);
    const home = path.join(dir, 'home');
    assert.deepEqual((await resolveAgeKey({ ageKeyFile: a, repoDir: dir, env: { SOPS_AGE_KEY_FILE: b, HOME: home } })).recipients, [ra]);
    const fromEnv = await resolveAgeKey({ repoDir: dir, env: { SOPS_AGE_KEY_FILE: b, HOME: home } });
    assert.deepEqual([fromEnv.recipients, fromEnv.source], [[rb], 'SOPS_AGE_KEY_FILE']);
    const fresh = await resolveAgeKey({ repoDir: path.join(dir, 'repo'), env: { HOME: home } });
    assert.deepEqual([fresh.generated, fresh.keyFile], [true, path.join(dir, 'repo', 'age.key')]);
    await assert.rejects(resolveAgeKey({ ageKeyFile: path.join(dir, 'nope'), repoDir: dir, env: {} }), (e: Error) => e instanceof UsageError && /--age-key: .*does not exist/.test(e.message));
    writeFileSync(path.join(dir, 'not-a-key'), 'hello\n');
    await assert.rejects(resolveAgeKey({ ageKeyFile: path.join(dir, 'not-a-key'), repoDir: dir, env: {} }), /not an age identity file/);
    await assert.rejects(resolveAgeKey({ ageKeyFile: home.replace(/home$/, ''), repoDir: dir, env: {} }), (e: Error) => e instanceof UsageError && /cannot read the age key \(a directory\)/.test(e.message));
    // The sops default location comes before a key left in the repository.
    const sopsDir = path.join(home, '.config', 'sops', 'age');
    mkdirSync(sopsDir, { recursive: true });
    copyFileSync(a, path.join(sopsDir, 'keys.txt'));
    const fromDefault = await resolveAgeKey({ repoDir: path.join(dir, 'repo'), env: { HOME: home } });
    assert.deepEqual([fromDefault.recipients, fromDefault.source, fromDefault.generated], [[ra], 'default location', false]);
    // A key generated by an earlier run is found again instead of a second one being made.
    mkdirSync(path.join(dir, 'repo2'));
    copyFileSync(b, path.join(dir, 'repo2', 'age.key'));
    const again = await resolveAgeKey({ repoDir: path.join(dir, 'repo2'), env: { HOME: path.join(dir, 'nohome') } });
    assert.deepEqual([again.recipients, again.generated], [[rb], false]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
