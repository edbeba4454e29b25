// The traffic settings of the config (issue #16): provider, class, per-host annotations and TLS mode
// per environment. li is not configurable on its own: it runs in the production cluster, behind the
// same controller, so it follows production.
import type { Environment, IngressSettings, MatrixConfig } from './types.ts';
import { serverHost } from './defaults.ts';

export type IngressProvider = IngressSettings['provider'];
export type TlsMode = IngressSettings['tls']['mode'];
export type ConfigurableEnvironment = Exclude<Environment, 'li'>;

/** The GatewayClass/IngressClass each provider attaches to unless className says otherwise. */
export const DEFAULT_CLASS: Record<IngressProvider, string> = {
  'gateway-api': 'envoy-gateway',
  traefik: 'traefik',
  'ingress-nginx': 'nginx',
};

const DEFAULTS: Record<ConfigurableEnvironment, { provider: IngressProvider; tls: TlsMode }> = {
  // Operators deploying today get Gateway API with Envoy Gateway (installed by Flux).
  production: { provider: 'gateway-api', tls: 'acme' },
  // k3s ships Traefik; a homelab usually sits behind a router or tunnel that terminates TLS.
  homelab: { provider: 'traefik', tls: 'none' },
};

export interface RawIngress {
  provider?: IngressProvider;
  className?: string;
  annotations?: Record<string, Record<string, string>>;
  tls?: { mode: TlsMode; secretName?: string };
}

/** Settings of one environment with the defaults filled in. */
function settings(env: ConfigurableEnvironment, r: RawIngress = {}): IngressSettings {
  const provider = r.provider ?? DEFAULTS[env].provider;
  return {
    provider,
    className: r.className ?? DEFAULT_CLASS[provider],
    annotations: r.annotations ?? {},
    tls: r.tls ? { ...r.tls } : { mode: DEFAULTS[env].tls },
  };
}

/** Filled for the deployed environments (and any given entry, which ingressProblem then checks), so
 *  the effective config scaffold writes back reads in again unchanged. */
export function ingressDefaults(raw: Partial<Record<ConfigurableEnvironment, RawIngress>> | undefined, environments: readonly Environment[]): Partial<Record<ConfigurableEnvironment, IngressSettings>> {
  const out: Partial<Record<ConfigurableEnvironment, IngressSettings>> = {};
  for (const env of ['homelab', 'production'] as const) {
    const deployed = environments.includes(env) || (env === 'production' && environments.includes('li'));
    if (deployed || raw?.[env]) out[env] = settings(env, raw?.[env]);
  }
  return out;
}

/** The ingress settings an environment uses (li: production's). */
export function ingressFor(c: Pick<MatrixConfig, 'ingress'>, env: Environment): IngressSettings {
  const key = env === 'li' ? 'production' : env;
  return c.ingress[key] ?? settings(key);
}

// Kubernetes annotation keys: an optional DNS-subdomain prefix and a name of at most 63 characters.
const ANNOTATION_KEY = /^(([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Hosts an environment serves, to check annotation keys against. */
export function servedHosts(c: MatrixConfig, env: ConfigurableEnvironment): string[] {
  const h = c.hosts;
  // The server name's host serves /.well-known/matrix (wellknown).
  const hosts = [h.synapse, h.element, serverHost(c.serverName)];
  if (c.components.livekit) hosts.push(h.rtc);
  if (c.components.jitsi) hosts.push(h.jitsi);
  if (c.components.sygnal) hosts.push(h.sygnal);
  if (env === 'production' && c.environments.includes('li')) {
    hosts.push(c.li.hosts.synapse, c.li.hosts.element);
    if (c.components.synapseAdmin) hosts.push(c.li.hosts.admin);
  }
  return [...new Set(hosts)];
}

/** Rules JSON Schema cannot say clearly; one line each. */
export function ingressProblem(c: MatrixConfig, given: Partial<Record<ConfigurableEnvironment, RawIngress>> | undefined): string | undefined {
  for (const env of ['homelab', 'production'] as const) {
    const field = `ingress.${env}`;
    if (given?.[env] && !c.environments.includes(env)) {
      return `${field}: ${env} is not in environments (${c.environments.join(', ')}); remove the entry or add ${env} to environments`;
    }
    const s = c.ingress[env];
    if (!s) continue;
    if (s.tls.mode === 'secret' && !s.tls.secretName) return `${field}.tls.secretName: is required when tls.mode is secret; name the kubernetes.io/tls Secret that holds the certificate for every host`;
    if (s.tls.mode !== 'secret' && s.tls.secretName) return `${field}.tls.secretName: is only used with tls.mode secret (mode is ${s.tls.mode}); remove it or set mode: secret`;
    // The effective config scaffold writes back carries className: traefik, which must read in again.
    if (s.provider === 'traefik' && s.className !== DEFAULT_CLASS.traefik) return `${field}.className: traefik routes are IngressRoutes, which have no class; remove className or pick provider ingress-nginx or gateway-api`;
    if (!c.environments.includes(env)) continue;
    const hosts = servedHosts(c, env);
    for (const [host, annotations] of Object.entries(s.annotations)) {
      if (!hosts.includes(host)) return `${field}.annotations.${host}: ${env} serves no such host; use one of ${hosts.join(', ')}`;
      for (const key of Object.keys(annotations)) {
        if (!ANNOTATION_KEY.test(key)) return `${field}.annotations.${host}: ${JSON.stringify(key)} is not a Kubernetes annotation key (prefix/name, name at most 63 of A-Z a-z 0-9 - _ .); fix the key`;
      }
    }
  }
  return undefined;
}

/** One line for each setting that works but should change; scaffold prints them as warnings. */
export function ingressWarnings(c: MatrixConfig): string[] {
  const out: string[] = [];
  for (const env of ['homelab', 'production'] as const) {
    if (!c.environments.includes(env) || c.ingress[env]?.provider !== 'ingress-nginx') continue;
    out.push(`ingress.${env}.provider: ingress-nginx reached end of maintenance on 2026-03-24 (no releases or security fixes since); switch to gateway-api (production) or traefik (homelab), see README "Traffic"`);
  }
  return out;
}
