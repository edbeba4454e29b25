import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAllDocuments, parse } from 'yaml';
import { buildModel } from '../../../src/scaffold/model/index.ts';
import { renderRepository } from '../../../src/scaffold/render/index.ts';
import { ROUTES, WORKERS, workerResourceName } from '../../../src/scaffold/render/components/worker-routes.ts';
import { exampleConfig } from './example.ts';
import { resolve, samplePath, type Doc as SimDoc } from './traffic-sim.ts';

type Doc = Record<string, unknown> & { kind?: string; metadata?: { name?: string; namespace?: string }; spec?: Record<string, unknown> };

const model = buildModel(exampleConfig());
const rendered = renderRepository(model);
const files = new Map(rendered.files.map((f) => [f.path, f.content]));
const docsOf = (p: string): Doc[] => parseAllDocuments(files.get(p) ?? '').map((d) => d.toJSON() as Doc).filter(Boolean);
// Kubernetes objects only: generator inputs (homeserver.yaml, worker configs) have no apiVersion.
const allDocs: Array<{ path: string; doc: Doc }> = rendered.files
  .filter((f) => f.path.endsWith('.yaml'))
  .flatMap((f) => docsOf(f.path).map((doc) => ({ path: f.path, doc })))
  .filter(({ doc }) => typeof doc.apiVersion === 'string' && doc.kind !== 'Kustomization');
const homeserver = (env: string): Record<string, unknown> =>
  parse(files.get(env === 'li' ? 'overlays/li/copy/synapse-li/homeserver.yaml' : `overlays/${env}/synapse/homeserver.yaml`) ?? '') as Record<string, unknown>;

const SECRETISH = /(secret|password|passwd|token|private|signing[._-]?key|api[._-]?key)/i;

test('no ConfigMap and no generator input carries a secret-like key or value', () => {
  for (const { path, doc } of allDocs) {
    if (doc.kind !== 'ConfigMap') continue;
    for (const [k, v] of Object.entries((doc.data ?? {}) as Record<string, string>)) {
      assert.ok(!SECRETISH.test(k), `${path}: ConfigMap key ${k}`);
      // Placeholders and *_path keys are fine; inline secret assignments are not.
      for (const line of v.split('\n')) {
        if (/^static-auth-secret=/.test(line)) assert.equal(line, 'static-auth-secret=${TURN_SECRET}', path);
      }
    }
  }
  for (const env of ['homelab', 'production', 'li']) {
    const hs = homeserver(env);
    for (const key of Object.keys(hs)) {
      if (SECRETISH.test(key)) assert.match(key, /_path$/, `${env}: homeserver key ${key} must be a *_path`);
    }
    const redis = hs.redis as Record<string, unknown> | undefined;
    if (redis) { assert.equal(redis.password, undefined); assert.ok(redis.password_path); }
  }
});

test('homeserver.yaml has the keys Synapse requires and no database password', () => {
  for (const env of ['homelab', 'production', 'li']) {
    const hs = homeserver(env);
    for (const k of ['server_name', 'report_stats', 'public_baseurl', 'listeners', 'database', 'signing_key_path', 'macaroon_secret_key_path', 'form_secret_path', 'registration_shared_secret_path']) {
      assert.ok(k in hs, `${env}: ${k}`);
    }
    assert.equal(hs.server_name, 'example.com');
    const args = (hs.database as { args: Record<string, unknown> }).args;
    assert.equal(args.password, undefined, `${env}: database password inline`);
  }
  assert.ok('turn_shared_secret_path' in homeserver('production'));
  assert.ok('worker_replication_secret_path' in homeserver('production'));
});

test('Synapse gets PGPASSWORD from a secretKeyRef and runs restricted as 991', () => {
  const dep = docsOf('base/synapse/deployment.yaml')[0] as { spec: { template: { spec: { securityContext: Record<string, unknown>; containers: Array<Record<string, unknown>> } } } };
  const pod = dep.spec.template.spec;
  assert.equal(pod.securityContext.runAsUser, 991);
  const c = pod.containers[0] as { env: Array<{ name: string; valueFrom?: { secretKeyRef?: unknown } }>; securityContext: Record<string, unknown>; resources: unknown; livenessProbe: { httpGet: { path: string } } };
  assert.ok(c.env.find((e) => e.name === 'PGPASSWORD')?.valueFrom?.secretKeyRef);
  assert.equal(c.securityContext.allowPrivilegeEscalation, false);
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  assert.deepEqual((c.securityContext.capabilities as { drop: string[] }).drop, ['ALL']);
  assert.ok(c.resources);
  assert.equal(c.livenessProbe.httpGet.path, '/health');
});

test('every route reaches a deployed worker whose listener serves it', () => {
  const prod = model.environments.find((e) => e.name === 'production');
  assert.ok(prod);
  const routes = docsOf('overlays/production/routes.yaml');
  const workerCfg = (w: string): { worker_listeners: Array<{ port: number; resources?: Array<{ names: string[] }> }> } =>
    parse(files.get(`base/synapse-workers/${w}.yaml`) ?? '') as { worker_listeners: Array<{ port: number; resources?: Array<{ names: string[] }> }> };
  for (const route of ROUTES) {
    assert.ok(prod.workers.includes(route.worker), `${route.pattern}: ${route.worker} not deployed`);
    assert.ok(files.has(`base/synapse-workers/${workerResourceName(route.worker)}.yaml`), `${route.worker} has no Deployment`);
    const http = workerCfg(route.worker).worker_listeners.find((l) => l.port === 8008);
    assert.ok(http?.resources?.some((r) => r.names.includes(route.needs)), `${route.worker} does not serve ${route.needs} (${route.pattern})`);
    assert.ok((WORKERS[route.worker].resources as readonly string[]).includes(route.needs));
    const hit = resolve('gateway-api', routes, prod.hosts.synapse, samplePath(route.pattern));
    if (route.public) assert.equal(hit?.service, workerResourceName(route.worker), route.pattern);
    else assert.equal(hit, undefined, `${route.pattern} must not be public`);
  }
  const hs = homeserver('production') as { instance_map: Record<string, unknown>; stream_writers: Record<string, string[]> };
  assert.ok(hs.instance_map.main);
  for (const writers of Object.values(hs.stream_writers)) for (const w of writers) assert.ok(hs.instance_map[w], `${w} missing in instance_map`);
});

test('no route exposes /_synapse/admin and no routed Service has the replication port', () => {
  const services = new Map<string, Doc>();
  for (const { doc } of allDocs) if (doc.kind === 'Service' && doc.metadata?.name) services.set(doc.metadata.name, doc);
  // Every (path, service, port) of every route object, whatever the provider.
  const backends: Array<{ path: string; match: string; service: string; port: number }> = [];
  for (const { path, doc } of allDocs) {
    const spec = doc.spec as SimDoc;
    if (doc.kind === 'HTTPRoute') {
      for (const rule of spec.rules) for (const b of rule.backendRefs ?? []) for (const m of rule.matches ?? []) backends.push({ path, match: m.path.value, service: b.name, port: b.port });
    } else if (doc.kind === 'IngressRoute') {
      for (const r of spec.routes) for (const s of r.services) backends.push({ path, match: /\(`([^`]+)`\)$/.exec(r.match)?.[1] ?? '', service: s.name, port: s.port });
    } else if (doc.kind === 'Ingress') {
      for (const rule of spec.rules) for (const p of rule.http.paths) backends.push({ path, match: p.path, service: p.backend.service.name, port: p.backend.service.port.number });
    }
  }
  for (const b of backends) {
    // Only the li copy, whose routes carry the allow-list, may route the admin API.
    if (!b.path.startsWith('overlays/li/copy/')) assert.ok(!b.match.replace(/^\^/, '').startsWith('/_synapse/admin'), `${b.path}: ${b.match}`);
    assert.notEqual(b.port, 9093);
    const svc = services.get(b.service);
    assert.ok(svc, `${b.path}: backend ${b.service} has no Service`);
    for (const port of (svc.spec?.ports ?? []) as Array<{ port: number }>) assert.notEqual(port.port, 9093, `${b.service} exposes replication`);
  }
  assert.ok(backends.length > 100, String(backends.length));
  assert.ok(new Set(backends.map((b) => b.path)).size >= 3, 'homelab, production and li routes checked');
});

test('li runs in its own namespace, read-only, with federation and registration off', () => {
  const li = model.environments.find((e) => e.name === 'li');
  const prod = model.environments.find((e) => e.name === 'production');
  assert.ok(li && prod);
  assert.notEqual(li.namespace, prod.namespace);
  const hs = homeserver('li') as { enable_registration: boolean; federation_domain_whitelist: unknown[]; listeners: Array<{ resources?: Array<{ names: string[] }> }>; database: { args: { host: string } } };
  assert.equal(hs.enable_registration, false);
  assert.deepEqual(hs.federation_domain_whitelist, []);
  assert.ok(!hs.listeners.some((l) => l.resources?.some((r) => r.names.includes('federation'))));
  assert.equal(hs.database.args.host, 'synapse-li-pg-rw');
  const kust = parse(files.get('overlays/li/copy/kustomization.yaml') ?? '') as { namespace: string };
  assert.equal(kust.namespace, li.namespace);
  // The copy's Synapse may only reach its own database: no egress towards production.
  const np = docsOf('overlays/li/copy/networkpolicies.yaml').find((d) => d.metadata?.name === 'synapse-li') as { spec: { egress: Array<{ to: Array<Record<string, unknown>> }> } };
  for (const e of np.spec.egress) for (const to of e.to) assert.equal(to.namespaceSelector, undefined);
  // Every li route gets the allow-list (gateway-api: a SecurityPolicy on the route).
  const copyRoutes = docsOf('overlays/li/copy/routes.yaml') as SimDoc[];
  const liRoutes = copyRoutes.filter((d) => d.kind === 'HTTPRoute');
  assert.ok(liRoutes.length >= 2);
  for (const r of liRoutes) {
    const sp = copyRoutes.find((d) => d.kind === 'SecurityPolicy' && d.spec.targetRefs[0].name === r.metadata.name);
    assert.deepEqual(sp?.spec.authorization.rules[0].principal.clientCIDRs, ['203.0.113.0/24'], r.metadata.name);
  }
});

test('no Service targets a Synapse replication or metrics listener', () => {
  for (const { path, doc } of allDocs) {
    if (doc.kind !== 'Service' || !String(doc.metadata?.name).startsWith('synapse')) continue;
    for (const port of (doc.spec?.ports ?? []) as Array<{ port: number; targetPort?: unknown }>) {
      assert.ok(![9093, 9000].includes(port.port), `${path}: ${doc.metadata?.name} exposes ${port.port}`);
      assert.ok(!['replication', 'metrics', 9093, 9000].includes(port.targetPort as string), `${path}: ${doc.metadata?.name}`);
    }
  }
});

test('rendering is deterministic', () => {
  const again = renderRepository(buildModel(exampleConfig()));
  assert.deepEqual(again, rendered);
});

test('every overlay lists its secret files and they live under overlays/<env>/secrets', () => {
  for (const s of rendered.secrets) {
    const m = /^overlays\/([a-z]+)\/secrets\/([a-z0-9-]+)\.sops\.yaml$/.exec(s.path);
    assert.ok(m, s.path);
    const k = parse(files.get(`overlays/${m[1]}/kustomization.yaml`) ?? '') as { resources: string[] };
    assert.ok(k.resources.includes(`secrets/${m[2]}.sops.yaml`), s.path);
  }
});

test('images are fully qualified and pinned', () => {
  for (const { path, doc } of allDocs) {
    const text = JSON.stringify(doc);
    for (const m of text.matchAll(/"image(?:Name)?":"([^"]+)"/g)) {
      assert.match(m[1], /^(docker\.io|ghcr\.io)\/[^:]+:[^:]+$/, `${path}: ${m[1]}`);
      assert.ok(!m[1].endsWith(':latest'));
    }
  }
});

test('Flux follows the deploy branch, orders infrastructure before apps and decrypts with sops-age', () => {
  for (const env of model.environments) {
    // li adds to production's entry point (its GitRepository and infrastructure); see li-entry.test.ts.
    const li = env.name === 'li';
    if (!li) {
      const src = docsOf(`flux/${env.name}/sources.yaml`)[0] as { spec: { ref: { branch: string } } };
      assert.equal(src.spec.ref.branch, model.git.deployBranch);
    } else {
      assert.equal(files.has('flux/li/sources.yaml'), false);
    }
    const ks = docsOf(`flux/${env.name}/kustomizations.yaml`) as Array<{ metadata: { name: string }; spec: { prune: boolean; wait: boolean; timeout: string; path: string; dependsOn?: Array<{ name: string }>; decryption?: { provider: string; secretRef: { name: string } } } }>;
    const apps = ks.find((k) => k.metadata.name === (li ? 'apps-li' : 'apps'));
    assert.ok(apps);
    assert.equal(apps.spec.path, `./overlays/${env.name}`);
    assert.deepEqual(apps.spec.decryption, { provider: 'sops', secretRef: { name: 'sops-age' } });
    assert.ok(apps.spec.dependsOn?.length);
    for (const k of ks) { assert.equal(k.spec.prune, true); assert.equal(k.spec.wait, true); assert.ok(k.spec.timeout); }
  }
  const ops = docsOf('flux/production/infrastructure/operators.yaml').filter((d) => d.kind === 'HelmRelease') as Array<{ spec: { chart: { spec: { version: string } } } }>;
  assert.ok(ops.length >= 3);
  for (const o of ops) assert.match(o.spec.chart.spec.version, /^v?\d+\.\d+\.\d+$/);
});

test('homelab uses the operator-free Postgres with C locale; production CNPG pins UTF8/C/C', () => {
  const sts = docsOf('base/postgres-statefulset/statefulset.yaml')[0];
  assert.ok(JSON.stringify(sts).includes('--encoding=UTF8 --locale=C'));
  const cluster = docsOf('base/postgres-cnpg/cluster.yaml')[0] as { spec: { bootstrap: { initdb: Record<string, string> } } };
  assert.equal(cluster.spec.bootstrap.initdb.encoding, 'UTF8');
  assert.equal(cluster.spec.bootstrap.initdb.localeCollate, 'C');
  assert.equal(cluster.spec.bootstrap.initdb.localeCType, 'C');
  const home = parse(files.get('overlays/homelab/kustomization.yaml') ?? '') as { resources: string[] };
  assert.ok(home.resources.includes('../../base/postgres-statefulset'));
  assert.ok(!home.resources.includes('../../base/synapse-workers'));
});

test('LiveKit does not auto-create rooms and reads its keys from a Secret', () => {
  const cm = docsOf('base/livekit/configmap.yaml')[0] as { data: Record<string, string> };
  const cfg = parse(cm.data['livekit.yaml']) as { room: { auto_create: boolean }; keys?: unknown; key_file: string };
  assert.equal(cfg.room.auto_create, false);
  assert.equal(cfg.keys, undefined);
  assert.ok(cfg.key_file.startsWith('/secrets/'));
  const wk = JSON.parse(files.get('base/wellknown/client') ?? '{}') as Record<string, unknown>;
  assert.ok(wk['org.matrix.msc4143.rtc_foci']);
});
