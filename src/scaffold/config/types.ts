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
}
