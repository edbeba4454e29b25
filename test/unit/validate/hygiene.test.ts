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
