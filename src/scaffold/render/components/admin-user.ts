// Registers the first admin with the registration shared secret. Re-running it is harmless:
// an "already taken" answer counts as success, so Flux can re-apply (and recreate) the Job.
import { image, labels, podSecurity, resources, restrictedContainer, type BaseComponent, type Obj } from '../lib.ts';
import { SYNAPSE_UID } from './synapse.ts';

const SCRIPT = `set -eu
for i in $(seq 1 60); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://synapse:8008/health')" && break
  sleep 5
done
out=$(register_new_matrix_user --admin --user "$ADMIN_USER" --password "$ADMIN_PASSWORD" \\
  --shared-secret "$(cat /secrets/synapse-registration-shared-secret/registration_shared_secret)" http://synapse:8008 2>&1) && { echo "admin created"; exit 0; }
case "$out" in *"User ID already taken"*) echo "admin already exists"; exit 0 ;; esac
echo "$out" >&2
exit 1
`;

export function adminUserBase(): BaseComponent {
  const name = 'synapse-admin-user';
  const job: Obj = {
    apiVersion: 'batch/v1', kind: 'Job',
    // The pod template is immutable: without this, an image bump would fail the apps Kustomization
    // until the TTL removed the Job; with it Flux deletes and recreates just this Job (MX-FLX-002).
    metadata: { name, labels: labels(name), annotations: { 'kustomize.toolkit.fluxcd.io/force': 'enabled' } },
    spec: {
      backoffLimit: 6,
      ttlSecondsAfterFinished: 86400,
      template: {
        metadata: { labels: labels(name) },
        spec: {
          restartPolicy: 'OnFailure',
          securityContext: podSecurity(SYNAPSE_UID),
          automountServiceAccountToken: false,
          containers: [{
            name: 'register', image: image('synapse'),
            command: ['sh', '-c', SCRIPT],
            env: [
              { name: 'ADMIN_USER', valueFrom: { secretKeyRef: { name: 'synapse-admin-user', key: 'username' } } },
              { name: 'ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: 'synapse-admin-user', key: 'password' } } },
            ],
            volumeMounts: [{ name: 'shared-secret', mountPath: '/secrets/synapse-registration-shared-secret', readOnly: true }],
            securityContext: restrictedContainer(true),
            resources: resources('50m', '128Mi', '256Mi'),
          }],
          volumes: [{ name: 'shared-secret', secret: { secretName: 'synapse-registration-shared-secret', defaultMode: 0o440 } }],
        },
      },
    },
  };
  return { name: 'admin-user', files: { 'job.yaml': [job] } };
}
