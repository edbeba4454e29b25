// Shared building blocks for the component renderers.
import { stringify } from 'yaml';
import { versions } from '../../lib/versions.ts';
import type { EnvModel, Model } from '../model/index.ts';

export interface RenderedFile {
  path: string;
  content: string;
  /** user-owned once created (the custom/ folders): written when missing, never compared or rewritten */
  createOnce?: boolean;
}
export type SecretValue =
  | { generate: 'synapse-signing-key' }
  | { generate: 'token'; bytes?: number; encoding?: 'base64url' | 'base64' }
  | { generate: 'password'; length?: number }
  | { generate: 'livekit-key' }
  | { generate: 'literal'; value: string }
  /** `{key}` is a sibling key's value; `{key|json}` the same as a JSON (= YAML double-quoted) string */
  | { template: string }
  /** supplied by the operator: read from this environment variable when the file is first written
   *  (`field` names the config key that asked for it, for the error) */
  | { env: string; field: string }
  /** supplied by the operator as a local file, read when the secret file is first written */
  | { file: string; field: string }
  /** the same value as `key` of the secret file at `path` (generated in the same run): one password, two namespaces */
  | { sameAs: { path: string; key: string } };
export interface SecretSpec {
  path: string;
  name: string;
  namespace: string;
  type?: string;
  data: Record<string, SecretValue>;
}

export type Obj = Record<string, unknown>;

/** A base/<name>/ folder: file name → documents (or raw text for generator inputs). */
export interface BaseComponent {
  name: string;
  files: Record<string, Obj[] | string>;
  /** kustomization.yaml extras (configMapGenerator …) merged into the generated one. */
  kustomization?: Obj;
}

export interface RenderContext { model: Model; env: EnvModel }

export function image(key: string): string {
  const ref = versions().images[key];
  if (!ref) throw new Error(`versions.json has no image "${key}"`);
  return ref;
}

// lineWidth 0: long regexes and URLs must not be folded, or diffs become noisy.
export function toYaml(docs: Obj[]): string {
  return docs.map((d) => stringify(d, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}

export function labels(component: string, extra: Obj = {}): Record<string, string> {
  return {
    'app.kubernetes.io/name': component,
    'app.kubernetes.io/instance': component,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': 'matrix',
    ...(extra as Record<string, string>),
  };
}

export function selector(component: string): Record<string, string> {
  return { 'app.kubernetes.io/name': component };
}

export const restrictedContainer = (readOnlyRoot = true): Obj => ({
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: readOnlyRoot,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
});

export const podSecurity = (uid: number): Obj => ({
  runAsNonRoot: true,
  runAsUser: uid,
  runAsGroup: uid,
  fsGroup: uid,
  seccompProfile: { type: 'RuntimeDefault' },
});

/** millicores of a CPU quantity ("50m", "1", "0.5"). */
function millicores(cpu: string): number {
  return cpu.endsWith('m') ? Number(cpu.slice(0, -1)) : Math.round(Number(cpu) * 1000);
}

/**
 * The CPU limit is four times the request and at least one core: a runaway pod cannot take the
 * node (MX-REL-001), while Synapse's start-up and bursts (media thumbnailing, state resolution)
 * still have headroom, which is why the limit is generous rather than equal to the request.
 */
export function cpuLimit(cpu: string): string {
  const m = Math.max(4 * millicores(cpu), 1000);
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}

export function resources(cpu: string, memory: string, memLimit?: string): Obj {
  return { requests: { cpu, memory }, limits: { cpu: cpuLimit(cpu), memory: memLimit ?? memory } };
}

export function service(name: string, component: string, ports: Array<[string, number]>, extra: Obj = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: labels(component) },
    spec: {
      selector: selector(component),
      ports: ports.map(([pname, port]) => ({ name: pname, port, targetPort: pname, protocol: 'TCP' })),
      ...extra,
    },
  };
}

/** Headless and port-less: gives Synapse's instance_map a DNS name without any Service
 *  exposing the replication listener. */
export function replicationService(name: string, component: string): Obj {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, labels: labels(component) },
    spec: { clusterIP: 'None', publishNotReadyAddresses: false, selector: selector(component) },
  };
}

export function ingress(name: string, component: string, host: string, paths: Array<{ path: string; service: string; port: number; pathType?: string }>, annotations: Record<string, string> = {}): Obj {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, labels: labels(component), ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: {
      rules: [{
        host,
        http: {
          paths: paths.map((p) => ({
            path: p.path,
            pathType: p.pathType ?? 'Prefix',
            backend: { service: { name: p.service, port: { number: p.port } } },
          })),
        },
      }],
    },
  };
}

export function secretSpec(env: EnvModel, name: string, data: Record<string, SecretValue>, type?: string): SecretSpec {
  return {
    path: `overlays/${env.name}/secrets/${name}.sops.yaml`,
    name,
    namespace: env.namespace,
    ...(type ? { type } : {}),
    data,
  };
}

/** Marks a workload that needs host-level networking, as the policies' exception contract asks. */
export const NETWORK_EXCEPTION: Record<string, string> = {
  'policy.mx/exceptions': 'MX-PSS-002',
  'policy.mx/reason': 'TURN/SFU media needs UDP ports reachable from clients 1:1 (host network or UDP LoadBalancer)',
};

/**
 * Jitsi's videobridge needs the same 1:1 UDP exposure, but the policies name only coturn and
 * LiveKit as edge apps (MX-NET-004, MX-RTC-005), so its LoadBalancer Service carries a counted
 * exception with the reason instead of a silent allow.
 */
export const JVB_EXCEPTION: Record<string, string> = {
  'policy.mx/exceptions': 'MX-NET-004,MX-RTC-005',
  'policy.mx/reason': 'Jitsi videobridge media needs UDP 10000 reachable from clients 1:1 through a UDP LoadBalancer, like coturn and LiveKit',
};

export function configMap(name: string, component: string, data: Record<string, string>): Obj {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: labels(component) }, data };
}

/**
 * Namespace with Pod Security Admission labels (policy MX-PSS-001: enforce, audit and warn all
 * restricted). A namespace that must admit host-network pods enforces privileged and carries a
 * counted exception; audit and warn stay restricted so every other pod is still reported.
 */
export function namespaceObj(name: string, privilegedReason?: string): Obj {
  const metadata: Obj = {
    name,
    labels: {
      'pod-security.kubernetes.io/enforce': privilegedReason ? 'privileged' : 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    },
  };
  if (privilegedReason) metadata.annotations = { 'policy.mx/exceptions': 'MX-PSS-001', 'policy.mx/reason': privilegedReason };
  return { apiVersion: 'v1', kind: 'Namespace', metadata };
}

export interface WorkloadOptions {
  kind?: 'Deployment' | 'StatefulSet';
  annotations?: Record<string, string>;
  /** StatefulSet governing Service */
  serviceName?: string;
  strategy?: Obj;
  /** spec keys after the pod template (e.g. volumeClaimTemplates) */
  tail?: Obj;
}

/**
 * One replica of a component's pod running as `uid` (non-root, its own group) without a
 * service-account token; overlays scale and spread it. `pod` is the rest of the pod spec.
 */
export function workload(name: string, uid: number, pod: Obj, opts: WorkloadOptions = {}): Obj {
  return {
    apiVersion: 'apps/v1', kind: opts.kind ?? 'Deployment',
    metadata: { name, labels: labels(name), ...(opts.annotations ? { annotations: opts.annotations } : {}) },
    spec: {
      ...(opts.serviceName ? { serviceName: opts.serviceName } : {}),
      replicas: 1,
      ...(opts.strategy ? { strategy: opts.strategy } : {}),
      selector: { matchLabels: selector(name) },
      template: {
        metadata: { labels: labels(name) },
        spec: { securityContext: podSecurity(uid), automountServiceAccountToken: false, ...pod },
      },
      ...opts.tail,
    },
  };
}

/**
 * Mounts and volumes of an nginx-based static web app (Element, the admin UI) under a read-only root:
 * its config.json from the `<name>-config` ConfigMap and size-limited emptyDirs where nginx writes
 * (temp files, cache, pid; with `confD` also the conf.d it templates at start).
 */
export function nginxStaticVolumes(name: string, opts: { confD?: boolean } = {}): { volumeMounts: Obj[]; volumes: Obj[] } {
  const scratch: [string, string, string][] = [
    ['tmp', '/tmp', '64Mi'],
    ...(opts.confD ? [['nginx-conf', '/etc/nginx/conf.d', '16Mi'] as [string, string, string]] : []),
    ['cache', '/var/cache/nginx', '256Mi'],
    ['run', '/var/run', '16Mi'],
  ];
  return {
    volumeMounts: [
      { name: 'config', mountPath: '/app/config.json', subPath: 'config.json', readOnly: true },
      ...scratch.map(([n, p]) => ({ name: n, mountPath: p })),
    ],
    volumes: [
      { name: 'config', configMap: { name: `${name}-config` } },
      ...scratch.map(([n, , size]) => ({ name: n, emptyDir: { sizeLimit: size } })),
    ],
  };
}
