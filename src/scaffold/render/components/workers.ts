// Production worker processes and Redis, derived from worker-routes.ts (their public paths are
// rendered per provider from the same table: traffic/routes.ts workerHostRoute).
import type { EnvModel } from '../../model/index.ts';
import { REPLICATION_PORT, synapsePodSpec, workerConfig, yamlText } from './synapse.ts';
import { scalableWorkers } from './autoscaling.ts';
import { WORKERS, workerResourceName, type WorkerType } from './worker-routes.ts';
import { image, labels, replicationService, resources, restrictedContainer, selector, service, workload, type BaseComponent, type Obj } from '../lib.ts';

/**
 * `scalable`: run under an HPA. Such a worker has no spec.replicas (the HPA owns the count) and
 * rolls (no stream to protect). Its replicas share one worker_name: Synapse only addresses
 * instances by name in instance_map, stream_writers and *_instances, which never list readers
 * (see autoscaling.ts).
 */
export function workerDeployment(w: WorkerType, scalable = false): Obj {
  const name = workerResourceName(w);
  const def = WORKERS[w];
  const ports: Array<[string, number]> = [['health', 8080], ['metrics', 9000]];
  if (def.resources.length) ports.unshift(['http', 8008]);
  if (def.streams.length) ports.push(['replication', REPLICATION_PORT]);
  const lbl = labels(name, { 'app.kubernetes.io/component': 'synapse' });
  const podSpec = synapsePodSpec({
    component: name, configMap: 'synapse-config', workerConfigMap: 'synapse-workers-config', healthPort: 8080,
    media: w === 'media_repository', pgSecret: 'synapse-pg-app',
    command: ['python3', '-m', def.app, '-c', '/config/homeserver.yaml', '-c', `/config/workers/${w}.yaml`],
    ports, cpu: '100m', memory: '256Mi',
  });
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, labels: lbl },
    spec: {
      // Each worker_name must be unique, so every other worker type runs exactly one instance;
      // Recreate keeps a stream writer from ever running twice during a rollout.
      ...(scalable ? {} : { replicas: 1, strategy: { type: 'Recreate' } }),
      selector: { matchLabels: selector(name) },
      template: { metadata: { labels: lbl }, spec: podSpec },
    },
  };
}

export function redisDeployment(): Obj {
  const name = 'synapse-redis';
  return workload(name, 999, {
    containers: [{
      name: 'redis', image: image('redis'),
      // Kubernetes expands $(REDIS_PASSWORD) from the env, so the password stays in the Secret.
      args: ['--requirepass', '$(REDIS_PASSWORD)', '--save', '', '--appendonly', 'no'],
      env: [{ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis-password', key: 'password' } } }],
      ports: [{ name: 'redis', containerPort: 6379, protocol: 'TCP' }],
      volumeMounts: [{ name: 'data', mountPath: '/data' }],
      securityContext: restrictedContainer(true),
      resources: resources('50m', '64Mi', '256Mi'),
      readinessProbe: { tcpSocket: { port: 'redis' } },
      livenessProbe: { tcpSocket: { port: 'redis' }, periodSeconds: 20 },
    }],
    volumes: [{ name: 'data', emptyDir: { sizeLimit: '256Mi' } }],
  });
}

export function workersBase(env: EnvModel, ownRedis = true): BaseComponent {
  const files: Record<string, Obj[] | string> = {};
  const services: Obj[] = [];
  const scalable = scalableWorkers(env);
  for (const w of env.workers) {
    const name = workerResourceName(w);
    const def = WORKERS[w];
    files[`${name}.yaml`] = [workerDeployment(w, scalable.includes(w))];
    files[`${w}.yaml`] = yamlText(workerConfig(w));
    if (def.resources.length) services.push(service(name, name, [['http', 8008]]));
    if (def.streams.length) services.push(replicationService(`${name}-replication`, name));
  }
  if (ownRedis) files['redis.yaml'] = [redisDeployment(), service('synapse-redis', 'synapse-redis', [['redis', 6379]])];
  files['services.yaml'] = services;
  return {
    name: 'synapse-workers',
    files,
    kustomization: { configMapGenerator: [{ name: 'synapse-workers-config', files: env.workers.map((w) => `${w}.yaml`) }] },
  };
}
