// The string formats of the config schema, each with the one-line hint a user sees when a value fails.
import { isIP, isIPv4, isIPv6 } from 'node:net';

export interface Format {
  validate: (value: string) => boolean;
  /** what is wrong and how to write it */
  hint: string;
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
    validate: (v) => /^(https?|ssh):\/\/[^\s/]+\/\S+$/.test(v) || /^[\w.-]+@[\w.-]+:\S+$/.test(v),
    hint: 'must be a URL Flux can clone: https://host/path.git, ssh://git@host/path.git or git@host:path.git',
  },
  branch: { validate: (v) => /^(?!\/|.*\/\/|.*\.\.|.*\/$)[A-Za-z0-9._/-]+$/.test(v) && !v.endsWith('.lock'), hint: 'must be a git branch name such as main' },
  'age-recipient': { validate: (v) => /^age1[02-9ac-hj-np-z]{58}$/.test(v), hint: 'must be an age public key (age1… 62 characters), as printed by age-keygen -y' },
  'ip-or-empty': { validate: (v) => v === '' || isIP(v) !== 0, hint: 'must be an IP address, or empty to discover it' },
  email: { validate: (v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v), hint: 'must be an e-mail address' },
};
