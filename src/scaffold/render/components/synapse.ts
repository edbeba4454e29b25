// Synapse main process: generic Deployment/Service/Ingress in base, the homeserver.yaml per
// environment (it differs by workers and by the li read-only mode).
import { stringify } from 'yaml';
import type { EnvModel, Model } from '../../model/index.ts';
import { LI_LOG_CONFIG_PATH } from './li-audit-log.ts';
import { emailBlock, emailInSecret, synapseSettings } from './synapse-settings.ts';
import { mergeExtra } from '../../config/extra-config.ts';
import { WORKERS, workerResourceName, type WorkerType } from './worker-routes.ts';
import {
  image, ingress, labels, replicationService, podSecurity, resources, restrictedContainer, secretSpec, selector, service,
  type BaseComponent, type Obj, type SecretSpec,
} from '../lib.ts';

export const SYNAPSE_UID = 991;
export const REPLICATION_PORT = 9093;
const SECRET_ROOT = '/secrets';

/** Each Secret is its own `secret` volume, so the policies can see signing_key_path comes from one. */
function secretFile(secret: string): string {
  const f = SYNAPSE_SECRET_FILES.find((x) => x.secret === secret);
  if (!f) throw new Error(`unknown Synapse secret ${secret}`);
  return `${SECRET_ROOT}/${f.secret}/${f.key}`;
}

/** Every Synapse secret file, mounted through one projected volume (key → Secret). */
export const SYNAPSE_SECRET_FILES: Array<{ secret: string; key: string; workersOnly?: boolean; turn?: boolean; optional?: boolean }> = [
  { secret: 'synapse-signing-key', key: 'signing.key' },
  { secret: 'synapse-macaroon-secret-key', key: 'macaroon_secret_key' },
  { secret: 'synapse-form-secret', key: 'form_secret' },
  { secret: 'synapse-registration-shared-secret', key: 'registration_shared_secret' },
  { secret: 'turn-shared-secret', key: 'turn_shared_secret', turn: true },
  { secret: 'synapse-worker-replication-secret', key: 'worker_replication_secret', workersOnly: true },
  { secret: 'redis-password', key: 'password', workersOnly: true },
  // Present only with the settings that need them (synapse.email.user, registration.recaptcha).
  { secret: 'synapse-email', key: 'email.yaml', optional: true },
  { secret: 'synapse-recaptcha-public-key', key: 'recaptcha_public_key', optional: true },
  { secret: 'synapse-recaptcha-private-key', key: 'recaptcha_private_key', optional: true },
];

/** The second config file an authenticated SMTP setup adds to every Synapse process. */
export const EMAIL_CONFIG_FILE = `${SECRET_ROOT}/synapse-email/email.yaml`;

/** Secrets only the operator knows (SMTP password, reCAPTCHA keys): read from the environment once. */
export function settingsSecretSpecs(model: Model, env: EnvModel): SecretSpec[] {
  const s = model.synapse;
  const specs: SecretSpec[] = [];
  if (s.email && emailInSecret(s)) {
    // Synapse has no smtp_pass_path and merges config files per top-level key, so the whole
    // email block is in the Secret; the block is written once, like every secret (README: to change it, edit it with sops).
    // `email:` is the only top-level key, so the password line closes its indented block.
    const block = `${yamlText({ email: emailBlock(s.email, `https://${env.hosts.element}`) })}  smtp_pass: {smtp_pass|json}\n`;
    specs.push(secretSpec(env, 'synapse-email', {
      smtp_pass: { env: s.email.passwordEnv, field: 'synapse.email.passwordEnv' },
      'email.yaml': { template: block },
    }));
  }
  const ext = model.externalPostgres;
  if (ext && env.postgres === 'external') {
    // Same name and keys as the CNPG-generated Secret, so the Synapse Deployment is identical.
    specs.push(secretSpec(env, 'synapse-pg-app', { username: { generate: 'literal', value: ext.user }, password: { env: ext.passwordEnv, field: 'externalPostgres.passwordEnv' } }, 'kubernetes.io/basic-auth'));
  }
  if (s.registration.mode === 'open' && s.registration.recaptcha) {
    specs.push(secretSpec(env, 'synapse-recaptcha-public-key', { recaptcha_public_key: { env: 'MATRIX_GITOPS_RECAPTCHA_PUBLIC_KEY', field: 'synapse.registration.recaptcha' } }));
    specs.push(secretSpec(env, 'synapse-recaptcha-private-key', { recaptcha_private_key: { env: 'MATRIX_GITOPS_RECAPTCHA_PRIVATE_KEY', field: 'synapse.registration.recaptcha' } }));
  }
  return specs;
}

export function synapseSecretSpecs(env: EnvModel, model?: Model): SecretSpec[] {
  const specs: SecretSpec[] = [
    secretSpec(env, 'synapse-signing-key', { 'signing.key': { generate: 'synapse-signing-key' } }),
    secretSpec(env, 'synapse-macaroon-secret-key', { macaroon_secret_key: { generate: 'token', bytes: 32 } }),
    secretSpec(env, 'synapse-form-secret', { form_secret: { generate: 'token', bytes: 32 } }),
    secretSpec(env, 'synapse-registration-shared-secret', { registration_shared_secret: { generate: 'token', bytes: 32 } }),
  ];
  if (env.components.coturn) specs.push(secretSpec(env, 'turn-shared-secret', { turn_shared_secret: { generate: 'token', bytes: 32 } }));
  if (env.workers.length) {
    specs.push(secretSpec(env, 'synapse-worker-replication-secret', { worker_replication_secret: { generate: 'token', bytes: 32 } }));
    const ext = model?.externalRedis;
    specs.push(secretSpec(env, 'redis-password', { password: ext ? { env: ext.passwordEnv, field: 'externalRedis.passwordEnv' } : { generate: 'password', length: 32 } }));
  }
  if (env.postgres === 'statefulset') {
    // Same name and keys as the CNPG-generated Secret, so the Synapse Deployment is identical.
    specs.push(secretSpec(env, 'synapse-pg-app', { username: { generate: 'literal', value: 'synapse' }, password: { generate: 'password', length: 32 } }, 'kubernetes.io/basic-auth'));
  }
  specs.push(secretSpec(env, 'synapse-admin-user', { username: { generate: 'literal', value: 'admin' }, password: { generate: 'password', length: 32 } }));
  return specs;
}

export function rtcServiceUrl(env: EnvModel): string {
  return `https://${env.hosts.rtc}`;
}

/** Where Synapse's database is: the stack's own (CNPG or the homelab StatefulSet, one Service name) or externalPostgres. */
function databaseAddress(model: Model, env: EnvModel, prefix: string): Obj {
  const ext = model.externalPostgres;
  if (ext && env.postgres === 'external') return { user: ext.user, dbname: ext.database, host: ext.host, port: ext.port, sslmode: ext.sslmode };
  // CloudNativePG always serves TLS, so Synapse insists on it there (MX-DB-001); the homelab
  // StatefulSet runs the plain postgres image, which has none.
  return { user: 'synapse', dbname: 'synapse', host: `${prefix}-pg-rw`, port: 5432, sslmode: env.postgres === 'cnpg' ? 'require' : 'prefer' };
}

export function homeserverConfig(model: Model, env: EnvModel, prefix = 'synapse'): Obj {
  const workers = env.workers;
  const streamWriters: Record<string, string[]> = {};
  const instanceMap: Record<string, Obj> = {};
  for (const w of workers) {
    const def = WORKERS[w];
    for (const s of def.streams) (streamWriters[s] ??= []).push(w);
    if (def.streams.length) instanceMap[w] = { host: `${workerResourceName(w)}-replication`, port: REPLICATION_PORT };
  }
  const listenerResources = env.readOnly ? ['client'] : ['client', 'federation'];
  const cfg: Obj = {
    server_name: model.serverName,
    public_baseurl: `https://${env.hosts.synapse}/`,
    serve_server_wellknown: false,
    signing_key_path: secretFile('synapse-signing-key'),
    macaroon_secret_key_path: secretFile('synapse-macaroon-secret-key'),
    form_secret_path: secretFile('synapse-form-secret'),
    registration_shared_secret_path: secretFile('synapse-registration-shared-secret'),
    media_store_path: '/data/media_store',
    // Profiles only for signed-in users (policy MX-SYN-008).
    require_auth_for_profile_requests: true,
    trusted_key_servers: env.readOnly ? [] : [{ server_name: 'matrix.org' }],
    suppress_key_server_warning: true,
    enable_metrics: true,
    listeners: [
      { port: 8008, type: 'http', tls: false, x_forwarded: true, bind_addresses: ['::', '0.0.0.0'], resources: [{ names: listenerResources, compress: false }] },
      { port: 9000, type: 'metrics', bind_addresses: ['::', '0.0.0.0'] },
      ...(workers.length ? [{ port: REPLICATION_PORT, type: 'http', bind_addresses: ['::', '0.0.0.0'], resources: [{ names: ['replication'] }] }] : []),
    ],
    // No password here: libpq reads PGPASSWORD, set from a secretKeyRef.
    database: {
      name: 'psycopg2',
      args: {
        ...databaseAddress(model, env, prefix),
        cp_min: 5, cp_max: 10, keepalives_idle: 10, keepalives_interval: 10, keepalives_count: 3,
      },
    },
    url_preview_enabled: !env.readOnly,
    url_preview_ip_range_blacklist: [
      '127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '192.0.0.0/24',
      '169.254.0.0/16', '192.88.99.0/24', '198.18.0.0/15', '192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24',
      '224.0.0.0/4', '::1/128', 'fe80::/10', 'fc00::/7', '2001:db8::/32', 'ff00::/8', 'fec0::/10',
      ...model.clusterCidrs,
    ],
    ...synapseSettings(model, env),
  };
  const readOnly: Obj = {};
  if (env.readOnly) {
    // The li copy must never talk to other servers or accept accounts: an empty whitelist
    // blocks all federation, and without the federation resource nothing inbound is served.
    Object.assign(readOnly, {
      federation_domain_whitelist: [],
      send_federation: false,
      enable_registration: false,
      enable_3pid_changes: false,
      allow_guest_access: false,
      // Audit trail: every request at INFO, structured, to stdout (li-audit-log.ts).
      log_config: LI_LOG_CONFIG_PATH,
      url_preview_enabled: false,
      // The copy reports nothing and lists no rooms to anyone unauthenticated (MX-LI-002, MX-SYN-008).
      report_stats: false,
      allow_public_rooms_without_auth: false,
      allow_public_rooms_over_federation: false,
    });
    delete cfg.email;
    delete cfg.auto_join_rooms;
    for (const k of ['registration_requires_token', 'registrations_require_3pid', 'enable_registration_captcha', 'recaptcha_public_key_path', 'recaptcha_private_key_path']) delete cfg[k];
    Object.assign(cfg, readOnly);
  }
  if (env.components.coturn) {
    Object.assign(cfg, {
      turn_uris: [`turn:${env.hosts.turn}:3478?transport=udp`, `turn:${env.hosts.turn}:3478?transport=tcp`],
      turn_shared_secret_path: secretFile('turn-shared-secret'),
      turn_user_lifetime: '1h',
      turn_allow_guests: false,
    });
  }
  if (env.components.livekit) {
    const foci = [{ type: 'livekit', livekit_service_url: rtcServiceUrl(env) }];
    Object.assign(cfg, {
      experimental_features: { msc4143_enabled: true, msc4222_enabled: true, msc3266_enabled: true },
      max_event_delay_duration: '24h',
      rc_message: { per_second: 0.5, burst_count: 30 },
      rc_delayed_event_mgmt: { per_second: 1, burst_count: 20 },
      matrix_rtc: { transports: foci },
      extra_well_known_client_content: { 'org.matrix.msc4143.rtc_foci': foci },
    });
  }
  if (workers.length) {
    Object.assign(cfg, {
      worker_replication_secret_path: secretFile('synapse-worker-replication-secret'),
      redis: { enabled: true, host: model.externalRedis?.host ?? 'synapse-redis', port: model.externalRedis?.port ?? 6379, password_path: secretFile('redis-password') },
      instance_map: { main: { host: 'synapse-replication', port: REPLICATION_PORT }, ...instanceMap },
      stream_writers: streamWriters,
    });
    if (workers.includes('federation_sender')) Object.assign(cfg, { send_federation: false, federation_sender_instances: ['federation_sender'] });
    if (workers.includes('pusher')) Object.assign(cfg, { start_pushers: false, pusher_instances: ['pusher'] });
    if (workers.includes('background_worker')) Object.assign(cfg, { run_background_tasks_on: 'background_worker' });
    if (workers.includes('media_repository')) Object.assign(cfg, { enable_media_repo: false, media_instance_running_background_jobs: 'media_repository' });
  }
  // The operator's keys last; the li copy's read-only guarantees are laid over them again.
  return { ...mergeExtra(cfg, model.synapse.extraConfig, model.synapse.extraConfigByEnvironment, env.name), ...readOnly };
}

export function workerConfig(w: WorkerType): Obj {
  const def = WORKERS[w];
  const listeners: Obj[] = [];
  if (def.streams.length) listeners.push({ type: 'http', port: REPLICATION_PORT, resources: [{ names: ['replication'] }] });
  if (def.resources.length) listeners.push({ type: 'http', port: 8008, x_forwarded: true, resources: [{ names: [...def.resources] }] });
  listeners.push({ type: 'http', port: 8080, resources: [{ names: ['health'] }] });
  listeners.push({ type: 'metrics', port: 9000 });
  return { worker_app: def.app, worker_name: w, worker_listeners: listeners };
}

export function yamlText(o: Obj): string {
  return stringify(o, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Pod spec shared by the main process and the workers. */
export function synapsePodSpec(opts: {
  component: string; command: string[]; configMap: string; workerConfigMap?: string; healthPort: number;
  ports: Array<[string, number]>; media: boolean; pgSecret: string; cpu: string; memory: string;
}): Obj {
  const volumes: Obj[] = [
    { name: 'config', configMap: { name: opts.configMap } },
    ...SYNAPSE_SECRET_FILES.map((f) => ({
      name: f.secret,
      secret: {
        secretName: f.secret,
        defaultMode: 0o440,
        items: [{ key: f.key, path: f.key }],
        // Worker, TURN and settings secrets exist only where those components or settings are on.
        ...(f.workersOnly || f.turn || f.optional ? { optional: true } : {}),
      },
    })),
    // Uploads are spooled to /tmp, so it holds at least max_upload_size (policy MX-REL-007 wants a bound).
    { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
  ];
  const mounts: Obj[] = [
    { name: 'config', mountPath: '/config', readOnly: true },
    ...SYNAPSE_SECRET_FILES.map((f) => ({ name: f.secret, mountPath: `${SECRET_ROOT}/${f.secret}`, readOnly: true })),
    { name: 'tmp', mountPath: '/tmp' },
  ];
  if (opts.workerConfigMap) {
    volumes.push({ name: 'worker-config', configMap: { name: opts.workerConfigMap } });
    mounts.push({ name: 'worker-config', mountPath: '/config/workers', readOnly: true });
  }
  if (opts.media) {
    volumes.push({ name: 'media', persistentVolumeClaim: { claimName: 'synapse-media' } });
    mounts.push({ name: 'media', mountPath: '/data/media_store' });
  }
  const probe = (failureThreshold: number, periodSeconds: number): Obj => ({
    httpGet: { path: '/health', port: opts.healthPort }, periodSeconds, failureThreshold, timeoutSeconds: 5,
  });
  return {
    securityContext: podSecurity(SYNAPSE_UID),
    automountServiceAccountToken: false,
    containers: [{
      name: 'synapse',
      image: image('synapse'),
      command: opts.command,
      env: [
        { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: opts.pgSecret, key: 'password' } } },
        { name: 'SYNAPSE_CACHE_FACTOR', value: '1.0' },
      ],
      ports: opts.ports.map(([name, containerPort]) => ({ name, containerPort, protocol: 'TCP' })),
      volumeMounts: mounts,
      securityContext: restrictedContainer(),
      resources: resources(opts.cpu, opts.memory, opts.memory === '512Mi' ? '1Gi' : undefined),
      startupProbe: probe(60, 5),
      livenessProbe: probe(3, 15),
      readinessProbe: probe(3, 10),
    }],
    volumes,
  };
}

/** Synapse size (100M) → the ingress-nginx body-size annotation (100m), so the Ingress takes what Synapse takes. */
export function bodySize(maxUploadSize: string): string {
  return maxUploadSize.toLowerCase();
}

export function synapseBase(prefix = 'synapse', host = 'matrix.example.com', pgSecret = 'synapse-pg-app', maxUploadSize = '100M'): BaseComponent {
  const component = prefix;
  const deployment: Obj = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: prefix, labels: labels(component, { 'app.kubernetes.io/component': 'synapse' }) },
    spec: {
      replicas: 1,
      // Media PVC is ReadWriteOnce: never run two pods at once.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selector(component) },
      template: {
        metadata: { labels: labels(component, { 'app.kubernetes.io/component': 'synapse' }) },
        spec: synapsePodSpec({
          component, configMap: `${prefix}-config`, healthPort: 8008, media: true, pgSecret,
          command: ['python3', '-m', 'synapse.app.homeserver', '-c', '/config/homeserver.yaml'],
          ports: [['http', 8008], ['metrics', 9000], ['replication', REPLICATION_PORT]],
          cpu: '250m', memory: '512Mi',
        }),
      },
    },
  };
  const pvc: Obj = {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim',
    metadata: { name: 'synapse-media', labels: labels(component) },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } },
  };
  return {
    name: prefix,
    files: {
      'deployment.yaml': [deployment],
      'pvc.yaml': [pvc],
      // The replication port lives on its own Service that no Ingress references.
      'service.yaml': [
        service(prefix, component, [['http', 8008]]),
        replicationService(`${prefix}-replication`, component),
      ],
      'ingress.yaml': [ingress(prefix, component, host, [
        { path: '/_matrix', service: prefix, port: 8008 },
        { path: '/_synapse/client', service: prefix, port: 8008 },
      ], { 'nginx.ingress.kubernetes.io/proxy-body-size': bodySize(maxUploadSize) })],
    },
  };
}
