// Jitsi Meet (optional, as in the seeds): Prosody (XMPP), Jicofo (focus), JVB (videobridge) and
// the web UI, from the official jitsi/* images. Element uses it through config.json `jitsi`.
// Routing on hosts.jitsi: XMPP websocket/BOSH straight to Prosody, colibri websockets straight to
// JVB, everything else to the web UI, so the web pod needs no backend connections of its own.
// Media: UDP 10000 on a LoadBalancer Service (port = container port, so the candidates JVB
// advertises are reachable), with a counted policy exception like coturn/LiveKit.
// The pods run restricted like every other workload (UID 1000, read-only root, writable paths
// on bounded emptyDirs, S6_READ_ONLY_ROOT for the images' s6 init). Upstream documents the images
// as started by root; whether all four start unprivileged is not covered by the boot tier.
import type { EnvModel, Model } from '../../model/index.ts';
import {
  configMap, image, ingress, JVB_EXCEPTION, labels, podSecurity, resources, restrictedContainer, secretSpec, selector, service, workload,
  type BaseComponent, type Obj, type SecretSpec,
} from '../lib.ts';

export const JITSI_UID = 1000;
export const JVB_UDP_PORT = 10000;
export const JVB_WS_PORT = 9090;
export const PROSODY_PORTS = { c2s: 5222, http: 5280, component: 5347 } as const;
const SECRET = 'jitsi-secrets';
/** Its own Secret, so repositories scaffolded before JWT auth get it on the next run (secret files are never rewritten). */
const JWT_SECRET = 'jitsi-jwt';

export function jitsiSecretSpecs(model: Model, env: EnvModel): SecretSpec[] {
  const specs = [secretSpec(env, SECRET, {
    'jicofo-auth-password': { generate: 'password', length: 32 },
    'jvb-auth-password': { generate: 'password', length: 32 },
  })];
  if (model.jitsi.auth === 'jwt') specs.push(secretSpec(env, JWT_SECRET, { 'app-secret': { generate: 'token', bytes: 32 } }));
  return specs;
}

/**
 * jitsi.auth jwt: Prosody admits a participant only with a token (HS256, iss/aud = jitsi.appId)
 * signed with the jitsi-jwt secret, and guests are off, so the server is no open conference
 * bridge. Tokens come from whatever the operator trusts to sign them (README: "Jitsi").
 */
function authEnv(model: Model): Record<string, string> {
  if (model.jitsi.auth === 'none') return { ENABLE_AUTH: '0' };
  return {
    ENABLE_AUTH: '1', AUTH_TYPE: 'jwt', ENABLE_GUESTS: '0',
    JWT_APP_ID: model.jitsi.appId, JWT_ACCEPTED_ISSUERS: model.jitsi.appId, JWT_ACCEPTED_AUDIENCES: model.jitsi.appId,
  };
}

/** Settings shared by all four images (docker-jitsi-meet variable names); no secrets. */
export function jitsiEnv(model: Model, env: EnvModel): Record<string, string> {
  return {
    PUBLIC_URL: `https://${env.hosts.jitsi}`,
    TZ: 'UTC',
    XMPP_DOMAIN: 'meet.jitsi',
    XMPP_AUTH_DOMAIN: 'auth.meet.jitsi',
    XMPP_MUC_DOMAIN: 'muc.meet.jitsi',
    XMPP_INTERNAL_MUC_DOMAIN: 'internal-muc.meet.jitsi',
    XMPP_GUEST_DOMAIN: 'guest.meet.jitsi',
    XMPP_SERVER: 'jitsi-prosody',
    XMPP_BOSH_URL_BASE: `http://jitsi-prosody:${PROSODY_PORTS.http}`,
    JVB_BREWERY_MUC: 'jvbbrewery',
    JICOFO_AUTH_USER: 'focus',
    JVB_AUTH_USER: 'jvb',
    JVB_PORT: String(JVB_UDP_PORT),
    JVB_WS_DOMAIN: env.hosts.jitsi,
    JVB_WS_SERVER_ID: 'jitsi-jvb',
    ...(model.externalIp ? { JVB_ADVERTISE_IPS: model.externalIp } : {}),
    ...authEnv(model),
    ENABLE_XMPP_WEBSOCKET: '1',
    ENABLE_COLIBRI_WEBSOCKET: '1',
    DISABLE_HTTPS: '1',
    ENABLE_HTTP_REDIRECT: '0',
    ENABLE_LETSENCRYPT: '0',
    S6_READ_ONLY_ROOT: '1',
  };
}

const secretEnv = (name: string, key: string): Obj => ({ name, valueFrom: { secretKeyRef: { name: SECRET, key } } });

function scratch(names: Array<[string, string, string]>): { mounts: Obj[]; volumes: Obj[] } {
  return {
    mounts: names.map(([name, mountPath]) => ({ name, mountPath })),
    volumes: names.map(([name, , sizeLimit]) => ({ name, emptyDir: { sizeLimit } })),
  };
}

function jitsiWorkload(name: string, container: Obj, writable: Array<[string, string, string]>, extraPod: Obj = {}, opts: Parameters<typeof workload>[3] = {}): Obj {
  const w = scratch([['config', '/config', '64Mi'], ['run', '/run', '64Mi'], ['tmp', '/tmp', '256Mi'], ...writable]);
  return workload(name, JITSI_UID, {
    containers: [{
      envFrom: [{ configMapRef: { name: 'jitsi-env' } }],
      ...container,
      volumeMounts: w.mounts,
      securityContext: restrictedContainer(true),
    }],
    volumes: w.volumes,
    ...extraPod,
  }, opts);
}

export function jitsiBase(model: Model, env: EnvModel): BaseComponent {
  const prosody = jitsiWorkload('jitsi-prosody', {
    name: 'prosody', image: image('jitsi-prosody'),
    env: [
      secretEnv('JICOFO_AUTH_PASSWORD', 'jicofo-auth-password'), secretEnv('JVB_AUTH_PASSWORD', 'jvb-auth-password'),
      ...(model.jitsi.auth === 'jwt' ? [{ name: 'JWT_APP_SECRET', valueFrom: { secretKeyRef: { name: JWT_SECRET, key: 'app-secret' } } }] : []),
    ],
    ports: [
      { name: 'xmpp-c2s', containerPort: PROSODY_PORTS.c2s, protocol: 'TCP' },
      { name: 'http', containerPort: PROSODY_PORTS.http, protocol: 'TCP' },
      { name: 'xmpp-component', containerPort: PROSODY_PORTS.component, protocol: 'TCP' },
    ],
    resources: resources('100m', '256Mi', '512Mi'),
    readinessProbe: { tcpSocket: { port: 'xmpp-c2s' }, periodSeconds: 10 },
    livenessProbe: { tcpSocket: { port: 'xmpp-c2s' }, periodSeconds: 20 },
  }, [['data', '/var/lib/prosody', '64Mi'], ['plugins', '/prosody-plugins-custom', '16Mi']]);

  const jicofo = jitsiWorkload('jitsi-jicofo', {
    name: 'jicofo', image: image('jitsi-jicofo'),
    env: [secretEnv('JICOFO_AUTH_PASSWORD', 'jicofo-auth-password')],
    ports: [{ name: 'http', containerPort: 8888, protocol: 'TCP' }],
    resources: resources('100m', '256Mi', '512Mi'),
    readinessProbe: { httpGet: { path: '/about/health', port: 'http' }, periodSeconds: 10 },
    livenessProbe: { httpGet: { path: '/about/health', port: 'http' }, periodSeconds: 20 },
  }, []);

  // One bridge: the UDP port is fixed per pod and the LoadBalancer maps it 1:1.
  const jvb = jitsiWorkload('jitsi-jvb', {
    name: 'jvb', image: image('jitsi-jvb'),
    env: [secretEnv('JVB_AUTH_PASSWORD', 'jvb-auth-password')],
    ports: [
      { name: 'rtp-udp', containerPort: JVB_UDP_PORT, protocol: 'UDP' },
      { name: 'colibri-ws', containerPort: JVB_WS_PORT, protocol: 'TCP' },
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
    ],
    resources: resources('500m', '512Mi', '1Gi'),
    readinessProbe: { httpGet: { path: '/about/health', port: 'http' }, periodSeconds: 10 },
    livenessProbe: { httpGet: { path: '/about/health', port: 'http' }, periodSeconds: 20 },
  }, [], {}, { strategy: { type: 'Recreate' } });

  // nginx in the web image listens on 80; the namespaced sysctl lets UID 1000 bind it.
  const web = jitsiWorkload('jitsi-web', {
    name: 'web', image: image('jitsi-web'),
    ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
    resources: resources('50m', '128Mi', '256Mi'),
    readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 10 },
    livenessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 20 },
  }, [['nginx-lib', '/var/lib/nginx', '64Mi'], ['nginx-log', '/var/log/nginx', '64Mi']], {
    securityContext: { ...podSecurity(JITSI_UID), sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] },
  });

  const jvbUdp: Obj = {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'jitsi-jvb-udp', labels: labels('jitsi-jvb'), annotations: JVB_EXCEPTION },
    spec: {
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      selector: selector('jitsi-jvb'),
      ports: [{ name: 'rtp-udp', port: JVB_UDP_PORT, targetPort: JVB_UDP_PORT, protocol: 'UDP' }],
    },
  };
  return {
    name: 'jitsi',
    files: {
      'prosody.yaml': [prosody],
      'jicofo.yaml': [jicofo],
      'jvb.yaml': [jvb],
      'web.yaml': [web],
      'service.yaml': [
        service('jitsi-prosody', 'jitsi-prosody', [['xmpp-c2s', PROSODY_PORTS.c2s], ['http', PROSODY_PORTS.http], ['xmpp-component', PROSODY_PORTS.component]]),
        service('jitsi-jvb', 'jitsi-jvb', [['colibri-ws', JVB_WS_PORT]]),
        jvbUdp,
        service('jitsi-web', 'jitsi-web', [['http', 80]]),
      ],
      'ingress.yaml': [ingress('jitsi', 'jitsi-web', env.hosts.jitsi, [
        { path: '/xmpp-websocket', service: 'jitsi-prosody', port: PROSODY_PORTS.http },
        { path: '/http-bind', service: 'jitsi-prosody', port: PROSODY_PORTS.http },
        { path: '/colibri-ws', service: 'jitsi-jvb', port: JVB_WS_PORT },
        { path: '/', service: 'jitsi-web', port: 80 },
      ], { 'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600', 'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600' })],
      'configmap.yaml': [configMap('jitsi-env', 'jitsi', jitsiEnv(model, env))],
    },
  };
}
