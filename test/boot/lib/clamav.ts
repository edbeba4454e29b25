// clamd from Debian, started from the rendered clamav Deployment and its clamav-config ConfigMap,
// plus the content scanner's generated scan script. Rewrites, each forced by one loopback interface
// or by this machine having no route to ClamAV's mirrors:
//   - clamd.conf: TCPAddr 0.0.0.0 → 127.0.0.1, TCPSocket → a free loopback port; paths
//     (DatabaseDirectory, TemporaryDirectory, PidFile) → the folders standing in for the mounts;
//   - the signature database: freshclam (in the image) cannot reach database.clamav.net, so the db
//     volume gets a one-line hash database for the EICAR test file made here (`<md5>:<size>:<name>`,
//     docs.clamav.net/manual/Signatures/HashSignatures.html);
//   - the scan script: its in-cluster address ("clamav", 3310) → 127.0.0.1 and the mapped port,
//     which is what cluster DNS + kube-proxy would do. Nothing else in it changes.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { BootEnvironment } from '../../../scripts/dev/boot-setup.ts';
import type { Cluster, Pod } from './cluster.ts';
import { Processes, log, tcpOpen, waitFor, type Managed } from './procs.ts';

/** The EICAR anti-virus test file (68 bytes), assembled at run time so no file in the repository is one. */
export const EICAR = ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'].join('');
export const EICAR_MD5 = '44d88612fea8a8f36de82e1278abb02f';

export interface Clamd { pod: Pod; proc: Managed; port: number; generated: string; conf: string }

export async function startClamd(env: BootEnvironment, cluster: Cluster, procs: Processes): Promise<Clamd> {
  const pod = cluster.pod('Deployment', 'clamav');
  const c = pod.container('clamav');
  const generated = readFileSync(pod.hostPath(c, '/etc/clamav/clamd.conf'), 'utf8');
  const containerPort = pod.containerPort('clamd');
  const port = await pod.mapPort(containerPort);
  const lines = generated.split('\n').map((l) => {
    const [k, ...rest] = l.split(' ');
    const v = rest.join(' ');
    if (k === 'TCPAddr') return 'TCPAddr 127.0.0.1';
    if (k === 'TCPSocket') {
      if (Number(v) !== containerPort) throw new Error(`clamd.conf TCPSocket ${v} is not the container port ${containerPort}`);
      return `TCPSocket ${port}`;
    }
    if (['DatabaseDirectory', 'TemporaryDirectory', 'PidFile'].includes(k)) return `${k} ${pod.hostPath(c, v)}`;
    return l;
  });
  const conf = path.join(pod.root, 'clamd.conf');
  writeFileSync(conf, lines.join('\n'));
  const db = pod.hostPath(c, '/var/lib/clamav');
  const md5 = createHash('md5').update(EICAR).digest('hex');
  if (md5 !== EICAR_MD5) throw new Error(`EICAR string is wrong (md5 ${md5})`);
  writeFileSync(path.join(db, 'eicar.hdb'), `${md5}:${Buffer.byteLength(EICAR)}:Eicar-Test-Signature\n`);
  const proc = procs.start('clamd', env.bin.clamd, ['-c', conf], path.join(pod.root, 'clamd.log'), { cwd: pod.root });
  await waitFor('clamd', () => tcpOpen(port), { proc, timeoutMs: 60_000 });
  log(`clamd listening on 127.0.0.1:${port}`);
  return { pod, proc, port, generated, conf };
}

/** The content scanner's scan script as generated, with only its Service address resolved. */
export async function scanScript(cluster: Cluster, scriptInContainer: string): Promise<{ file: string; generated: string }> {
  const pod = cluster.pod('Deployment', 'content-scanner');
  const c = pod.container('content-scanner');
  const generated = readFileSync(pod.hostPath(c, scriptInContainer), 'utf8');
  const address = /socket\.create_connection\(\("([a-z0-9-]+)", (\d+)\)/.exec(generated);
  if (!address) throw new Error('scan script: no socket.create_connection(("<service>", <port>)) found');
  const target = await cluster.resolve(address[1], Number(address[2]));
  const file = path.join(pod.root, path.basename(scriptInContainer));
  writeFileSync(file, generated.replace(address[0], `socket.create_connection(("${target.host}", ${target.port})`));
  chmodSync(file, 0o755);
  return { file, generated };
}
