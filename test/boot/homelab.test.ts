// Boot tier, homelab overlay: the generated configuration runs. A fresh repository is generated in a
// temp dir, `kustomize build overlays/homelab` is rendered, its SOPS Secrets are decrypted with the
// real sops and age key, and PostgreSQL, Synapse and coturn are started from the rendered manifests
// on loopback (no container engine). Every process stops in the after hook; the temp dir is removed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ensureBootEnvironment, type BootEnvironment } from '../../scripts/dev/boot-setup.ts';
import { Cluster } from './lib/cluster.ts';
import { LOOPBACK_DENY, startCoturn, turnPassword, turnSession, type Coturn } from './lib/coturn.ts';
import { call, login, ok, registerWithSharedSecret, txnId } from './lib/matrix.ts';
import { quoteIdent, quoteLiteral, startPostgres, type PgServer } from './lib/postgres.ts';
import { Processes, log, logTail, tempDir } from './lib/procs.ts';
import { buildOverlay, decryptSecrets, find, generateRepo, secretValue, type Doc, type GeneratedRepo } from './lib/repo.ts';
import { IngressTable, getVia, startIngressProxy, type Proxy } from './lib/proxy.ts';
import { startWellKnown } from './lib/wellknown.ts';
import { declareSynapse, logText, startSynapse, waitHealthy, type SynapseProc } from './lib/synapse.ts';
import { startLiveKit } from './lib/livekit.ts';
import { discoveryViaIngress, ingressFetch, invited, stopClients, loginClient, nextEvent, roundTripMedia, sdk, startSyncing, type Client } from './lib/client.ts';

const procs = new Processes();
let env: BootEnvironment;
let work: string;
let repo: GeneratedRepo;
let docs: Doc[];
let secrets: Map<string, Record<string, string>>;
let cluster: Cluster;
let pg: PgServer;
let pgUser: string;
let synapse: SynapseProc;
let coturn: Coturn;
let homeserver: Doc;
let admin: { user_id: string; access_token: string } | undefined;
let proxy: Proxy;

const secret = (name: string, key: string): string => secretValue(secrets, name, key);

before(async () => {
  const t0 = Date.now();
  env = ensureBootEnvironment();
  work = tempDir('mx-boot-homelab-');
  chmodSync(work, 0o711); // PostgreSQL runs as another user and must traverse it
  repo = await generateRepo(work);
  docs = buildOverlay(repo, 'homelab');
  secrets = decryptSecrets(repo, 'homelab');
  homeserver = parse(find(docs, 'ConfigMap', configMapName('synapse-config')).data['homeserver.yaml'] as string) as Doc;
  cluster = new Cluster(docs, secrets, path.join(work, 'cluster'));

  // PostgreSQL the way the homelab StatefulSet's postgres image initialises it: initdb with
  // POSTGRES_USER/POSTGRES_PASSWORD and POSTGRES_INITDB_ARGS, then CREATE DATABASE POSTGRES_DB.
  const pgPod = cluster.pod('StatefulSet', 'synapse-pg');
  const pgEnv = cluster.env(pgPod.container('postgres'));
  pgUser = pgEnv.POSTGRES_USER;
  pg = await startPostgres(env, procs, path.join(work, 'pg'), {
    superuser: pgEnv.POSTGRES_USER, password: pgEnv.POSTGRES_PASSWORD, initdbArgs: pgEnv.POSTGRES_INITDB_ARGS.split(/\s+/).filter(Boolean),
  });
  pgPod.portMap.set(5432, pg.port);
  pg.sql(pgUser, 'postgres', `CREATE DATABASE ${quoteIdent(pgEnv.POSTGRES_DB)}`);

  synapse = await startSynapse(env, cluster, procs, declareSynapse(cluster, 'synapse'));
  coturn = await startCoturn(env, cluster, procs);
  await startWellKnown(env, cluster, procs);
  // LiveKit behind its own host, so the rtc_foci the well-known advertises can be followed.
  await startLiveKit(env, cluster, procs);
  // The homelab Ingresses (Traefik in a cluster; plain Prefix paths) applied by a loopback proxy.
  proxy = await startIngressProxy(cluster, [
    new IngressTable(docs, homeserver.server_name as string), new IngressTable(docs, new URL(homeserver.public_baseurl as string).hostname),
    new IngressTable(docs, rtcHost()),
  ]);
  await waitHealthy(synapse);
  log(`homelab stack up in ${((Date.now() - t0) / 1000).toFixed(1)}s (repo via ${repo.via})`);
}, { timeout: 900_000 });

/** matrix-js-sdk clients of the tests below; stopped before the proxy goes, or their sync retries keep the run alive. */
const clients: Client[] = [];

after(async () => {
  stopClients(clients);
  await proxy?.close();
  await procs.stopAll();
  // The temp dir goes when this process exits (tempDir), interrupted or not.
});

/** kustomize appends a content hash to generated ConfigMap names. */
function configMapName(base: string): string {
  const hit = docs.find((d) => d.kind === 'ConfigMap' && new RegExp(`^${base}(-[a-z0-9]{10})?$`).test(d.metadata.name as string));
  if (!hit) throw new Error(`no ConfigMap ${base}`);
  return hit.metadata.name as string;
}

/** The host the livekit route serves, whichever provider rendered it (Ingress, Traefik IngressRoute, HTTPRoute). */
function rtcHost(): string {
  const route = docs.find((d) => d.metadata?.name === 'livekit' && ['Ingress', 'IngressRoute', 'HTTPRoute'].includes(d.kind as string));
  if (!route) throw new Error('rendered output has no route object named livekit');
  if (route.kind === 'Ingress') return (route.spec.rules as Doc[])[0].host as string;
  if (route.kind === 'HTTPRoute') return (route.spec.hostnames as string[])[0];
  const host = /Host\(`([^`]+)`\)/.exec((route.spec.routes as Doc[])[0].match as string)?.[1];
  if (!host) throw new Error('the livekit IngressRoute has no Host() match');
  return host;
}

const baseUrl = (): string => (homeserver.public_baseurl as string).replace(/\/$/, '');

test('the database is created as the manifests ask: UTF8, C collation and ctype', () => {
  const row = pg.sql(pgUser, 'postgres', "SELECT pg_encoding_to_char(encoding)||','||datcollate||','||datctype FROM pg_database WHERE datname = 'synapse'");
  assert.equal(row, 'UTF8,C,C');
});

test('the harness changed only mount-point prefixes, listener addresses/ports and the database address', () => {
  assert.deepEqual(synapse.rewrites.map((r) => r.replace(/\.\d+\./, '.N.')).sort(), [
    'homeserver.yaml: database.args.host', 'homeserver.yaml: database.args.port',
    'homeserver.yaml: form_secret_path', 'homeserver.yaml: listeners.N.bind_addresses', 'homeserver.yaml: listeners.N.bind_addresses',
    'homeserver.yaml: listeners.N.port', 'homeserver.yaml: listeners.N.port',
    'homeserver.yaml: macaroon_secret_key_path', 'homeserver.yaml: media_store_path', 'homeserver.yaml: registration_shared_secret_path',
    'homeserver.yaml: signing_key_path', 'homeserver.yaml: turn_shared_secret_path',
  ]);
});

test('Synapse answers /health', async () => {
  const r = await call(synapse.url(), 'GET', '/health');
  assert.equal(r.status, 200);
  assert.equal(r.body, 'OK');
});

test('/_matrix/client/versions lists the stable spec versions', async () => {
  const body = await ok(synapse.url(), 'GET', '/_matrix/client/versions');
  assert.ok((body.versions as string[]).includes('v1.11'), JSON.stringify(body.versions));
});

test('the homelab Ingress sends the client API to Synapse and keeps the admin API off the public host', async () => {
  const host = new URL(baseUrl()).hostname;
  const versions = await getVia(proxy, host, '/_matrix/client/versions');
  assert.equal(versions.status, 200);
  assert.equal(versions.headers['x-boot-backend'], 'synapse');
  const adminApi = await getVia(proxy, host, '/_synapse/admin/v1/register');
  assert.equal(adminApi.status, 404);
  assert.equal(adminApi.headers['x-boot-backend'], undefined, 'no Ingress path matches /_synapse/admin');
});

test('client well-known: the generated component serves JSON pointing at public_baseurl, and Synapse agrees', async () => {
  const content = find(docs, 'ConfigMap', configMapName('wellknown-content')).data as Record<string, string>;
  const client = JSON.parse(content.client) as Doc;
  assert.equal(client['m.homeserver'].base_url, baseUrl());
  // Served by the generated nginx config through the generated Ingress of the server_name host.
  for (const [kind, expected] of [['client', client], ['server', { 'm.server': `${new URL(baseUrl()).hostname}:443` }]] as const) {
    const r = await getVia(proxy, homeserver.server_name as string, `/.well-known/matrix/${kind}`);
    assert.equal(r.status, 200, kind);
    assert.equal(r.headers['x-boot-backend'], 'wellknown');
    assert.match(r.headers['content-type'] ?? '', /^application\/json/);
    assert.equal(r.headers['access-control-allow-origin'], '*');
    assert.deepEqual(JSON.parse(r.body), expected);
  }
  // Synapse serves /.well-known/matrix/client itself too, because public_baseurl is set; it must agree
  // (it writes public_baseurl with its trailing slash; clients treat both forms alike).
  const served = await ok(synapse.url(), 'GET', '/.well-known/matrix/client');
  served['m.homeserver'].base_url = (served['m.homeserver'].base_url as string).replace(/\/$/, '');
  assert.deepEqual(served, client);
});

test('registers the first admin with the generated registration shared secret', async () => {
  const user = secret('synapse-admin-user', 'username');
  admin = await registerWithSharedSecret(synapse.url(), secret('synapse-registration-shared-secret', 'registration_shared_secret'), user, secret('synapse-admin-user', 'password'), true);
  assert.equal(admin.user_id, `@${user}:${homeserver.server_name as string}`);
  const info = await ok(synapse.url(), 'GET', `/_synapse/admin/v2/users/${encodeURIComponent(admin.user_id)}`, { token: admin.access_token });
  assert.equal(info.admin, true);
});

test('the generated admin-user Job script runs against Synapse and is idempotent (admin already exists)', async () => {
  assert.ok(admin, 'needs the registration test');
  const pod = cluster.pod('Job', 'synapse-admin-user');
  const c = pod.container('register');
  const cmd = c.command as string[];
  assert.deepEqual(cmd.slice(0, 2), ['sh', '-c']);
  // Rewrites: mount paths, and the in-cluster Service URL http://synapse:8008 → its loopback address.
  let script = pod.rewriteText(c, cmd[2]);
  for (const m of [...script.matchAll(/http:\/\/([a-z0-9-]+):(\d+)/g)]) {
    const r = await cluster.resolve(m[1], Number(m[2]));
    script = script.replaceAll(m[0], `http://${r.host}:${r.port}`);
  }
  const r = spawnSync('/bin/sh', ['-c', script], {
    encoding: 'utf8', timeout: 120_000,
    env: { PATH: `${path.join(env.venv, 'bin')}:${process.env.PATH ?? ''}`, HOME: pod.root, ...cluster.env(c) },
  });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /admin already exists/);
});

test('negative: a wrong registration shared secret is refused', async () => {
  const wrong = `${secret('synapse-registration-shared-secret', 'registration_shared_secret')}x`;
  await assert.rejects(registerWithSharedSecret(synapse.url(), wrong, 'intruder', 'intruder-password-123', true), (e: Error & { status?: number }) => {
    assert.equal(e.status, 403, e.message);
    return true;
  });
  const r = await call(synapse.url(), 'POST', '/_matrix/client/v3/login', {
    body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'intruder' }, password: 'intruder-password-123' },
  });
  assert.equal(r.status, 403, 'the intruder account must not exist');
});

test('the admin logs in, creates a room, sends and reads back a message', async () => {
  const s = await login(synapse.url(), secret('synapse-admin-user', 'username'), secret('synapse-admin-user', 'password'));
  const { room_id: roomId } = await ok(synapse.url(), 'POST', '/_matrix/client/v3/createRoom', { token: s.access_token, body: { name: 'boot test' } });
  const text = `hello from the boot tier ${txnId()}`;
  const { event_id: eventId } = await ok(synapse.url(), 'PUT', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${txnId()}`, {
    token: s.access_token, body: { msgtype: 'm.text', body: text },
  });
  const ev = await ok(synapse.url(), 'GET', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(eventId)}`, { token: s.access_token });
  assert.equal(ev.content.body, text);
  const msgs = await ok(synapse.url(), 'GET', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=5`, { token: s.access_token });
  assert.ok((msgs.chunk as Doc[]).some((e) => e.event_id === eventId && e.content.body === text));
});

let turnCreds: { username: string; password: string; uris: string[]; ttl: number } | undefined;

test('/voip/turnServer hands out credentials for the generated turn_uris, signed with the generated secret', async () => {
  const token = admin?.access_token ?? (await login(synapse.url(), secret('synapse-admin-user', 'username'), secret('synapse-admin-user', 'password'))).access_token;
  turnCreds = await ok(synapse.url(), 'GET', '/_matrix/client/v3/voip/turnServer', { token });
  assert.deepEqual(turnCreds?.uris, homeserver.turn_uris);
  assert.match(turnCreds?.username ?? '', /^\d+:@/);
  assert.equal(turnCreds?.password, turnPassword(secret('turn-shared-secret', 'turn_shared_secret'), turnCreds?.username ?? ''));
  assert.equal(turnCreds?.ttl, 3600);
});

test('coturn: a TURN allocation with the credentials Synapse handed out succeeds and relays traffic', async () => {
  assert.ok(turnCreds, 'needs the turnServer test');
  // The initContainer rendered the secret into the config; the loopback deny was relaxed for the test only.
  assert.ok(coturn.rendered.includes(LOOPBACK_DENY), 'the generated config denies loopback peers');
  assert.ok(!/\$\{TURN_SECRET\}/.test(coturn.rendered), 'the initContainer substituted the secret');
  // Both transports Synapse advertises in turn_uris (?transport=udp and ?transport=tcp).
  const transports = ['udp', 'tcp'] as const;
  const creds = turnCreds;
  const results = await Promise.all(transports.map((t) => turnSession(env, coturn.port, creds.username, creds.password, t)));
  transports.forEach((transport, i) => {
    assert.ok((homeserver.turn_uris as string[]).some((u) => u.endsWith(`transport=${transport}`)));
    assert.ok(results[i].ok, `${transport}: ${results[i].output.split('\n').slice(-10).join('\n')}`);
  });
});

test('negative: a TURN allocation signed with a wrong secret fails', async () => {
  assert.ok(turnCreds, 'needs the turnServer test');
  const wrong = turnPassword(`${secret('turn-shared-secret', 'turn_shared_secret')}x`, turnCreds.username);
  const r = await turnSession(env, coturn.port, turnCreds.username, wrong);
  assert.equal(r.ok, false);
  assert.match(r.output, /Cannot complete Allocation/);
});

test('Element config.json parses and points at the generated Synapse', () => {
  const raw = find(docs, 'ConfigMap', configMapName('element-config')).data['config.json'] as string;
  const cfg = JSON.parse(raw) as Doc;
  const hs = cfg.default_server_config['m.homeserver'] as Doc;
  assert.equal(hs.base_url, baseUrl());
  assert.equal(hs.server_name, homeserver.server_name);
});

test('negative: Synapse refuses to start against a database with a non-C collation', async () => {
  // Same generated config; the test points the database name at one created with C.UTF-8 collation.
  const bad = 'synapse_badlocale';
  pg.sql(pgUser, 'postgres', `CREATE DATABASE ${quoteIdent(bad)} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE ${quoteLiteral('C.UTF-8')} LC_CTYPE ${quoteLiteral('C.UTF-8')}`);
  const pod = cluster.pod('Deployment', 'synapse', 'synapse-badlocale');
  const s = await startSynapse(env, cluster, procs, pod, {
    patch: (_f, cfg) => { if (cfg.database) (cfg.database as Doc).args.dbname = bad; },
  });
  await assert.rejects(waitHealthy(s, 120_000), /exited/);
  assert.notEqual(s.proc.exitCode, 0);
  assert.match(logText(s), /IncorrectDatabaseSetup|incorrect collation/i, logTail(s.proc));
});

// ---------------------------------------------------------------- a real client: matrix-js-sdk 37.5.0
// Everything below goes the way Element goes: discovery from the server name, then the discovered
// https base URL, through the generated Ingress (ingressFetch plays DNS + TLS termination).


async function sdkLogin(user: string, password: string): Promise<Client> {
  const c = await loginClient(baseUrl(), user, password, ingressFetch(proxy));
  clients.push(c);
  return c;
}

test('matrix-js-sdk: AutoDiscovery from the server name finds the homeserver and the LiveKit focus, both reachable', async () => {
  discoveryViaIngress(proxy);
  const serverName = homeserver.server_name as string;
  const found = await sdk.AutoDiscovery.findClientConfig(serverName);
  assert.equal(found['m.homeserver'].state, sdk.AutoDiscovery.SUCCESS, JSON.stringify(found));
  assert.equal(found['m.homeserver'].base_url, baseUrl());
  const raw = await sdk.AutoDiscovery.getRawClientConfig(serverName);
  const foci = raw['org.matrix.msc4143.rtc_foci'] as Array<{ type: string; livekit_service_url: string }>;
  assert.deepEqual(foci, [{ type: 'livekit', livekit_service_url: `https://${rtcHost()}` }]);
  // The focus URL's host: `/` is the SFU (answers OK), the token paths go to lk-jwt-service (not booted here).
  const sfu = await getVia(proxy, rtcHost(), '/');
  assert.equal(sfu.headers['x-boot-backend'], 'livekit');
  assert.equal(sfu.status, 200);
  assert.equal(sfu.body.trim(), 'OK');
  const rtc = new IngressTable(docs, rtcHost());
  for (const p of ['/sfu/get', '/get_token']) assert.equal(rtc.match(p)?.service, 'lk-jwt-service', p);
});

let roomForClients: string | undefined;
let alice: Client;
let bob: Client;

test('matrix-js-sdk: the admin logs in, creates a room, invites a second user who joins; messages flow both ways over /sync', async () => {
  const adminUser = secret('synapse-admin-user', 'username');
  alice = await sdkLogin(adminUser, secret('synapse-admin-user', 'password'));
  // A second account, registered in-cluster with the generated shared secret (registration is closed).
  await registerWithSharedSecret(synapse.url(), secret('synapse-registration-shared-secret', 'registration_shared_secret'), 'bob', 'bob-boot-password-123', false);
  bob = await sdkLogin('bob', 'bob-boot-password-123');
  await Promise.all([startSyncing(alice), startSyncing(bob)]);
  const { room_id: roomId } = await alice.createRoom({ name: 'js-sdk boot room' });
  roomForClients = roomId;
  const bobInvited = invited(bob, roomId);
  await alice.invite(roomId, bob.getUserId() as string);
  await bobInvited;
  await bob.joinRoom(roomId);
  const hello = `hello bob ${txnId()}`;
  const bobSees = nextEvent(bob, roomId, (e) => e.getType() === 'm.room.message' && e.getContent().body === hello);
  await alice.sendTextMessage(roomId, hello);
  assert.equal((await bobSees).getSender(), alice.getUserId());
  const reply = `hello alice ${txnId()}`;
  const aliceSees = nextEvent(alice, roomId, (e) => e.getType() === 'm.room.message' && e.getContent().body === reply);
  await bob.sendTextMessage(roomId, reply);
  assert.equal((await aliceSees).getSender(), bob.getUserId());
  assert.equal(alice.getRoom(roomId)?.getJoinedMemberCount(), 2);
  // All of it went through the public Ingress, none straight to Synapse.
  assert.ok(proxy.decisions.some((d) => /\/sync$/.test(d.path) && d.service === 'synapse'));
});

test('matrix-js-sdk: media uploaded by one user is downloaded by the other over authenticated media', async () => {
  assert.ok(alice && bob, 'needs the clients');
  const payload = `boot media ${txnId()}`;
  const { uri } = await roundTripMedia(alice, payload, ingressFetch(proxy));
  const url = bob.mxcUrlToHttp(uri, undefined, undefined, undefined, false, true, true) as string;
  assert.match(url, /\/_matrix\/client\/v1\/media\/download\//);
  const r = await ingressFetch(proxy)(url, { headers: { authorization: `Bearer ${bob.getAccessToken() as string}` } });
  assert.equal(r.status, 200);
  assert.equal(await r.text(), payload);
  const anonymous = await ingressFetch(proxy)(url);
  assert.equal(anonymous.status, 401, 'authenticated media refuses a request without a token');
});

test('matrix-js-sdk: turnServer() credentials allocate a relay on the booted coturn', async () => {
  assert.ok(alice, 'needs the client');
  const t = await alice.turnServer();
  assert.deepEqual(t.uris, homeserver.turn_uris);
  const r = await turnSession(env, coturn.port, t.username, t.password, 'udp');
  assert.ok(r.ok, r.output.split('\n').slice(-10).join('\n'));
  assert.ok(roomForClients);
});
