// Boot tier, operator settings (issue 11): the homelab overlay of a repository scaffolded with
// e-mail (an authenticated SMTP server with STARTTLS, so the whole email block comes from the
// synapse-email SOPS Secret as a second config file), token registration and an extraConfig key,
// run by the real Synapse against a loopback aiosmtpd sink and PostgreSQL. The sink's CA reaches
// Synapse through a patch in the repository's create-once overlays/homelab/custom/ folder.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ensureBootEnvironment, type BootEnvironment } from '../../scripts/dev/boot-setup.ts';
import { Cluster } from './lib/cluster.ts';
import { call, ok, registerWithSharedSecret } from './lib/matrix.ts';
import { quoteIdent, startPostgres, type PgServer } from './lib/postgres.ts';
import { Processes, freePort, log, logTail, sleep, tempDir } from './lib/procs.ts';
import { buildOverlay, decryptSecrets, find, generateRepo, secretValue, type Doc, type GeneratedRepo } from './lib/repo.ts';
import { startSmtpSink, type SmtpSink } from './lib/smtp.ts';
import { declareSynapse, startSynapse, waitHealthy, type SynapseProc } from './lib/synapse.ts';

const procs = new Processes();
const SMTP_USER = 'synapse-mailer';
const SMTP_PASSWORD = `smtp-${randomBytes(12).toString('base64url')}`;
const FROM = 'Boot Chat <noreply@example.com>';
let env: BootEnvironment;
let repo: GeneratedRepo;
let docs: Doc[];
let secrets: Map<string, Record<string, string>>;
let sink: SmtpSink;
let pg: PgServer;
let synapse: SynapseProc;
let homeserver: Doc;
let admin: { user_id: string; access_token: string };

const secret = (name: string, key: string): string => secretValue(secrets, name, key);

before(async () => {
  const t0 = Date.now();
  env = ensureBootEnvironment();
  const work = tempDir('mx-boot-config-');
  chmodSync(work, 0o711);
  const smtpPort = await freePort();
  repo = await generateRepo(work, {
    env: { MATRIX_GITOPS_SMTP_PASSWORD: SMTP_PASSWORD },
    edit: (doc) => {
      doc.set('environments', ['homelab']);
      for (const c of ['coturn', 'livekit', 'jitsi', 'sygnal', 'backups', 'workers', 'monitoring', 'synapseAdmin', 'antivirus']) doc.setIn(['components', c], false);
      doc.set('synapse', {
        registration: { mode: 'token' },
        email: { smtpHost: 'localhost', smtpPort, tls: 'starttls', from: FROM, user: SMTP_USER, appName: 'Boot Chat' },
        extraConfig: { default_room_version: '9' },
      });
    },
  });
  // The operator's own patch: Synapse trusts the sink's CA (a private mail relay's CA, in real life).
  const custom = path.join(repo.dir, 'overlays/homelab/custom');
  sink = await startSmtpSink(env, procs, path.join(work, 'smtp'), SMTP_USER, SMTP_PASSWORD, smtpPort);
  writeFileSync(path.join(custom, 'smtp-ca.yaml'), `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: synapse}\nspec:\n  template:\n    spec:\n      containers:\n        - name: synapse\n          env:\n            - {name: SSL_CERT_FILE, value: ${JSON.stringify(sink.caFile)}}\n`);
  writeFileSync(path.join(custom, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - path: smtp-ca.yaml\n');

  docs = buildOverlay(repo, 'homelab');
  secrets = decryptSecrets(repo, 'homelab');
  const cm = docs.find((d) => d.kind === 'ConfigMap' && /^synapse-config/.test(d.metadata.name as string));
  homeserver = parse(cm?.data['homeserver.yaml'] as string) as Doc;
  const cluster = new Cluster(docs, secrets, path.join(work, 'cluster'));
  const pgPod = cluster.pod('StatefulSet', 'synapse-pg');
  const pgEnv = cluster.env(pgPod.container('postgres'));
  pg = await startPostgres(env, procs, path.join(work, 'pg'), {
    superuser: pgEnv.POSTGRES_USER, password: pgEnv.POSTGRES_PASSWORD, initdbArgs: pgEnv.POSTGRES_INITDB_ARGS.split(/\s+/).filter(Boolean),
  });
  pgPod.portMap.set(5432, pg.port);
  pg.sql(pgEnv.POSTGRES_USER, 'postgres', `CREATE DATABASE ${quoteIdent(pgEnv.POSTGRES_DB)}`);
  synapse = await startSynapse(env, cluster, procs, declareSynapse(cluster, 'synapse'));
  await waitHealthy(synapse);
  admin = await registerWithSharedSecret(synapse.url(), secret('synapse-registration-shared-secret', 'registration_shared_secret'), 'admin', secret('synapse-admin-user', 'password'), true);
  log(`config stack up in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}, { timeout: 900_000 });

after(async () => { await procs.stopAll(); });

test('the SMTP password is only in the synapse-email Secret; every Synapse process loads it as a second config file', () => {
  assert.equal(homeserver.email, undefined);
  assert.ok(!JSON.stringify(docs.filter((d) => d.kind !== 'Secret')).includes(SMTP_PASSWORD), 'no manifest but the Secret holds the password');
  assert.equal((parse(secret('synapse-email', 'email.yaml')) as Doc).email.smtp_pass, SMTP_PASSWORD);
  const cmd = find(docs, 'Deployment', 'synapse').spec.template.spec.containers[0].command as string[];
  assert.deepEqual(cmd.slice(-2), ['-c', '/secrets/synapse-email/email.yaml']);
});

test('e-mail: a verification mail arrives at the sink, over STARTTLS, after AUTH with the supplied password', async () => {
  const before = sink.messages().length;
  const r = await ok(synapse.url(), 'POST', '/_matrix/client/v3/account/3pid/email/requestToken', {
    body: { client_secret: `boot${randomBytes(8).toString('hex')}`, email: 'alice@example.net', send_attempt: 1 },
  });
  assert.ok(r.sid, JSON.stringify(r));
  for (let i = 0; i < 100 && sink.messages().length === before; i++) await sleep(200);
  const mail = sink.messages().at(-1) ?? '';
  assert.ok(sink.messages().length > before, `no mail arrived; synapse log:\n${logTail(synapse.proc, 40)}`);
  assert.match(mail, /^To: alice@example\.net/m);
  assert.match(mail, /^From: Boot Chat <noreply@example\.com>/m);
  assert.match(mail, /^Subject: \[[^\]]+\] Validate your email/m);
  assert.ok(sink.auths().some((a) => / ok tls=True$/.test(a)), sink.auths().join('\n'));
});

test('token registration: without a token it fails, with one made by the admin API it succeeds', async () => {
  const body = { username: `bob${randomBytes(3).toString('hex')}`, password: `pw-${randomBytes(12).toString('hex')}` };
  // Without a token: the only flow asks for m.login.registration_token; skipping it is refused.
  const start = await call(synapse.url(), 'POST', '/_matrix/client/v3/register', { body });
  assert.equal(start.status, 401, JSON.stringify(start.body));
  assert.ok((start.body.flows as Doc[]).every((f) => (f.stages as string[]).includes('m.login.registration_token')), JSON.stringify(start.body.flows));
  const dummy = await call(synapse.url(), 'POST', '/_matrix/client/v3/register', { body: { ...body, auth: { type: 'm.login.dummy', session: start.body.session } } });
  assert.equal(dummy.status, 401, JSON.stringify(dummy.body));
  const wrong = await call(synapse.url(), 'POST', '/_matrix/client/v3/register', { body: { ...body, auth: { type: 'm.login.registration_token', token: 'not-a-token', session: start.body.session } } });
  assert.equal(wrong.status, 401, JSON.stringify(wrong.body));
  // The README's command: POST /_synapse/admin/v1/registration_tokens/new with an admin's token.
  const { token } = await ok(synapse.url(), 'POST', '/_synapse/admin/v1/registration_tokens/new', { token: admin.access_token, body: { uses_allowed: 1 } });
  const done = await call(synapse.url(), 'POST', '/_matrix/client/v3/register', { body: { ...body, auth: { type: 'm.login.registration_token', token, session: start.body.session } } });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.match(done.body.user_id as string, new RegExp(`^@${body.username}:`));
});

test('extraConfig: default_room_version 9 is in effect', async () => {
  assert.equal(homeserver.default_room_version, '9');
  const caps = await ok(synapse.url(), 'GET', '/_matrix/client/v3/capabilities', { token: admin.access_token });
  assert.equal(caps.capabilities['m.room_versions'].default, '9');
});
