// Boot tier, LiveKit: the generated SFU runs. A fresh repository is generated, `kustomize build
// overlays/homelab` rendered and its Secrets decrypted; livekit-server (go-installed at the image's
// version) starts from the rendered Deployment with the environment Kubernetes would give it
// (service links included), and a token minted with the generated key joins a room over the
// signalling WebSocket. The negative test reverts the renderer's enableServiceLinks: false in the
// rendered manifests and shows the seed-001 crash, and that policy MX-RTC-006 flags the same manifests.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import WebSocket from 'ws';
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk';
import { SignalResponse } from '@livekit/protocol';
import { ensureBootEnvironment, type BootEnvironment } from '../../scripts/dev/boot-setup.ts';
import { projectRoot } from '../../src/lib/versions.ts';
import { toolPath } from '../../src/lib/tools.ts';
import { Cluster } from './lib/cluster.ts';
import { LIVEKIT_REWRITES, startLiveKit, type LiveKit } from './lib/livekit.ts';
import { Processes, logTail, sleep, tcpOpen, tempDir } from './lib/procs.ts';
import { buildOverlay, decryptSecrets, find, generateRepo, secretValue, type Doc } from './lib/repo.ts';

const procs = new Processes();
let env: BootEnvironment;
let work: string;
let docs: Doc[];
let secrets: Map<string, Record<string, string>>;
let lk: LiveKit;

const key = (): string => secretValue(secrets, 'livekit-keys', 'api-key');
const keySecret = (): string => secretValue(secrets, 'livekit-keys', 'api-secret');

before(async () => {
  env = ensureBootEnvironment();
  work = tempDir('mx-boot-livekit-');
  const repo = await generateRepo(work);
  docs = buildOverlay(repo, 'homelab');
  secrets = decryptSecrets(repo, 'homelab');
  lk = await startLiveKit(env, new Cluster(docs, secrets, path.join(work, 'cluster')), procs);
}, { timeout: 900_000 });

after(async () => {
  await procs.stopAll();
});

/** Opens the signalling WebSocket as a LiveKit client does and returns the first server message. */
function signal(url: string, token: string): Promise<{ status?: number; first?: SignalResponse }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/rtc?access_token=${encodeURIComponent(token)}&protocol=16&sdk=js&auto_subscribe=1`);
    const timer = setTimeout(() => { ws.terminate(); reject(new Error('no signal response within 15s')); }, 15_000);
    ws.on('unexpected-response', (_req, res) => { clearTimeout(timer); ws.terminate(); resolve({ status: res.statusCode }); });
    ws.on('message', (data: Buffer) => {
      clearTimeout(timer);
      const first = SignalResponse.fromBinary(new Uint8Array(data));
      // Stay connected until the caller has looked at the room; closed in the test's own cleanup.
      resolve({ first });
      setTimeout(() => ws.close(), 5_000);
    });
    ws.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

test('the generated LiveKit pod turns service links off; the process got the env Kubernetes gives it', () => {
  const spec = find(docs, 'Deployment', 'livekit').spec.template.spec as Doc;
  assert.equal(spec.enableServiceLinks, false);
  // KUBERNETES_* are injected whatever the pod says; no LIVEKIT_* comes from a Service.
  assert.equal(lk.env.KUBERNETES_SERVICE_PORT, '443');
  assert.deepEqual(Object.keys(lk.env).filter((k) => k.startsWith('LIVEKIT_')), []);
  assert.deepEqual(lk.rewrites, LIVEKIT_REWRITES);
  // The only changes that keep it on this machine: no public STUN lookups, loopback only.
  assert.equal(lk.generated.rtc.use_external_ip, true, 'the generated config asks for the external IP (as a cluster needs)');
});

test('livekit-server listens on loopback only, with the generated key file', async () => {
  assert.ok(await tcpOpen(lk.port));
  const r = await fetch(`${lk.url}/`);
  assert.equal(r.status, 200);
  assert.equal((await r.text()).trim(), 'OK');
  // The key file came from the Secret with the mode the Deployment sets (livekit-server refuses "other" bits).
  assert.equal(secretValue(secrets, 'livekit-keys', 'keys.yaml').trim(), `${key()}: ${keySecret()}`);
  assert.match(logTail(lk.proc, 200), /starting LiveKit server/);
  assert.doesNotMatch(logTail(lk.proc, 200), /stun\.l\.google\.com|twilio/);
});

test('a token minted with the generated key joins a room that the API created (room.auto_create is off)', async () => {
  const rooms = new RoomServiceClient(lk.url, key(), keySecret());
  const name = `boot-${Date.now()}`;
  // auto_create: false, so only an API call (what lk-jwt-service does) creates the room.
  const early = new AccessToken(key(), keySecret(), { identity: '@early:example.com' });
  early.addGrant({ roomJoin: true, room: `${name}-missing` });
  const refused = await signal(lk.url, await early.toJwt());
  assert.notEqual(refused.first?.message.case, 'join', 'no room is created by a join');
  await rooms.createRoom({ name, emptyTimeout: 60 });
  const at = new AccessToken(key(), keySecret(), { identity: '@alice:example.com', ttl: '5m' });
  at.addGrant({ roomJoin: true, room: name, canPublish: true, canSubscribe: true });
  const { first, status } = await signal(lk.url, await at.toJwt());
  assert.equal(status, undefined, `WebSocket refused with HTTP ${status}`);
  assert.equal(first?.message.case, 'join');
  const join = first?.message.value as { room?: { name: string }; participant?: { identity: string } };
  assert.equal(join.room?.name, name);
  assert.equal(join.participant?.identity, '@alice:example.com');
  let participants: string[] = [];
  for (let i = 0; i < 20 && !participants.length; i++) {
    participants = (await rooms.listParticipants(name)).map((p) => p.identity);
    if (!participants.length) await sleep(250);
  }
  assert.deepEqual(participants, ['@alice:example.com']);
});

test('negative: a token signed with another secret is refused', async () => {
  const at = new AccessToken(key(), `${keySecret()}x`, { identity: '@mallory:example.com' });
  at.addGrant({ roomJoin: true, room: 'any' });
  const r = await signal(lk.url, await at.toJwt());
  assert.equal(r.status, 401);
});

test('negative: with enableServiceLinks reverted, livekit-server crashes on LIVEKIT_PORT=tcp://… and MX-RTC-006 flags it', async () => {
  const reverted = structuredClone(docs);
  delete find(reverted, 'Deployment', 'livekit').spec.template.spec.enableServiceLinks;
  const broken = await startLiveKit(env, new Cluster(reverted, secrets, path.join(work, 'cluster-reverted')), procs, { podName: 'livekit-reverted', wait: false });
  assert.match(broken.env.LIVEKIT_PORT ?? '', /^tcp:\/\/127\.0\.0\.1:7880$/, 'the Service livekit injects LIVEKIT_PORT');
  const code = await Promise.race([broken.proc.exited, sleep(30_000).then(() => 'still running')]);
  // livekit-server prints the error and exits 0: the exit code alone would hide the crash.
  assert.equal(code, 0, logTail(broken.proc));
  assert.equal(await tcpOpen(broken.port), false);
  assert.match(logTail(broken.proc), /could not parse "tcp:\/\/127\.0\.0\.1:7880" as uint value from environment variable "LIVEKIT_PORT" for flag port/);

  const file = path.join(work, 'reverted.yaml');
  writeFileSync(file, reverted.map((d) => stringify(d)).join('---\n'));
  const r = spawnSync(toolPath('conftest'), ['test', '--no-color', '--combine', '--namespace', 'mx.combined', '--policy', path.join(projectRoot, 'policies'), '--output', 'json', file], { encoding: 'utf8' });
  const failures = (JSON.parse(r.stdout) as Array<{ failures?: Array<{ msg: string; metadata?: { details?: { id?: string } } }> }>).flatMap((x) => x.failures ?? []);
  assert.ok(failures.some((f) => /MX-RTC-006|Service livekit injects LIVEKIT_PORT/.test(JSON.stringify(f))), r.stdout);
  const fixed = path.join(work, 'fixed.yaml');
  writeFileSync(fixed, docs.map((d) => stringify(d)).join('---\n'));
  const ok = spawnSync(toolPath('conftest'), ['test', '--no-color', '--combine', '--namespace', 'mx.combined', '--policy', path.join(projectRoot, 'policies'), '--output', 'json', fixed], { encoding: 'utf8' });
  assert.doesNotMatch(ok.stdout, /MX-RTC-006/);
});
