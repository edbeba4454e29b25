// The optional components of issue 3 (Jitsi, Sygnal, antivirus, autoscaling, dashboard, li audit
// log) as rendered from the project's own matrix-gitops.yaml.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAllDocuments, parse } from 'yaml';
import { buildModel } from '../../../src/scaffold/model/index.ts';
import { renderRepository } from '../../../src/scaffold/render/index.ts';
import { SCALABLE_WORKERS } from '../../../src/scaffold/render/components/autoscaling.ts';
import { WORKERS, workerResourceName, type WorkerType } from '../../../src/scaffold/render/components/worker-routes.ts';
import { exampleConfig } from './example.ts';
import { resolve } from './traffic-sim.ts';

type Doc = Record<string, unknown> & { kind?: string; metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown>; data?: Record<string, string> };

const model = buildModel(exampleConfig());
const rendered = renderRepository(model);
const files = new Map(rendered.files.map((f) => [f.path, f.content]));
const docsOf = (p: string): Doc[] => parseAllDocuments(files.get(p) ?? '').map((d) => d.toJSON() as Doc).filter(Boolean);
const env = (name: string) => {
  const e = model.environments.find((x) => x.name === name);
  assert.ok(e, name);
  return e;
};
const production = env('production');
const kustomization = (dir: string): { resources: string[]; patches?: Array<{ target: { kind: string; name: string }; patch: string }> } =>
  parse(files.get(`${dir}/kustomization.yaml`) ?? '') as { resources: string[] };

test('Element points its Jitsi settings at the deployed Jitsi; the li copy has none', () => {
  const cfg = JSON.parse(files.get('base/element/config.json') ?? '{}') as Record<string, Record<string, unknown>>;
  assert.deepEqual(cfg.jitsi, { preferred_domain: production.hosts.jitsi });
  assert.deepEqual(cfg.jitsi_widget, { skip_built_in_welcome_screen: true });
  // With a Jitsi of our own Element Call must not be the only call option.
  assert.equal(cfg.element_call.use_exclusively, false);
  // Routed per provider from the neutral table (production: gateway-api).
  const routes = docsOf('overlays/production/routes.yaml');
  for (const [p, svc] of [['/xmpp-websocket', 'jitsi-prosody'], ['/http-bind', 'jitsi-prosody'], ['/colibri-ws/jvb1/x', 'jitsi-jvb'], ['/', 'jitsi-web'], ['/room', 'jitsi-web']]) {
    assert.equal(resolve('gateway-api', routes, production.hosts.jitsi, p)?.service, svc, p);
  }
  const li = JSON.parse(files.get('overlays/li/copy/element-li/config.json') ?? '{}') as Record<string, unknown>;
  assert.equal(li.jitsi, undefined);
  for (const o of ['homelab', 'production']) assert.ok(kustomization(`overlays/${o}`).resources.includes('../../base/jitsi'), o);
});

test('JVB UDP is a LoadBalancer with a counted, reasoned exception; Jitsi passwords come from a Secret', () => {
  const svc = docsOf('base/jitsi/service.yaml').find((d) => d.metadata?.name === 'jitsi-jvb-udp');
  assert.ok(svc);
  assert.equal(svc.spec?.type, 'LoadBalancer');
  assert.deepEqual((svc.spec?.ports as Array<{ protocol: string; port: number }>).map((p) => `${p.protocol}/${p.port}`), ['UDP/10000']);
  assert.ok(svc.metadata?.annotations?.['policy.mx/exceptions']?.includes('MX-NET-004'));
  assert.ok(svc.metadata?.annotations?.['policy.mx/reason']);
  const envCm = docsOf('base/jitsi/configmap.yaml')[0];
  for (const k of Object.keys(envCm.data ?? {})) assert.doesNotMatch(k, /PASSWORD|SECRET/, k);
  const prosody = docsOf('base/jitsi/prosody.yaml')[0] as { spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; valueFrom?: { secretKeyRef?: { name: string } } }> }> } } } };
  for (const e of prosody.spec.template.spec.containers[0].env) assert.equal(e.valueFrom?.secretKeyRef?.name, e.name === 'JWT_APP_SECRET' ? 'jitsi-jwt' : 'jitsi-secrets', e.name);
  assert.ok(rendered.secrets.some((s) => s.path === 'overlays/production/secrets/jitsi-secrets.sops.yaml'));
});

test('HPAs scale only Element and the worker types that may run more than once', () => {
  const hpas = docsOf('overlays/production/hpa.yaml');
  const targets = hpas.map((h) => (h.spec as { scaleTargetRef: { kind: string; name: string } }).scaleTargetRef);
  assert.ok(targets.every((t) => t.kind === 'Deployment'));
  const expected = ['element', ...SCALABLE_WORKERS.map(workerResourceName)];
  assert.deepEqual(targets.map((t) => t.name).sort(), expected.sort());
  for (const h of hpas) {
    assert.equal(h.apiVersion, 'autoscaling/v2');
    assert.ok((h.spec as { minReplicas: number }).minReplicas >= 2);
  }
  // Never a stream writer, an instance named in the homeserver config, or the media repository.
  for (const w of SCALABLE_WORKERS) {
    assert.equal(WORKERS[w].streams.length, 0, w);
    assert.ok(!(['federation_sender', 'pusher', 'background_worker', 'media_repository', 'event_persister', 'stream_writer'] as WorkerType[]).includes(w), w);
  }
  // Git does not fight the HPA over replicas; the singletons stay at exactly one and Recreate.
  for (const w of Object.keys(WORKERS) as WorkerType[]) {
    const dep = docsOf(`base/synapse-workers/${workerResourceName(w)}.yaml`)[0];
    if (SCALABLE_WORKERS.includes(w)) assert.equal(dep.spec?.replicas, undefined, w);
    else { assert.equal(dep.spec?.replicas, 1, w); assert.deepEqual(dep.spec?.strategy, { type: 'Recreate' }, w); }
  }
  const patches = kustomization('overlays/production').patches ?? [];
  assert.ok(patches.some((p) => p.target.name === 'element' && /op: remove\s+path: \/spec\/replicas/.test(p.patch)));
  const pdbNames = docsOf('overlays/production/pdbs.yaml').map((p) => p.metadata?.name);
  for (const name of expected) assert.ok(pdbNames.includes(name), `PDB for ${name}`);
  assert.ok(!files.has('overlays/homelab/hpa.yaml'));
});

// SEC-004's idea: a secret-like word followed by : or = and a literal value.
const SECRET_ASSIGNMENT = /\b(password|passwd|secret|token|pwd|client_secret|pickle_key|api[_-]?key)\b\s*["']?\s*[:=]\s*["']?([^\s"',}]*)/gi;

test('no ConfigMap or generator input holds a secret value (placeholders only)', () => {
  const inputs: Array<[string, string]> = [];
  for (const f of rendered.files) {
    if (/\.(json|conf|py)$/.test(f.path) || /\/(homeserver|log|[a-z_]+)\.yaml$/.test(f.path) && !parseAllDocuments(f.content).some((d) => (d.toJSON() as Doc | null)?.apiVersion)) {
      inputs.push([f.path, f.content]);
    }
    if (!f.path.endsWith('.yaml')) continue;
    for (const d of docsOf(f.path)) {
      if (d.kind !== 'ConfigMap') continue;
      for (const [k, v] of Object.entries(d.data ?? {})) inputs.push([`${f.path}:${d.metadata?.name}/${k}`, v]);
    }
  }
  assert.ok(inputs.some(([p]) => p.includes('content-scanner-config')), 'scanner config scanned');
  assert.ok(inputs.some(([p]) => p.includes('sygnal-config')), 'sygnal config scanned');
  for (const [where, text] of inputs) {
    for (const m of text.matchAll(SECRET_ASSIGNMENT)) {
      const value = m[2];
      const ok = value === '' || value.startsWith('${') || value.startsWith('$(') || value.startsWith('/') || ['null', 'true', 'false'].includes(value);
      assert.ok(ok, `${where}: ${m[0]}`);
    }
  }
  // The scanner's request secret is a mounted Secret file, named by path only; Sygnal ships no app credentials.
  const scanner = parse(docsOf('base/antivirus/configmap.yaml').find((d) => d.metadata?.name === 'content-scanner-config')?.data?.['config.yaml'] ?? '') as { crypto: Record<string, string> };
  assert.deepEqual(scanner.crypto, { request_secret_path: '/secrets/mcs/request-secret' });
  const sygnal = parse(docsOf('base/sygnal/configmap.yaml')[0].data?.['sygnal.yaml'] ?? '') as { apps: Record<string, unknown> };
  assert.deepEqual(sygnal.apps, {});
});

test('antivirus: downloads and thumbnails go through the scanner, before any Synapse route', () => {
  const comps = kustomization('overlays/production').resources;
  assert.ok(comps.includes('../../base/antivirus'));
  assert.ok(!kustomization('overlays/homelab').resources.includes('../../base/antivirus'), 'production only');
  const routes = docsOf('overlays/production/routes.yaml');
  const host = production.hosts.synapse;
  const cases: Array<[string, string, string?]> = [
    ['/_matrix/media/v3/download/example.com/abc', 'content-scanner', '/_matrix/media_proxy/unstable/download/example.com/abc'],
    ['/_matrix/media/r0/thumbnail/example.com/abc', 'content-scanner', '/_matrix/media_proxy/unstable/thumbnail/example.com/abc'],
    ['/_matrix/client/v1/media/download/other.org/xyz/name.png', 'content-scanner', '/_matrix/media_proxy/unstable/download/other.org/xyz/name.png'],
    ['/_matrix/client/v1/media/thumbnail/example.com/abc', 'content-scanner', '/_matrix/media_proxy/unstable/thumbnail/example.com/abc'],
    ['/_matrix/media/v3/upload', 'synapse-media-repository'],
    ['/_matrix/client/v1/media/config', 'synapse-media-repository'],
    ['/_matrix/client/v1/media/preview_url', 'synapse-media-repository'],
    ['/_matrix/client/v3/sync', 'synapse-synchrotron'],
  ];
  for (const [url, service, rewritten] of cases) {
    const r = resolve('gateway-api', routes, host, url);
    assert.equal(r?.service, service, url);
    assert.equal(r?.rewritten, rewritten, url);
  }
  // The scanner fetches from the media worker, and the Synapse NetworkPolicy admits it there.
  const cfg = parse(docsOf('base/antivirus/configmap.yaml').find((d) => d.metadata?.name === 'content-scanner-config')?.data?.['config.yaml'] ?? '') as { download: { base_homeserver_url: string } };
  assert.equal(cfg.download.base_homeserver_url, 'http://synapse-media-repository:8008');
  const synapseNp = docsOf('overlays/production/networkpolicies.yaml').find((d) => d.metadata?.name === 'synapse');
  assert.match(JSON.stringify(synapseNp), /content-scanner/);
});

test('li copy logs every request at INFO as structured lines on stdout', () => {
  const hs = parse(files.get('overlays/li/copy/synapse-li/homeserver.yaml') ?? '') as { log_config?: string };
  assert.equal(hs.log_config, '/config/log.yaml');
  const log = parse(files.get('overlays/li/copy/synapse-li/log.yaml') ?? '') as {
    formatters: Record<string, { class?: string }>; handlers: Record<string, { stream: string; formatter: string }>;
    loggers: Record<string, { level: string; handlers: string[] }>;
  };
  const access = log.loggers['synapse.access.http.8008'];
  assert.equal(access.level, 'INFO');
  const handler = log.handlers[access.handlers[0]];
  assert.equal(handler.stream, 'ext://sys.stdout');
  assert.equal(log.formatters[handler.formatter].class, 'synapse.logging.TerseJsonFormatter');
  const k = parse(files.get('overlays/li/copy/kustomization.yaml') ?? '') as { configMapGenerator: Array<{ files: string[] }> };
  assert.ok(k.configMapGenerator[0].files.includes('log.yaml=synapse-li/log.yaml'));
  // Production keeps Synapse's default logging.
  assert.equal((parse(files.get('overlays/production/synapse/homeserver.yaml') ?? '') as { log_config?: string }).log_config, undefined);
});

test('monitoring ships a labelled Grafana dashboard; synapse-admin stays out of production', () => {
  const cm = docsOf('base/monitoring/dashboard.yaml')[0];
  assert.equal(cm.metadata?.labels?.grafana_dashboard, '1');
  const dash = JSON.parse(cm.data?.['synapse.json'] ?? '{}') as { panels: Array<{ targets: Array<{ expr: string }> }> };
  const exprs = dash.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
  for (const metric of ['synapse_http_server_requests_received_total', 'synapse_storage_events_persisted_events_total', 'synapse_storage_transaction_time_sum', 'synapse_federation_transaction_queue_pending_pdus', 'process_cpu_seconds_total', 'process_resident_memory_bytes']) {
    assert.ok(exprs.includes(metric), metric);
  }
  assert.ok(![...files.keys()].some((p) => p.startsWith('base/synapse-admin')), 'no synapse-admin base for production');
  for (const d of ['base/synapse/ingress.yaml', 'base/synapse-workers/ingress.yaml']) assert.doesNotMatch(files.get(d) ?? '', /_synapse\/admin/, d);
  assert.ok(files.has('overlays/li/copy/synapse-admin-li/deployment.yaml'));
});
