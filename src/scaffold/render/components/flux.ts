// Flux entry points per environment: the source follows the deploy branch (the validation gate),
// operators come first, then the config that needs their CRDs, then the apps.
import type { EnvModel, Model } from '../../model/index.ts';
import { versions } from '../../../lib/versions.ts';
import { namespaceObj, type Obj } from '../lib.ts';
import { GATEWAY } from '../traffic/gateway-api.ts';

interface ChartPin { repository: string; chart: string; version: string }

function chart(key: string): ChartPin {
  const c = versions().charts[key] as ChartPin | undefined;
  if (!c) throw new Error(`versions.json has no chart "${key}"`);
  return c;
}

const SOURCE = 'matrix-gitops';

function kustomization(name: string, path: string, dependsOn: string[], extra: Obj = {}): Obj {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization',
    metadata: { name, namespace: 'flux-system' },
    spec: {
      interval: '10m',
      retryInterval: '1m',
      timeout: '10m',
      path,
      prune: true,
      wait: true,
      sourceRef: { kind: 'GitRepository', name: SOURCE },
      ...(dependsOn.length ? { dependsOn: dependsOn.map((n) => ({ name: n })) } : {}),
      ...extra,
    },
  };
}

export function operatorsFor(env: EnvModel): string[] {
  const ops: string[] = [];
  if (env.postgres === 'cnpg') ops.push('cloudnative-pg');
  // First of the rest: cert-manager looks for the Gateway API CRDs (which this chart owns) only at start.
  if (env.ingress.provider === 'gateway-api') ops.push('envoy-gateway');
  if (env.clusterIssuer) ops.push('cert-manager');
  if (env.components.monitoring) ops.push('prometheus-operator-crds');
  return ops;
}

const TARGET_NS: Record<string, string> = {
  'cloudnative-pg': 'cnpg-system', 'cert-manager': 'cert-manager', 'prometheus-operator-crds': 'monitoring',
  'envoy-gateway': 'envoy-gateway-system',
};

function values(op: string, env: EnvModel): Obj | undefined {
  if (op !== 'cert-manager') return undefined;
  const gateway = env.ingress.provider === 'gateway-api';
  return {
    crds: { enabled: true },
    // gateway-shim: Certificates for the Gateway's HTTPS listeners (cert-manager >= 1.15, the v1.18 key).
    ...(gateway ? { config: { apiVersion: 'controller.config.cert-manager.io/v1alpha1', kind: 'ControllerConfiguration', enableGatewayAPI: true } } : {}),
  };
}

/** The ACME HTTP-01 solver of each provider. */
function http01(env: EnvModel): Obj {
  // No namespace in parentRefs: cert-manager creates the challenge route in the Certificate's
  // namespace, where the Gateway `matrix` of that namespace (traffic/gateway-api.ts) takes it.
  if (env.ingress.provider === 'gateway-api') return { gatewayHTTPRoute: { parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: GATEWAY, sectionName: 'http' }] } };
  return { ingress: { ingressClassName: env.ingress.provider === 'traefik' ? 'traefik' : env.ingressClass } };
}

/**
 * li runs in the production cluster next to production, so its entry point is an addition: one
 * Kustomization with its own name that reuses production's GitRepository and waits for production's
 * infrastructure. Redefining those (same names in flux-system) would make each `kubectl apply -k`
 * replace the other's objects, and production's prune would then delete the li copy.
 */
function liFiles(env: EnvModel): Record<string, Obj[]> {
  return {
    [`flux/${env.name}/kustomizations.yaml`]: [
      kustomization(`apps-${env.name}`, `./overlays/${env.name}`, ['infrastructure-config'], {
        timeout: '15m',
        decryption: { provider: 'sops', secretRef: { name: 'sops-age' } },
      }),
    ],
  };
}

export function fluxFiles(model: Model, env: EnvModel): Record<string, Obj[]> {
  if (env.name === 'li') return liFiles(env);
  const dir = `flux/${env.name}`;
  const ops = operatorsFor(env);
  const infra: Obj[] = [];
  for (const op of ops) {
    const c = chart(op);
    // The operator charts (CNPG, cert-manager) run restricted-compatible pods; the CRD-only chart runs none.
    infra.push(namespaceObj(TARGET_NS[op]));
    infra.push({
      apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository',
      metadata: { name: op, namespace: 'flux-system' },
      spec: { interval: '24h', ...(c.repository.startsWith('oci://') ? { type: 'oci' } : {}), url: c.repository },
    });
    const v = values(op, env);
    infra.push({
      apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease',
      metadata: { name: op, namespace: 'flux-system' },
      spec: {
        interval: '1h',
        targetNamespace: TARGET_NS[op],
        releaseName: op,
        chart: { spec: { chart: c.chart, version: c.version, sourceRef: { kind: 'HelmRepository', name: op, namespace: 'flux-system' } } },
        install: { crds: 'CreateReplace', remediation: { retries: 3 } },
        upgrade: { crds: 'CreateReplace', remediation: { retries: 3 } },
        ...(op === 'cert-manager' && ops.includes('envoy-gateway') ? { dependsOn: [{ name: 'envoy-gateway' }] } : {}),
        ...(v ? { values: v } : {}),
      },
    });
  }
  const infraConfig: Obj[] = [];
  if (env.clusterIssuer) {
    infraConfig.push({
      apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer',
      metadata: { name: env.clusterIssuer },
      spec: {
        acme: {
          email: model.acmeEmail,
          server: 'https://acme-v02.api.letsencrypt.org/directory',
          privateKeySecretRef: { name: `${env.clusterIssuer}-account-key` },
          solvers: [{ http01: http01(env) }],
        },
      },
    });
  }
  if (env.ingress.provider === 'gateway-api') {
    // Envoy Gateway manages the one GatewayClass naming its controller; its chart creates none.
    infraConfig.push({
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass',
      metadata: { name: env.ingress.className },
      spec: { controllerName: 'gateway.envoyproxy.io/gatewayclass-controller' },
    });
  }
  const entry: Obj[] = [
    {
      apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository',
      metadata: { name: SOURCE, namespace: 'flux-system' },
      // Only validated commits reach the deploy branch, so Flux never follows the push branch.
      spec: { interval: '1m', url: model.git.url, ref: { branch: model.git.deployBranch } },
    },
    kustomization('infrastructure', `./${dir}/infrastructure`, []),
    kustomization('infrastructure-config', `./${dir}/infrastructure-config`, ['infrastructure']),
    kustomization('apps', `./overlays/${env.name}`, ['infrastructure-config'], {
      timeout: '15m',
      decryption: { provider: 'sops', secretRef: { name: 'sops-age' } },
    }),
  ];
  return {
    [`${dir}/sources.yaml`]: [entry[0]],
    [`${dir}/kustomizations.yaml`]: entry.slice(1),
    [`${dir}/infrastructure/operators.yaml`]: infra,
    [`${dir}/infrastructure-config/config.yaml`]: infraConfig,
  };
}
