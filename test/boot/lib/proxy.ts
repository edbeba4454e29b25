// A loopback reverse proxy that applies exactly the rendered routes of one host, with the matching
// rules of the provider that rendered them (traffic-sim.ts, shared with the render tests):
// - Gateway API HTTPRoutes as Envoy Gateway orders them (Exact > RegularExpression > PathPrefix,
//   longer first; regexes match the whole, undecoded path: the ClientTrafficPolicy keeps it unchanged);
// - Traefik IngressRoutes (priority = rule length; PathRegexp searches the decoded path);
// - ingress-nginx Ingresses (use-regex: case-insensitive `~* "^<path>"`, longest first).
// The li allow-list of the route that matched is enforced on the client address the way the
// provider does (Envoy SecurityPolicy clientCIDRs, Traefik ipAllowList, nginx whitelist-source-range):
// a client outside it gets 403 before any backend is touched.
// Each answer carries X-Boot-Backend: <service> so a test can see where a request went; every
// routing decision is also recorded.
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIPv6, type AddressInfo } from 'node:net';
import type { Cluster } from './cluster.ts';
import type { Doc } from './repo.ts';
import { resolve as resolveRoute, type Provider } from '../../unit/render/traffic-sim.ts';

export interface RoutePath { path: string; pathType: string; service: string; port: number; ingress: string }

/** The provider whose objects serve `host` in the rendered documents. */
function providerOf(docs: Doc[], host: string): Provider {
  if (docs.some((d) => d.kind === 'HTTPRoute' && (d.spec?.hostnames as string[] | undefined)?.includes(host))) return 'gateway-api';
  if (docs.some((d) => d.kind === 'IngressRoute' && (d.spec?.routes as Doc[] | undefined)?.some((r) => String(r.match).includes(`Host(\`${host}\`)`)))) return 'traefik';
  return 'ingress-nginx';
}

/** CIDRs the provider enforces on one route object, or undefined when it has no allow-list. */
function allowListOf(docs: Doc[], provider: Provider, object: Doc): string[] | undefined {
  const ns = object.metadata?.namespace as string | undefined;
  const sameNs = (d: Doc): boolean => d.metadata?.namespace === ns;
  if (provider === 'gateway-api') {
    const sp = docs.find((d) => d.kind === 'SecurityPolicy' && sameNs(d) && (d.spec.targetRefs as Doc[]).some((r) => r.kind === 'HTTPRoute' && r.name === object.metadata.name));
    return sp ? (sp.spec.authorization.rules as Doc[]).filter((r) => r.action === 'Allow').flatMap((r) => (r.principal?.clientCIDRs as string[] | undefined) ?? []) : undefined;
  }
  if (provider === 'traefik') {
    const names = new Set((object.spec.routes as Doc[]).flatMap((r) => ((r.middlewares as Doc[] | undefined) ?? []).map((m) => m.name as string)));
    const mw = docs.find((d) => d.kind === 'Middleware' && sameNs(d) && names.has(d.metadata.name as string) && d.spec.ipAllowList);
    return mw ? mw.spec.ipAllowList.sourceRange as string[] : undefined;
  }
  const v = object.metadata?.annotations?.['nginx.ingress.kubernetes.io/whitelist-source-range'] ?? object.metadata?.annotations?.['nginx.ingress.kubernetes.io/allowlist-source-range'];
  return v ? String(v).split(',').map((s) => s.trim()) : undefined;
}

export class IngressTable {
  readonly provider: Provider;
  /** Every (path, backend) of the host, for logs and tests. */
  readonly paths: RoutePath[];
  /** The matches are regexes (worker routes). */
  readonly regex: boolean;
  private readonly docs: Doc[];

  constructor(docs: Doc[], readonly host: string) {
    this.provider = providerOf(docs, host);
    this.docs = docs;
    const paths: RoutePath[] = [];
    for (const d of docs) {
      if (d.kind === 'HTTPRoute' && (d.spec?.hostnames as string[] | undefined)?.includes(host)) {
        for (const rule of d.spec.rules as Doc[]) for (const m of (rule.matches as Doc[] | undefined) ?? []) paths.push({ path: m.path.value as string, pathType: m.path.type as string, service: rule.backendRefs[0].name as string, port: rule.backendRefs[0].port as number, ingress: d.metadata.name as string });
      } else if (d.kind === 'IngressRoute') {
        for (const r of d.spec.routes as Doc[]) if (String(r.match).includes(`Host(\`${host}\`)`)) paths.push({ path: String(r.match), pathType: 'Rule', service: r.services[0].name as string, port: r.services[0].port as number, ingress: d.metadata.name as string });
      } else if (d.kind === 'Ingress') {
        for (const rule of (d.spec?.rules as Doc[] | undefined) ?? []) if (rule.host === host) for (const p of rule.http.paths as Doc[]) paths.push({ path: p.path as string, pathType: p.pathType as string, service: p.backend.service.name as string, port: p.backend.service.port.number as number, ingress: d.metadata.name as string });
      }
    }
    this.paths = paths;
    this.regex = paths.some((p) => ['RegularExpression', 'ImplementationSpecific'].includes(p.pathType) || p.path.includes('PathRegexp'));
  }

  /** Where a request path goes (raw path as sent; decoded here where the provider decodes). */
  match(rawPath: string): (RoutePath & { allowList?: string[] }) | undefined {
    let p = rawPath;
    if (this.provider !== 'gateway-api') { try { p = decodeURIComponent(rawPath); } catch { /* keep raw */ } }
    const hit = resolveRoute(this.provider, this.docs, this.host, p);
    if (!hit) return undefined;
    const kind = this.provider === 'gateway-api' ? 'HTTPRoute' : this.provider === 'traefik' ? 'IngressRoute' : 'Ingress';
    const object = this.docs.find((d) => d.kind === kind && d.metadata?.name === hit.object && this.paths.some((x) => x.ingress === hit.object));
    const allowList = object ? allowListOf(this.docs, this.provider, object) : undefined;
    return { path: p, pathType: 'matched', service: hit.service, port: hit.port, ingress: hit.object, ...(allowList ? { allowList } : {}) };
  }
}

/** Whether `ip` (as the socket reports it) lies inside one of `cidrs`. */
export function inCidrs(ip: string, cidrs: readonly string[]): boolean {
  const addr = ip.replace(/^::ffff:/, '');
  const list = new BlockList();
  for (const c of cidrs) {
    const [net, bits] = c.split('/');
    list.addSubnet(net, Number(bits), isIPv6(net) ? 'ipv6' : 'ipv4');
  }
  return list.check(addr, isIPv6(addr) ? 'ipv6' : 'ipv4');
}

export interface Proxy { url: string; decisions: Array<{ method: string; path: string; service: string }>; close(): Promise<void> }

export interface ProxyListen {
  /** Address to listen on (default 127.0.0.1) and port (default: any free one). */
  host?: string;
  port?: number;
  /** Terminate TLS as the Ingress controller does (PEM key and certificate chain). */
  tls?: { key: string; cert: string };
}

/** One proxy for several hosts: the Host header picks the table (the only table when there is one). */
export async function startIngressProxy(cluster: Cluster, tables: IngressTable | IngressTable[], listen: ProxyListen = {}): Promise<Proxy> {
  const list = Array.isArray(tables) ? tables : [tables];
  const decisions: Proxy['decisions'] = [];
  const handler: http.RequestListener = (req, res) => {
    const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '');
    const table = list.find((t) => t.host === hostHeader) ?? (list.length === 1 ? list[0] : undefined);
    if (!table) { res.writeHead(404).end('no ingress for this host\n'); return; }
    const raw = req.url ?? '/';
    const pathOnly = raw.split('?')[0];
    const route = table.match(pathOnly);
    if (!route) { res.writeHead(404).end('no ingress path\n'); return; }
    if (route.allowList && !inCidrs(req.socket.remoteAddress ?? '', route.allowList)) {
      decisions.push({ method: req.method ?? 'GET', path: pathOnly, service: `refused by the allow-list of ${route.ingress}` });
      res.writeHead(403).end(`client ${req.socket.remoteAddress ?? '?'} is not in the allow-list of ${route.ingress}\n`);
      return;
    }
    decisions.push({ method: req.method ?? 'GET', path: pathOnly, service: route.service });
    cluster.resolve(route.service, route.port).then((target) => {
      const upstream = http.request({
        host: target.host, port: target.port, method: req.method, path: raw,
        headers: { ...req.headers, host: table.host, 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'https', 'x-forwarded-host': table.host },
      }, (up) => {
        res.writeHead(up.statusCode ?? 502, { ...up.headers, 'x-boot-backend': route.service });
        up.pipe(res);
      });
      upstream.on('error', (e) => { if (!res.headersSent) res.writeHead(502); res.end(String(e)); });
      req.pipe(upstream);
    }, (e: unknown) => { res.writeHead(503).end(String(e)); });
  };
  const server = listen.tls ? https.createServer({ key: listen.tls.key, cert: listen.tls.cert }, handler) : http.createServer(handler);
  const bindHost = listen.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(listen.port ?? 0, bindHost, resolve); });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${listen.tls ? 'https' : 'http'}://${bindHost}:${port}`,
    decisions,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** GET through the proxy for a given Host (fetch() cannot set Host). */
export function getVia(proxy: Proxy, host: string, p: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${proxy.url}${p}`, { headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`GET ${p} timed out`)));
  });
}
