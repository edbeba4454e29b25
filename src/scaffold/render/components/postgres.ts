// PostgreSQL for Synapse. Synapse refuses to start unless the database is UTF8 with C collate
// and ctype, so both variants pin the locale at initdb.
import { image, labels, resources, restrictedContainer, service, workload, type BaseComponent, type Obj } from '../lib.ts';

export function cnpgCluster(name: string, instances: number, extra: Obj = {}): Obj {
  return {
    apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster',
    metadata: { name, labels: labels(name) },
    spec: {
      instances,
      imageName: image('postgresql-cnpg'),
      storage: { size: '20Gi' },
      enableSuperuserAccess: false,
      inheritedMetadata: { labels: { 'app.kubernetes.io/part-of': 'matrix' } },
      bootstrap: { initdb: { database: 'synapse', owner: 'synapse', encoding: 'UTF8', localeCollate: 'C', localeCType: 'C' } },
      monitoring: { enablePodMonitor: false },
      resources: resources('250m', '512Mi', '1Gi'),
      ...extra,
    },
  };
}

export function postgresCnpgBase(): BaseComponent {
  return { name: 'postgres-cnpg', files: { 'cluster.yaml': [cnpgCluster('synapse-pg', 1)] } };
}

/** Homelab: no operator, one instance, Service named like CNPG's so Synapse config is the same. */
export function postgresStatefulSetBase(): BaseComponent {
  const name = 'synapse-pg';
  const sts: Obj = workload(name, 999, {
    containers: [{
      name: 'postgres', image: image('postgres'),
      env: [
        { name: 'POSTGRES_USER', valueFrom: { secretKeyRef: { name: 'synapse-pg-app', key: 'username' } } },
        { name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'synapse-pg-app', key: 'password' } } },
        { name: 'POSTGRES_DB', value: 'synapse' },
        { name: 'POSTGRES_INITDB_ARGS', value: '--encoding=UTF8 --locale=C' },
        { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
      ],
      ports: [{ name: 'postgres', containerPort: 5432, protocol: 'TCP' }],
      volumeMounts: [
        { name: 'data', mountPath: '/var/lib/postgresql/data' },
        { name: 'run', mountPath: '/var/run/postgresql' },
        { name: 'tmp', mountPath: '/tmp' },
      ],
      securityContext: restrictedContainer(true),
      resources: resources('100m', '256Mi', '512Mi'),
      readinessProbe: { exec: { command: ['pg_isready', '-U', 'synapse', '-d', 'synapse'] }, periodSeconds: 10 },
      livenessProbe: { exec: { command: ['pg_isready', '-U', 'synapse', '-d', 'synapse'] }, periodSeconds: 30 },
    }],
    volumes: [{ name: 'run', emptyDir: { sizeLimit: '16Mi' } }, { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }],
  }, {
    kind: 'StatefulSet',
    serviceName: `${name}-rw`,
    tail: {
      volumeClaimTemplates: [{
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
      }],
    },
  });
  return {
    name: 'postgres-statefulset',
    files: {
      'statefulset.yaml': [sts],
      'service.yaml': [service(`${name}-rw`, name, [['postgres', 5432]])],
    },
  };
}

