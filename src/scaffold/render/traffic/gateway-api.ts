// Gateway API on Envoy Gateway (installed by Flux, flux.ts): one Gateway `matrix` per namespace with an
// HTTP listener (ACME HTTP-01 challenges, redirect to https) and one HTTPS listener per host, an
// HTTPRoute per route of the table, Envoy policies where Synapse needs other defaults than Envoy's.
// Differences from ingress-nginx handled here (facts: docs/traffic.md, shared gateway-api reference):
// - Envoy regexes must match the whole path: prefix-style Synapse patterns get a trailing .*;
// - Envoy orders Exact > RegularExpression > PathPrefix, so worker regexes win over /_matrix;
// - Envoy's 15 s route timeout would end /sync long-polls: rules carry timeouts.request;
// - Envoy decodes %2F and merges slashes by default; Synapse must see the URI untouched;
// - Envoy appends the peer to a client-sent X-Forwarded-For and Synapse trusts the leftmost entry.
import type { EnvModel } from '../../model/index.ts';
import { labels, type Obj } from '../lib.ts';
import { hostSecrets, type HostRoute, type PathRoute } from './routes.ts';

export const GATEWAY = 'matrix';
const GW_GROUP = 'gateway.networking.k8s.io';
// HTTPRoute CEL limits (Gateway API v1.6): rules and matches the API server accepts.
export const MAX_RULES = 16;
export const MAX_MATCHES_PER_RULE = 64;
export const MAX_MATCHES = 128;

/** Envoy full-matches a regex; a pattern that does not end in $ is a prefix, so it gets .* */
export function envoyRegex(pattern: string): string {
  return pattern.endsWith('$') ? pattern : `${pattern}.*`;
}

const listenerName = (secret: string): string => `https-${secret.replace(/-tls$/, '')}`;

function match(p: PathRoute): Obj {
  if (p.match === 'regex') return { path: { type: 'RegularExpression', value: envoyRegex(p.path) } };
  return { path: { type: p.match === 'exact' ? 'Exact' : 'PathPrefix', value: p.path } };
}

/** Consecutive paths to the same backend (and timeout, rewrite) share one rule, within the limits. */
function rules(r: HostRoute, filterName: string): Obj[] {
  const groups: PathRoute[][] = [];
  for (const p of r.paths) {
    const last = groups.at(-1);
    const same = last && last[0].service === p.service && last[0].port === p.port && last[0].timeout === p.timeout && last[0].rewrite === p.rewrite && last.length < MAX_MATCHES_PER_RULE;
    if (same) last.push(p);
    else groups.push([p]);
  }
  // Paths of one backend that are not adjacent still go to one rule when that keeps under the rule limit.
  const merged: PathRoute[][] = [];
  for (const g of groups) {
    const into = merged.find((m) => m[0].service === g[0].service && m[0].port === g[0].port && m[0].timeout === g[0].timeout && m[0].rewrite === g[0].rewrite && m.length + g.length <= MAX_MATCHES_PER_RULE);
    if (into && groups.length > MAX_RULES) into.push(...g);
    else merged.push([...g]);
  }
  if (merged.length > MAX_RULES || r.paths.length > MAX_MATCHES) {
    throw new Error(`HTTPRoute ${r.name}: ${merged.length} rules / ${r.paths.length} matches exceed Gateway API's ${MAX_RULES} rules / ${MAX_MATCHES} matches per HTTPRoute`);
  }
  return merged.map((g) => ({
    matches: g.map(match),
    ...(g[0].rewrite ? { filters: [{ type: 'ExtensionRef', extensionRef: { group: 'gateway.envoyproxy.io', kind: 'HTTPRouteFilter', name: filterName } }] } : {}),
    backendRefs: [{ name: g[0].service, port: g[0].port }],
    ...(g[0].timeout ? { timeouts: { request: g[0].timeout } } : {}),
  }));
}

/** `$2` (ingress-nginx, Traefik) → `\2` (Envoy RE2 substitution). */
const envoySubstitution = (s: string): string => s.replace(/\$(\d)/g, '\\$1');

export function gatewayObjects(env: EnvModel, routes: readonly HostRoute[]): Obj[] {
  const { tls, className } = env.ingress;
  const secrets = hostSecrets(routes);
  const secretOf = (host: string): string => (tls.mode === 'secret' ? tls.secretName ?? '' : secrets.get(host) ?? '');
  const listeners: Obj[] = [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } }];
  if (tls.mode !== 'none') {
    for (const [host, secret] of secrets) {
      listeners.push({
        name: listenerName(secret), hostname: host, port: 443, protocol: 'HTTPS',
        tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: secretOf(host) }] },
        allowedRoutes: { namespaces: { from: 'Same' } },
      });
    }
  }
  const out: Obj[] = [{
    apiVersion: `${GW_GROUP}/v1`, kind: 'Gateway',
    metadata: {
      name: GATEWAY, labels: labels('gateway'),
      // cert-manager's gateway-shim issues one Certificate per listener Secret, for the listener hostnames.
      ...(tls.mode === 'acme' ? { annotations: { 'cert-manager.io/cluster-issuer': env.clusterIssuer } } : {}),
    },
    spec: { gatewayClassName: className, listeners },
  }];
  out.push({
    apiVersion: 'gateway.envoyproxy.io/v1alpha1', kind: 'ClientTrafficPolicy',
    metadata: { name: GATEWAY, labels: labels('gateway') },
    spec: {
      targetRefs: [{ group: GW_GROUP, kind: 'Gateway', name: GATEWAY }],
      // Synapse must see the request URI as sent (encoded slashes occur in state keys and media IDs).
      path: { escapedSlashesAction: 'KeepUnchanged', disableMergeSlashes: true },
      ...(tls.mode === 'none'
        // Behind a proxy that terminates TLS: the client address is the proxy's X-Forwarded-For entry.
        ? { clientIPDetection: { xForwardedFor: { numTrustedHops: 1 } } }
        // Facing clients: drop a client-sent X-Forwarded-For before Envoy appends the peer, so the
        // leftmost entry Synapse records is the real client.
        : { headers: { earlyRequestHeaders: { remove: ['X-Forwarded-For'] } } }),
    },
  });
  if (tls.mode !== 'none') {
    out.push({
      apiVersion: `${GW_GROUP}/v1`, kind: 'HTTPRoute',
      metadata: { name: 'https-redirect', labels: labels('gateway') },
      // No hostnames: every host on port 80 is redirected; cert-manager's HTTP-01 routes (Exact
      // /.well-known/acme-challenge/<token>) outrank this catch-all.
      spec: {
        parentRefs: [{ name: GATEWAY, sectionName: 'http' }],
        rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
      },
    });
  }
  for (const r of routes) {
    const filterName = `${r.name}-rewrite`;
    const rewrite = r.paths.find((p) => p.rewrite);
    if (rewrite?.rewrite) {
      out.push({
        apiVersion: 'gateway.envoyproxy.io/v1alpha1', kind: 'HTTPRouteFilter',
        metadata: { name: filterName, labels: labels(r.component) },
        spec: { urlRewrite: { path: { type: 'ReplaceRegexMatch', replaceRegexMatch: { pattern: rewrite.path, substitution: envoySubstitution(rewrite.rewrite) } } } },
      });
    }
    const annotations = env.ingress.annotations[r.host];
    out.push({
      apiVersion: `${GW_GROUP}/v1`, kind: 'HTTPRoute',
      metadata: { name: r.name, labels: labels(r.component), ...(annotations && Object.keys(annotations).length ? { annotations: { ...annotations } } : {}) },
      spec: {
        parentRefs: [{ name: GATEWAY, sectionName: tls.mode === 'none' ? 'http' : listenerName(secrets.get(r.host) ?? '') }],
        hostnames: [r.host],
        rules: rules(r, filterName),
      },
    });
  }
  if (env.allowedCidrs.length) {
    // On each route itself (the redirect included): the most specific SecurityPolicy is the only
    // one Envoy applies, so a later route-level policy could not silently drop a Gateway-wide list.
    for (const r of out.filter((d) => d.kind === 'HTTPRoute')) {
      const name = (r.metadata as { name: string }).name;
      out.push({
        apiVersion: 'gateway.envoyproxy.io/v1alpha1', kind: 'SecurityPolicy',
        metadata: { name: `${name}-allowlist`, labels: labels('li-allowlist') },
        spec: {
          targetRefs: [{ group: GW_GROUP, kind: 'HTTPRoute', name }],
          authorization: { defaultAction: 'Deny', rules: [{ name: 'li-operators', action: 'Allow', principal: { clientCIDRs: [...env.allowedCidrs] } }] },
        },
      });
    }
  }
  return out;
}
