// Boot tier, production worker mode: Redis, PostgreSQL (as CloudNativePG bootstraps it), the Synapse
// main process and the synchrotron, client_reader, event_persister and stream_writer workers, all
// from `kustomize build overlays/production` of a fresh repository, behind a loopback proxy that
// applies the generated Ingress path table. Shows /sync served by the sync worker and events
// persisted by the event persister.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ensureBootEnvironment, type BootEnvironment } from '../../scripts/dev/boot-setup.ts';
import { Cluster } from './lib/cluster.ts';
import { login, ok, registerWithSharedSecret, txnId } from './lib/matrix.ts';
import { quoteIdent, quoteLiteral, startPostgres, type PgServer } from './lib/postgres.ts';
import { Processes, log, tempDir } from './lib/procs.ts';
import { IngressTable, startIngressProxy, type Proxy } from './lib/proxy.ts';
import { startRedis } from './lib/redis.ts';
import { buildOverlay, decryptSecrets, find, generateRepo, secretValue, type Doc } from './lib/repo.ts';
import { declareSynapse, logText, startSynapse, waitHealthy, type SynapseProc } from './lib/synapse.ts';
import { ingressFetch, invited, stopClients, loginClient, nextEvent, roundTripMedia, startSyncing, type Client } from './lib/client.ts';

/** Every worker Deployment of the overlay (its command loads a /config/workers/ file), so each
 *  generated worker config is shown to boot; the routing checks use four of them. */
const workerDeployments = (all: Doc[]): string[] => all
  .filter((d) => d.kind === 'Deployment' && ((d.spec.template.spec.containers as Doc[])[0].command as string[] | undefined ?? []).some((a) => a.startsWith('/config/workers/')))
  .map((d) => d.metadata.name as string);

const procs = new Processes();
let env: BootEnvironment;
let work: string;
let docs: Doc[];
let secrets: Map<string, Record<string, string>>;
let cluster: Cluster;
let pg: PgServer;
let homeserver: Doc;
let main: SynapseProc;
const workers = new Map<string, SynapseProc>();
let proxy: Proxy;
let table: IngressTable;
let session: { access_token: string; user_id: string };
let roomId: string;
let eventId: string;
const text = `persisted by the event persister ${txnId()}`;

const secret = (name: string, key: string): string => secretValue(secrets, name, key);

before(async () => {
  const t0 = Date.now();
  env = ensureBootEnvironment();
  work = tempDir('mx-boot-workers-');
  chmodSync(work, 0o711);
  const repo = await generateRepo(work);
  docs = buildOverlay(repo, 'production');
  secrets = decryptSecrets(repo, 'production');
  const cm = docs.find((d) => d.kind === 'ConfigMap' && /^synapse-config(-[a-z0-9]+)?$/.test(d.metadata.name as string));
  homeserver = parse(cm?.data['homeserver.yaml'] as string) as Doc;
  cluster = new Cluster(docs, secrets, path.join(work, 'cluster'));

  // PostgreSQL as the CNPG Cluster's bootstrap.initdb asks. CNPG generates the owner's password into
  // the <cluster>-app Secret and serves <cluster>-rw; the harness plays the operator for both.
  const pgCluster = find(docs, 'Cluster', 'synapse-pg');
  const initdb = pgCluster.spec.bootstrap.initdb as Doc;
  const password = randomBytes(24).toString('base64url');
  secrets.set(`${pgCluster.metadata.name as string}-app`, { username: initdb.owner as string, password });
  pg = await startPostgres(env, procs, path.join(work, 'pg'), {
    superuser: 'postgres', initdbArgs: [`--encoding=${initdb.encoding as string}`, `--lc-collate=${initdb.localeCollate as string}`, `--lc-ctype=${initdb.localeCType as string}`],
  });
  pg.sql('postgres', 'postgres', `CREATE ROLE ${quoteIdent(initdb.owner as string)} LOGIN PASSWORD ${quoteLiteral(password)}`);
  pg.sql('postgres', 'postgres', `CREATE DATABASE ${quoteIdent(initdb.database as string)} OWNER ${quoteIdent(initdb.owner as string)}`);
  const pgLabels = { 'cnpg.io/cluster': pgCluster.metadata.name as string };
  cluster.externalPod('synapse-pg-1', pgLabels).portMap.set(5432, pg.port);
  cluster.addService(`${pgCluster.metadata.name as string}-rw`, pgLabels, [{ port: 5432, targetPort: 5432 }]);

  await startRedis(env, cluster, procs);

  // Declare every pod first, so instance_map entries resolve to their mapped replication ports.
  const mainPod = declareSynapse(cluster, 'synapse');
  const names = workerDeployments(docs);
  for (const w of ['synapse-synchrotron', 'synapse-client-reader', 'synapse-event-persister', 'synapse-stream-writer']) {
    assert.ok(names.includes(w), `production renders ${w}`);
  }
  const workerPods = names.map((w) => declareSynapse(cluster, w));
  main = await startSynapse(env, cluster, procs, mainPod);
  await waitHealthy(main);
  for (const pod of workerPods) workers.set(pod.name, await startSynapse(env, cluster, procs, pod));
  await Promise.all([...workers.values()].map((w) => waitHealthy(w)));

  table = new IngressTable(docs, new URL(homeserver.public_baseurl as string).hostname);
  proxy = await startIngressProxy(cluster, table);
  log(`production worker stack up in ${((Date.now() - t0) / 1000).toFixed(1)}s; ingress proxy ${proxy.url} (${table.paths.length} paths, regex ${table.regex})`);
}, { timeout: 900_000 });

/** matrix-js-sdk clients of the tests below; stopped before the proxy goes, or their sync retries keep the run alive. */
const clients: Client[] = [];

after(async () => {
  stopClients(clients);
  await proxy?.close();
  await procs.stopAll();
  // The temp dir goes when this process exits (tempDir), interrupted or not.
});

const worker = (name: string): SynapseProc => {
  const w = workers.get(name);
  if (!w) throw new Error(`worker ${name} not started`);
  return w;
};

test('the ingress path table sends each kind of request where the worker routes say', () => {
  const cases: Array<[string, string]> = [
    ['/_matrix/client/v3/sync', 'synapse-synchrotron'],
    ['/_matrix/client/r0/sync', 'synapse-synchrotron'],
    ['/_matrix/client/v3/rooms/!a:example.com/send/m.room.message/1', 'synapse-client-reader'],
    ['/_matrix/client/v3/createRoom', 'synapse-client-reader'],
    ['/_matrix/client/versions', 'synapse-client-reader'],
    ['/_matrix/client/v3/devices', 'synapse-stream-writer'],
    ['/_matrix/client/v3/keys/upload', 'synapse-stream-writer'],
    ['/_matrix/client/v3/rooms/!a:example.com/typing/@u:example.com', 'synapse-stream-writer'],
    ['/_matrix/media/v3/download/example.com/abc', 'synapse-media-repository'],
    ['/_matrix/client/v3/some/unrouted/endpoint', 'synapse'],
    ['/_synapse/client/new_user_consent', 'synapse'],
  ];
  for (const [p, service] of cases) assert.equal(table.match(p)?.service, service, p);
  assert.equal(table.match('/_synapse/admin/v1/register'), undefined, 'the admin API is not on the public Ingress');
});

test('all processes are healthy (probe listeners from the generated worker configs)', async () => {
  assert.equal(workers.size, workerDeployments(docs).length);
  for (const s of [main, ...workers.values()]) assert.equal(s.proc.exitCode, undefined, `${s.pod.name} is running`);
  const versions = await fetch(`${proxy.url}/_matrix/client/versions`);
  assert.equal(versions.status, 200);
  assert.equal(versions.headers.get('x-boot-backend'), 'synapse-client-reader');
});

test('every Synapse process reaches CloudNativePG\'s database over TLS, as the generated sslmode: require asks', () => {
  const db = (homeserver.database as Doc).args as Doc;
  assert.equal(db.sslmode, 'require');
  const tls = pg.tlsOf(db.user as string);
  assert.ok(tls.length > workers.size, `${tls.length} connections (main + ${workers.size} workers)`);
  assert.deepEqual(tls.filter((t) => !t), [], 'a connection without TLS');
});

test('Redis requires the generated password, and every Synapse process is connected with it', () => {
  const port = String(cluster.pods.get('synapse-redis')?.portMap.get(6379));
  const cli = (args: string[], password?: string): string => spawnSync(env.bin['redis-cli'], ['-h', '127.0.0.1', '-p', port, ...args], {
    encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...(password ? { REDISCLI_AUTH: password } : {}) },
  }).stdout.trim();
  assert.match(cli(['PING']), /NOAUTH/);
  const info = cli(['INFO', 'clients'], secret('redis-password', 'password'));
  const connected = Number(/connected_clients:(\d+)/.exec(info)?.[1]);
  assert.ok(connected > workers.size, `connected_clients ${connected} (main + ${workers.size} workers, plus redis-cli)`);
});

test('registers the admin in-cluster at the main process, logs in and creates a room through the ingress', async () => {
  // The admin API is internal (the admin-user Job calls http://synapse:8008), so straight to the Service.
  const synapseSvc = await cluster.resolve('synapse', 8008);
  const base = `http://127.0.0.1:${synapseSvc.port}`;
  const user = secret('synapse-admin-user', 'username');
  const password = secret('synapse-admin-user', 'password');
  await registerWithSharedSecret(base, secret('synapse-registration-shared-secret', 'registration_shared_secret'), user, password, true);
  session = await login(proxy.url, user, password);
  ({ room_id: roomId } = await ok(proxy.url, 'POST', '/_matrix/client/v3/createRoom', { token: session.access_token, body: { name: 'workers' } }));
  assert.match(roomId, /^!/);
  assert.deepEqual(proxy.decisions.filter((d) => /\/(login|createRoom)$/.test(d.path)).map((d) => d.service), ['synapse-client-reader', 'synapse-client-reader']);
});

test('a sent event is persisted by the event persister', async () => {
  assert.ok(roomId, 'needs the room');
  ({ event_id: eventId } = await ok(proxy.url, 'PUT', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${txnId()}`, {
    token: session.access_token, body: { msgtype: 'm.text', body: text },
  }));
  assert.equal(proxy.decisions.at(-1)?.service, 'synapse-client-reader');
  // Synapse records which instance persisted each event, and each writer's stream position.
  const persistedBy = pg.sql('postgres', 'synapse', `SELECT instance_name FROM events WHERE event_id = ${quoteLiteral(eventId)}`);
  assert.equal(persistedBy, 'event_persister');
  const ordering = Number(pg.sql('postgres', 'synapse', `SELECT stream_ordering FROM events WHERE event_id = ${quoteLiteral(eventId)}`));
  const position = Number(pg.sql('postgres', 'synapse', "SELECT stream_id FROM stream_positions WHERE stream_name = 'events' AND instance_name = 'event_persister'"));
  assert.ok(position >= ordering, `event_persister's events stream position ${position} >= ${ordering}`);
  // The persister's replication listener took the client reader's send_events request.
  assert.match(logText(worker('synapse-event-persister')), /\/_synapse\/replication\/send_events/);
  assert.equal(pg.sql('postgres', 'synapse', "SELECT count(*) FROM events WHERE instance_name <> 'event_persister'"), '0');
});

test('/sync is served by the sync worker and returns the message', async () => {
  assert.ok(eventId, 'needs the event');
  const r = await fetch(`${proxy.url}/_matrix/client/v3/sync?timeout=0`, { headers: { authorization: `Bearer ${session.access_token}` } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('x-boot-backend'), 'synapse-synchrotron');
  const body = (await r.json()) as Doc;
  const timeline = body.rooms.join[roomId].timeline.events as Doc[];
  assert.ok(timeline.some((e) => e.event_id === eventId && e.content.body === text));
  // The synchrotron's own access log has the request; the other processes never saw one.
  assert.match(logText(worker('synapse-synchrotron')), /GET \/_matrix\/client\/v3\/sync/);
  for (const other of [main, ...[...workers.values()].filter((w) => w.pod.name !== 'synapse-synchrotron')]) {
    assert.doesNotMatch(logText(other), /\/_matrix\/client\/v3\/sync/, other.pod.name);
  }
});

test('media uploads and downloads through the ingress are served by the media repository worker', async () => {
  assert.ok(session, 'needs the login');
  const payload = `boot media ${txnId()}`;
  const up = await fetch(`${proxy.url}/_matrix/media/v3/upload?filename=boot.txt`, {
    method: 'POST', body: payload, headers: { authorization: `Bearer ${session.access_token}`, 'content-type': 'text/plain' },
  });
  assert.equal(up.status, 200, await up.clone().text());
  assert.equal(up.headers.get('x-boot-backend'), 'synapse-media-repository');
  const { content_uri: uri } = (await up.json()) as { content_uri: string };
  const [, serverName, mediaId] = /^mxc:\/\/([^/]+)\/(.+)$/.exec(uri) ?? [];
  const down = await fetch(`${proxy.url}/_matrix/client/v1/media/download/${serverName}/${mediaId}`, { headers: { authorization: `Bearer ${session.access_token}` } });
  assert.equal(down.status, 200);
  assert.equal(down.headers.get('x-boot-backend'), 'synapse-media-repository');
  assert.equal(await down.text(), payload);
  assert.match(logText(worker('synapse-media-repository')), /POST \/_matrix\/media\/v3\/upload/);
});

test('reads and writes routed to the client reader and stream writer work through the ingress', async () => {
  assert.ok(session && roomId, 'needs the login and the room');
  const token = session.access_token;
  const me = encodeURIComponent(session.user_id);
  const room = encodeURIComponent(roomId);
  const device = encodeURIComponent((session as { device_id?: string }).device_id ?? '');
  const calls: Array<[string, string, unknown, string]> = [
    ['GET', '/_matrix/client/v3/account/whoami', undefined, 'synapse-client-reader'],
    ['GET', '/_matrix/client/v3/joined_rooms', undefined, 'synapse-client-reader'],
    ['GET', `/_matrix/client/v3/rooms/${room}/members`, undefined, 'synapse-client-reader'],
    ['GET', `/_matrix/client/v3/rooms/${room}/state`, undefined, 'synapse-client-reader'],
    ['PUT', `/_matrix/client/v3/profile/${me}/displayname`, { displayname: 'Boot Admin' }, 'synapse-client-reader'],
    ['POST', '/_matrix/client/v3/keys/query', { device_keys: { [session.user_id]: [] } }, 'synapse-client-reader'],
    ['PUT', `/_matrix/client/v3/rooms/${room}/typing/${me}`, { typing: true, timeout: 5000 }, 'synapse-stream-writer'],
    ['PUT', `/_matrix/client/v3/user/${me}/account_data/org.example.boot`, { ok: true }, 'synapse-stream-writer'],
    ['PUT', `/_matrix/client/v3/user/${me}/rooms/${room}/tags/u.boot`, { order: 0.5 }, 'synapse-stream-writer'],
    ['POST', `/_matrix/client/v3/rooms/${room}/receipt/m.read/${encodeURIComponent(eventId)}`, {}, 'synapse-stream-writer'],
    ['PUT', `/_matrix/client/v3/presence/${me}/status`, { presence: 'online' }, 'synapse-stream-writer'],
    ['GET', '/_matrix/client/v3/pushrules/', undefined, 'synapse-stream-writer'],
    ['PUT', `/_matrix/client/v3/devices/${device}`, { display_name: 'boot device' }, 'synapse-stream-writer'],
  ];
  for (const [method, p, body, backend] of calls) {
    const r = await fetch(`${proxy.url}${p}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    assert.equal(r.headers.get('x-boot-backend'), backend, `${method} ${p}`);
    assert.equal(r.status, 200, `${method} ${p} → ${r.status} ${text}`);
  }
  const acct = await ok(proxy.url, 'GET', `/_matrix/client/v3/user/${me}/account_data/org.example.boot`, { token });
  assert.deepEqual(acct, { ok: true });
});

// ---------------------------------------------------------------- a real client: matrix-js-sdk 37.5.0


test('matrix-js-sdk through the generated route table: sync, client-reader and event-persister routes carry a two-user conversation', async () => {
  assert.ok(session, 'needs the admin');
  const fetchFn = ingressFetch(proxy);
  const base = (homeserver.public_baseurl as string).replace(/\/$/, '');
  const synapseSvc = await cluster.resolve('synapse', 8008);
  await registerWithSharedSecret(`http://127.0.0.1:${synapseSvc.port}`, secret('synapse-registration-shared-secret', 'registration_shared_secret'), 'carol', 'carol-boot-password-123', false);
  const alice = await loginClient(base, secret('synapse-admin-user', 'username'), secret('synapse-admin-user', 'password'), fetchFn);
  const carol = await loginClient(base, 'carol', 'carol-boot-password-123', fetchFn);
  clients.push(alice, carol);
  const before = proxy.decisions.length;
  await Promise.all([startSyncing(alice), startSyncing(carol)]);
  const { room_id: room } = await alice.createRoom({ name: 'js-sdk workers room' });
  const carolInvited = invited(carol, room);
  await alice.invite(room, carol.getUserId() as string);
  await carolInvited;
  await carol.joinRoom(room);
  const hello = `hello carol ${txnId()}`;
  const carolSees = nextEvent(carol, room, (e) => e.getType() === 'm.room.message' && e.getContent().body === hello);
  const sent = await alice.sendTextMessage(room, hello);
  assert.equal((await carolSees).getId(), sent.event_id);
  const reply = `hello alice ${txnId()}`;
  const aliceSees = nextEvent(alice, room, (e) => e.getType() === 'm.room.message' && e.getContent().body === reply);
  const replied = await carol.sendTextMessage(room, reply);
  assert.equal((await aliceSees).getId(), replied.event_id);

  const mine = proxy.decisions.slice(before);
  const where = (re: RegExp): Set<string> => new Set(mine.filter((d) => re.test(d.path)).map((d) => d.service));
  assert.deepEqual(where(/\/sync$/), new Set(['synapse-synchrotron']));
  assert.deepEqual(where(/\/send\/m\.room\.message\//), new Set(['synapse-client-reader']));
  assert.deepEqual(where(/\/(createRoom|invite|join)$/), new Set(['synapse-client-reader']));
  for (const id of [sent.event_id, replied.event_id]) {
    assert.equal(pg.sql('postgres', 'synapse', `SELECT instance_name FROM events WHERE event_id = ${quoteLiteral(id)}`), 'event_persister', id);
  }
});

test('matrix-js-sdk: media upload and authenticated download through the route table reach the media repository worker', async () => {
  assert.ok(clients.length, 'needs the clients');
  const payload = `workers media ${txnId()}`;
  const r = await roundTripMedia(clients[0], payload, ingressFetch(proxy));
  assert.equal(r.status, 200);
  assert.equal(r.body, payload);
  assert.equal(r.backend, 'synapse-media-repository');
  assert.equal(proxy.decisions.filter((d) => d.path.endsWith('/upload')).at(-1)?.service, 'synapse-media-repository');
});
