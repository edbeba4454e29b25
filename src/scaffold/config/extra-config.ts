// synapse.extraConfig / element.extraConfig: the operator's own keys, deep-merged into
// homeserver.yaml / config.json after everything the tool renders. Secrets never go this way: the
// generated files are ConfigMaps (readable by anyone who can read the namespace) and sit in git in
// plain text, so a secret-looking key is refused and the secret-file way is named instead.
import type { Environment, ExtraConfig } from './types.ts';

/** Key names that hold credentials in Synapse or Element config (exact words, snake_case parts). */
const SECRET_KEY = /^(?:.*_)?(?:secret|password|passwd|pass|pepper|token_secret|private_key|secret_key|api_key|access_token|as_token|hs_token)$/i;

/** The first secret-looking key in `extra`, as a dotted path below `prefix`. */
export function secretKeyIn(extra: unknown, prefix: string): string | undefined {
  if (typeof extra !== 'object' || extra === null) return undefined;
  const entries: [string, unknown][] = Array.isArray(extra) ? extra.map((v, i) => [`[${i}]`, v]) : Object.entries(extra);
  for (const [k, v] of entries) {
    const at = k.startsWith('[') ? `${prefix}${k}` : `${prefix}.${k}`;
    if (!k.startsWith('[') && SECRET_KEY.test(k)) return at;
    const deeper = secretKeyIn(v, at);
    if (deeper) return deeper;
  }
  return undefined;
}

/** Keys the tool must own: changing them through extraConfig would break the lock or the gate. */
const OWNED: Record<'synapse' | 'element', Record<string, string>> = {
  synapse: {
    server_name: 'set serverName instead (it can never change once scaffolded)',
    public_baseurl: 'set hosts.synapse instead',
    listeners: 'the Service, probes and Ingress depend on them; change them with a patch in overlays/<env>/custom/',
    database: 'the database connection follows the postgres component',
  },
  element: {
    default_server_config: 'set hosts.synapse and serverName instead',
  },
};

/** `extraConfig` then the environment's own mapping, laid over `base` (objects merged, the rest replaced). */
export function mergeExtra(base: Record<string, unknown>, extra: ExtraConfig, byEnv: Partial<Record<Environment, ExtraConfig>>, env: Environment): Record<string, unknown> {
  return deepMergeObj(deepMergeObj(base, extra), byEnv[env] ?? {});
}

function deepMergeObj(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    const bothObjects = [b, v].every((x) => typeof x === 'object' && x !== null && !Array.isArray(x));
    out[k] = bothObjects ? deepMergeObj(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/** One line for the first problem of a component's extraConfig and extraConfigByEnvironment. */
export function extraConfigProblem(component: 'synapse' | 'element', extra: ExtraConfig, byEnv: Partial<Record<Environment, ExtraConfig>>, environments: Environment[]): string | undefined {
  const how = component === 'synapse'
    ? 'secrets go in a SOPS secret file read through a *_path option (see README, "Secrets")'
    : 'Element config.json is served to every browser, so it can hold no secret';
  const sets: [string, ExtraConfig][] = [[`${component}.extraConfig`, extra], ...Object.entries(byEnv).map(([e, x]): [string, ExtraConfig] => [`${component}.extraConfigByEnvironment.${e}`, x ?? {}])];
  for (const [field, x] of sets) {
    const env = field.split('.')[2] as Environment | undefined;
    if (env && !environments.includes(env)) return `${field}: ${env} is not in environments (${environments.join(', ')}); remove the entry or add ${env} to environments`;
    const secret = secretKeyIn(x, field);
    if (secret) return `${secret}: looks like a secret and extraConfig is rendered into a plain-text ConfigMap; ${how}`;
    for (const [key, why] of Object.entries(OWNED[component])) {
      if (key in x) return `${field}.${key}: is rendered by matrix-gitops; ${why}`;
    }
  }
  return undefined;
}
