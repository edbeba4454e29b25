// Issue 11: every operator setting has its rendered effect pinned here (the bad values are the
// fixtures in test/unit/config/fixtures). One config with everything on, plus the defaults.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { buildModel } from '../../../src/scaffold/model/index.ts';
import { renderRepository } from '../../../src/scaffold/render/index.ts';
import { generateSecret } from '../../../src/scaffold/secrets/index.ts';
import { validateConfig } from '../../../src/scaffold/config/load.ts';
import { everyOptionConfig } from './every-option.ts';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function render(config = everyOptionConfig()) {
  const r = renderRepository(buildModel(config));
  const files = new Map(r.files.map((f) => [f.path, f]));
  const text = (p: string): string => {
    const f = files.get(p);
    assert.ok(f, `not rendered: ${p}`);
    return f.content;
  };
  return {
    r, files, text,
    docs: (p: string): Doc[] => parseAllDocuments(text(p)).map((d) => d.toJSON() as Doc).filter(Boolean),
    hs: (env: string): Doc => parse(text(env === 'li' ? 'overlays/li/copy/synapse-li/homeserver.yaml' : `overlays/${env}/synapse/homeserver.yaml`)) as Doc,
    kust: (dir: string): Doc => parse(text(`${dir}/kustomization.yaml`)) as Doc,
    element: (p = 'base/element/config.json'): Doc => JSON.parse(text(p)) as Doc,
  };
}

const all = render();
const defaults = render(validateConfig({ serverName: 'example.org', environments: ['homelab', 'production', 'li'], li: { allowedCidrs: ['203.0.113.0/24'] }, components: { jitsi: true } }, 'defaults'));

test('synapse defaults: registration off, 100M uploads, previews on, presence on, stats off, admins publish, auth for the room list', () => {
  const hs = defaults.hs('production');
  assert.equal(hs.enable_registration, false);
  assert.equal(hs.registration_requires_token, undefined);
  assert.equal(hs.max_upload_size, '100M');
  assert.equal(hs.max_image_pixels, '32M');
  assert.deepEqual(hs.media_upload_limits, [{ time_period: '1d', max_size: '1G' }]);
  assert.equal(hs.url_preview_enabled, true);
  assert.deepEqual(hs.presence, { enabled: true });
  assert.equal(hs.report_stats, false);
  assert.deepEqual(hs.room_list_publication_rules, [{ action: 'deny' }]);
  assert.equal(hs.allow_public_rooms_over_federation, false);
  assert.equal(hs.allow_public_rooms_without_auth, false);
  for (const k of ['email', 'retention', 'auto_join_rooms', 'server_notices', 'federation_domain_whitelist', 'log_config']) assert.equal(hs[k], undefined, k);
  assert.equal(defaults.element().brand, 'Element');
  assert.equal(defaults.element().default_theme, 'light');
  assert.equal(defaults.element().setting_defaults['UIFeature.registration'], false);
});

test('registration open with e-mail verification and reCAPTCHA keys read from secret files', () => {
  const hs = all.hs('production');
  assert.equal(hs.enable_registration, true);
  assert.deepEqual(hs.registrations_require_3pid, ['email']);
  assert.equal(hs.enable_registration_captcha, true);
  assert.equal(hs.recaptcha_public_key_path, '/secrets/synapse-recaptcha-public-key/recaptcha_public_key');
  assert.equal(hs.recaptcha_private_key_path, '/secrets/synapse-recaptcha-private-key/recaptcha_private_key');
  const names = all.r.secrets.filter((s) => s.path.startsWith('overlays/production/')).map((s) => s.name);
  assert.ok(names.includes('synapse-recaptcha-public-key') && names.includes('synapse-recaptcha-private-key'), names.join());
  assert.equal(all.element().setting_defaults['UIFeature.registration'], true);
});

test('token registration: registration_requires_token, Element offers sign-up', () => {
  const t = render(everyOptionConfig({ synapse: { registration: { mode: 'token' } } }));
  assert.equal(t.hs('production').enable_registration, true);
  assert.equal(t.hs('production').registration_requires_token, true);
  assert.equal(t.element().setting_defaults['UIFeature.registration'], true);
});

test('SMTP with a user: the whole email block is a SOPS secret loaded as a second config file by every Synapse process', () => {
  const hs = all.hs('production');
  assert.equal(hs.email, undefined, 'no email block (and no password) in the ConfigMap');
  const spec = all.r.secrets.find((s) => s.path === 'overlays/production/secrets/synapse-email.sops.yaml');
  assert.ok(spec);
  assert.deepEqual(spec.data.smtp_pass, { env: 'MATRIX_GITOPS_SMTP_PASSWORD', field: 'synapse.email.passwordEnv' });
  process.env.MATRIX_GITOPS_SMTP_PASSWORD = 'p"a:ss #1';
  try {
    const values = generateSecret(spec);
    assert.deepEqual((parse(values['email.yaml']) as Doc).email, {
      smtp_host: 'smtp.example.org', smtp_port: 587, smtp_user: 'matrix', force_tls: false, require_transport_security: true, enable_tls: true,
      notif_from: 'Example Chat <noreply@example.org>', app_name: 'Example Chat', enable_notifs: true, notif_for_new_users: true,
      client_base_url: 'https://chat.example.org', smtp_pass: 'p"a:ss #1',
    });
  } finally {
    delete process.env.MATRIX_GITOPS_SMTP_PASSWORD;
  }
  const patches = (all.kust('overlays/production').patches as Doc[]).filter((p) => /email\.yaml/.test(p.patch as string));
  assert.deepEqual(patches.map((p) => p.target.name).sort(), ['synapse', 'synapse-background-worker', 'synapse-client-reader', 'synapse-event-persister', 'synapse-federation-reader', 'synapse-federation-sender', 'synapse-media-repository', 'synapse-pusher', 'synapse-stream-writer', 'synapse-synchrotron']);
  assert.deepEqual((parse(patches[0].patch as string) as Doc[]).map((o) => o.value), ['-c', '/secrets/synapse-email/email.yaml']);
});

test('a missing SMTP password is one line naming the variable, never a value', () => {
  const spec = all.r.secrets.find((s) => s.name === 'synapse-email');
  assert.ok(spec);
  assert.throws(() => generateSecret(spec), { message: 'synapse.email.passwordEnv: overlays/homelab/secrets/synapse-email.sops.yaml is new and needs the value of the environment variable MATRIX_GITOPS_SMTP_PASSWORD, which is not set; export MATRIX_GITOPS_SMTP_PASSWORD=… and re-run (it is written once, SOPS-encrypted, and never needed again)' });
});

test('SMTP without a user (a relay): the email block is in homeserver.yaml, implicit TLS on 465', () => {
  const relay = render(everyOptionConfig({ synapse: { registration: { mode: 'off' }, email: { smtpHost: 'relay.example.org', from: 'noreply@example.org', tls: 'implicit' } } }));
  const email = relay.hs('production').email as Doc;
  assert.equal(email.smtp_port, 465);
  assert.equal(email.force_tls, true);
  assert.equal(email.smtp_user, undefined);
  assert.ok(!relay.r.secrets.some((s) => s.name === 'synapse-email'));
});

test('retention, media limits, previews, auto-join, server notices, presence, stats, log level, room directory', () => {
  const hs = all.hs('production');
  assert.deepEqual(hs.retention, { enabled: true, default_policy: { max_lifetime: '1y' }, allowed_lifetime_min: '1d', allowed_lifetime_max: '2y' });
  assert.equal(hs.max_upload_size, '200M');
  assert.equal(hs.max_image_pixels, '64M');
  assert.deepEqual(hs.media_upload_limits, [{ time_period: '1h', max_size: '500M' }, { time_period: '1d', max_size: '2G' }]);
  assert.equal(hs.url_preview_enabled, false);
  assert.ok((hs.url_preview_ip_range_blacklist as string[]).includes('10.42.0.0/16'), 'the deny list stays');
  assert.deepEqual(hs.auto_join_rooms, ['#welcome:example.org']);
  assert.deepEqual(hs.server_notices, { system_mxid_localpart: 'server', system_mxid_display_name: 'Server Notices', room_name: 'Server Notices' });
  assert.deepEqual(hs.presence, { enabled: false });
  assert.equal(hs.report_stats, true);
  assert.equal(hs.log_config, '/config/log.yaml');
  assert.equal((parse(all.text('overlays/production/synapse/log.yaml')) as Doc).root.level, 'WARNING');
  assert.deepEqual(all.kust('overlays/production').configMapGenerator[0].files, ['homeserver.yaml=synapse/homeserver.yaml', 'log.yaml=synapse/log.yaml']);
  assert.deepEqual(hs.room_list_publication_rules, [{ action: 'allow' }]);
  assert.equal(hs.allow_public_rooms_over_federation, true);
  assert.equal(hs.allow_public_rooms_without_auth, true);
  // ingress-nginx (whose default body limit is 1m) gets a body limit that follows the upload limit;
  // Envoy Gateway and Traefik stream request bodies without one.
  const nginx = render(everyOptionConfig({ ingress: { production: { provider: 'ingress-nginx' } } }));
  const ingresses = nginx.docs('overlays/production/routes.yaml').filter((d) => d.kind === 'Ingress');
  for (const name of ['synapse', 'synapse-workers']) {
    const ing = ingresses.find((d) => d.metadata.name === name);
    assert.equal(ing?.metadata.annotations['nginx.ingress.kubernetes.io/proxy-body-size'], '200m', name);
  }
});

test('federation: allowList → federation_domain_whitelist; off → empty list and no key servers', () => {
  assert.deepEqual(all.hs('production').federation_domain_whitelist, ['matrix.org', 'example.net']);
  const off = render(everyOptionConfig({ synapse: { federation: 'off' } })).hs('production');
  assert.deepEqual(off.federation_domain_whitelist, []);
  assert.deepEqual(off.trusted_key_servers, []);
});

test('extraConfig is merged last, per environment, and never loosens the li copy', () => {
  const prod = all.hs('production');
  assert.deepEqual(prod.rc_login, { address: { per_second: 0.2, burst_count: 5 } });
  assert.equal(prod.admin_contact, undefined);
  assert.equal(all.hs('homelab').admin_contact, 'mailto:homelab@example.org');
  const li = all.hs('li');
  assert.deepEqual(li.rc_login, { address: { per_second: 0.2, burst_count: 5 } });
  assert.equal(li.enable_registration, false);
  assert.deepEqual(li.federation_domain_whitelist, []);
  assert.deepEqual([li.report_stats, li.allow_public_rooms_without_auth, li.allow_public_rooms_over_federation], [false, false, false]);
  for (const k of ['email', 'auto_join_rooms', 'registrations_require_3pid', 'recaptcha_private_key_path']) assert.equal(li[k], undefined, k);
  // extraConfig wins over a rendered key (deep-merged: sibling keys stay).
  const over = render(everyOptionConfig({ synapse: { extraConfig: { presence: { include_offline_users_on_sync: true } } } })).hs('production');
  assert.deepEqual(over.presence, { enabled: true, include_offline_users_on_sync: true });
});

test('element: brand, branding URLs, theme, embedded pages, country code, extraConfig (per environment in the overlay)', () => {
  const base = all.element();
  assert.equal(base.brand, 'Example Chat');
  assert.deepEqual(base.branding, { auth_header_logo_url: 'https://example.org/logo.svg', welcome_background_url: 'https://example.org/background.jpg' });
  assert.equal(base.default_theme, 'dark');
  assert.deepEqual(base.embedded_pages, { welcome_url: 'https://example.org/welcome.html', home_url: 'https://example.org/home.html' });
  assert.equal(base.default_country_code, 'GB');
  assert.equal(base.show_labs_settings, true);
  assert.equal(base.disable_guests, undefined);
  const homelab = all.element('overlays/homelab/element/config.json');
  assert.equal(homelab.disable_guests, true);
  assert.equal(homelab.show_labs_settings, true);
  assert.deepEqual(all.kust('overlays/homelab').configMapGenerator[1], { name: 'element-config', behavior: 'replace', files: ['config.json=element/config.json'] });
  assert.ok(!all.files.has('overlays/production/element/config.json'));
});

test('storage: classes and sizes per volume, media ReadWriteMany', () => {
  const patches = (dir: string) => (all.kust(dir).patches as Doc[]).map((p) => ({ target: p.target, patch: parse(p.patch as string) as Doc }));
  const find = (dir: string, kind: string, name: string) => patches(dir).filter((p) => p.target.kind === kind && p.target.name === name).map((p) => p.patch.spec);
  assert.deepEqual(find('overlays/production', 'PersistentVolumeClaim', 'synapse-media'), [{ storageClassName: 'fast-rwx', resources: { requests: { storage: '100Gi' } }, accessModes: ['ReadWriteMany'] }]);
  assert.ok(find('overlays/production', 'Cluster', 'synapse-pg').some((s) => JSON.stringify(s.storage) === JSON.stringify({ size: '50Gi', storageClass: 'fast-ssd' })));
  const sts = find('overlays/homelab', 'StatefulSet', 'synapse-pg')[0];
  assert.deepEqual(sts.volumeClaimTemplates[0].spec, { accessModes: ['ReadWriteOnce'], storageClassName: 'fast-ssd', resources: { requests: { storage: '50Gi' } } });
  assert.deepEqual(find('overlays/homelab', 'PersistentVolumeClaim', 'synapse-backups'), [{ storageClassName: 'bulk', resources: { requests: { storage: '200Gi' } } }]);
  // Defaults: only the media worker's ReadWriteMany, nothing else.
  const d = (defaults.kust('overlays/production').patches as Doc[]).filter((p) => ['PersistentVolumeClaim', 'StatefulSet'].includes(p.target.kind));
  assert.deepEqual(d.map((p) => (parse(p.patch as string) as Doc).spec), [{ accessModes: ['ReadWriteMany'] }]);
});

test('Jitsi requires a JWT signed with a generated secret; guests off', () => {
  const env = all.docs('base/jitsi/configmap.yaml')[0].data as Record<string, string>;
  assert.equal(env.ENABLE_AUTH, '1');
  assert.equal(env.AUTH_TYPE, 'jwt');
  assert.equal(env.ENABLE_GUESTS, '0');
  assert.equal(env.JWT_APP_ID, 'example-chat');
  const prosody = all.docs('base/jitsi/prosody.yaml')[0].spec.template.spec.containers[0].env as Doc[];
  assert.deepEqual(prosody.find((e) => e.name === 'JWT_APP_SECRET')?.valueFrom, { secretKeyRef: { name: 'jitsi-jwt', key: 'app-secret' } });
  assert.deepEqual(all.r.secrets.find((s) => s.path === 'overlays/production/secrets/jitsi-jwt.sops.yaml')?.data, { 'app-secret': { generate: 'token', bytes: 32 } });
  const open = render(validateConfig({ serverName: 'example.org', environments: ['homelab'], components: { jitsi: true }, jitsi: { auth: 'none' } }, 'x'));
  assert.equal((open.docs('base/jitsi/configmap.yaml')[0].data as Record<string, string>).ENABLE_AUTH, '0');
});

test('Sygnal: the push apps in the config, their credentials in a SOPS secret mounted under /secrets/sygnal', () => {
  const cm = all.docs('base/sygnal/configmap.yaml')[0].data['sygnal.yaml'] as string;
  assert.deepEqual((parse(cm) as Doc).apps, {
    'org.example.chat.ios': { type: 'apns', keyfile: '/secrets/sygnal/org.example.chat.ios', key_id: 'ABC123DEFG', team_id: 'TEAM123456', topic: 'org.example.chat', platform: 'sandbox' },
    'org.example.chat.android': { type: 'gcm', api_version: 'v1', project_id: 'example-chat', service_account_file: '/secrets/sygnal/org.example.chat.android' },
  });
  const pod = all.docs('base/sygnal/deployment.yaml')[0].spec.template.spec;
  assert.deepEqual(pod.volumes.find((v: Doc) => v.name === 'credentials'), { name: 'credentials', secret: { secretName: 'sygnal-credentials', defaultMode: 0o440 } });
  const spec = all.r.secrets.find((s) => s.path === 'overlays/production/secrets/sygnal-credentials.sops.yaml');
  assert.ok(spec);
  const values = generateSecret(spec);
  assert.match(values['org.example.chat.android'], /"service_account"/);
  assert.deepEqual(defaults.docs('base/jitsi/configmap.yaml').length, 1);
});

test('every overlay and Flux entry point includes its create-once custom/ Component', () => {
  for (const dir of ['overlays/homelab', 'overlays/production', 'overlays/li', 'flux/homelab', 'flux/production', 'flux/li']) {
    assert.deepEqual(all.kust(dir).components, ['custom'], dir);
    const f = all.files.get(`${dir}/custom/kustomization.yaml`);
    assert.ok(f?.createOnce, dir);
    assert.deepEqual(parse(f.content), { apiVersion: 'kustomize.config.k8s.io/v1alpha1', kind: 'Component', resources: [], patches: [] });
  }
  assert.equal(all.r.files.filter((f) => f.createOnce).length, 6);
});

test('components: homelab drops nothing silently (workers/monitoring/synapseAdmin default off without their environment)', () => {
  const h = validateConfig({ serverName: 'example.org', environments: ['homelab'] }, 'x');
  assert.deepEqual([h.components.workers, h.components.monitoring, h.components.synapseAdmin], [false, false, false]);
  const p = validateConfig({ serverName: 'example.org' }, 'x');
  assert.deepEqual([p.components.workers, p.components.monitoring, p.components.synapseAdmin], [true, true, false]);
});

test('a server name that is already the Synapse host is not doubled', () => {
  const c = validateConfig({ serverName: 'matrix.example.org' }, 'x');
  assert.equal(c.hosts.synapse, 'matrix.example.org');
  assert.equal(c.hosts.element, 'chat.example.org');
  assert.equal(validateConfig({ serverName: 'matrix.org' }, 'x').hosts.synapse, 'matrix.matrix.org', 'a two-label name is a domain');
});

test('replicas: the production HPA ranges of Element and the scalable workers; defaults 2-4 and 2-6', () => {
  const range = (r: ReturnType<typeof render>, name: string) => {
    const h = r.docs('overlays/production/hpa.yaml').find((d) => d.spec.scaleTargetRef.name === name);
    return [h?.spec.minReplicas, h?.spec.maxReplicas];
  };
  assert.deepEqual(range(all, 'element'), [3, 5]);
  assert.deepEqual(range(all, 'synapse-client-reader'), [2, 10]);
  assert.deepEqual(range(all, 'synapse-federation-reader'), [2, 6]);
  assert.deepEqual(range(defaults, 'element'), [2, 4]);
  assert.deepEqual(range(defaults, 'synapse-client-reader'), [2, 6]);
});

test('resources: large sizes the Synapse main process and PostgreSQL of that environment; small keeps the base', () => {
  const res = (r: ReturnType<typeof render>, dir: string, kind: string, name: string) => (r.kust(dir).patches as Doc[])
    .filter((p) => p.target.kind === kind && p.target.name === name).map((p) => parse(p.patch as string) as Doc)
    .map((p) => p.spec?.template?.spec.containers[0].resources ?? p.spec?.resources).filter(Boolean);
  assert.deepEqual(res(all, 'overlays/production', 'Deployment', 'synapse'), [{ requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '4', memory: '4Gi' } }]);
  assert.deepEqual(res(all, 'overlays/production', 'Cluster', 'synapse-pg'), [{ requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '4', memory: '4Gi' } }]);
  assert.deepEqual(res(all, 'overlays/homelab', 'Deployment', 'synapse'), []);
  assert.deepEqual(res(defaults, 'overlays/production', 'Deployment', 'synapse'), []);
  const homelabLarge = render(validateConfig({ serverName: 'example.org', environments: ['homelab'], resources: { homelab: 'large' } }, 'x'));
  assert.deepEqual(res(homelabLarge, 'overlays/homelab', 'StatefulSet', 'synapse-pg'), [{ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } }]);
});

test('e-mail: production Synapse may reach the SMTP port (and only that port) beyond the internet rule', () => {
  const np = all.docs('overlays/production/networkpolicies.yaml').find((d) => d.metadata.name === 'synapse');
  assert.ok((np?.spec.egress as Doc[]).some((e) => JSON.stringify(e) === JSON.stringify({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 587 }] })));
  const none = defaults.docs('overlays/production/networkpolicies.yaml').find((d) => d.metadata.name === 'synapse');
  assert.ok(!(none?.spec.egress as Doc[]).some((e) => JSON.stringify(e).includes('587')));
});

test('externalPostgres: no database of ours, Synapse points at it, the password is supplied, the NetworkPolicy allows only it', () => {
  const ext = render(validateConfig({ serverName: 'example.org', externalPostgres: { host: 'db.example.org', port: 6432, database: 'matrix', user: 'matrix_app', sslmode: 'verify-full', cidr: '10.0.5.10/32' } }, 'x'));
  for (const env of ['homelab', 'production']) {
    const args = ext.hs(env).database.args as Doc;
    assert.deepEqual([args.host, args.port, args.dbname, args.user, args.sslmode], ['db.example.org', 6432, 'matrix', 'matrix_app', 'verify-full'], env);
    const resources = ext.kust(`overlays/${env}`).resources as string[];
    assert.ok(!resources.some((r) => /postgres|scheduledbackup/.test(r)), `${env}: ${resources.join()}`);
    const spec = ext.r.secrets.find((s) => s.path === `overlays/${env}/secrets/synapse-pg-app.sops.yaml`);
    assert.deepEqual(spec?.data, { username: { generate: 'literal', value: 'matrix_app' }, password: { env: 'MATRIX_GITOPS_DB_PASSWORD', field: 'externalPostgres.passwordEnv' } });
  }
  assert.ok(![...ext.files.keys()].some((p) => p.startsWith('base/postgres')));
  assert.ok(!ext.text('flux/production/infrastructure/operators.yaml').includes('cloudnative-pg'), 'no CNPG operator');
  const np = ext.docs('overlays/production/networkpolicies.yaml').find((d) => d.metadata.name === 'synapse');
  assert.ok((np?.spec.egress as Doc[]).some((e) => JSON.stringify(e) === JSON.stringify({ to: [{ ipBlock: { cidr: '10.0.5.10/32' } }], ports: [{ protocol: 'TCP', port: 6432 }] })));
  assert.ok(!ext.docs('overlays/production/networkpolicies.yaml').some((d) => d.metadata.name === 'postgres'), 'no policy for a database pod that is not there');
});

test('externalRedis: no synapse-redis of ours; the workers use it with a supplied password; egress only to it', () => {
  const ext = render(validateConfig({ serverName: 'example.org', externalRedis: { host: 'redis.example.org', port: 6380, cidr: '10.0.6.0/24' } }, 'x'));
  const redis = ext.hs('production').redis as Doc;
  assert.deepEqual([redis.host, redis.port, redis.password_path], ['redis.example.org', 6380, '/secrets/redis-password/password']);
  assert.ok(!ext.files.has('base/synapse-workers/redis.yaml'));
  assert.deepEqual(ext.r.secrets.find((s) => s.path === 'overlays/production/secrets/redis-password.sops.yaml')?.data, { password: { env: 'MATRIX_GITOPS_REDIS_PASSWORD', field: 'externalRedis.passwordEnv' } });
  const nps = ext.docs('overlays/production/networkpolicies.yaml');
  assert.ok(!nps.some((d) => d.metadata.name === 'redis'));
  assert.ok((nps.find((d) => d.metadata.name === 'synapse')?.spec.egress as Doc[]).some((e) => JSON.stringify(e) === JSON.stringify({ to: [{ ipBlock: { cidr: '10.0.6.0/24' } }], ports: [{ protocol: 'TCP', port: 6380 }] })));
  assert.ok(defaults.files.has('base/synapse-workers/redis.yaml'));
});

test('mediaUploadLimits: [] leaves the per-user quota out of homeserver.yaml', () => {
  const none = render(everyOptionConfig({ synapse: { mediaUploadLimits: [] } }));
  assert.equal(none.hs('production').media_upload_limits, undefined);
  assert.equal(none.hs('production').max_upload_size, '100M');
});

test('database sslmode: require towards CloudNativePG (production, li), prefer towards the homelab StatefulSet', () => {
  const all = render(everyOptionConfig({ externalPostgres: undefined }));
  const mode = (env: string) => ((all.hs(env).database as Doc).args as Doc).sslmode;
  assert.equal(mode('production'), 'require');
  assert.equal(mode('homelab'), 'prefer');
});
