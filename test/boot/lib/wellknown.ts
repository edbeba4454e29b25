// The generated well-known component run for real: Debian's nginx with the rendered default.conf
// (ConfigMap wellknown-nginx) serving the rendered JSON files (ConfigMap wellknown-content).
// Rewrites: `listen 8080` → `listen 127.0.0.1:<mapped 8080>`, and mount-point prefixes of paths.
// The outer nginx.conf is the harness's stand-in for the image's own (it includes conf.d/*.conf,
// as nginx-unprivileged's does), with pid/temp/log paths in the pod's folder.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BootEnvironment } from '../../../scripts/dev/boot-setup.ts';
import type { Cluster, Pod } from './cluster.ts';
import { Processes, tcpOpen, waitFor, log, type Managed } from './procs.ts';

export async function startWellKnown(env: BootEnvironment, cluster: Cluster, procs: Processes): Promise<{ pod: Pod; proc: Managed; port: number }> {
  const pod = cluster.pod('Deployment', 'wellknown');
  const c = pod.container('nginx');
  const containerPort = pod.containerPort('http');
  const port = await pod.mapPort(containerPort);
  const confIn = pod.hostPath(c, '/etc/nginx/conf.d');
  const confOut = path.join(pod.root, 'nginx', 'conf.d');
  const tmp = path.join(pod.root, 'nginx', 'tmp');
  mkdirSync(confOut, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  const generated = readFileSync(path.join(confIn, 'default.conf'), 'utf8');
  const listen = new RegExp(`listen\\s+${containerPort};`);
  if (!listen.test(generated)) throw new Error(`wellknown default.conf does not listen on ${containerPort}`);
  writeFileSync(path.join(confOut, 'default.conf'), pod.rewriteText(c, generated.replace(listen, `listen 127.0.0.1:${port};`)));
  const main = path.join(pod.root, 'nginx', 'nginx.conf');
  writeFileSync(main, [
    'daemon off;', 'worker_processes 1;', `pid ${path.join(pod.root, 'nginx', 'nginx.pid')};`, 'error_log stderr notice;',
    'events { worker_connections 64; }',
    'http {',
    '  include /etc/nginx/mime.types;', '  default_type application/octet-stream;',
    `  access_log ${path.join(pod.root, 'nginx', 'access.log')};`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${path.join(tmp, t)};`),
    `  include ${confOut}/*.conf;`,
    '}', '',
  ].join('\n'));
  const proc = procs.start('wellknown-nginx', env.bin.nginx, ['-p', path.join(pod.root, 'nginx'), '-c', main, '-e', 'stderr'], path.join(pod.root, 'nginx.log'), { cwd: pod.root });
  await waitFor('wellknown nginx', () => tcpOpen(port), { proc, timeoutMs: 20_000 });
  log(`wellknown nginx on 127.0.0.1:${port}`);
  return { pod, proc, port };
}
