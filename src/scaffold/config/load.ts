// Reads matrix-gitops.yaml (and flag overrides), validates it against schema.json and fills defaults.
// Every problem becomes one line: which field, what is wrong, what to do.
import { readFileSync } from 'node:fs';
// Imported, not read beside this file: the bundled CLI (dist/cli/) has no ./schema.json next to it.
import schemaJson from './schema.json' with { type: 'json' };
import { Ajv, type ErrorObject } from 'ajv';
import { parseDocument } from 'yaml';
import { UsageError } from '../../lib/errors.ts';
import { isIP } from 'node:net';
import { FORMATS, cidrNetwork, isCanonicalCidr, isHostname } from './formats.ts';
import { serverHost, withDefaults, type RawConfig } from './defaults.ts';
import { settingsProblem } from './rules.ts';
import type { MatrixConfig } from './types.ts';
import { ingressProblem } from './ingress.ts';

export const configSchema = schemaJson as Record<string, unknown>;

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: false });
for (const [name, f] of Object.entries(FORMATS)) ajv.addFormat(name, { type: 'string', validate: f.validate });
const validateSchema = ajv.compile<RawConfig>(configSchema);

/** `/li/allowedCidrs/0` → `li.allowedCidrs[0]` */
function fieldPath(pointer: string, extra?: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '') || '(top level)';
}

function schemaAt(pointer: string): Record<string, unknown> | undefined {
  let node: unknown = configSchema;
  for (const p of pointer.split('/').slice(1)) {
    const n = node as Record<string, unknown>;
    const additional = typeof n.additionalProperties === 'object' ? n.additionalProperties : undefined;
    node = /^\d+$/.test(p) ? n.items : (n.properties as Record<string, unknown> | undefined)?.[p] ?? additional;
    if (!node) return undefined;
  }
  return node as Record<string, unknown>;
}

function closest(word: string, options: string[]): string | undefined {
  const dist = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) {
      for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    return d[a.length][b.length];
  };
  const best = options.map((o) => [o, dist(word.toLowerCase(), o.toLowerCase())] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= Math.max(2, Math.floor(word.length / 3)) ? best[0] : undefined;
}

function show(v: unknown): string {
  return JSON.stringify(v);
}

const TYPE_WORDS: Record<string, string> = {
  array: 'a list ([a, b])', object: 'a mapping (key: value)', boolean: 'true or false', string: 'a string',
};

/** One sentence for one ajv error. */
export function describe(e: ErrorObject, data: unknown): string {
  // JSON-pointer segments escape / as ~1 (annotation keys such as external-dns.alpha.kubernetes.io/ttl).
  const value = e.instancePath.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~')).reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], data);
  const field = fieldPath(e.instancePath);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      const known = Object.keys((schemaAt(e.instancePath)?.properties as Record<string, unknown>) ?? {}).filter((k) => k !== '$schema');
      const guess = closest(key, known);
      // replicas: the other worker types are addressed by name, so they can never run twice.
      const why = e.instancePath === '/replicas' ? '; every other worker type runs exactly once (it is named in instance_map, stream_writers or *_instances)' : '';
      return `${fieldPath(e.instancePath, key)}: unknown key${guess ? `; did you mean "${guess}"?` : `; remove it (known keys: ${known.join(', ')})`}${why}`;
    }
    case 'required':
      return `${fieldPath(e.instancePath, String(e.params.missingProperty))}: is required; add it to the config or pass it as a flag`;
    case 'format': {
      const f = FORMATS[String(e.params.format)];
      // propertyNames errors point at the mapping; the offending key is in propertyName.
      if (e.propertyName !== undefined) return `${fieldPath(e.instancePath, e.propertyName)}: the key ${f?.hint ?? `is not a valid ${String(e.params.format)}`}`;
      const precise = typeof value === 'string' ? f?.explain?.(value) : undefined;
      return `${field}: ${show(value)} ${precise ?? f?.hint ?? `is not a valid ${String(e.params.format)}`}`;
    }
    case 'enum':
      return `${field}: ${show(value)} is not one of ${(e.params.allowedValues as unknown[]).map(show).join(', ')}`;
    case 'type': {
      const want = TYPE_WORDS[String(e.params.type)] ?? `a ${String(e.params.type)}`;
      // YAML reads 8448, true or 2024-01-01 as non-strings; quoting is the fix.
      const fix = e.params.type === 'string' ? `; quote it ("${String(value)}")` : '';
      return `${field}: must be ${want}, got ${show(value)}${fix}`;
    }
    case 'minimum':
    case 'maximum':
      return `${field}: ${show(value)} is out of range; use ${e.keyword === 'minimum' ? 'at least' : 'at most'} ${String(e.params.limit)}`;
    case 'minItems':
      return `${field}: needs at least ${String(e.params.limit)} entr${e.params.limit === 1 ? 'y' : 'ies'}`;
    case 'uniqueItems':
      return `${field}: lists ${show((value as unknown[])[Number(e.params.j)])} twice; remove the duplicate`;
    default:
      return `${field}: ${e.message ?? 'is invalid'}`;
  }
}

/** Order: the deepest, most specific error first (a bad CIDR before "li is wrong"; a bad key's format before "propertyNames"). */
function firstError(errors: ErrorObject[]): ErrorObject {
  const depth = (e: ErrorObject) => e.instancePath.split('/').length + (e.propertyName !== undefined ? 1 : 0);
  return [...errors].sort((a, b) => depth(b) - depth(a))[0];
}

/** Before defaults: an IP server name leaves nothing to derive hostnames from. */
function rawProblem(raw: RawConfig): string | undefined {
  const host = serverHost(raw.serverName);
  if (isIP(host) !== 0 && raw.hosts?.synapse === undefined) {
    return `hosts.synapse: is required when serverName is an IP address (${host}), since no hostname can derive from it; set it, e.g. hosts: {synapse: matrix.home.arpa}`;
  }
  return undefined;
}

/** After defaults: a derived host can still be invalid (a 63-character label plus "li-"). */
function derivedHostProblem(raw: RawConfig, c: MatrixConfig): string | undefined {
  const groups: [string, Record<string, string>, Record<string, string> | undefined][] = [
    ['hosts', c.hosts, raw.hosts],
    ['li.hosts', c.li.hosts, raw.li?.hosts],
  ];
  for (const [prefix, hosts, given] of groups) {
    for (const [key, value] of Object.entries(hosts)) {
      if (given?.[key] === undefined && !isHostname(value)) {
        return `${prefix}.${key}: the default ${show(value)} derived from serverName is not a valid hostname (a label over 63 characters?); set ${prefix}.${key} explicitly`;
      }
    }
  }
  return undefined;
}

/** Rules JSON Schema cannot say clearly. */
function semanticProblem(c: MatrixConfig): string | undefined {
  for (const env of Object.keys(c.ageRecipientsByEnvironment)) {
    if (!c.environments.includes(env as MatrixConfig['environments'][number])) {
      return `ageRecipientsByEnvironment.${env}: ${env} is not in environments (${c.environments.join(', ')}); remove the entry or add ${env} to environments`;
    }
  }
  if (c.environments.includes('li')) {
    if (!c.environments.includes('production')) return 'environments: li is a read-only copy next to production; add production or remove li';
    if (c.li.allowedCidrs.length === 0) return 'li.allowedCidrs: is required when environments has li; list the CIDRs allowed to reach the li ingress, e.g. [203.0.113.0/24]';
  }
  for (const [field, list] of [['li.allowedCidrs', c.li.allowedCidrs], ['clusterCidrs', c.clusterCidrs]] as const) {
    const i = list.findIndex((x) => !isCanonicalCidr(x));
    if (i >= 0) return `${field}[${i}]: ${show(list[i])} has host bits set; write the network address ${cidrNetwork(list[i])}`;
  }
  const open = c.li.allowedCidrs.findIndex((x) => /\/0$/.test(x));
  if (open >= 0) return `li.allowedCidrs[${open}]: ${show(c.li.allowedCidrs[open])} opens the li ingress to everyone; list only the investigators' networks`;
  if (c.git.branch === c.git.deployBranch) return `git.deployBranch: must differ from git.branch (${show(c.git.branch)}): Flux follows the deploy branch, which only a passing validation advances`;
  if (c.hosts.element === c.hosts.synapse) return `hosts.element: must differ from hosts.synapse (${show(c.hosts.synapse)}); Element on the homeserver's host weakens its XSS protection`;
  // Each web service gets an Ingress with its own host; two on one host would fight over the same paths.
  const web: [string, string][] = [['hosts.synapse', c.hosts.synapse], ['hosts.element', c.hosts.element]];
  if (c.components.synapseAdmin) web.push(['hosts.admin', c.hosts.admin]);
  if (c.components.livekit) web.push(['hosts.rtc', c.hosts.rtc]);
  if (c.components.jitsi) web.push(['hosts.jitsi', c.hosts.jitsi]);
  if (c.components.sygnal) web.push(['hosts.sygnal', c.hosts.sygnal]);
  if (c.environments.includes('li')) {
    web.push(['li.hosts.synapse', c.li.hosts.synapse], ['li.hosts.element', c.li.hosts.element]);
    if (c.components.synapseAdmin) web.push(['li.hosts.admin', c.li.hosts.admin]);
  }
  for (let i = 1; i < web.length; i++) {
    const j = web.findIndex(([, h]) => h === web[i][1]);
    if (j < i) return `${web[i][0]}: ${show(web[i][1])} is already ${web[j][0]}; give every web service its own host (their Ingress rules would collide)`;
  }
  return undefined;
}

/** `over` laid on `base`, objects merged key by key; arrays and scalars replace. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (typeof base !== 'object' || base === null || Array.isArray(base) || typeof over !== 'object' || over === null || Array.isArray(over)) return over;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(out[k], v);
  return out;
}

/** Validates an already parsed config; `source` names it in error messages. */
/** `hosts:` with every entry commented out is YAML null: treat a key without a value as unset. */
function dropNulls(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, dropNulls(x)]));
}

export function validateConfig(input: unknown, source: string): MatrixConfig {
  const raw = dropNulls(input);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UsageError(`${source}: the config must be a YAML mapping (key: value), got ${raw === null ? 'nothing' : typeof raw}`);
  }
  if (!validateSchema(raw)) throw new UsageError(`${source}: ${describe(firstError(validateSchema.errors ?? []), raw)}`);
  const early = rawProblem(raw);
  if (early) throw new UsageError(`${source}: ${early}`);
  const config = withDefaults(raw);
  const problem = derivedHostProblem(raw, config) ?? semanticProblem(config) ?? settingsProblem(config) ?? ingressProblem(config, raw.ingress);
  if (problem) throw new UsageError(`${source}: ${problem}`);
  return config;
}

export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: cannot read the config (${code === 'ENOENT' ? 'no such file' : code ?? 'error'}); pass an existing file with --config`);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0];
    throw new UsageError(`${file}${line ? `:${line.line}:${line.col}` : ''}: not valid YAML (${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}); fix the syntax`);
  }
  return doc.toJS() as unknown;
}

/** The config from a file, flags layered over it (flags win). */
export function loadConfig(opts: { file?: string; overrides?: DeepPartial<MatrixConfig> }): MatrixConfig {
  const fromFile = opts.file ? readConfigFile(opts.file) : {};
  const source = opts.file ?? 'flags';
  const merged = opts.overrides ? deepMerge(fromFile ?? {}, opts.overrides) : fromFile;
  return validateConfig(merged, source);
}
