// The string formats of the config schema, each with the one-line hint a user sees when a value fails.
import { isIP, isIPv4, isIPv6 } from 'node:net';

export interface Format {
  validate: (value: string) => boolean;
  /** what is wrong and how to write it */
  hint: string;
  /** a hint for this very value, when one can be more precise than `hint` (e.g. the fixed URL) */
  explain?: (value: string) => string | undefined;
}

/** git@host:owner/repo.git (scp-like syntax): git understands it, Flux's GitRepository does not. */
export function scpLikeToSsh(v: string): string | undefined {
  const m = /^([\w.-]+)@([\w.-]+):(?!\/\/)(\S+)$/.exec(v);
  return m ? `ssh://${m[1]}@${m[2]}/${m[3].replace(/^\/+/, '')}` : undefined;
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A lower-case FQDN: Kubernetes refuses upper case in Ingress hosts and certificate names. */
export function isHostname(v: string): boolean {
  if (v.length > 253 || !v.includes('.')) return false;
  return v.split('.').every((l) => LABEL.test(l)) && !/^\d+$/.test(v.split('.').pop() ?? '');
}

function isPort(p: string): boolean {
  return /^\d{1,5}$/.test(p) && Number(p) >= 1 && Number(p) <= 65535;
}

/** Synapse server_name: host[:port], where host is a DNS name, an IPv4 address or a bracketed IPv6 address. */
export function isServerName(v: string): boolean {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(.*))?$/.exec(v);
  if (!m) return false;
  const [, host, port] = m;
  if (port !== undefined && !isPort(port)) return false;
  if (host.startsWith('[')) return isIPv6(host.slice(1, -1));
  // A bare label other than localhost cannot be resolved by other servers, so it is refused.
  return isIPv4(host) || isHostname(host) || host === 'localhost';
}

/** An image registry as it appears in an image reference: host[:port] (registry.local:5000). */
export function isRegistry(v: string): boolean {
  const m = /^([^:]+)(?::(\d+))?$/.exec(v);
  if (!m) return false;
  const [, host, port] = m;
  return (port === undefined || isPort(port)) && (isHostname(host) || isIPv4(host) || host === 'localhost');
}

export function isCidr(v: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(v);
  if (!m) return false;
  const family = isIP(m[1]);
  const bits = Number(m[2]);
  return family === 4 ? bits <= 32 : family === 6 ? bits <= 128 : false;
}

function ipToBigInt(ip: string): { value: bigint; bits: number } {
  if (isIPv4(ip)) return { value: ip.split('.').reduce((n, o) => (n << 8n) | BigInt(Number(o)), 0n), bits: 32 };
  // IPv6: expand "::" and a trailing dotted IPv4 part into eight 16-bit groups.
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipToBigInt(v4[1]).value;
    text = `${text.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return { value: groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n), bits: 128 };
}

function bigIntToIp(value: bigint, bits: number): string {
  if (bits === 32) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // Shorten the longest run of zero groups (RFC 5952).
  let best = [-1, 0];
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best[1] && j - i > 1) best = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  if (best[0] < 0) return groups.join(':');
  return `${groups.slice(0, best[0]).join(':')}::${groups.slice(best[0] + best[1]).join(':')}`;
}

/** The network address of a valid CIDR (203.0.113.7/24 → 203.0.113.0/24). */
export function cidrNetwork(cidr: string): string {
  const [ip, prefix] = cidr.split('/');
  const { value, bits } = ipToBigInt(ip);
  const host = (1n << BigInt(bits - Number(prefix))) - 1n;
  return `${bigIntToIp(value & ~host, bits)}/${prefix}`;
}

/** True when the CIDR has no host bits set (Kubernetes warns about, and may refuse, anything else). */
export function isCanonicalCidr(cidr: string): boolean {
  const [ip, prefix] = cidr.split('/');
  const { value, bits } = ipToBigInt(ip);
  return (value & ((1n << BigInt(bits - Number(prefix))) - 1n)) === 0n;
}

export const FORMATS: Record<string, Format> = {
  'server-name': {
    validate: isServerName,
    hint: 'must be a domain in lower case (example.org), a domain with port (example.org:8448), an IPv4 address or a bracketed IPv6 address ([2001:db8::1])',
  },
  'hostname-strict': { validate: isHostname, hint: 'must be a fully qualified hostname in lower case, such as matrix.example.org (no scheme, port or path)' },
  registry: { validate: isRegistry, hint: 'must be a registry host as written in image names, such as ghcr.io or registry.home.arpa:5000 (no scheme or path)' },
  cidr: { validate: isCidr, hint: 'must be a CIDR such as 203.0.113.0/24 (prefix 0-32 for IPv4, 0-128 for IPv6)' },
  'dns-label': { validate: (v) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(v), hint: 'must be a Kubernetes namespace name: lower-case letters, digits and -, at most 63' },
  'git-url': {
    // Flux's GitRepository CRD only takes http(s):// and ssh:// URLs (kubeconform refuses the rest).
    validate: (v) => /^(https?|ssh):\/\/[^\s/]+\/\S+$/.test(v),
    hint: 'must be a URL Flux can clone: https://host/path.git or ssh://git@host/path.git',
    explain: (v) => {
      const ssh = scpLikeToSsh(v);
      return ssh ? `is scp-like git syntax, which Flux cannot clone; write it as ${JSON.stringify(ssh)}` : undefined;
    },
  },
  branch: { validate: (v) => /^(?!\/|.*\/\/|.*\.\.|.*\/$)[A-Za-z0-9._/-]+$/.test(v) && !v.endsWith('.lock'), hint: 'must be a git branch name such as main' },
  'age-recipient': { validate: (v) => /^age1[02-9ac-hj-np-z]{58}$/.test(v), hint: 'must be an age public key (age1… 62 characters), as printed by age-keygen -y' },
  'ip-or-empty': { validate: (v) => v === '' || isIP(v) !== 0, hint: 'must be an IP address, or empty to discover it' },
  // ingress (issue #16): IngressClass/GatewayClass and Secret names are DNS subdomains.
  'resource-name': { validate: (v) => v.length <= 253 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(v), hint: 'must be a Kubernetes object name: lower-case letters, digits, - and ., at most 253' },
  email: { validate: (v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v), hint: 'must be an e-mail address' },
  // Kubernetes resource.Quantity as storage sizes are written (binary or decimal suffix).
  quantity: { validate: (v) => /^[1-9]\d*(\.\d+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/.test(v), hint: 'must be a Kubernetes quantity such as 20Gi or 500Mi' },
  'dns-subdomain': {
    validate: (v) => v.length <= 253 && v.split('.').every((l) => LABEL.test(l)),
    hint: 'must be a Kubernetes object name: lower-case letters, digits, - and ., such as local-path',
  },
  host: { validate: (v) => isHostname(v) || isIP(v) !== 0 || v === 'localhost', hint: 'must be a hostname or IP address without scheme or port, such as db.example.org or 10.0.5.10' },
  'mail-from': {
    validate: (v) => /^[^\s@<>]+@[^\s@<>]+$/.test(v) || /^[^<>@]*<[^\s@<>]+@[^\s@<>]+>$/.test(v),
    hint: "must be an e-mail address, optionally with a name: noreply@example.org or 'Matrix <noreply@example.org>'",
  },
  'env-name': { validate: (v) => /^[A-Z_][A-Z0-9_]*$/.test(v), hint: 'must be an environment variable name in upper case, such as MATRIX_GITOPS_SMTP_PASSWORD' },
  // Synapse durations: a number with ms, s, m, h, d, w or y.
  duration: { validate: (v) => /^\d+(ms|s|m|h|d|w|y)$/.test(v), hint: 'must be a Synapse duration: a number with ms, s, m, h, d, w or y, such as 30d or 1y' },
  // Synapse sizes: a number with K or M (or G), e.g. 100M.
  size: { validate: (v) => /^\d+[KMG]?$/.test(v), hint: 'must be a Synapse size: a number with K, M or G, such as 100M' },
  'room-alias': { validate: (v) => /^#[^:\s]+:\S+$/.test(v), hint: "must be a room alias such as '#welcome:example.org' (quote it: # starts a YAML comment)" },
  'https-url': { validate: (v) => /^https:\/\/[^\s/]+(\/\S*)?$/.test(v), hint: 'must be an https:// URL' },
  'country-code': { validate: (v) => /^[A-Z]{2}$/.test(v), hint: 'must be a two-letter ISO 3166 country code in upper case, such as GB' },
  'pg-name': { validate: (v) => /^[a-z_][a-z0-9_]{0,62}$/.test(v), hint: 'must be a PostgreSQL name: lower-case letters, digits and _, at most 63, such as synapse' },
  'app-id': { validate: (v) => /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/.test(v), hint: 'must be an app id in reverse-DNS form, such as org.example.app.ios' },
};
