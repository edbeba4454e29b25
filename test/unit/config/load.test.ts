import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../scaffold/config/load.ts';
import { UsageError } from '../../../scripts/lib/errors.ts';

const dir = path.join(import.meta.dirname, 'fixtures');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

for (const f of fixtures.filter((x) => x.startsWith('valid-'))) {
  test(`${f} loads`, () => {
    const c = loadConfig({ file: path.join(dir, f) });
    assert.ok(c.hosts.synapse && c.hosts.element && c.namespace === 'matrix');
  });
}

for (const f of fixtures.filter((x) => x.startsWith('bad-'))) {
  test(`${f} is refused with one line naming the field`, () => {
    const expected = new RegExp(/^# error: (.+)$/m.exec(readFileSync(path.join(dir, f), 'utf8'))?.[1] ?? 'no expectation');
    assert.throws(() => loadConfig({ file: path.join(dir, f) }), (err: unknown) => {
      assert.ok(err instanceof UsageError, String(err));
      assert.equal(err.message.split('\n').length, 1, err.message);
      assert.ok(err.message.startsWith(path.join(dir, f)), err.message);
      assert.match(err.message, expected);
      return true;
    });
  });
}

test('defaults derive hosts from the server name and keep explicit ones', () => {
  const c = loadConfig({ file: path.join(dir, 'valid-server-port.yaml') });
  assert.equal(c.hosts.synapse, 'matrix.example.org');
  assert.equal(c.li.hosts.element, 'li-chat.example.org');
  assert.deepEqual(c.git, { url: 'https://git.example.org/ops/matrix-gitops.git', branch: 'main', deployBranch: 'deploy' });
  assert.equal(c.components.workers, true);
  assert.equal(c.components.jitsi, false);
});

test('flags override the file and are validated the same way', () => {
  const c = loadConfig({ file: path.join(dir, 'valid-minimal.yaml'), overrides: { hosts: { element: 'web.example.net' }, environments: ['homelab'] } });
  assert.equal(c.hosts.element, 'web.example.net');
  assert.deepEqual(c.environments, ['homelab']);
  assert.throws(() => loadConfig({ overrides: { serverName: 'bad name' } }), /flags: serverName: "bad name" must be/);
});

test('a missing file is one line naming it', () => {
  assert.throws(() => loadConfig({ file: '/nonexistent/mx.yaml' }), /\/nonexistent\/mx\.yaml: cannot read the config \(no such file\)/);
});
