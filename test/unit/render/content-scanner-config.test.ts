// matrix-content-scanner cannot be installed on this machine (see test/boot/README.md), so its
// generated config is checked against the keys the scanner documents and validates
// (fixtures/matrix-content-scanner-1.3-config.schema.json), and every path in it against the
// Deployment's mounts. The boot tier runs the same scan script against a real clamd.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import { buildModel } from '../../../src/scaffold/model/index.ts';
import { renderRepository } from '../../../src/scaffold/render/index.ts';
import { generateValue } from '../../../src/scaffold/secrets/generate.ts';
import { exampleConfig } from './example.ts';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const schema = JSON.parse(readFileSync(new URL('./fixtures/matrix-content-scanner-1.3-config.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const rendered = renderRepository(buildModel({ ...exampleConfig(), components: { ...exampleConfig().components, antivirus: true } }));
const docsOf = (p: string): Doc[] => parseAllDocuments(rendered.files.find((f) => f.path === p)?.content ?? '').map((d) => d.toJSON() as Doc).filter(Boolean);
const config = parse(docsOf('base/antivirus/configmap.yaml').find((d) => d.metadata.name === 'content-scanner-config')?.data['config.yaml'] as string) as Doc;
const deployment = docsOf('base/antivirus/content-scanner.yaml').find((d) => d.kind === 'Deployment') as Doc;

test('content scanner: the generated config uses only the keys matrix-content-scanner 1.3/1.4 accepts', () => {
  assert.ok(validate(config), JSON.stringify(validate.errors));
});

test('content scanner: the schema check rejects what the scanner rejects (the pre-1.3 pickle keys, a stray key)', () => {
  const old = { ...config, crypto: { pickle_path: '/data/pickle', pickle_key: 'x' } };
  assert.equal(validate(old), false);
  assert.ok(validate.errors?.some((e) => e.keyword === 'additionalProperties' && e.instancePath === '/crypto'), JSON.stringify(validate.errors));
  assert.equal(validate({ ...config, proxy: { base_homeserver_url: 'http://synapse:8008' } }), false);
});

test('content scanner: every path in its config is mounted (script from the ConfigMap, request secret from the Secret)', () => {
  const c = (deployment.spec.template.spec.containers as Doc[])[0];
  const volumes = new Map((deployment.spec.template.spec.volumes as Doc[]).map((v) => [v.name as string, v]));
  const mountOf = (file: string): Doc | undefined => (c.volumeMounts as Doc[]).find((m) => file.startsWith(`${m.mountPath as string}/`));
  const script = mountOf(config.scan.script as string);
  assert.equal(volumes.get(script?.name)?.configMap?.name, 'content-scanner-scripts');
  assert.equal(volumes.get(script?.name)?.configMap?.defaultMode, 0o555, 'the scanner execs the script directly (no shell)');
  const secret = volumes.get(mountOf(config.crypto.request_secret_path as string)?.name)?.secret as Doc;
  assert.equal(secret.secretName, 'content-scanner');
  assert.deepEqual(secret.items, [{ key: 'request-secret', path: 'request-secret' }]);
  assert.ok(mountOf(config.scan.temp_directory as string) || (c.volumeMounts as Doc[]).some((m) => m.mountPath === config.scan.temp_directory));
  const configFile = (c.command as string[])[(c.command as string[]).indexOf('-c') + 1];
  assert.equal(volumes.get(mountOf(configFile)?.name)?.configMap?.name, 'content-scanner-config');
  assert.equal(deployment.spec.template.spec.initContainers, undefined, 'nothing to template: the config holds no secret');
});

test('content scanner: the generated request secret is what the scanner decodes (standard base64 of exactly 32 bytes)', () => {
  const spec = rendered.secrets.find((s) => s.name === 'content-scanner');
  const value = spec?.data['request-secret'];
  assert.ok(value && 'generate' in value, 'request-secret is generated');
  for (let i = 0; i < 20; i++) {
    const v = generateValue(value as Parameters<typeof generateValue>[0]);
    // Python's b64decode(validate=True): the standard alphabet with padding, nothing else.
    assert.match(v, /^[A-Za-z0-9+/]{43}=$/);
    assert.equal(Buffer.from(v, 'base64').length, 32);
  }
});

test('content scanner: downloads are fetched from the media worker with the client Authorization', () => {
  assert.equal(config.download.base_homeserver_url, 'http://synapse-media-repository:8008');
  assert.deepEqual(config.download.headers_to_forward, ['Authorization']);
  assert.deepEqual(config.result_cache.exit_codes_to_ignore, [2], 'a clamd outage (exit 2) is not cached as "infected"');
});
