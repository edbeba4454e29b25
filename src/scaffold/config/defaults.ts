// Fills every optional key of a validated config. Hosts derive from the server name's host part
// (or, for an IP server name, from the parent domain of hosts.synapse, which is then required).
import { isIP } from 'node:net';
import type { Components, ElementSettings, ExternalPostgres, ExternalRedis, EmailSettings, Environment, MatrixConfig, StorageSettings, SynapseSettings } from './types.ts';
import { ingressDefaults, type RawIngress } from './ingress.ts';

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
  synapse?: Partial<Omit<SynapseSettings, 'registration' | 'email' | 'roomDirectory'>> & {
    registration?: Partial<SynapseSettings['registration']>;
    email?: Partial<EmailSettings> & Pick<EmailSettings, 'smtpHost' | 'from'>;
    roomDirectory?: Partial<SynapseSettings['roomDirectory']>;
  };
  element?: Partial<ElementSettings>;
  storage?: Partial<StorageSettings>;
  jitsi?: Partial<MatrixConfig['jitsi']>;
  sygnal?: Partial<MatrixConfig['sygnal']>;
  replicas?: MatrixConfig['replicas'];
  externalPostgres?: Partial<ExternalPostgres> & Pick<ExternalPostgres, 'host' | 'cidr'>;
  externalRedis?: Partial<ExternalRedis> & Pick<ExternalRedis, 'host' | 'cidr'>;
  resources?: MatrixConfig['resources'];
  ingress?: Partial<Record<'homelab' | 'production', RawIngress>>;
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
 * A server name that already is one of the hosts (matrix.example.org): the default hosts hang off
 * its parent domain, so they are never doubled (matrix.matrix.example.org) and Synapse keeps the
 * server name as its own host. A two-label name (matrix.org) is a domain, not a host.
 */
export function doubledPrefix(host: string): string | undefined {
  const labels = host.split('.');
  if (labels.length < 3) return undefined;
  return Object.values(HOST_PREFIXES).find((p) => p === labels[0]);
}

/**
 * The domain the default hosts, ACME e-mail and git URL hang off. An IP server name has none, so the
 * parent of hosts.synapse stands in (matrix.home.arpa → home.arpa); load.ts requires hosts.synapse then.
 */
export function baseDomain(raw: Pick<RawConfig, 'serverName' | 'hosts'>): string {
  // DNS is case-insensitive, Kubernetes host fields are lower-case only.
  const host = serverHost(raw.serverName).toLowerCase();
  if (isIP(host) === 0) return doubledPrefix(host) ? host.slice(host.indexOf('.') + 1) : host;
  const synapse = raw.hosts?.synapse ?? host;
  const labels = synapse.split('.');
  return labels.length > 2 ? labels.slice(1).join('.') : synapse;
}

export const DEFAULT_SYNAPSE: SynapseSettings = {
  registration: { mode: 'off', requireEmail: false, recaptcha: false },
  maxUploadSize: '100M', maxImagePixels: '32M', mediaUploadLimits: [{ timePeriod: '1d', maxSize: '1G' }], urlPreviews: true, autoJoinRooms: [], serverNotices: false,
  federation: 'open', federationAllowList: [], presence: true, reportStats: false, logLevel: 'INFO',
  roomDirectory: { publish: 'admins', overFederation: false, requireAuth: true },
  extraConfig: {}, extraConfigByEnvironment: {},
};

export const DEFAULT_ELEMENT: ElementSettings = { brand: 'Element', defaultTheme: 'light', extraConfig: {}, extraConfigByEnvironment: {} };

function synapseDefaults(raw: RawConfig['synapse'] = {}): SynapseSettings {
  const d = DEFAULT_SYNAPSE;
  const e = raw.email;
  const email: EmailSettings | undefined = e && {
    smtpPort: e.tls === 'implicit' ? 465 : 587, tls: 'starttls', passwordEnv: 'MATRIX_GITOPS_SMTP_PASSWORD', appName: 'Matrix', notifications: false,
    ...e,
  };
  const { email: _given, ...rest } = raw;
  return {
    ...d, ...rest,
    registration: { ...d.registration, ...raw.registration },
    roomDirectory: { ...d.roomDirectory, ...raw.roomDirectory },
    ...(email ? { email } : {}),
  };
}

export function withDefaults(raw: RawConfig): MatrixConfig {
  const host = baseDomain(raw);
  const p = HOST_PREFIXES;
  const hosts: MatrixConfig['hosts'] = {
    synapse: `${p.synapse}.${host}`, element: `${p.element}.${host}`, turn: `${p.turn}.${host}`, rtc: `${p.rtc}.${host}`,
    admin: `${p.admin}.${host}`, jitsi: `${p.jitsi}.${host}`, sygnal: `${p.sygnal}.${host}`,
    ...raw.hosts,
  };
  const environments = raw.environments ?? ['homelab', 'production'];
  // Workers and monitoring exist only in production, the admin UI only in li: without those
  // environments the defaults are off (turning them on there is refused in load.ts).
  const components: Components = {
    ...DEFAULT_COMPONENTS,
    workers: environments.includes('production'),
    monitoring: environments.includes('production'),
    synapseAdmin: environments.includes('li'),
    ...raw.components,
  };
  return {
    serverName: raw.serverName,
    environments,
    hosts,
    components,
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
    synapse: synapseDefaults(raw.synapse),
    element: { ...DEFAULT_ELEMENT, ...raw.element },
    storage: { media: {}, database: {}, backups: {}, ...raw.storage },
    jitsi: { auth: 'jwt', appId: 'matrix', ...raw.jitsi },
    sygnal: { apps: {}, ...raw.sygnal },
    replicas: raw.replicas ?? {},
    ...(raw.externalRedis ? { externalRedis: { port: 6379, passwordEnv: 'MATRIX_GITOPS_REDIS_PASSWORD', ...raw.externalRedis } } : {}),
    ...(raw.externalPostgres ? { externalPostgres: { port: 5432, database: 'synapse', user: 'synapse', sslmode: 'require', passwordEnv: 'MATRIX_GITOPS_DB_PASSWORD', ...raw.externalPostgres } } : {}),
    resources: raw.resources ?? {},
    ingress: ingressDefaults(raw.ingress, raw.environments ?? ['homelab', 'production']),
  };
}
