// /.well-known/matrix/{server,client} on the server_name host, for delegation to the Synapse host.
import type { EnvModel, Model } from '../../model/index.ts';
import { rtcServiceUrl } from './synapse.ts';
import { image, ingress, resources, restrictedContainer, service, workload, type BaseComponent, type Obj } from '../lib.ts';

export function wellKnownServer(env: EnvModel): Obj {
  return { 'm.server': `${env.hosts.synapse}:443` };
}

export function wellKnownClient(env: EnvModel): Obj {
  const c: Obj = { 'm.homeserver': { base_url: `https://${env.hosts.synapse}` } };
  if (env.components.livekit) c['org.matrix.msc4143.rtc_foci'] = [{ type: 'livekit', livekit_service_url: rtcServiceUrl(env) }];
  return c;
}

/** Both well-known documents are static JSON with the same CORS and caching headers. */
const wellKnownLocation = (doc: 'server' | 'client'): string => `    location = /.well-known/matrix/${doc} {
        default_type application/json;
        add_header Access-Control-Allow-Origin "*" always;
        add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE, OPTIONS" always;
        add_header Access-Control-Allow-Headers "X-Requested-With, Content-Type, Authorization" always;
        add_header Cache-Control "public, max-age=3600" always;
        alias /srv/wellknown/${doc};
    }
`;

const NGINX_CONF = `server {
    listen 8080;
${wellKnownLocation('server')}${wellKnownLocation('client')}    location = /healthz { return 200 "ok"; }
    location / { return 404; }
}
`;

export function wellKnownBase(model: Model, env: EnvModel): BaseComponent {
  const name = 'wellknown';
  const deployment: Obj = workload(name, 101, {
    containers: [{
      name: 'nginx', image: image('nginx-unprivileged'),
      ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
      volumeMounts: [
        { name: 'content', mountPath: '/srv/wellknown', readOnly: true },
        { name: 'conf', mountPath: '/etc/nginx/conf.d', readOnly: true },
        { name: 'tmp', mountPath: '/tmp' },
      ],
      securityContext: restrictedContainer(true),
      resources: resources('10m', '32Mi', '64Mi'),
      readinessProbe: { httpGet: { path: '/healthz', port: 'http' } },
      livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 20 },
    }],
    volumes: [
      { name: 'content', configMap: { name: 'wellknown-content' } },
      { name: 'conf', configMap: { name: 'wellknown-nginx' } },
      { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
    ],
  });
  return {
    name,
    files: {
      'deployment.yaml': [deployment],
      'service.yaml': [service(name, name, [['http', 8080]])],
      'ingress.yaml': [ingress(name, name, model.serverName, [{ path: '/.well-known/matrix', service: name, port: 8080 }])],
      server: JSON.stringify(wellKnownServer(env)) + '\n',
      client: JSON.stringify(wellKnownClient(env)) + '\n',
      'default.conf': NGINX_CONF,
    },
    kustomization: {
      configMapGenerator: [
        { name: 'wellknown-content', files: ['server', 'client'] },
        { name: 'wellknown-nginx', files: ['default.conf'] },
      ],
    },
  };
}
