// Boot tier, federation: two repositories scaffolded with different server names (one.boot.test,
// two.boot.test) and the generated well-known delegation (`m.server: matrix.<name>:443`), each booted
// from `kustomize build overlays/homelab` (PostgreSQL, Synapse, the well-known nginx) behind its
// Ingress, which a TLS-terminating loopback proxy on <own 127.x address>:443 stands in for.
// Synapse resolves the names only through its private /etc/hosts (lib/federation.ts), so every hop is
// the real one: well-known fetch on 443 → delegated host:443 → federation listener, signing keys
// fetched from the origin. A user on one joins a room on the other; messages go both ways.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import { parse } from 'yaml';
import { ensureBootEnvironment, type BootEnvironment } from '../../scripts/dev/boot-setup.ts';
import { Cluster } from './lib/cluster.ts';
import { invited, loginClient, nextEvent, startSyncing, stopClients, type Client } from './lib/client.ts';
import { makeCa, privateNames, type Ca } from './lib/federation.ts';
import { registerWithSharedSecret, txnId } from './lib/matrix.ts';
import { quoteIdent, startPostgres } from './lib/postgres.ts';
import { Processes, log, tempDir } from './lib/procs.ts';
import { IngressTable, startIngressProxy, type Proxy } from './lib/proxy.ts';
import { buildOverlay, decryptSecrets, generateRepo, secretValue, type Doc } from './lib/repo.ts';
import { declareSynapse, logText, startSynapse, waitHealthy, type SynapseProc } from './lib/synapse.ts';
import { startWellKnown } from './lib/wellknown.ts';

interface Server {
  name: string;
  /** The delegated Synapse host (hosts.synapse). */
  host: string;
  ip: string;
  docs: Doc[];
  secrets: Map<string, Record<string, string>>;
  cluster: Cluster;
  homeserver: Doc;
  synapse: SynapseProc;
  ingress: Proxy;
}

const procs = new Processes();
let env: BootEnvironment;
let work: string;
let ca: Ca;
const servers: Server[] = [];
const clients: Client[] = [];
/** Test-only additions to each generated homeserver.yaml (asserted below). */
const FEDERATION_TEST_ONLY = ['federation_custom_ca_list', 'ip_range_whitelist', 'trusted_key_servers'];

async function prepare(label: string, ip: string): Promise<Omit<Server, 'synapse' | 'ingress'>> {
  const name = `${label}.boot.test`;
  const dir = path.join(work, label);
  mkdirSync(dir, { recursive: true });
  const repo = await generateRepo(dir, {
    edit: (doc) => {
      doc.set('serverName', name);
      doc.set('environments', ['homelab']);
      // Only production runs workers and monitoring, and the admin UI lives on the li copy.
      for (const c of ['workers', 'monitoring', 'synapseAdmin']) doc.setIn(['components', c], false);
      const hosts = doc.get('hosts') as { items: Array<{ key: { value: string }; value: { value: string } }> };
      for (const item of hosts.items) doc.setIn(['hosts', item.key.value], String(item.value.value).replace(/example\.com$/, name));
    },
  });
  const docs = buildOverlay(repo, 'homelab');
  const secrets = decryptSecrets(repo, 'homelab');
  const cm = docs.find((d) => d.kind === 'ConfigMap' && /^synapse-config(-[a-z0-9]+)?$/.test(d.metadata.name as string)) as Doc;
  const homeserver = parse(cm.data['homeserver.yaml'] as string) as Doc;
  assert.equal(homeserver.server_name, name);
  return { name, host: new URL(homeserver.public_baseurl as string).hostname, ip, docs, secrets, cluster: new Cluster(docs, secrets, path.join(dir, 'cluster')), homeserver };
}

before(async () => {
  const t0 = Date.now();
  env = ensureBootEnvironment();
  work = tempDir('mx-boot-federation-');
  chmodSync(work, 0o711);
  ca = makeCa(path.join(work, 'ca'));
  // Two addresses of their own on loopback (random third octet: parallel runs do not collide on 443).
  const octet = randomInt(1, 250);
  const prepared = [await prepare('one', `127.77.${octet}.1`), await prepare('two', `127.77.${octet}.2`)];
  const wrap = privateNames(path.join(work, 'names'), prepared.map((p) => ({ ip: p.ip, names: [p.name, p.host] })));
  for (const p of prepared) {
    const pgPod = p.cluster.pod('StatefulSet', 'synapse-pg');
    const pgEnv = p.cluster.env(pgPod.container('postgres'));
    const pg = await startPostgres(env, procs, path.join(work, `pg-${p.name}`), {
      superuser: pgEnv.POSTGRES_USER, password: pgEnv.POSTGRES_PASSWORD, initdbArgs: pgEnv.POSTGRES_INITDB_ARGS.split(/\s+/).filter(Boolean),
    });
    pgPod.portMap.set(5432, pg.port);
    pg.sql(pgEnv.POSTGRES_USER, 'postgres', `CREATE DATABASE ${quoteIdent(pgEnv.POSTGRES_DB)}`);
    const synapse = await startSynapse(env, p.cluster, procs, declareSynapse(p.cluster, 'synapse'), {
      patch: (_file, cfg) => {
        if (!cfg.server_name) return;
        cfg.federation_custom_ca_list = [ca.certFile];
        // Loopback is blocked for outbound requests by default, as it must be in production.
        cfg.ip_range_whitelist = ['127.0.0.0/8'];
        // The generated notary is matrix.org, which this machine cannot reach (its name resolves
        // nowhere inside the namespace, and Synapse then waits on DNS); keys come from the origin.
        cfg.trusted_key_servers = [];
      },
      wrap,
    });
    await startWellKnown(env, p.cluster, procs);
    const ingress = await startIngressProxy(p.cluster, [new IngressTable(p.docs, p.name), new IngressTable(p.docs, p.host)], {
      host: p.ip, port: 443, tls: ca.issue([p.name, p.host]),
    });
    servers.push({ ...p, synapse, ingress });
  }
  await Promise.all(servers.map((s) => waitHealthy(s.synapse)));
  log(`two federating homeservers up in ${((Date.now() - t0) / 1000).toFixed(1)}s (${servers.map((s) => `${s.name} → ${s.ip}:443`).join(', ')})`);
}, { timeout: 900_000 });

after(async () => {
  stopClients(clients);
  await Promise.all(servers.map((s) => s.ingress.close()));
  await procs.stopAll();
});

/** GET over TLS to a server's Ingress address, trusting only the test CA (as Synapse does). */
function tlsGet(s: Server, host: string, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: s.ip, port: 443, path: p, servername: host, headers: { host }, ca: readFileSync(ca.certFile, 'utf8') }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

const [one, two] = [(): Server => servers[0], (): Server => servers[1]];
const secret = (s: Server, name: string, key: string): string => secretValue(s.secrets, name, key);

test('each server delegates through its generated well-known, served over TLS on its server name', async () => {
  for (const s of servers) {
    const wk = await tlsGet(s, s.name, '/.well-known/matrix/server');
    assert.equal(wk.status, 200, wk.body);
    assert.deepEqual(JSON.parse(wk.body), { 'm.server': `${s.host}:443` });
    // The delegated host answers federation key requests with the generated signing key.
    const keys = await tlsGet(s, s.host, '/_matrix/key/v2/server');
    assert.equal(keys.status, 200, keys.body);
    const body = JSON.parse(keys.body) as { server_name: string; verify_keys: Record<string, unknown> };
    assert.equal(body.server_name, s.name);
    const keyId = secret(s, 'synapse-signing-key', 'signing.key').split(' ').slice(0, 2).join(':');
    assert.deepEqual(Object.keys(body.verify_keys), [keyId]);
  }
});

test('only the test-only federation settings were added to the generated config', () => {
  for (const s of servers) {
    for (const k of FEDERATION_TEST_ONLY.filter((x) => x !== 'trusted_key_servers')) assert.equal(s.homeserver[k], undefined, `${s.name}: the generated config has no ${k}`);
    assert.deepEqual(s.homeserver.trusted_key_servers, [{ server_name: 'matrix.org' }], 'generated: matrix.org as notary (replaced by [] here)');
    const running = parse(readFileSync(s.synapse.configFiles[0], 'utf8')) as Doc;
    assert.deepEqual(running.trusted_key_servers, []);
    assert.deepEqual(running.federation_custom_ca_list, [ca.certFile]);
  }
});

test('a user on one joins a room on two over federation and they exchange messages both ways', { timeout: 300_000 }, async () => {
  const users = await Promise.all(servers.map(async (s, i) => {
    const user = ['alice', 'bob'][i];
    await registerWithSharedSecret(s.synapse.url(), secret(s, 'synapse-registration-shared-secret', 'registration_shared_secret'), user, `${user}-federation-123`, false);
    const c = await loginClient(s.synapse.url(), user, `${user}-federation-123`);
    clients.push(c);
    return c;
  }));
  const [alice, bob] = users;
  await Promise.all(users.map((c) => startSyncing(c)));
  // The room lives on two; alice (on one) is invited across and joins via two.
  const { room_id: roomId } = await bob.createRoom({ name: 'federation boot room' });
  // Room version 12 (Synapse's default since the pinned 1.16x) ids carry no server name; older ones end in :two.
  assert.match(roomId, new RegExp(`^![A-Za-z0-9_-]+(:${two().name.replace(/\./g, '\\.')})?$`));
  const aliceInvited = invited(alice, roomId, 120_000);
  await bob.invite(roomId, alice.getUserId() as string);
  await aliceInvited;
  await alice.joinRoom(roomId, { viaServers: [two().name] });
  const fromOne = `hello from ${one().name} ${txnId()}`;
  const bobSees = nextEvent(bob, roomId, (e) => e.getType() === 'm.room.message' && e.getContent().body === fromOne, 120_000);
  await alice.sendTextMessage(roomId, fromOne);
  assert.equal((await bobSees).getSender(), `@alice:${one().name}`);
  const fromTwo = `hello from ${two().name} ${txnId()}`;
  const aliceSees = nextEvent(alice, roomId, (e) => e.getType() === 'm.room.message' && e.getContent().body === fromTwo, 120_000);
  await bob.sendTextMessage(roomId, fromTwo);
  assert.equal((await aliceSees).getSender(), `@bob:${two().name}`);
});

test('each server reached the other by delegation: the well-known first, then federation on the delegated host', () => {
  for (const s of servers) {
    const seen = s.ingress.decisions;
    assert.ok(seen.some((d) => d.path === '/.well-known/matrix/server' && d.service === 'wellknown'), `${s.name}: no well-known fetch`);
    assert.ok(seen.some((d) => d.path.startsWith('/_matrix/federation/') && d.service === 'synapse'), `${s.name}: no federation request`);
    assert.ok(seen.some((d) => d.path.startsWith('/_matrix/key/v2/server')), `${s.name}: its signing keys were fetched from it`);
    // The whitelist covers exactly the loopback addresses the servers use: no request was blocked.
    assert.doesNotMatch(logText(s.synapse), /IP address blocked/);
  }
});
