// Fills every optional key of a validated config. Hosts derive from the server name's host part
// (or, for an IP server name, from the parent domain of hosts.synapse, which is then required).
import { isIP } from 'node:net';
import type { Components, Environment, MatrixConfig } from './types.ts';

export interface RawConfig {
  serverName: string;
  environments?: Environment[];
  hosts?: Partial<MatrixConfig['hosts']>;
  components?: Partial<Components>;
  li?: { allowedCidrs?: string[]; hosts?: Partial<MatrixConfig['li']['hosts']> };
  namespace?: string;
  git?: Partial<MatrixConfig['git']>;
  acme?: Partial<MatrixConfig['acme']>;
  ageRecipients?: string[];
  ageRecipientsByEnvironment?: Partial<Record<Environment, string[]>>;
  trustedRegistries?: string[];
  requireImageDigests?: boolean;
  clusterCidrs?: string[];
  externalIp?: string;
}

export const DEFAULT_COMPONENTS: Components = {
  coturn: true, livekit: true, jitsi: false, workers: true, monitoring: true,
  antivirus: false, sygnal: false, synapseAdmin: true, backups: true,
};

/** The host part of a server name (port and IPv6 brackets removed). */
export function serverHost(serverName: string): string {
  if (serverName.startsWith('[')) return serverName.slice(1, serverName.indexOf(']'));
  return serverName.split(':')[0];
}

/** Host prefix per hosts key: matrix.example.org, chat.example.org, … */
export const HOST_PREFIXES: Readonly<MatrixConfig['hosts']> = {
  synapse: 'matrix', element: 'chat', turn: 'turn', rtc: 'rtc', admin: 'admin', jitsi: 'jitsi', sygnal: 'sygnal',
};

/**
 * The domain the default hosts, ACME e-mail and git URL hang off. An IP server name has none, so the
 * parent of hosts.synapse stands in (matrix.home.arpa → home.arpa); load.ts requires hosts.synapse then.
 */
export function baseDomain(raw: Pick<RawConfig, 'serverName' | 'hosts'>): string {
  // DNS is case-insensitive, Kubernetes host fields are lower-case only.
  const host = serverHost(raw.serverName).toLowerCase();
  if (isIP(host) === 0) return host;
  const synapse = raw.hosts?.synapse ?? host;
  const labels = synapse.split('.');
  return labels.length > 2 ? labels.slice(1).join('.') : synapse;
}

export function withDefaults(raw: RawConfig): MatrixConfig {
  const host = baseDomain(raw);
  const p = HOST_PREFIXES;
  const hosts: MatrixConfig['hosts'] = {
    synapse: `${p.synapse}.${host}`, element: `${p.element}.${host}`, turn: `${p.turn}.${host}`, rtc: `${p.rtc}.${host}`,
    admin: `${p.admin}.${host}`, jitsi: `${p.jitsi}.${host}`, sygnal: `${p.sygnal}.${host}`,
    ...raw.hosts,
  };
  return {
    serverName: raw.serverName,
    environments: raw.environments ?? ['homelab', 'production'],
    hosts,
    components: { ...DEFAULT_COMPONENTS, ...raw.components },
    li: {
      allowedCidrs: raw.li?.allowedCidrs ?? [],
      hosts: { synapse: `li-${hosts.synapse}`, element: `li-${hosts.element}`, admin: `li-${hosts.admin}`, ...raw.li?.hosts },
    },
    namespace: raw.namespace ?? 'matrix',
    git: { url: `https://git.${host}/ops/matrix-gitops.git`, branch: 'main', deployBranch: 'deploy', ...raw.git },
    acme: { email: `admin@${host}`, ...raw.acme },
    ageRecipients: raw.ageRecipients ?? [],
    ageRecipientsByEnvironment: raw.ageRecipientsByEnvironment ?? {},
    trustedRegistries: raw.trustedRegistries ?? ['docker.io', 'ghcr.io'],
    requireImageDigests: raw.requireImageDigests ?? false,
    clusterCidrs: raw.clusterCidrs ?? ['10.42.0.0/16', '10.43.0.0/16'],
    externalIp: raw.externalIp ?? '',
  };
}
