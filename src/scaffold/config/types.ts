// The user-facing configuration (the YAML file `scaffold --config` reads, after defaults are applied).
// The JSON Schema in src/scaffold/config/schema.json is the source of truth for validation; these types
// mirror it for the code. Keep both in step.

export type Environment = 'homelab' | 'production' | 'li';
export const ENVIRONMENTS: readonly Environment[] = ['homelab', 'production', 'li'];

export interface Hosts {
  /** Synapse client/federation API host, e.g. matrix.example.org */
  synapse: string;
  /** Element Web host, e.g. chat.example.org */
  element: string;
  /** coturn host (TURN realm and turn_uris) */
  turn: string;
  /** LiveKit + lk-jwt-service host (livekit_service_url) */
  rtc: string;
  /** synapse-admin UI host */
  admin: string;
  /** Jitsi Meet host (only used when components.jitsi), default jitsi.<domain> */
  jitsi: string;
  /** Sygnal push gateway host (only used when components.sygnal), default sygnal.<domain> */
  sygnal: string;
}

export interface Components {
  coturn: boolean;
  livekit: boolean;
  jitsi: boolean;
  workers: boolean;
  monitoring: boolean;
  antivirus: boolean;
  sygnal: boolean;
  synapseAdmin: boolean;
  backups: boolean;
}

export interface LiSettings {
  /** CIDRs allowed to reach the LI ingress; required when li is an environment. */
  allowedCidrs: string[];
  /** Hosts of the LI copy; default li-<host>. */
  hosts: { synapse: string; element: string; admin: string };
}

export type RegistrationMode = 'off' | 'token' | 'open';
export type Federation = 'open' | 'allowList' | 'off';

export interface EmailSettings {
  smtpHost: string;
  smtpPort: number;
  /** starttls: STARTTLS required; implicit: SMTPS; none: plain text to a nearby relay */
  tls: 'starttls' | 'implicit' | 'none';
  from: string;
  /** with a user the password is a SOPS secret (read from passwordEnv when first written) */
  user?: string;
  passwordEnv: string;
  appName: string;
  notifications: boolean;
}

/** A mapping deep-merged into a generated config file last. */
export type ExtraConfig = Record<string, unknown>;

export interface SynapseSettings {
  registration: { mode: RegistrationMode; requireEmail: boolean; recaptcha: boolean };
  email?: EmailSettings;
  retention?: { maxLifetime?: string; allowedLifetimeMin?: string; allowedLifetimeMax?: string };
  maxUploadSize: string;
  maxImagePixels: string;
  /** Synapse media_upload_limits: per-user volume per window; [] for none. */
  mediaUploadLimits: Array<{ timePeriod: string; maxSize: string }>;
  urlPreviews: boolean;
  autoJoinRooms: string[];
  serverNotices: boolean;
  federation: Federation;
  federationAllowList: string[];
  presence: boolean;
  reportStats: boolean;
  logLevel: 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';
  roomDirectory: { publish: 'admins' | 'users'; overFederation: boolean; requireAuth: boolean };
  extraConfig: ExtraConfig;
  extraConfigByEnvironment: Partial<Record<Environment, ExtraConfig>>;
}

export interface ElementSettings {
  brand: string;
  logoUrl?: string;
  backgroundUrl?: string;
  defaultTheme: 'light' | 'dark';
  welcomeUrl?: string;
  homeUrl?: string;
  defaultCountryCode?: string;
  extraConfig: ExtraConfig;
  extraConfigByEnvironment: Partial<Record<Environment, ExtraConfig>>;
}

export interface Volume { storageClass?: string; size?: string }

export interface StorageSettings {
  media: Volume & { readWriteMany?: boolean };
  database: Volume;
  backups: Volume;
}

export interface JitsiSettings {
  /** jwt: every conference needs a token signed with the jitsi-jwt secret; none: open (homelab only) */
  auth: 'jwt' | 'none';
  appId: string;
}

export interface SygnalApp {
  type: 'apns' | 'fcm';
  /** local file read once into the sygnal-credentials SOPS secret */
  credentialsFile: string;
  keyId?: string;
  teamId?: string;
  topic?: string;
  platform?: 'production' | 'sandbox';
  projectId?: string;
}

// Traffic (issue #16): how requests reach the stack in one environment.
export interface IngressSettings {
  provider: 'gateway-api' | 'traefik' | 'ingress-nginx';
  /** IngressClass (ingress-nginx) or GatewayClass (gateway-api); unused by traefik. */
  className: string;
  /** host → extra annotations on every route object serving that host */
  annotations: Record<string, Record<string, string>>;
  /** acme: cert-manager HTTP-01; secret: an existing TLS Secret; none: a proxy in front terminates TLS. */
  tls: { mode: 'acme' | 'secret' | 'none'; secretName?: string };
}

export interface MatrixConfig {
  /** The part after the colon in @alice:example.org. Domain, domain:port or IP. Immutable once scaffolded. */
  serverName: string;
  environments: Environment[];
  hosts: Hosts;
  components: Components;
  li: LiSettings;
  /** Kubernetes namespace of the stack (li adds `<namespace>-li`). */
  namespace: string;
  /** Where Flux pulls this repository from. People push to `branch`; only a passing validation
   *  advances `deployBranch`, which is the only branch Flux follows (the gate). */
  git: { url: string; branch: string; deployBranch: string };
  /** cert-manager ACME e-mail for production TLS. */
  acme: { email: string };
  /** age recipients the secrets are encrypted to (filled from the age key when empty). */
  ageRecipients: string[];
  /** Other recipients for one environment's secrets (e.g. only the li operators' key for li);
   *  an environment not listed uses `ageRecipients`. */
  ageRecipientsByEnvironment: Partial<Record<Environment, string[]>>;
  /** Image registries the policies trust. */
  trustedRegistries: string[];
  /** MX-IMG-002 digest pinning enforced (error; homelab warning) instead of counted as info. */
  requireImageDigests: boolean;
  /** Pod and service CIDRs of the cluster, used by NetworkPolicies and the TURN deny list. */
  clusterCidrs: string[];
  /** Public IP coturn and LiveKit advertise (homelab); empty = discover. */
  externalIp: string;
  synapse: SynapseSettings;
  element: ElementSettings;
  storage: StorageSettings;
  jitsi: JitsiSettings;
  /** Sygnal push apps by app id. */
  sygnal: { apps: Record<string, SygnalApp> };
  /** Production HPA ranges of what may run more than once. */
  replicas: Partial<Record<ScalableName, { min?: number; max?: number }>>;
  /** A PostgreSQL server of the operator's own (absent: the stack runs one). */
  externalPostgres?: ExternalPostgres;
  /** A Redis server of the operator's own for the workers (absent: the stack runs one). */
  externalRedis?: ExternalRedis;
  /** Resource sizing tier per environment (absent = small). */
  resources: Partial<Record<Environment, ResourceTier>>;
  /** Traffic per deployed environment (homelab, production); li follows production. */
  ingress: Partial<Record<'homelab' | 'production', IngressSettings>>;
}

export interface ExternalPostgres {
  host: string;
  port: number;
  database: string;
  user: string;
  sslmode: 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
  passwordEnv: string;
  cidr: string;
}

export interface ExternalRedis { host: string; port: number; passwordEnv: string; cidr: string }

export type ScalableName = 'element' | 'client_reader' | 'federation_reader';
export type ResourceTier = 'small' | 'large';
