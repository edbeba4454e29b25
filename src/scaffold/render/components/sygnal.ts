// Sygnal push gateway (optional): only useful with your own mobile app builds, which register
// pushers pointing at https://<hosts.sygnal>/_matrix/push/v1/notify. Synapse needs no config.
// The rendered config has `apps: {}` on purpose: APNs keys and FCM service-account files are
// credentials. To add apps, replace the sygnal-config ConfigMap with a SOPS-encrypted Secret of
// the same name holding sygnal.yaml (apps.<app_id>: {type: apns|gcm, keyfile/service_account_file
// pointing at files of a second Secret mounted under /secrets}) and change the volume to a secret.
import type { EnvModel } from '../../model/index.ts';
import { yamlText } from './synapse.ts';
import { configMap, image, ingress, resources, restrictedContainer, service, workload, type BaseComponent, type Obj } from '../lib.ts';

export const SYGNAL_PORT = 5000;

export function sygnalConfig(): Obj {
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
    apps: {},
  };
}

export function sygnalBase(env: EnvModel): BaseComponent {
  const name = 'sygnal';
  const deployment: Obj = workload(name, 65534, {
    containers: [{
      name: 'sygnal', image: image('sygnal'),
      env: [{ name: 'SYGNAL_CONF', value: '/config/sygnal.yaml' }],
      ports: [{ name: 'http', containerPort: SYGNAL_PORT, protocol: 'TCP' }],
      volumeMounts: [
        { name: 'config', mountPath: '/config', readOnly: true },
        { name: 'tmp', mountPath: '/tmp' },
      ],
      securityContext: restrictedContainer(true),
      resources: resources('20m', '64Mi', '256Mi'),
      readinessProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 10 },
      livenessProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 20 },
    }],
    volumes: [
      { name: 'config', configMap: { name: 'sygnal-config' } },
      { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
    ],
  });
  return {
    name,
    files: {
      'deployment.yaml': [deployment],
      'service.yaml': [service(name, name, [['http', SYGNAL_PORT]])],
      'ingress.yaml': [ingress(name, name, env.hosts.sygnal, [{ path: '/_matrix/push', service: name, port: SYGNAL_PORT }])],
      'configmap.yaml': [configMap('sygnal-config', name, { 'sygnal.yaml': yamlText(sygnalConfig()) })],
    },
  };
}
