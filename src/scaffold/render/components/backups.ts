// Backups: the media store (tar to a backup PVC) everywhere; the database by CNPG volume
// snapshots where CNPG runs (no object-store credentials needed), by pg_dump on homelab.
import { image, labels, podSecurity, resources, restrictedContainer, type BaseComponent, type Obj } from '../lib.ts';

const RESTORE = `# Backups and restore

Rendered by matrix-gitops; edit matrix-gitops.yaml, not these files.

- **Media**: CronJob \`synapse-media-backup\` writes \`/backup/media-<timestamp>.tar.gz\` to the PVC
  \`synapse-backups\` nightly and keeps 7 days.
  Restore: scale Synapse to 0, run a pod mounting \`synapse-media\` and \`synapse-backups\`, then
  \`tar -xzf /backup/media-<timestamp>.tar.gz -C /data\`, scale Synapse back.
- **Database (homelab)**: CronJob \`synapse-pg-dump\` writes \`/backup/synapse-<timestamp>.dump\`
  (custom format) and keeps 7 days.
  Restore: scale Synapse to 0, then
  \`pg_restore -h synapse-pg-rw -U synapse -d synapse --clean --if-exists /backup/synapse-<timestamp>.dump\`.
- **Database (production)**: CNPG \`ScheduledBackup\` \`synapse-pg-daily\` takes volume snapshots.
  Restore: create a new \`Cluster\` with \`bootstrap.recovery.volumeSnapshots\` pointing at the
  snapshot, then point Synapse's \`database.args.host\` at the new cluster's \`-rw\` Service.
  The Cluster keeps UTF8 / C / C, which Synapse requires.
`;

function cronJob(name: string, schedule: string, script: string, env: Obj[], volumes: Obj[], mounts: Obj[], uid: number, extraPod: Obj = {}): Obj {
  return {
    apiVersion: 'batch/v1', kind: 'CronJob',
    metadata: { name, labels: labels(name) },
    spec: {
      schedule,
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: 2,
          template: {
            metadata: { labels: labels(name) },
            spec: {
              restartPolicy: 'OnFailure',
              securityContext: podSecurity(uid),
              automountServiceAccountToken: false,
              containers: [{
                name: 'backup', image: image('postgres'),
                command: ['sh', '-c', script],
                env,
                volumeMounts: [...mounts, { name: 'tmp', mountPath: '/tmp' }],
                securityContext: restrictedContainer(true),
                resources: resources('50m', '128Mi', '512Mi'),
              }],
              volumes: [...volumes, { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }],
              ...extraPod,
            },
          },
        },
      },
    },
  };
}

const KEEP = "find /backup -maxdepth 1 -name '$PREFIX-*' -mtime +7 -delete";

export function backupsBase(): BaseComponent {
  const backupVol = { name: 'backup', persistentVolumeClaim: { claimName: 'synapse-backups' } };
  const backupMount = { name: 'backup', mountPath: '/backup' };
  const pvc: Obj = {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim',
    metadata: { name: 'synapse-backups', labels: labels('synapse-backups') },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } } },
  };
  const media = cronJob('synapse-media-backup', '30 3 * * *',
    `set -eu; PREFIX=media; tar -czf /backup/media-$(date +%Y%m%dT%H%M%S).tar.gz -C /data media_store; ${KEEP}`,
    [], [backupVol, { name: 'media', persistentVolumeClaim: { claimName: 'synapse-media', readOnly: true } }],
    [backupMount, { name: 'media', mountPath: '/data/media_store', readOnly: true }], 991,
    // The media PVC may be ReadWriteOnce: run next to Synapse.
    { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'synapse' } } }] } } });
  return { name: 'backups', files: { 'pvc.yaml': [pvc], 'media-backup.yaml': [media], 'README.md': RESTORE } };
}

export function pgDumpBase(): BaseComponent {
  const job = cronJob('synapse-pg-dump', '0 3 * * *',
    `set -eu; PREFIX=synapse; pg_dump -h synapse-pg-rw -U synapse -d synapse -Fc -f /backup/synapse-$(date +%Y%m%dT%H%M%S).dump; ${KEEP}`,
    [{ name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'synapse-pg-app', key: 'password' } } }],
    [{ name: 'backup', persistentVolumeClaim: { claimName: 'synapse-backups' } }], [{ name: 'backup', mountPath: '/backup' }], 999);
  return { name: 'backups-pgdump', files: { 'pg-dump.yaml': [job] } };
}

export function cnpgScheduledBackup(): Obj {
  return {
    apiVersion: 'postgresql.cnpg.io/v1', kind: 'ScheduledBackup',
    metadata: { name: 'synapse-pg-daily', labels: labels('synapse-pg') },
    spec: { schedule: '0 0 3 * * *', cluster: { name: 'synapse-pg' }, method: 'volumeSnapshot', backupOwnerReference: 'self' },
  };
}
