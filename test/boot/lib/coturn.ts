// coturn from Debian, started from the rendered Deployment: the initContainer's own shell command
// renders turnserver.conf from the ConfigMap template and the Secret (env), then turnserver runs
// with the container's args. Rewrites of the rendered turnserver.conf, for loopback only:
//   - listening-port → a free port; listening-ip and relay-ip 127.0.0.1 added;
//   - paths (pidfile) → the folders standing in for the mounts;
//   - TEST ONLY: the `denied-peer-ip=127.0.0.0-127.255.255.255` line is dropped and
//     `allow-loopback-peers` added, because the relay and both test clients are on 127.0.0.1.
//     The generated file keeps denying loopback peers, as it must in production.
// Container args: `--external-ip=$(detect-external-ip)` is the image's helper (it asks public
// resolvers) and is dropped; Debian's default user DB path is pointed into the pod's data volume.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createHmac } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import type { BootEnvironment } from '../../../scripts/dev/boot-setup.ts';
import type { Cluster, Pod } from './cluster.ts';
import { Processes, log, tcpOpen, waitFor, type Managed } from './procs.ts';

export const LOOPBACK_DENY = 'denied-peer-ip=127.0.0.0-127.255.255.255';

export interface Coturn { pod: Pod; proc: Managed; port: number; conf: string; rendered: string }

export async function startCoturn(env: BootEnvironment, cluster: Cluster, procs: Processes): Promise<Coturn> {
  const pod = cluster.pod('Deployment', 'coturn');
  const init = pod.container('render-config', true);
  const cmd = init.command as string[];
  if (cmd[0] !== 'sh' || cmd[1] !== '-c') throw new Error(`coturn initContainer: unexpected command ${cmd.join(' ')}`);
  // The initContainer script, run as written, with only its mount paths rewritten.
  execFileSync('/bin/sh', ['-c', pod.rewriteText(init, cmd[2])], { env: { PATH: process.env.PATH ?? '', ...cluster.env(init) }, stdio: 'pipe' });
  const main = pod.container('coturn');
  const args = (main.args as string[]).filter((a) => !a.includes('$(detect-external-ip)'));
  const ci = args.indexOf('-c');
  const conf = pod.hostPath(main, args[ci + 1]);
  const rendered = readFileSync(conf, 'utf8');
  const port = await pod.mapPort(3478);
  let lines = rendered.split('\n');
  if (!lines.includes(LOOPBACK_DENY)) throw new Error(`rendered turnserver.conf has no ${LOOPBACK_DENY} line`);
  lines = lines.filter((l) => l !== LOOPBACK_DENY).map((l) => {
    if (l.startsWith('listening-port=')) return `listening-port=${port}`;
    const m = /^(pidfile|log-file|userdb|db)=(.*)$/.exec(l);
    return m ? `${m[1]}=${pod.hostPath(main, m[2])}` : l;
  });
  lines.push('listening-ip=127.0.0.1', 'relay-ip=127.0.0.1', 'allow-loopback-peers', '');
  writeFileSync(conf, lines.join('\n'));
  const dataDir = pod.hostPath(main, '/var/lib/coturn');
  const finalArgs = args.map((a, i) => (i === ci + 1 ? conf : a)).concat([`--db=${path.join(dataDir, 'turndb')}`]);
  const proc = procs.start('coturn', env.bin.turnserver, finalArgs, path.join(pod.root, 'coturn.log'), { cwd: pod.root });
  await waitFor('coturn', () => tcpOpen(port), { proc, timeoutMs: 20_000 });
  log(`coturn listening on 127.0.0.1:${port}`);
  return { pod, proc, port, conf, rendered };
}

/** TURN REST credentials as Synapse hands them out (username "<expiry>:<user>", HMAC-SHA1). */
export function turnPassword(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

/** A real TURN session: allocation, permissions, and relayed traffic between two clients. */
export async function turnSession(env: BootEnvironment, port: number, username: string, password: string, transport: 'udp' | 'tcp' = 'udp'): Promise<{ ok: boolean; output: string }> {
  const args = ['-p', String(port), '-u', username, '-w', password, '-y', '-n', '2', '-m', '1', '-l', '100', ...(transport === 'tcp' ? ['-t'] : []), '127.0.0.1'];
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(env.bin.turnutils_uclient, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (c) => { clearTimeout(timer); resolve({ code: c, output: out }); });
  });
  const recv = /tot_recv_msgs=(\d+)/g;
  let received = 0;
  for (let m = recv.exec(output); m; m = recv.exec(output)) received = Math.max(received, Number(m[1]));
  return { ok: code === 0 && !/Cannot complete Allocation/.test(output) && received > 0, output };
}
