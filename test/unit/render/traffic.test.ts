// Traffic providers (issue #16): the same route table under gateway-api, traefik and ingress-nginx,
// the li allow-list each one enforces, and the rendered effect of every ingress.<env> config key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { deepMerge, readConfigFile, validateConfig } from '../../../src/scaffold/config/load.ts';
import { ingressWarnings } from '../../../src/scaffold/config/ingress.ts';
import type { MatrixConfig } from '../../../src/scaffold/config/types.ts';
import { projectRoot } from '../../../src/lib/versions.ts';
import { buildModel } from '../../../src/scaffold/model/index.ts';
import { renderRepository } from '../../../src/scaffold/render/index.ts';
import { ROUTES, workerResourceName } from '../../../src/scaffold/render/components/worker-routes.ts';
import { PROVIDERS, resolve, samplePath, type Doc, type Provider } from './traffic-sim.ts';

function config(ingress: Record<string, unknown> = {}): MatrixConfig {
  return validateConfig(deepMerge(readConfigFile(path.join(projectRoot, 'matrix-gitops.yaml')), { ingress }), 'test');
}

function render(c: MatrixConfig): { files: Map<string, string>; docs: (p: string) => Doc[]; all: Doc[] } {
  const files = new Map(renderRepository(buildModel(c)).files.map((f) => [f.path, f.content]));
  const docs = (p: string): Doc[] => parseAllDocuments(files.get(p) ?? '').map((d) => d.toJSON() as Doc).filter(Boolean);
  const all = [...files.keys()].filter((p) => p.endsWith('.yaml')).flatMap(docs).filter((d) => typeof d.apiVersion === 'string');
  return { files, docs, all };
}

const byProvider = new Map(PROVIDERS.map((p) => [p, render(config({ production: { provider: p }, homelab: { provider: p } }))] as const));
const prod = buildModel(config()).environments.find((e) => e.name === 'production');
assert.ok(prod);
const routesOf = (p: Provider, file = 'overlays/production/routes.yaml'): Doc[] => byProvider.get(p)?.docs(file) ?? [];

/** Request paths that exercise every match of every route object, whatever provider rendered them. */
function samples(docs: Doc[]): Array<{ host: string; path: string }> {
  const out: Array<{ host: string; path: string }> = [];
  for (const r of docs.filter((d) => d.kind === 'HTTPRoute' && d.spec.hostnames)) {
    for (const rule of r.spec.rules) {
      for (const m of rule.matches) {
        const v = m.path.value as string;
        const p = m.path.type === 'RegularExpression' ? samplePath(v.replace(/\.\*$/, '')) : m.path.type === 'Exact' ? v : `${v.replace(/\/$/, '')}/x`;
        out.push({ host: r.spec.hostnames[0], path: p });
      }
    }
  }
  return out;
}

test('every worker path of the table reaches its worker under every provider; admin paths stay internal', () => {
  for (const provider of PROVIDERS) {
    const docs = routesOf(provider);
    for (const route of ROUTES) {
      const p = samplePath(route.pattern);
      assert.ok(new RegExp(route.pattern).test(p), `sample ${p} of ${route.pattern}`);
      const hit = resolve(provider, docs, prod.hosts.synapse, p);
      if (route.public) assert.equal(hit?.service, workerResourceName(route.worker), `${provider}: ${p} (${route.pattern})`);
      else assert.ok(hit === undefined || hit.service === 'synapse', `${provider}: ${p} must not reach a worker publicly (got ${hit?.service})`);
    }
    // Paths no worker serves fall through to the main process.
    for (const p of ['/_matrix/client/v3/rooms/!r:example.com/upgrade', '/_synapse/client/pick_username', '/_matrix/federation/v1/openid/userinfo']) {
      assert.equal(resolve(provider, docs, prod.hosts.synapse, p)?.service, 'synapse', `${provider}: ${p}`);
    }
    assert.equal(resolve(provider, docs, prod.hosts.synapse, '/_synapse/admin/v1/users'), undefined, `${provider}: admin API is not public`);
  }
});

test('route equivalence: every path of the rendered table reaches the same backend (and rewrite) under every provider', () => {
  const reference = samples(routesOf('gateway-api'));
  assert.ok(reference.length >= 100, String(reference.length));
  for (const { host, path: p } of reference) {
    const hits = PROVIDERS.map((provider) => resolve(provider, routesOf(provider), host, p));
    assert.ok(hits[0], `gateway-api: ${host}${p} unrouted`);
    for (const [i, provider] of PROVIDERS.entries()) {
      assert.equal(hits[i]?.service, hits[0]?.service, `${provider}: ${host}${p}`);
      assert.equal(hits[i]?.port, hits[0]?.port, `${provider}: ${host}${p}`);
      assert.equal(hits[i]?.rewritten, hits[0]?.rewritten, `${provider}: ${host}${p}`);
    }
  }
  // The antivirus rewrite exists and is the same everywhere.
  const scan = PROVIDERS.map((provider) => resolve(provider, routesOf(provider), prod.hosts.synapse, '/_matrix/client/v1/media/download/example.com/abc'));
  for (const h of scan) assert.deepEqual([h?.service, h?.rewritten], ['content-scanner', '/_matrix/media_proxy/unstable/download/example.com/abc']);
});

test('gateway-api: Envoy-specific defaults Synapse cannot live with are overridden', () => {
  const docs = routesOf('gateway-api');
  const workers = docs.find((d) => d.kind === 'HTTPRoute' && d.metadata.name === 'synapse-workers');
  const syncRule = workers?.spec.rules.find((r: Doc) => r.backendRefs[0].name === 'synapse-synchrotron');
  // Element long-polls /sync for 30 s; Envoy's default route timeout is 15 s.
  assert.ok(Number.parseInt(syncRule.timeouts.request, 10) > 30, JSON.stringify(syncRule.timeouts));
  const main = docs.find((d) => d.kind === 'HTTPRoute' && d.metadata.name === 'synapse');
  assert.equal(main?.spec.rules[0].timeouts.request, '0s');
  // Envoy full-matches: prefix-style patterns end in .*; every rule stays inside the CEL limits.
  for (const r of docs.filter((d) => d.kind === 'HTTPRoute')) {
    assert.ok(r.spec.rules.length <= 16, r.metadata.name);
    assert.ok(r.spec.rules.reduce((n: number, x: Doc) => n + (x.matches?.length ?? 0), 0) <= 128, r.metadata.name);
    for (const rule of r.spec.rules) for (const m of rule.matches ?? []) if (m.path.type === 'RegularExpression') assert.match(m.path.value, /^\^.*(\$|\.\*)$/);
  }
  const ctp = docs.find((d) => d.kind === 'ClientTrafficPolicy');
  assert.deepEqual(ctp?.spec.path, { escapedSlashesAction: 'KeepUnchanged', disableMergeSlashes: true });
  assert.deepEqual(ctp?.spec.headers.earlyRequestHeaders.remove, ['X-Forwarded-For']);
  // Envoy Gateway is installed by Flux, before cert-manager (which needs the Gateway API CRDs at start).
  const ops = byProvider.get('gateway-api')?.docs('flux/production/infrastructure/operators.yaml') ?? [];
  const eg = ops.find((d) => d.kind === 'HelmRelease' && d.metadata.name === 'envoy-gateway');
  assert.equal(eg?.spec.chart.spec.version, 'v1.9.1');
  assert.equal(eg?.spec.upgrade.crds, 'CreateReplace');
  const cm = ops.find((d) => d.kind === 'HelmRelease' && d.metadata.name === 'cert-manager');
  assert.deepEqual(cm?.spec.dependsOn, [{ name: 'envoy-gateway' }]);
  assert.equal(cm?.spec.values.config.enableGatewayAPI, true);
  const repo = ops.find((d) => d.kind === 'HelmRepository' && d.metadata.name === 'envoy-gateway');
  assert.deepEqual([repo?.spec.type, repo?.spec.url], ['oci', 'oci://docker.io/envoyproxy']);
  const cfg = byProvider.get('gateway-api')?.docs('flux/production/infrastructure-config/config.yaml') ?? [];
  assert.equal(cfg.find((d) => d.kind === 'GatewayClass')?.spec.controllerName, 'gateway.envoyproxy.io/gatewayclass-controller');
  assert.ok(cfg.find((d) => d.kind === 'ClusterIssuer')?.spec.acme.solvers[0].http01.gatewayHTTPRoute);
});

test('li: every route of the copy carries the allow-list its provider enforces', () => {
  const copy = (p: Provider): Doc[] => routesOf(p, 'overlays/li/copy/routes.yaml');
  const httpRoutes = copy('gateway-api').filter((d) => d.kind === 'HTTPRoute' && d.spec.hostnames);
  assert.ok(httpRoutes.length >= 3);
  for (const r of httpRoutes) {
    const sp = copy('gateway-api').find((d) => d.kind === 'SecurityPolicy' && d.spec.targetRefs.some((t: Doc) => t.kind === 'HTTPRoute' && t.name === r.metadata.name));
    assert.ok(sp, `${r.metadata.name} has no SecurityPolicy`);
    assert.equal(sp.spec.authorization.defaultAction, 'Deny');
    assert.deepEqual(sp.spec.authorization.rules[0].principal.clientCIDRs, ['203.0.113.0/24']);
  }
  const mw = copy('traefik').find((d) => d.kind === 'Middleware' && d.spec.ipAllowList);
  assert.deepEqual(mw?.spec.ipAllowList.sourceRange, ['203.0.113.0/24']);
  for (const ir of copy('traefik').filter((d) => d.kind === 'IngressRoute')) {
    for (const r of ir.spec.routes) assert.ok(r.middlewares?.some((m: Doc) => m.name === mw?.metadata.name), `${ir.metadata.name}: ${r.match}`);
  }
  for (const ing of copy('ingress-nginx').filter((d) => d.kind === 'Ingress')) {
    assert.equal(ing.metadata.annotations['nginx.ingress.kubernetes.io/whitelist-source-range'], '203.0.113.0/24', ing.metadata.name);
  }
  // The admin API is routed only on the allow-listed copy.
  for (const provider of PROVIDERS) assert.equal(resolve(provider, copy(provider), 'li-matrix.example.com', '/_synapse/admin/v1/users')?.service, 'synapse-li', provider);
});

test('switching provider leaves no Ingress behind (re-scaffold deletes the files that held them)', () => {
  for (const provider of ['gateway-api', 'traefik'] as const) {
    const r = byProvider.get(provider);
    assert.ok(r);
    assert.deepEqual(r.all.filter((d) => d.kind === 'Ingress').map((d) => d.metadata.name), [], provider);
    assert.deepEqual([...r.files.keys()].filter((p) => p.endsWith('/ingress.yaml')), [], provider);
  }
  assert.ok((byProvider.get('ingress-nginx')?.all ?? []).some((d) => d.kind === 'Ingress'));
});

test('defaults: production gateway-api with ACME, homelab traefik without TLS in the cluster', () => {
  const r = render(config());
  const gw = r.docs('overlays/production/routes.yaml').find((d) => d.kind === 'Gateway');
  assert.equal(gw?.spec.gatewayClassName, 'envoy-gateway');
  assert.equal(gw?.metadata.annotations['cert-manager.io/cluster-issuer'], 'letsencrypt');
  assert.ok(gw?.spec.listeners.some((l: Doc) => l.protocol === 'HTTPS' && l.hostname === 'matrix.example.com' && l.tls.certificateRefs[0].name === 'synapse-tls'));
  const homelab = r.docs('overlays/homelab/routes.yaml');
  assert.ok(homelab.length > 0 && homelab.every((d) => d.kind === 'IngressRoute'));
  for (const ir of homelab) { assert.deepEqual(ir.spec.entryPoints, ['web']); assert.equal(ir.spec.tls, undefined); }
  assert.ok(!r.files.has('flux/homelab/infrastructure-config/config.yaml') || !r.files.get('flux/homelab/infrastructure-config/config.yaml')?.includes('ClusterIssuer'));
});

test('ingress.<env>.className: the GatewayClass or IngressClass the routes attach to', () => {
  const gw = render(config({ production: { className: 'public-gw' } }));
  assert.equal(gw.docs('overlays/production/routes.yaml').find((d) => d.kind === 'Gateway')?.spec.gatewayClassName, 'public-gw');
  assert.equal(gw.docs('flux/production/infrastructure-config/config.yaml').find((d) => d.kind === 'GatewayClass')?.metadata.name, 'public-gw');
  const nginx = render(config({ production: { provider: 'ingress-nginx', className: 'nginx-public' } }));
  const ings = nginx.docs('overlays/production/routes.yaml');
  assert.ok(ings.length > 3 && ings.every((d) => d.spec.ingressClassName === 'nginx-public'));
  assert.equal(nginx.docs('flux/production/infrastructure-config/config.yaml').find((d) => d.kind === 'ClusterIssuer')?.spec.acme.solvers[0].http01.ingress.ingressClassName, 'nginx-public');
});

test('ingress.<env>.annotations: on every route object of that host, and only there', () => {
  const extra = { 'external-dns.alpha.kubernetes.io/ttl': '60' };
  for (const provider of PROVIDERS) {
    const r = render(config({ production: { provider, annotations: { 'matrix.example.com': extra } } }));
    const routes = r.docs('overlays/production/routes.yaml').filter((d) => ['HTTPRoute', 'IngressRoute', 'Ingress'].includes(d.kind) && d.metadata.name !== 'https-redirect');
    const onHost = (d: Doc): boolean => JSON.stringify(d.spec).includes('matrix.example.com');
    assert.ok(routes.filter(onHost).length >= 2, provider);
    for (const d of routes) assert.equal(d.metadata.annotations?.['external-dns.alpha.kubernetes.io/ttl'], onHost(d) ? '60' : undefined, `${provider} ${d.kind}/${d.metadata.name}`);
  }
});

test('ingress.<env>.tls: acme, an existing Secret, or none (a proxy in front terminates TLS)', () => {
  for (const provider of PROVIDERS) {
    const secret = render(config({ production: { provider, tls: { mode: 'secret', secretName: 'wildcard-tls' } } }));
    const docs = secret.docs('overlays/production/routes.yaml');
    const refs = JSON.stringify(docs);
    assert.ok(refs.includes('wildcard-tls'), provider);
    assert.ok(!refs.includes('cert-manager.io/cluster-issuer') && !docs.some((d) => d.kind === 'Certificate'), `${provider}: no ACME with an existing Secret`);
    assert.ok(!secret.files.get('flux/production/infrastructure-config/config.yaml')?.includes('ClusterIssuer'), provider);

    const none = render(config({ production: { provider, tls: { mode: 'none' } } }));
    const plain = none.docs('overlays/production/routes.yaml');
    assert.ok(!JSON.stringify(plain).match(/"tls"|HTTPS|websecure|cluster-issuer/), `${provider}: no TLS in the cluster`);

    const acme = render(config({ production: { provider } })).docs('overlays/production/routes.yaml');
    const issued = provider === 'traefik' ? acme.filter((d) => d.kind === 'Certificate').map((d) => d.spec.dnsNames[0]) : [];
    if (provider === 'traefik') assert.ok(issued.includes('matrix.example.com') && issued.includes('chat.example.com'), issued.join());
    else assert.ok(JSON.stringify(acme).includes('cert-manager.io/cluster-issuer'), provider);
  }
  // Behind a proxy Envoy takes the client address from that proxy's X-Forwarded-For entry.
  const none = render(config({ production: { tls: { mode: 'none' } } })).docs('overlays/production/routes.yaml');
  assert.deepEqual(none.find((d) => d.kind === 'ClientTrafficPolicy')?.spec.clientIPDetection, { xForwardedFor: { numTrustedHops: 1 } });
});

test('ingress-nginx works but warns with its end of maintenance', () => {
  assert.deepEqual(ingressWarnings(config()), []);
  assert.deepEqual(ingressWarnings(config({ production: { provider: 'ingress-nginx' } })), [
    'ingress.production.provider: ingress-nginx reached end of maintenance on 2026-03-24 (no releases or security fixes since); switch to gateway-api (production) or traefik (homelab), see README "Traffic"',
  ]);
});
