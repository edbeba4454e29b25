// LiveKit SFU + lk-jwt-service (MatrixRTC for Element Call) on one host, ESS layout:
// token paths to the JWT service, everything else to the SFU, so livekit_service_url is the bare host.
import type { EnvModel, Model } from '../../model/index.ts';
import { configMap, image, ingress, labels, NETWORK_EXCEPTION, resources, restrictedContainer, secretSpec, selector, service, workload, type BaseComponent, type Obj, type SecretSpec } from '../lib.ts';

export const LIVEKIT_TCP_PORT = 30001;
export const LIVEKIT_UDP_PORT = 30002;

export function livekitSecretSpecs(env: EnvModel): SecretSpec[] {
  return [secretSpec(env, 'livekit-keys', {
    'api-key': { generate: 'livekit-key' },
    'api-secret': { generate: 'token', bytes: 32 },
    'keys.yaml': { template: '{api-key}: {api-secret}' },
  })];
}

export function livekitConfig(): Obj {
  return {
    port: 7880,
    rtc: { tcp_port: LIVEKIT_TCP_PORT, udp_port: LIVEKIT_UDP_PORT, use_external_ip: true },
    // Only lk-jwt-service may create rooms, after it has checked the Matrix OpenID token.
    room: { auto_create: false },
    prometheus: { port: 6789 },
    key_file: '/secrets/livekit/keys.yaml',
    logging: { level: 'info' },
  };
}

export function livekitBase(model: Model, env: EnvModel): BaseComponent {
  const lk = 'livekit';
  const jwt = 'lk-jwt-service';
  const sfu: Obj = workload(lk, 65534, {
    enableServiceLinks: false, // else Service livekit injects LIVEKIT_PORT=tcp://…, read as the port flag (MX-RTC-006)
    containers: [{
      name: 'livekit', image: image('livekit'),
      args: ['--config', '/conf/livekit.yaml'],
      ports: [
        { name: 'http', containerPort: 7880, protocol: 'TCP' },
        { name: 'rtc-tcp', containerPort: LIVEKIT_TCP_PORT, protocol: 'TCP' },
        { name: 'rtc-udp', containerPort: LIVEKIT_UDP_PORT, protocol: 'UDP' },
        { name: 'metrics', containerPort: 6789, protocol: 'TCP' },
      ],
      volumeMounts: [
        { name: 'config', mountPath: '/conf', readOnly: true },
        { name: 'keys', mountPath: '/secrets/livekit', readOnly: true },
      ],
      securityContext: restrictedContainer(true),
      resources: resources('500m', '512Mi', '1Gi'),
      readinessProbe: { httpGet: { path: '/', port: 'http' } },
      livenessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 20 },
    }],
    volumes: [
      { name: 'config', configMap: { name: 'livekit-config' } },
      // LiveKit rejects a key file readable by "others".
      { name: 'keys', secret: { secretName: 'livekit-keys', defaultMode: 0o400, items: [{ key: 'keys.yaml', path: 'keys.yaml' }] } },
    ],
  }, { annotations: NETWORK_EXCEPTION, strategy: { type: 'Recreate' } });
  const jwtDeployment: Obj = workload(jwt, 65534, {
    containers: [{
      name: 'lk-jwt-service', image: image('lk-jwt-service'),
      env: [
        { name: 'LIVEKIT_URL', value: `wss://${env.hosts.rtc}` },
        { name: 'LIVEKIT_KEY', valueFrom: { secretKeyRef: { name: 'livekit-keys', key: 'api-key' } } },
        { name: 'LIVEKIT_SECRET', valueFrom: { secretKeyRef: { name: 'livekit-keys', key: 'api-secret' } } },
        { name: 'LIVEKIT_FULL_ACCESS_HOMESERVERS', value: model.serverName },
        { name: 'LIVEKIT_JWT_BIND', value: ':8080' },
      ],
      ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
      securityContext: restrictedContainer(true),
      resources: resources('20m', '32Mi', '64Mi'),
      readinessProbe: { httpGet: { path: '/healthz', port: 'http' } },
      livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 20 },
    }],
  });
  const rtcSvc: Obj = {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'livekit-rtc', labels: labels(lk), annotations: NETWORK_EXCEPTION },
    spec: {
      // Service port equals container port, so the ICE candidates LiveKit advertises are reachable.
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      selector: selector(lk),
      ports: [
        { name: 'rtc-tcp', port: LIVEKIT_TCP_PORT, targetPort: LIVEKIT_TCP_PORT, protocol: 'TCP' },
        { name: 'rtc-udp', port: LIVEKIT_UDP_PORT, targetPort: LIVEKIT_UDP_PORT, protocol: 'UDP' },
      ],
    },
  };
  return {
    name: 'livekit',
    files: {
      'livekit.yaml': [sfu, jwtDeployment],
      'service.yaml': [service(lk, lk, [['http', 7880], ['metrics', 6789]]), rtcSvc, service(jwt, jwt, [['http', 8080]])],
      'ingress.yaml': [ingress('livekit', lk, env.hosts.rtc, [
        { path: '/sfu/get', service: jwt, port: 8080 },
        { path: '/get_token', service: jwt, port: 8080 },
        { path: '/delegate_delayed_leave', service: jwt, port: 8080 },
        { path: '/', service: lk, port: 7880 },
      ], { 'nginx.ingress.kubernetes.io/proxy-read-timeout': '120', 'nginx.ingress.kubernetes.io/proxy-send-timeout': '120', 'nginx.ingress.kubernetes.io/proxy-buffering': 'off' })],
      'configmap.yaml': [configMap('livekit-config', lk, { 'livekit.yaml': JSON.stringify(livekitConfig(), null, 2) + '\n' })],
    },
  };
}
