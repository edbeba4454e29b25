// LiveKit + lk-jwt-service as rendered. The SFU is booted by test/boot/livekit.test.ts; lk-jwt-service
// cannot be built here (the Go module proxy refuses its module), so its routing and configuration
// are checked on the rendered manifests only (test/boot/README.md, "Booted vs rendered only").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { buildModel } from '../../../src/scaffold/model/index.ts';
import { renderRepository } from '../../../src/scaffold/render/index.ts';
import { exampleConfig } from './example.ts';
import { resolve } from './traffic-sim.ts';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const config = exampleConfig();
const rendered = renderRepository(buildModel(config));
const docsOf = (p: string): Doc[] => parseAllDocuments(rendered.files.find((f) => f.path === p)?.content ?? '').map((d) => d.toJSON() as Doc).filter(Boolean);
const deployments = docsOf('base/livekit/livekit.yaml');
const jwt = deployments.find((d) => d.metadata.name === 'lk-jwt-service') as Doc;
const sfu = deployments.find((d) => d.metadata.name === 'livekit') as Doc;
const rtcHost = config.hosts.rtc as string;

/** Every variable the kubelet's service links inject for these Services (names only). */
function linkVariables(services: Doc[]): Set<string> {
  const out = new Set<string>();
  for (const s of services) {
    const n = (s.metadata.name as string).toUpperCase().replaceAll('-', '_');
    out.add(`${n}_SERVICE_HOST`).add(`${n}_SERVICE_PORT`).add(`${n}_PORT`);
    for (const p of (s.spec.ports ?? []) as Doc[]) {
      const pre = `${n}_PORT_${p.port as number}_${(p.protocol as string | undefined) ?? 'TCP'}`;
      for (const v of [pre, `${pre}_PROTO`, `${pre}_PORT`, `${pre}_ADDR`]) out.add(v);
      if (p.name) out.add(`${n}_SERVICE_PORT_${(p.name as string).toUpperCase().replaceAll('-', '_')}`);
    }
  }
  return out;
}

test('livekit: the rtc host sends the token paths to lk-jwt-service and everything else to the SFU', () => {
  // The rendered routes of production's provider (gateway-api), as the proxy of the boot tier applies them.
  const docs = docsOf('overlays/production/routes.yaml');
  const routes = Object.fromEntries(['/sfu/get', '/get_token', '/delegate_delayed_leave', '/', '/rtc'].map((p) => {
    const hit = resolve('gateway-api', docs, rtcHost, p);
    return [p, `${hit?.service ?? '-'}:${hit?.port ?? '-'}`];
  }));
  assert.deepEqual(routes, {
    '/sfu/get': 'lk-jwt-service:8080', '/get_token': 'lk-jwt-service:8080', '/delegate_delayed_leave': 'lk-jwt-service:8080', '/': 'livekit:7880', '/rtc': 'livekit:7880',
  });
  const wk = JSON.parse(rendered.files.find((f) => f.path === 'base/wellknown/client')?.content ?? '{}') as Doc;
  assert.deepEqual(wk['org.matrix.msc4143.rtc_foci'], [{ type: 'livekit', livekit_service_url: `https://${rtcHost}` }]);
});

test('lk-jwt-service: env as its code reads it, the SFU\'s key pair, loopback-free bind on its container port', () => {
  const c = (jwt.spec.template.spec.containers as Doc[])[0];
  const env = Object.fromEntries((c.env as Doc[]).map((e) => [e.name, e.value ?? `${e.valueFrom.secretKeyRef.name as string}/${e.valueFrom.secretKeyRef.key as string}`]));
  assert.deepEqual(env, {
    LIVEKIT_URL: `wss://${rtcHost}`,
    LIVEKIT_KEY: 'livekit-keys/api-key',
    LIVEKIT_SECRET: 'livekit-keys/api-secret',
    LIVEKIT_FULL_ACCESS_HOMESERVERS: config.serverName,
    LIVEKIT_JWT_BIND: ':8080',
  });
  assert.equal((c.ports as Doc[])[0].containerPort, 8080);
  assert.equal(c.readinessProbe.httpGet.path, '/healthz');
  // The SFU's key file is made from the same two Secret keys.
  const keys = rendered.secrets.find((s) => s.name === 'livekit-keys');
  assert.deepEqual(keys?.data['keys.yaml'], { template: '{api-key}: {api-secret}' });
});

test('lk-jwt-service: no Service in its namespace injects a variable it reads (LIVEKIT_JWT_PORT would clash with LIVEKIT_JWT_BIND)', () => {
  const services = docsOf('base/livekit/service.yaml');
  const injected = linkVariables(services);
  const reads = ['LIVEKIT_URL', 'LIVEKIT_KEY', 'LIVEKIT_SECRET', 'LIVEKIT_KEY_FILE', 'LIVEKIT_KEY_FROM_FILE', 'LIVEKIT_SECRET_FROM_FILE',
    'LIVEKIT_FULL_ACCESS_HOMESERVERS', 'LIVEKIT_JWT_BIND', 'LIVEKIT_JWT_PORT'];
  assert.deepEqual(reads.filter((v) => injected.has(v)), []);
  assert.ok(injected.has('LIVEKIT_PORT'), 'Service livekit does inject LIVEKIT_PORT (the SFU turns links off for it)');
  assert.equal(sfu.spec.template.spec.enableServiceLinks, false);
});
