// Traefik (k3s's bundled controller): IngressRoute CRDs, which its default kubernetesCRD provider
// serves without any change to the k3s Traefik install. One Traefik route per path: Traefik ranks
// routes by rule length, so the long worker regexes outrank Synapse's /_matrix prefix, as the
// longest-first order of ingress-nginx did. PathRegexp is an unanchored Go regexp search, so the
// table's patterns keep their leading ^ (prefix semantics, as in the Synapse docs).
import type { EnvModel } from '../../model/index.ts';
import { labels, type Obj } from '../lib.ts';
import { hostSecrets, type HostRoute, type PathRoute } from './routes.ts';
import { certificates } from './certificates.ts';

export const TRAEFIK_ALLOWLIST = 'li-allowlist';

function matcher(host: string, p: PathRoute): string {
  const path = p.match === 'regex' ? `PathRegexp(\`${p.path}\`)` : p.match === 'exact' ? `Path(\`${p.path}\`)` : `PathPrefix(\`${p.path}\`)`;
  return `Host(\`${host}\`) && ${path}`;
}

const rewriteName = (route: HostRoute): string => `${route.name}-rewrite`;

export function traefikObjects(env: EnvModel, routes: readonly HostRoute[]): Obj[] {
  const { tls } = env.ingress;
  const secrets = hostSecrets(routes);
  const out: Obj[] = [];
  const allowList = env.allowedCidrs.length > 0;
  if (allowList) {
    // No ipStrategy: the TCP peer is checked, so the Traefik Service must keep the client address
    // (externalTrafficPolicy: Local); see README "Traffic".
    out.push({
      apiVersion: 'traefik.io/v1alpha1', kind: 'Middleware',
      metadata: { name: TRAEFIK_ALLOWLIST, labels: labels('traefik-middleware') },
      spec: { ipAllowList: { sourceRange: [...env.allowedCidrs] } },
    });
  }
  for (const r of routes) {
    const rewrite = r.paths.find((p) => p.rewrite);
    if (rewrite) {
      out.push({
        apiVersion: 'traefik.io/v1alpha1', kind: 'Middleware',
        metadata: { name: rewriteName(r), labels: labels(r.component) },
        spec: { replacePathRegex: { regex: rewrite.path, replacement: rewrite.rewrite } },
      });
    }
    const annotations = env.ingress.annotations[r.host];
    out.push({
      apiVersion: 'traefik.io/v1alpha1', kind: 'IngressRoute',
      metadata: { name: r.name, labels: labels(r.component), ...(annotations && Object.keys(annotations).length ? { annotations: { ...annotations } } : {}) },
      spec: {
        // tls none: a proxy in front terminates TLS and talks plain HTTP to the web entry point.
        entryPoints: [tls.mode === 'none' ? 'web' : 'websecure'],
        routes: r.paths.map((p) => {
          const middlewares = [...(allowList ? [{ name: TRAEFIK_ALLOWLIST }] : []), ...(p.rewrite ? [{ name: rewriteName(r) }] : [])];
          return {
            kind: 'Rule',
            match: matcher(r.host, p),
            services: [{ name: p.service, port: p.port }],
            ...(middlewares.length ? { middlewares } : {}),
          };
        }),
        ...(tls.mode === 'none' ? {} : { tls: { secretName: tls.mode === 'secret' ? tls.secretName : secrets.get(r.host) } }),
      },
    });
  }
  if (tls.mode === 'acme') out.push(...certificates(env, secrets));
  return out;
}
