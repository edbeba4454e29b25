import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { configSchema, loadConfig, validateConfig } from '../../../src/scaffold/config/load.ts';
import { UsageError } from '../../../src/lib/errors.ts';

const dir = path.join(import.meta.dirname, 'fixtures');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

for (const f of fixtures.filter((x) => x.startsWith('valid-'))) {
  test(`${f} loads`, () => {
    const c = loadConfig({ file: path.join(dir, f) });
    assert.ok(c.hosts.synapse && c.hosts.element && c.namespace === 'matrix');
  });
}

test('every fixture is valid-* or bad-* with an expectation', () => {
  for (const f of fixtures) {
    assert.ok(f.startsWith('valid-') || f.startsWith('bad-'), f);
    if (f.startsWith('bad-')) assert.match(readFileSync(path.join(dir, f), 'utf8'), /^# error: /m, f);
  }
});

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
  // homelab only: workers and monitoring (production-only) and the admin UI (li-only) default off.
  assert.equal(c.components.workers, false);
  assert.equal(c.components.monitoring, false);
  assert.equal(c.components.synapseAdmin, false);
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

test('defaults fill everything but serverName', () => {
  assert.deepEqual(loadConfig({ file: path.join(dir, 'valid-minimal.yaml') }), {
    serverName: 'example.net',
    environments: ['homelab', 'production'],
    hosts: {
      synapse: 'matrix.example.net', element: 'chat.example.net', turn: 'turn.example.net', rtc: 'rtc.example.net',
      admin: 'admin.example.net', jitsi: 'jitsi.example.net', sygnal: 'sygnal.example.net',
    },
    components: { coturn: true, livekit: true, jitsi: false, workers: true, monitoring: true, antivirus: false, sygnal: false, synapseAdmin: false, backups: true },
    li: { allowedCidrs: [], hosts: { synapse: 'li-matrix.example.net', element: 'li-chat.example.net', admin: 'li-admin.example.net' } },
    namespace: 'matrix',
    git: { url: 'https://git.example.net/ops/matrix-gitops.git', branch: 'main', deployBranch: 'deploy' },
    acme: { email: 'admin@example.net' },
    ageRecipients: [],
    ageRecipientsByEnvironment: {},
    trustedRegistries: ['docker.io', 'ghcr.io'],
    requireImageDigests: false,
    clusterCidrs: ['10.42.0.0/16', '10.43.0.0/16'],
    externalIp: '',
    synapse: {
      registration: { mode: 'off', requireEmail: false, recaptcha: false },
      maxUploadSize: '100M', maxImagePixels: '32M', mediaUploadLimits: [{ timePeriod: '1d', maxSize: '1G' }], urlPreviews: true, autoJoinRooms: [], serverNotices: false,
      federation: 'open', federationAllowList: [], presence: true, reportStats: false, logLevel: 'INFO',
      roomDirectory: { publish: 'admins', overFederation: false, requireAuth: true },
      extraConfig: {}, extraConfigByEnvironment: {},
    },
    element: { brand: 'Element', defaultTheme: 'light', extraConfig: {}, extraConfigByEnvironment: {} },
    storage: { media: {}, database: {}, backups: {} },
    jitsi: { auth: 'jwt', appId: 'matrix' },
    sygnal: { apps: {} },
    replicas: {},
    resources: {},
    ingress: {
      homelab: { provider: 'traefik', className: 'traefik', annotations: {}, tls: { mode: 'none' } },
      production: { provider: 'gateway-api', className: 'envoy-gateway', annotations: {}, tls: { mode: 'acme' } },
    },
  });
});

test('schema defaults agree with the code defaults', () => {
  const c = loadConfig({ file: path.join(dir, 'valid-minimal.yaml') }) as unknown as Record<string, unknown>;
  const props = configSchema.properties as Record<string, { default?: unknown; properties?: Record<string, { default?: unknown }> }>;
  for (const [key, prop] of Object.entries(props)) {
    // Optional sections (externalPostgres, externalRedis) are absent until given.
    if (!(key in c) && prop.default === undefined) continue;
    if (prop.default !== undefined) assert.deepEqual(c[key], prop.default, key);
    for (const [sub, p] of Object.entries(prop.properties ?? {})) {
      if (p.default !== undefined) assert.deepEqual((c[key] as Record<string, unknown>)[sub], p.default, `${key}.${sub}`);
    }
  }
});

test('an IP server name takes its hostnames from the parent domain of hosts.synapse', () => {
  const c = loadConfig({ file: path.join(dir, 'valid-ip-server-derives-from-synapse.yaml') });
  assert.equal(c.serverName, '192.0.2.10');
  assert.deepEqual([c.hosts.element, c.hosts.admin, c.li.hosts.synapse, c.acme.email], ['chat.home.arpa', 'admin.home.arpa', 'li-matrix.home.arpa', 'admin@home.arpa']);
  const v6 = loadConfig({ file: path.join(dir, 'valid-server-ipv6.yaml') });
  assert.equal(v6.serverName, '[2001:db8::1]:8448');
  assert.equal(v6.hosts.admin, 'admin.home.arpa');
});

test('per-environment recipients are kept; other environments use ageRecipients', () => {
  const c = loadConfig({ file: path.join(dir, 'valid-per-environment-recipients.yaml') });
  assert.deepEqual(c.ageRecipientsByEnvironment, { li: ['age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p'] });
  assert.deepEqual(c.li.allowedCidrs, ['203.0.113.0/24', '2001:db8::/32']);
});

test('validateConfig names its source and accepts an already parsed object', () => {
  assert.equal(validateConfig({ serverName: 'example.org' }, 'x').hosts.synapse, 'matrix.example.org');
  assert.throws(() => validateConfig({ serverName: 'example.org', li: { allowedCidrs: ['203.0.113.0/33'] } }, 'from-test'), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.equal(e.message, 'from-test: li.allowedCidrs[0]: "203.0.113.0/33" must be a CIDR such as 203.0.113.0/24 (prefix 0-32 for IPv4, 0-128 for IPv6)');
    return true;
  });
});

test('the project\'s own matrix-gitops.yaml loads', () => {
  const c = loadConfig({ file: path.join(import.meta.dirname, '../../../matrix-gitops.yaml') });
  assert.deepEqual(c.environments, ['homelab', 'production', 'li']);
  assert.equal(c.ageRecipients.length, 1);
});

test('registries may carry a port, as in image references', () => {
  const c = loadConfig({ file: path.join(dir, 'valid-registry-port.yaml') });
  assert.deepEqual(c.trustedRegistries, ['docker.io', 'registry.home.arpa:5000', 'localhost:5000', '192.168.1.10']);
});

test('the loaded config has exactly the schema\'s keys (types.ts and defaults.ts mirror schema.json)', () => {
  const c = loadConfig({ file: path.join(dir, 'valid-minimal.yaml') }) as unknown as Record<string, Record<string, unknown>>;
  const props = configSchema.properties as Record<string, { type?: string; properties?: Record<string, unknown> }>;
  assert.deepEqual(Object.keys(c).sort(), Object.keys(props).filter((k) => k !== '$schema' && k !== 'externalPostgres' && k !== 'externalRedis').sort());
  for (const [key, prop] of Object.entries(props)) {
    // Sparse maps by design (their keys are optional), and the optional externalPostgres section.
    if (prop.type !== 'object' || ['ageRecipientsByEnvironment', 'replicas', 'resources', 'externalPostgres', 'externalRedis'].includes(key)) continue;
    // Settings without a default (synapse.email, element.logoUrl, …) are absent until given.
    const sub = (prop.properties ?? {}) as Record<string, { default?: unknown; type?: string; properties?: object }>;
    const always = Object.keys(sub).filter((k) => sub[k].default !== undefined || (sub[k].type === 'object' && !['email', 'retention'].includes(k)));
    for (const k of Object.keys(c[key])) assert.ok(k in sub, `${key}.${k} is not in the schema`);
    for (const k of always) assert.ok(k in c[key], `${key}.${k} has no default in defaults.ts`);
  }
  assert.deepEqual(Object.keys(c.li.hosts as object).sort(), Object.keys((props.li.properties as Record<string, { properties: object }>).hosts.properties).sort());
});
