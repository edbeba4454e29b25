// The model resolves every per-environment decision once, so the renderers stay free of
// `if (env === ...)` chains and the tests can reason about one explicit structure.
import type { Components, ElementSettings, Environment, Hosts, IngressSettings, JitsiSettings, MatrixConfig, StorageSettings, SygnalApp, SynapseSettings } from '../config/types.ts';
import { ingressFor } from '../config/ingress.ts';
import { WORKERS, type WorkerType } from '../render/components/worker-routes.ts';

/** Per environment the hosts are the config's (the li copy overrides some). */
export type EnvHosts = Hosts;

export interface EnvModel {
  name: Environment;
  namespace: string;
  hosts: EnvHosts;
  components: Components;
  /** homelab runs a plain StatefulSet so it needs no operator; production/li use CNPG. */
  /** external: config externalPostgres (the stack runs no database). */
  postgres: 'statefulset' | 'cnpg' | 'external';
  postgresInstances: number;
  synapseReplicas: number;
  workers: WorkerType[];
  /** Traffic provider, class, annotations and TLS mode (config ingress.<env>; li: production's). */
  ingress: IngressSettings;
  /** IngressClass or GatewayClass (= ingress.className). */
  ingressClass: string;
  /** cert-manager ClusterIssuer; set only when ingress.tls.mode is acme. */
  clusterIssuer: string;
  networkPolicies: boolean;
  podDisruptionBudgets: boolean;
  antiAffinity: boolean;
  /** HorizontalPodAutoscalers for Element and the Synapse workers that can run more than once. */
  autoscaling: boolean;
  coturnHostNetwork: boolean;
  /** li: the read-only copy. */
  readOnly: boolean;
  allowedCidrs: string[];
  resources: 'small' | 'large';
}

export interface Model {
  serverName: string;
  git: { url: string; branch: string; deployBranch: string };
  acmeEmail: string;
  clusterCidrs: string[];
  externalIp: string;
  /** Production namespace, which li reads from. */
  productionNamespace: string;
  environments: EnvModel[];
  /** The operator's settings, as the config gives them (renderers apply them per environment). */
  synapse: SynapseSettings;
  element: ElementSettings;
  storage: StorageSettings;
  jitsi: JitsiSettings;
  sygnalApps: Record<string, SygnalApp>;
  replicas: MatrixConfig['replicas'];
  externalPostgres?: MatrixConfig['externalPostgres'];
  /** Used by the production workers instead of the synapse-redis Deployment. */
  externalRedis?: MatrixConfig['externalRedis'];
}

export function buildModel(config: MatrixConfig): Model {
  const envs = [...config.environments].sort(
    (a, b) => ['homelab', 'production', 'li'].indexOf(a) - ['homelab', 'production', 'li'].indexOf(b),
  );
  const baseHosts: EnvHosts = { ...config.hosts };
  const traffic = (name: Environment): Pick<EnvModel, 'ingress' | 'ingressClass' | 'clusterIssuer'> => {
    const ingress = ingressFor(config, name);
    return { ingress, ingressClass: ingress.className, clusterIssuer: ingress.tls.mode === 'acme' ? 'letsencrypt' : '' };
  };
  const production = (name: Environment): EnvModel => ({
    name,
    namespace: config.namespace,
    hosts: baseHosts,
    components: { ...config.components },
    postgres: 'cnpg',
    postgresInstances: 3,
    synapseReplicas: 1,
    workers: config.components.workers ? (Object.keys(WORKERS) as WorkerType[]) : [],
    ...traffic(name),
    networkPolicies: true,
    podDisruptionBudgets: true,
    antiAffinity: true,
    autoscaling: true,
    coturnHostNetwork: false,
    readOnly: false,
    allowedCidrs: [],
    resources: 'large',
  });
  // The tier the config asks for (small = the base values, the default everywhere).
  const tier = (name: Environment): EnvModel['resources'] => config.resources[name] ?? 'small';
  const environments = envs.map((name): EnvModel => ({
    ...envModel(name), resources: tier(name), ...(config.externalPostgres ? { postgres: 'external' as const, postgresInstances: 0 } : {}),
  }));
  function envModel(name: Environment): EnvModel {
    switch (name) {
      case 'homelab':
        return {
          ...production(name),
          // load.ts refuses workers/monitoring without production; with production they stay there.
          components: { ...config.components, monitoring: false, workers: false, antivirus: false },
          postgres: 'statefulset',
          postgresInstances: 1,
          workers: [],
          networkPolicies: false,
          podDisruptionBudgets: false,
          antiAffinity: false,
          autoscaling: false,
          coturnHostNetwork: true,
          resources: 'small',
        };
      case 'production':
        return production(name);
      case 'li':
        // li only carries the production overlay plus the read-only copy; its own entry
        // describes the copy, which needs none of the realtime or worker components.
        return {
          ...production(name),
          namespace: `${config.namespace}-li`,
          hosts: { ...baseHosts, ...config.li.hosts },
          components: {
            ...config.components,
            coturn: false, livekit: false, jitsi: false, workers: false, sygnal: false,
            antivirus: false, backups: false,
          },
          postgresInstances: 1,
          workers: [],
          readOnly: true,
          allowedCidrs: [...config.li.allowedCidrs],
          podDisruptionBudgets: false,
          antiAffinity: false,
          autoscaling: false,
        };
    }
  }
  return {
    serverName: config.serverName,
    git: { ...config.git },
    acmeEmail: config.acme.email,
    clusterCidrs: [...config.clusterCidrs],
    externalIp: config.externalIp,
    productionNamespace: config.namespace,
    environments,
    synapse: config.synapse,
    element: config.element,
    storage: config.storage,
    jitsi: config.jitsi,
    sygnalApps: config.sygnal.apps,
    replicas: config.replicas,
    ...(config.externalPostgres ? { externalPostgres: config.externalPostgres } : {}),
    ...(config.externalRedis ? { externalRedis: config.externalRedis } : {}),
  };
}
