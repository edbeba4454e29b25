// Redis from Debian, started from the rendered synapse-redis Deployment: its args with $(VAR)
// expanded from the container env as Kubernetes does, plus loopback-only additions
// (--bind 127.0.0.1, --port <free>, --dir <the data volume's folder>).
import path from 'node:path';
import type { BootEnvironment } from '../../../scripts/dev/boot-setup.ts';
import type { Cluster, Pod } from './cluster.ts';
import { Processes, log, tcpOpen, waitFor, type Managed } from './procs.ts';

export async function startRedis(env: BootEnvironment, cluster: Cluster, procs: Processes, deployment = 'synapse-redis'): Promise<{ pod: Pod; proc: Managed; port: number }> {
  const pod = cluster.pod('Deployment', deployment);
  const c = pod.container();
  const vars = cluster.env(c);
  const args = ((c.args ?? []) as string[]).map((a) => a.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, n: string) => vars[n] ?? m));
  const port = await pod.mapPort(6379);
  const dataMount = ((c.volumeMounts ?? []) as Array<{ mountPath: string }>)[0]?.mountPath ?? '/data';
  const proc = procs.markInfra(procs.start('redis', env.bin['redis-server'], [...args, '--bind', '127.0.0.1', '--port', String(port), '--dir', pod.hostPath(c, dataMount)], path.join(pod.root, 'redis.log'), { cwd: pod.root }));
  await waitFor('redis', () => tcpOpen(port), { proc, timeoutMs: 20_000 });
  log(`redis on 127.0.0.1:${port}`);
  return { pod, proc, port };
}
