// Production autoscaling: HorizontalPodAutoscalers for the workloads that may run more than once.
// Element is stateless. Of the Synapse workers only the client reader and the federation reader
// can: the event persister, stream writer, federation sender, pusher and background worker are
// named in instance_map / stream_writers / *_instances and must run exactly once; the media
// repository holds the background media jobs; the synchrotron could scale but only pays off with
// per-user sticky routing (its caches are per user), which a plain Service does not give.
// An HPA-managed Deployment carries no spec.replicas in Git: Flux would otherwise reset the
// count the HPA chose on every reconcile (so MX-REL-005 reports them as below 2 replicas; the HPA's
// minReplicas is 2, and each has a PDB and anti-affinity).
// The replicas of a scaled worker share its worker_name. Synapse recommends unique names, but
// only needs them where an instance is addressed (instance_map, stream_writers, *_instances),
// which readers never are; a pod-unique name would need a config render step before Synapse
// starts (an initContainer), which the boot tier's process harness does not run.
import type { EnvModel } from '../../model/index.ts';
import { workerResourceName, type WorkerType } from './worker-routes.ts';
import { labels, type Obj } from '../lib.ts';

export const SCALABLE_WORKERS: readonly WorkerType[] = ['client_reader', 'federation_reader'];
export const MIN_REPLICAS = 2;

/** Workers of this environment that get an HPA. */
export function scalableWorkers(env: EnvModel): WorkerType[] {
  return env.autoscaling ? env.workers.filter((w) => SCALABLE_WORKERS.includes(w)) : [];
}

/** Deployment names the HPAs scale, in a stable order. */
export function autoscaledDeployments(env: EnvModel): string[] {
  if (!env.autoscaling) return [];
  return ['element', ...scalableWorkers(env).map(workerResourceName)];
}

export function hpa(name: string, maxReplicas: number, minReplicas = MIN_REPLICAS): Obj {
  return {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler',
    metadata: { name, labels: labels(name) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas,
      maxReplicas: Math.max(maxReplicas, minReplicas),
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 75 } } }],
      // Scale down slowly: a Synapse worker that just started has cold caches.
      behavior: { scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: 'Pods', value: 1, periodSeconds: 300 }] } },
    },
  };
}

/** `ranges`: config `replicas` by element / worker type (the defaults are 2-4 and 2-6). */
export function hpas(env: EnvModel, ranges: Partial<Record<string, { min?: number; max?: number }>> = {}): Obj[] {
  return autoscaledDeployments(env).map((name) => {
    const r = ranges[name === 'element' ? 'element' : name.replace(/^synapse-/, '').replace(/-/g, '_')] ?? {};
    return hpa(name, r.max ?? (name === 'element' ? 4 : 6), r.min ?? MIN_REPLICAS);
  });
}
