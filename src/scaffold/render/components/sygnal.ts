// Sygnal push gateway (optional): only useful with your own mobile app builds, which register
// pushers pointing at https://<hosts.sygnal>/_matrix/push/v1/notify. Synapse needs no config.
// The push apps (config sygnal.apps) are in the ConfigMap; their credentials (APNs .p8 keys, FCM
// service-account JSON) are keys of the sygnal-credentials SOPS Secret, mounted under /secrets.
import type { EnvModel, Model } from '../../model/index.ts';
import type { SygnalApp } from '../../config/types.ts';
import { yamlText } from './synapse.ts';
import { configMap, image, ingress, resources, restrictedContainer, secretSpec, service, workload, type BaseComponent, type Obj, type SecretSpec } from '../lib.ts';

export const SYGNAL_PORT = 5000;
const CREDENTIALS = 'sygnal-credentials';
const CREDENTIALS_DIR = '/secrets/sygnal';

/** Secret keys must match [-._a-zA-Z0-9]+; app ids (reverse DNS) already do. */
const credentialKey = (appId: string): string => appId;

/** One Sygnal `apps:` entry (sygnal's apnspushkin / gcmpushkin v1 option names). */
export function sygnalApp(id: string, a: SygnalApp): Obj {
  const file = `${CREDENTIALS_DIR}/${credentialKey(id)}`;
  if (a.type === 'apns') {
    return { type: 'apns', keyfile: file, key_id: a.keyId, team_id: a.teamId, topic: a.topic, platform: a.platform ?? 'production' };
  }
  return { type: 'gcm', api_version: 'v1', project_id: a.projectId, service_account_file: file };
}

export function sygnalSecretSpecs(model: Model, env: EnvModel): SecretSpec[] {
  const apps = Object.entries(model.sygnalApps);
  if (!apps.length) return [];
  return [secretSpec(env, CREDENTIALS, Object.fromEntries(apps.map(([id, a]) => [credentialKey(id), { file: a.credentialsFile, field: `sygnal.apps.${id}.credentialsFile` }])))];
}

export function sygnalConfig(apps: Record<string, SygnalApp> = {}): Obj {
  return {
    http: { bind_addresses: ['0.0.0.0'], port: SYGNAL_PORT },
    log: {
      setup: {
        version: 1,
        formatters: { normal: { format: '%(asctime)s [%(process)d] %(levelname)-5s %(name)s %(message)s' } },
        handlers: { stdout: { class: 'logging.StreamHandler', formatter: 'normal', stream: 'ext://sys.stdout' } },
        loggers: { sygnal: { propagate: false, handlers: ['stdout'] }, 'sygnal.access': { propagate: false, handlers: ['stdout'], level: 'INFO' } },
        disable_existing_loggers: false,
      },
      access: { x_forwarded_for: true },
    },
    metrics: { prometheus: { enabled: false } },
    apps: Object.fromEntries(Object.entries(apps).map(([id, a]) => [id, sygnalApp(id, a)])),
  };
}

export function sygnalBase(model: Model, env: EnvModel): BaseComponent {
  const withApps = Object.keys(model.sygnalApps).length > 0;
  const name = 'sygnal';
  const deployment: Obj = workload(name, 65534, {
    containers: [{
      name: 'sygnal', image: image('sygnal'),
      env: [{ name: 'SYGNAL_CONF', value: '/config/sygnal.yaml' }],
      ports: [{ name: 'http', containerPort: SYGNAL_PORT, protocol: 'TCP' }],
      volumeMounts: [
        { name: 'config', mountPath: '/config', readOnly: true },
        { name: 'tmp', mountPath: '/tmp' },
        ...(withApps ? [{ name: 'credentials', mountPath: CREDENTIALS_DIR, readOnly: true }] : []),
      ],
      securityContext: restrictedContainer(true),
      resources: resources('20m', '64Mi', '256Mi'),
      readinessProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 10 },
      livenessProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 20 },
    }],
    volumes: [
      { name: 'config', configMap: { name: 'sygnal-config' } },
      { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
      ...(withApps ? [{ name: 'credentials', secret: { secretName: CREDENTIALS, defaultMode: 0o440 } }] : []),
    ],
  });
  return {
    name,
    files: {
      'deployment.yaml': [deployment],
      'service.yaml': [service(name, name, [['http', SYGNAL_PORT]])],
      'ingress.yaml': [ingress(name, name, env.hosts.sygnal, [{ path: '/_matrix/push', service: name, port: SYGNAL_PORT }])],
      'configmap.yaml': [configMap('sygnal-config', name, { 'sygnal.yaml': yamlText(sygnalConfig(model.sygnalApps)) })],
    },
  };
}
