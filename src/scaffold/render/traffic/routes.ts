// The provider-neutral route table of one environment: which host and path reach which Service.
// Components declare their public paths as an Ingress in their base (`ingress()` in lib.ts, the
// familiar shape); the renderer lifts those out of the bases and every provider (ingress-nginx,
// Traefik, Gateway API) renders this table for its environment. The Synapse worker paths come
// straight from worker-routes.ts, the single source.
import type { EnvModel } from '../../model/index.ts';
import { routesFor, workerResourceName } from '../components/worker-routes.ts';
import type { Obj } from '../lib.ts';
import { bodySize } from '../components/synapse.ts';

export type MatchType = 'prefix' | 'exact' | 'regex';

export interface PathRoute {
  match: MatchType;
  /** prefix/exact: the path; regex: an anchored pattern as in the Synapse docs (^/_matrix/…) */
  path: string;
  service: string;
  port: number;
  /** Gateway API rules[].timeouts.request; unset = the implementation's default (Envoy: 15 s). */
  timeout?: string;
  /** regex paths only: rewrite the path before forwarding ($1-style groups of `path`). */
  rewrite?: string;
}

export interface HostRoute {
  /** object name (Ingress, IngressRoute, HTTPRoute) */
  name: string;
  /** app.kubernetes.io/name label of the route object */
  component: string;
  host: string;
  paths: PathRoute[];
  /** ingress-nginx tuning the component asked for (body size, proxy timeouts); only that provider reads it. */
  nginx: Record<string, string>;
}

// Routes that must outlive Envoy's 15 s default route timeout: Synapse (long-polling /sync and
// /events wait up to 30 s in Element, joins of large rooms and media take longer) and the
// websocket services. "0s" disables the route timeout (and its idle timeout) on Envoy Gateway.
const NO_ROUTE_TIMEOUT = new Set(['synapse', 'synapse-li', 'livekit', 'jitsi', 'content-scanner']);
/** Worker paths other than media: long-polls return within Element's 30 s + buffer. */
export const WORKER_TIMEOUT = '180s';

interface IngressShape {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { rules: Array<{ host: string; http: { paths: Array<{ path: string; pathType: string; backend: { service: { name: string; port: { number: number } } } }> } }> };
}

/** One component Ingress (as `ingress()` or a component builds it) as a neutral HostRoute. */
export function hostRouteFromIngress(doc: Obj): HostRoute {
  const ing = doc as unknown as IngressShape;
  const annotations = { ...(ing.metadata.annotations ?? {}) };
  const rewrite = annotations['nginx.ingress.kubernetes.io/rewrite-target'];
  const rule = ing.spec.rules[0];
  const name = ing.metadata.name;
  const timeout = NO_ROUTE_TIMEOUT.has(name) ? '0s' : undefined;
  return {
    name,
    component: ing.metadata.labels?.['app.kubernetes.io/name'] ?? name,
    host: rule.host,
    paths: rule.http.paths.map((p): PathRoute => {
      const regex = p.pathType === 'ImplementationSpecific';
      return {
        match: regex ? 'regex' : p.pathType === 'Exact' ? 'exact' : 'prefix',
        // ingress-nginx anchors regex locations itself (`~* "^<path>"`); the neutral form carries the ^.
        path: regex ? `^${p.path.replace(/^\^/, '')}` : p.path,
        service: p.backend.service.name,
        port: p.backend.service.port.number,
        ...(timeout ? { timeout } : {}),
        ...(regex && rewrite ? { rewrite } : {}),
      };
    }),
    nginx: annotations,
  };
}

/** The public worker paths of the table, in table order. */
export function workerHostRoute(env: EnvModel, maxUploadSize = '100M'): HostRoute {
  return {
    name: 'synapse-workers',
    component: 'synapse-workers',
    host: env.hosts.synapse,
    paths: routesFor(env.workers).filter((r) => r.public).map((r): PathRoute => ({
      match: 'regex',
      path: r.pattern,
      service: workerResourceName(r.worker),
      port: 8008,
      // Media downloads stream for as long as the client needs.
      timeout: r.worker === 'media_repository' ? '0s' : WORKER_TIMEOUT,
    })),
    nginx: { 'nginx.ingress.kubernetes.io/use-regex': 'true', 'nginx.ingress.kubernetes.io/proxy-body-size': bodySize(maxUploadSize) },
  };
}

/** Removes the Ingress documents of a component's files and returns them as HostRoutes. */
export function liftRoutes(files: Record<string, Obj[] | string>): HostRoute[] {
  const routes: HostRoute[] = [];
  for (const [file, body] of Object.entries(files)) {
    if (typeof body === 'string') continue;
    const kept = body.filter((d) => d.kind !== 'Ingress');
    if (kept.length === body.length) continue;
    routes.push(...body.filter((d) => d.kind === 'Ingress').map(hostRouteFromIngress));
    if (kept.length) files[file] = kept;
    else delete files[file];
  }
  return routes;
}

/** The TLS Secret of a host: named after the first route serving it (synapse-tls, element-tls …), as ingress-nginx named them. */
export function hostSecrets(routes: readonly HostRoute[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const r of routes) if (!m.has(r.host)) m.set(r.host, `${r.name}-tls`);
  return m;
}
