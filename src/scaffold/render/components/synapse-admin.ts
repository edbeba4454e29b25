// Admin UI (ketesa, the maintained synapse-admin fork, unprivileged on 8080). Only rendered for
// the allow-listed li copy: the admin API it needs is never routed on a public Ingress.
import { image, nginxStaticVolumes, ingress, resources, restrictedContainer, service, workload, type BaseComponent, type Obj } from '../lib.ts';

export function synapseAdminBase(name: string, adminHost: string, synapseHost: string): BaseComponent {
  const web = nginxStaticVolumes(name);
  const deployment: Obj = workload(name, 101, {
    containers: [{
      name: 'admin', image: image('ketesa'),
      ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
      volumeMounts: web.volumeMounts,
      securityContext: restrictedContainer(true),
      resources: resources('10m', '32Mi', '64Mi'),
      readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 10 },
      livenessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 30 },
    }],
    volumes: web.volumes,
  });
  return {
    name,
    files: {
      'deployment.yaml': [deployment],
      'service.yaml': [service(name, name, [['http', 8080]])],
      'ingress.yaml': [ingress(name, name, adminHost, [{ path: '/', service: name, port: 8080 }])],
      'config.json': JSON.stringify({ restrictBaseUrl: `https://${synapseHost}` }, null, 2) + '\n',
    },
    kustomization: { configMapGenerator: [{ name: `${name}-config`, files: ['config.json'] }] },
  };
}
