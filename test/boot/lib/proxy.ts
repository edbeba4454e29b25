// A loopback reverse proxy that applies exactly the rendered Ingress path table of one host, the way
// ingress-nginx does:
// - when any Ingress of the host sets nginx.ingress.kubernetes.io/use-regex: "true", every path of
//   that host becomes a case-insensitive regex location `~* "^<path>"`;
// - locations are ordered by path length, longest first (stable), and for regex locations nginx
//   takes the first that matches; without regex, Prefix paths match by longest prefix on '/'
//   boundaries and Exact paths exactly.
// Each answer carries X-Boot-Backend: <service> so a test can see where a request went; every
// routing decision is also recorded.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Cluster } from './cluster.ts';
import type { Doc } from './repo.ts';

export interface RoutePath { path: string; pathType: string; service: string; port: number; ingress: string }

export class IngressTable {
  readonly paths: RoutePath[];
  readonly regex: boolean;

  constructor(docs: Doc[], readonly host: string) {
    const ingresses = docs.filter((d) => d.kind === 'Ingress' && (d.spec?.rules as Doc[] | undefined)?.some((r) => r.host === host));
    this.regex = ingresses.some((i) => i.metadata?.annotations?.['nginx.ingress.kubernetes.io/use-regex'] === 'true');
    const paths: RoutePath[] = [];
    for (const ing of ingresses) {
      for (const rule of (ing.spec.rules as Doc[]).filter((r) => r.host === host)) {
        for (const p of rule.http.paths as Doc[]) {
          paths.push({ path: p.path as string, pathType: p.pathType as string, service: p.backend.service.name as string, port: p.backend.service.port.number as number, ingress: ing.metadata.name as string });
        }
      }
    }
    this.paths = paths.map((p, i) => ({ p, i })).sort((a, b) => b.p.path.length - a.p.path.length || a.i - b.i).map(({ p }) => p);
  }

  match(uriPath: string): RoutePath | undefined {
    if (this.regex) return this.paths.find((p) => new RegExp(`^${p.path}`, 'i').test(uriPath));
    return this.paths.find((p) => (p.pathType === 'Exact'
      ? uriPath === p.path
      : uriPath === p.path || uriPath.startsWith(p.path.endsWith('/') ? p.path : `${p.path}/`)));
  }
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
    let decoded = pathOnly;
    try { decoded = decodeURIComponent(pathOnly); } catch { /* keep raw */ }
    const route = table.match(decoded);
    if (!route) { res.writeHead(404).end('no ingress path\n'); return; }
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
