// Fills every optional key of a validated config. Hosts derive from the server name's host part.
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
  trustedRegistries?: string[];
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

export function withDefaults(raw: RawConfig): MatrixConfig {
  const host = serverHost(raw.serverName);
  const hosts: MatrixConfig['hosts'] = {
    synapse: `matrix.${host}`, element: `chat.${host}`, turn: `turn.${host}`, rtc: `rtc.${host}`,
    admin: `admin.${host}`, jitsi: `meet.${host}`, sygnal: `push.${host}`,
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
    trustedRegistries: raw.trustedRegistries ?? ['docker.io', 'ghcr.io'],
    clusterCidrs: raw.clusterCidrs ?? ['10.42.0.0/16', '10.43.0.0/16'],
    externalIp: raw.externalIp ?? '',
  };
}
