// ingress-nginx: Ingress objects as this project rendered them before the other providers existed
// (regex paths via use-regex, allow-list via whitelist-source-range). Kept for existing clusters;
// the controller reached end of maintenance on 2026-03-24.
import type { EnvModel } from '../../model/index.ts';
import { labels, type Obj } from '../lib.ts';
import type { HostRoute } from './routes.ts';

export const NGINX_ALLOWLIST = 'nginx.ingress.kubernetes.io/whitelist-source-range';

export function nginxObjects(env: EnvModel, routes: readonly HostRoute[]): Obj[] {
  const { tls, className } = env.ingress;
  return routes.map((r) => {
    const annotations: Record<string, string> = { ...r.nginx };
    if (tls.mode === 'acme') annotations['cert-manager.io/cluster-issuer'] = env.clusterIssuer;
    if (env.allowedCidrs.length) annotations[NGINX_ALLOWLIST] = env.allowedCidrs.join(',');
    Object.assign(annotations, env.ingress.annotations[r.host] ?? {});
    return {
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
      metadata: { name: r.name, labels: labels(r.component), ...(Object.keys(annotations).length ? { annotations } : {}) },
      spec: {
        ingressClassName: className,
        ...(tls.mode === 'none' ? {} : { tls: [{ hosts: [r.host], secretName: tls.mode === 'secret' ? tls.secretName : `${r.name}-tls` }] }),
        rules: [{
          host: r.host,
          http: {
            paths: r.paths.map((p) => ({
              // ingress-nginx anchors regex locations itself.
              path: p.match === 'regex' ? p.path.replace(/^\^/, '') : p.path,
              pathType: p.match === 'regex' ? 'ImplementationSpecific' : p.match === 'exact' ? 'Exact' : 'Prefix',
              backend: { service: { name: p.service, port: { number: p.port } } },
            })),
          },
        }],
      },
    };
  });
}
