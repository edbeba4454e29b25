// ingress.<env>: the effective config (defaults filled) is what scaffold writes back into the
// repository's matrix-gitops.yaml, so it must read in again to the same config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { configFile } from '../../../src/scaffold/repo-extras/index.ts';
import { loadConfig, validateConfig } from '../../../src/scaffold/config/load.ts';

const dir = path.join(import.meta.dirname, 'fixtures');

test('the effective ingress settings read in again unchanged (every valid fixture, one-environment configs)', () => {
  const configs = ['valid-ingress.yaml', 'valid-minimal.yaml', 'valid-server-port.yaml'].map((f) => loadConfig({ file: path.join(dir, f) }));
  configs.push(validateConfig({ serverName: 'example.org', environments: ['production', 'li'], li: { allowedCidrs: ['203.0.113.0/24'] } }, 'inline'));
  configs.push(validateConfig({ serverName: 'example.org', environments: ['homelab'] }, 'inline'));
  for (const c of configs) {
    // What scaffold writes into the repository (configFile) and reads on the next run.
    const again = validateConfig(parse(configFile(c)) as unknown, 'effective');
    assert.deepEqual(again, c, stringify(c.ingress));
  }
  const prodOnly = configs[3];
  assert.deepEqual(Object.keys(prodOnly.ingress), ['production'], 'no homelab entry for a production-only config');
  assert.deepEqual(prodOnly.ingress.production?.tls, { mode: 'acme' });
  assert.deepEqual(Object.keys(configs[4].ingress), ['homelab']);
});
