// coturn: it cannot read its secret from a file, so an initContainer renders turnserver.conf
// from a ConfigMap template plus the Secret (env) into an emptyDir; the secret never sits in a ConfigMap.
import type { EnvModel, Model } from '../../model/index.ts';
import { configMap, image, labels, NETWORK_EXCEPTION, resources, restrictedContainer, selector, workload, type BaseComponent, type Obj } from '../lib.ts';

export const DENIED_PEER_RANGES = [
  '0.0.0.0-0.255.255.255', '10.0.0.0-10.255.255.255', '100.64.0.0-100.127.255.255', '127.0.0.0-127.255.255.255',
  '169.254.0.0-169.254.255.255', '172.16.0.0-172.31.255.255', '192.0.0.0-192.0.0.255', '192.0.2.0-192.0.2.255',
  '192.88.99.0-192.88.99.255', '192.168.0.0-192.168.255.255', '198.18.0.0-198.19.255.255',
  '198.51.100.0-198.51.100.255', '203.0.113.0-203.0.113.255', '240.0.0.0-255.255.255.255',
  '::1', '64:ff9b::-64:ff9b::ffff:ffff', '::ffff:0.0.0.0-::ffff:255.255.255.255', '100::-100::ffff:ffff:ffff:ffff',
  '2001::-2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff', '2002::-2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
];
export const TURN_MIN_PORT = 49152;
// Narrow on purpose: every relay port is listed 1:1 on the Service.
export const TURN_MAX_PORT = 49201;

export function turnserverTemplate(model: Model, env: EnvModel): string {
  return [
    'use-auth-secret',
    // Placeholder substituted by the initContainer from the turn-shared-secret Secret.
    'static-auth-secret=${TURN_SECRET}',
    `realm=${env.hosts.turn}`,
    'listening-port=3478',
    `min-port=${TURN_MIN_PORT}`,
    `max-port=${TURN_MAX_PORT}`,
    ...(model.externalIp ? [`external-ip=${model.externalIp}`] : []),
    'fingerprint',
    'no-cli',
    'no-tls',
    'no-dtls',
    'no-tcp-relay',
    'no-multicast-peers',
    'user-quota=12',
    'total-quota=1200',
    'pidfile=/var/tmp/turnserver.pid',
    ...[...DENIED_PEER_RANGES, ...model.clusterCidrs.map(cidrToRange)].map((r) => `denied-peer-ip=${r}`),
    '',
  ].join('\n');
}

export function coturnBase(model: Model, env: EnvModel): BaseComponent {
  const name = 'coturn';
  const deployment: Obj = workload(name, 65534, {
    initContainers: [{
      name: 'render-config', image: image('coturn'),
      command: ['sh', '-c', 'sed "s|\\${TURN_SECRET}|${TURN_SECRET}|" /template/turnserver.conf > /etc/coturn/turnserver.conf'],
      env: [{ name: 'TURN_SECRET', valueFrom: { secretKeyRef: { name: 'turn-shared-secret', key: 'turn_shared_secret' } } }],
      volumeMounts: [
        { name: 'template', mountPath: '/template', readOnly: true },
        { name: 'config', mountPath: '/etc/coturn' },
      ],
      securityContext: restrictedContainer(true),
      resources: resources('10m', '16Mi', '32Mi'),
    }],
    containers: [{
      name: 'coturn', image: image('coturn'),
      // The entrypoint evals its arguments, so $(detect-external-ip) runs in the container
      // when no public IP is configured.
      args: ['-c', '/etc/coturn/turnserver.conf', '--log-file=stdout', ...(model.externalIp ? [] : ['--external-ip=$(detect-external-ip)'])],
      ports: [
        { name: 'turn-udp', containerPort: 3478, protocol: 'UDP' },
        { name: 'turn-tcp', containerPort: 3478, protocol: 'TCP' },
      ],
      volumeMounts: [
        { name: 'config', mountPath: '/etc/coturn', readOnly: true },
        { name: 'data', mountPath: '/var/lib/coturn' },
        { name: 'tmp', mountPath: '/var/tmp' },
      ],
      securityContext: restrictedContainer(true),
      resources: resources('100m', '128Mi', '256Mi'),
      readinessProbe: { tcpSocket: { port: 3478 }, periodSeconds: 10 },
      livenessProbe: { tcpSocket: { port: 3478 }, periodSeconds: 20 },
    }],
    volumes: [
      { name: 'template', configMap: { name: 'coturn-template' } },
      { name: 'config', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
      { name: 'data', emptyDir: { sizeLimit: '64Mi' } },
      { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
    ],
  }, { annotations: NETWORK_EXCEPTION, strategy: { type: 'Recreate' } });
  const svc: Obj = {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, labels: labels(name), annotations: NETWORK_EXCEPTION },
    spec: {
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      selector: selector(name),
      ports: [
        { name: 'turn-udp', port: 3478, targetPort: 3478, protocol: 'UDP' },
        { name: 'turn-tcp', port: 3478, targetPort: 3478, protocol: 'TCP' },
        ...relayPorts().map((port) => ({ name: `relay-${port}`, port, targetPort: port, protocol: 'UDP' })),
      ],
    },
  };
  return {
    name,
    files: {
      'deployment.yaml': [deployment],
      'service.yaml': [svc],
      'configmap.yaml': [configMap('coturn-template', name, { 'turnserver.conf': turnserverTemplate(model, env) })],
    },
  };
}

export function relayPorts(): number[] {
  return Array.from({ length: TURN_MAX_PORT - TURN_MIN_PORT + 1 }, (_, i) => TURN_MIN_PORT + i);
}

/** coturn wants ranges, not CIDRs. */
export function cidrToRange(cidr: string): string {
  const [ip, bitsText] = cidr.split('/');
  if (ip.includes(':') || bitsText === undefined) return ip;
  const bits = Number(bitsText);
  const n = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - bits);
  const start = n - (n % size);
  const fmt = (v: number): string => [24, 16, 8, 0].map((sh) => Math.floor(v / 2 ** sh) % 256).join('.');
  return `${fmt(start)}-${fmt(start + size - 1)}`;
}
