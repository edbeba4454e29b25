// Rules about the Synapse/Element/component settings that JSON Schema cannot say clearly. Each
// returns the first problem as one line (field: what is wrong; what to do), or undefined.
import { extraConfigProblem } from './extra-config.ts';
import { serverHost } from './defaults.ts';
import type { MatrixConfig } from './types.ts';

function registrationProblem(c: MatrixConfig): string | undefined {
  const r = c.synapse.registration;
  if (r.mode === 'open' && !r.requireEmail && !r.recaptcha) {
    return 'synapse.registration.mode: open registration without requireEmail or recaptcha lets bots create accounts (spam, abuse); set requireEmail: true (with synapse.email) or recaptcha: true, or use mode: token';
  }
  if (r.requireEmail && !c.synapse.email) return 'synapse.registration.requireEmail: needs synapse.email (smtpHost, from) to send the verification mail; configure it or set requireEmail: false';
  if (r.mode !== 'open' && (r.requireEmail || r.recaptcha)) return `synapse.registration.${r.requireEmail ? 'requireEmail' : 'recaptcha'}: only applies to mode: open (mode is ${r.mode}); remove it or set mode: open`;
  return undefined;
}

function emailProblem(c: MatrixConfig): string | undefined {
  const e = c.synapse.email;
  if (!e) return undefined;
  if (e.user !== undefined && e.tls === 'none') return 'synapse.email.tls: none would send the SMTP password in clear text; use starttls or implicit, or drop email.user for an unauthenticated relay';
  return undefined;
}

function federationProblem(c: MatrixConfig): string | undefined {
  const s = c.synapse;
  if (s.federation === 'allowList' && s.federationAllowList.length === 0) return 'synapse.federationAllowList: is empty with federation: allowList; list the servers to federate with, or set federation: off';
  if (s.federation !== 'allowList' && s.federationAllowList.length) return `synapse.federationAllowList: only applies to federation: allowList (federation is ${s.federation}); remove it or set federation: allowList`;
  if (s.roomDirectory.overFederation && s.federation === 'off') return 'synapse.roomDirectory.overFederation: federation is off, so no other server can read the room list; remove it';
  return undefined;
}

function componentProblem(c: MatrixConfig): string | undefined {
  const envs = c.environments;
  for (const k of ['workers', 'monitoring'] as const) {
    if (c.components[k] && !envs.includes('production')) {
      return `components.${k}: only the production environment runs ${k === 'workers' ? 'Synapse workers (and their Redis)' : 'monitoring (it needs the Prometheus operator)'}, and environments has none; set components.${k}: false or add production`;
    }
  }
  if (c.components.synapseAdmin && !envs.includes('li')) {
    return 'components.synapseAdmin: the admin UI is served only on the allow-listed li copy (the admin API is never routed on a public Ingress); set components.synapseAdmin: false, or add li with li.allowedCidrs';
  }
  if (c.components.jitsi && c.jitsi.auth === 'none' && envs.includes('production')) {
    return 'jitsi.auth: none leaves the production Jitsi open to anyone who finds it (free conference server for the internet); use auth: jwt';
  }
  if (c.storage.media.readWriteMany === false && c.components.workers && envs.includes('production')) {
    return 'storage.media.readWriteMany: the production media worker and the main process share the media volume, which needs ReadWriteMany; remove the key (or set components.workers: false)';
  }
  const apps = Object.entries(c.sygnal.apps);
  if (apps.length && !c.components.sygnal) return 'sygnal.apps: components.sygnal is off, so no push gateway uses them; turn components.sygnal on or remove sygnal.apps';
  for (const [id, a] of apps) {
    const need = a.type === 'apns' ? (['keyId', 'teamId', 'topic'] as const) : (['projectId'] as const);
    const missing = need.find((k) => a[k] === undefined);
    if (missing) return `sygnal.apps.${id}.${missing}: is required for type ${a.type}; add it (${a.type === 'apns' ? 'from the Apple developer account key page' : 'the Firebase project id'})`;
    const foreign = (a.type === 'apns' ? ['projectId'] : ['keyId', 'teamId', 'topic', 'platform']).find((k) => k in a);
    if (foreign) return `sygnal.apps.${id}.${foreign}: does not apply to type ${a.type}; remove it`;
  }
  return undefined;
}

/** A host that repeats the server name's first label: matrix.matrix.example.org for serverName matrix.example.org. */
function doubledHostProblem(c: MatrixConfig): string | undefined {
  const host = serverHost(c.serverName).toLowerCase();
  const first = host.split('.')[0];
  // matrix.org is a domain (its hosts may well be matrix.matrix.org); only a host-like name doubles.
  if (host.split('.').length < 3) return undefined;
  const all: [string, string][] = [...Object.entries(c.hosts).map(([k, v]): [string, string] => [`hosts.${k}`, v]), ...Object.entries(c.li.hosts).map(([k, v]): [string, string] => [`li.hosts.${k}`, v])];
  for (const [field, h] of all) {
    if (h === `${first}.${host}` || h === `li-${first}.${host}`) {
      return `${field}: ${JSON.stringify(h)} doubles the server name ${JSON.stringify(host)}; use ${JSON.stringify(h.replace(`${first}.${host}`, host))} (the server name itself can be the Synapse host)`;
    }
  }
  return undefined;
}

function externalPostgresProblem(c: MatrixConfig): string | undefined {
  if (!c.externalPostgres) return undefined;
  if (c.environments.includes('li')) return 'externalPostgres: the li copy replicates from the production CloudNativePG cluster, which an external database replaces; remove li or externalPostgres';
  if (c.storage.database.storageClass || c.storage.database.size) return 'storage.database: the database is external (externalPostgres), so the stack has no database volume; remove storage.database';
  return undefined;
}

function externalRedisProblem(c: MatrixConfig): string | undefined {
  if (c.externalRedis && !(c.components.workers && c.environments.includes('production'))) {
    return 'externalRedis: only the production Synapse workers use Redis, and they are off here; remove externalRedis or turn components.workers on with production';
  }
  return undefined;
}

function scalingProblem(c: MatrixConfig): string | undefined {
  for (const [name, r] of Object.entries(c.replicas)) {
    if (r?.min !== undefined && r.max !== undefined && r.min > r.max) return `replicas.${name}: min ${r.min} is above max ${r.max}; make max at least ${r.min}`;
  }
  for (const env of Object.keys(c.resources)) {
    if (!c.environments.includes(env as MatrixConfig['environments'][number])) return `resources.${env}: ${env} is not in environments (${c.environments.join(', ')}); remove the entry or add ${env} to environments`;
  }
  return undefined;
}

export function settingsProblem(c: MatrixConfig): string | undefined {
  return registrationProblem(c) ?? externalPostgresProblem(c) ?? externalRedisProblem(c) ?? scalingProblem(c) ?? emailProblem(c) ?? federationProblem(c) ?? componentProblem(c) ?? doubledHostProblem(c)
    ?? extraConfigProblem('synapse', c.synapse.extraConfig, c.synapse.extraConfigByEnvironment, c.environments)
    ?? extraConfigProblem('element', c.element.extraConfig, c.element.extraConfigByEnvironment, c.environments);
}
