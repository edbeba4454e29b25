import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { hygieneCheck } from '../../../src/validate/hygiene.ts';

const SOPS = `sops:
  age:
    - recipient: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p
      enc: x
  lastmodified: "2026-01-01T00:00:00Z"
  mac: ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]
  version: 3.10.2
`;
const secret = (data: string, sops = SOPS) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: n\n${data}\n${sops}`;
const ENC = 'ENC[AES256_GCM,data:c2VjcmV0,iv:aXY=,tag:dGFn,type:str]';

async function repo(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mx-hygiene-'));
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), content);
  }
  return dir;
}

const RULES = 'creation_rules:\n  - path_regex: secrets/.*\\.yaml$\n    age: age1x\n';

async function check(files: Record<string, string>): Promise<string[]> {
  const dir = await repo(files);
  try {
    return (await hygieneCheck(dir)).map((f) => `${f.rule} ${f.file}: ${f.message}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('an encrypted, covered Secret is clean', async () => {
  assert.deepEqual(await check({ '.sops.yaml': RULES, 'secrets/a.yaml': secret(`data:\n  k: ${ENC}`) }), []);
});

test('each missing part of the sops stanza is plaintext', async () => {
  for (const drop of ['mac', 'lastmodified', 'version']) {
    const sops = SOPS.split('\n').filter((l) => !l.trimStart().startsWith(`${drop}:`)).join('\n');
    const out = await check({ '.sops.yaml': RULES, 'secrets/a.yaml': secret(`data:\n  k: ${ENC}`, sops) });
    assert.deepEqual(out, [`secret-plaintext secrets/a.yaml: Secret sops stanza has no ${drop}`]);
  }
  const noRecipients = SOPS.replace(/  age:\n.*\n.*\n/, '');
  assert.match((await check({ '.sops.yaml': RULES, 'secrets/a.yaml': secret(`data:\n  k: ${ENC}`, noRecipients) }))[0], /no recipients/);
});

test('a single unencrypted leaf makes the Secret plaintext', async () => {
  const out = await check({ '.sops.yaml': RULES, 'secrets/a.yaml': secret(`stringData:\n  a: ${ENC}\n  b: hunter2`) });
  assert.deepEqual(out, ['secret-plaintext secrets/a.yaml: Secret stringData.b is not encrypted']);
});

test('coverage: no .sops.yaml, or no matching path_regex', async () => {
  assert.match((await check({ 'secrets/a.yaml': secret(`data:\n  k: ${ENC}`) }))[0], /^secret-not-covered .*no \.sops\.yaml/);
  assert.match((await check({ '.sops.yaml': RULES, 'other/a.yaml': secret(`data:\n  k: ${ENC}`) }))[0], /^secret-not-covered other\/a\.yaml/);
});

test('skips tool, cache and fixture folders; only Secret documents count', async () => {
  const plain = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: p\nstringData:\n  k: v\n';
  const out = await check({
    '.sops.yaml': RULES,
    'node_modules/x/a.yaml': plain,
    '.cache/a.yaml': plain,
    'test/fixtures/a.yaml': plain,
    'secrets/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Secret\ndata:\n  kind: Secret\n',
  });
  assert.deepEqual(out, []);
});

test('the nearest .sops.yaml up the tree covers a file, its path_regex matched relative to its folder', async () => {
  const nested = 'creation_rules:\n  - path_regex: ^[^/]*\\.sops\\.yaml$\n    age: age1x\n';
  assert.deepEqual(
    await check({
      '.sops.yaml': RULES,
      'apps/matrix/.sops.yaml': nested,
      'apps/matrix/db.sops.yaml': secret(`data:\n  k: ${ENC}`),
      // the nearest config wins even where the root one would match
      'apps/matrix/secrets/x.yaml': secret(`data:\n  k: ${ENC}`),
    }),
    ['secret-not-covered apps/matrix/secrets/x.yaml: no creation_rules path_regex of apps/matrix/.sops.yaml matches secrets/x.yaml'],
  );
  assert.deepEqual(await check({ 'deep/a/s.yaml': secret(`data:\n  k: ${ENC}`) }), ['secret-not-covered deep/a/s.yaml: no .sops.yaml in its folder or any folder above it']);
});

test('Secrets that hold nothing secret are not findings: service-account tokens, references, whole-file encryption', async () => {
  const plain = (body: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: n\n${body}\n`;
  assert.deepEqual(
    await check({
      'a/token.yaml': plain('type: kubernetes.io/service-account-token'),
      'a/refs.yaml': plain('stringData:\n  a: op://vault/item/field\n  b: ${FROM_FLUX}\n  c: "{{ .Values.x }}"\n  d: vault:secret/data/x#k\n  e: <path:kv/data/x#k>'),
      // whole-file encrypted: kind itself is ENC[…]
      'a/whole.sops.yaml': `apiVersion: ${ENC}\nkind: ${ENC}\nmetadata:\n  name: ${ENC}\n${SOPS}`,
      // a comment is never a value
      'a/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n# kind: Secret\n# password: hunter2\ndata: {}\n',
    }),
    [],
  );
  assert.deepEqual(
    (await check({ '.sops.yaml': RULES, 'secrets/mixed.yaml': plain('stringData:\n  a: op://vault/item/field\n  b: hunter2') })).map((l) => l.split(':')[0]),
    ['secret-plaintext secrets/mixed.yaml'],
  );
});
