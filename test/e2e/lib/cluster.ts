// A throw-away control plane on loopback for the e2e tier: etcd, kube-apiserver (token auth,
// self-signed serving cert, kubeconfig with insecure-skip-tls-verify), the Flux CRDs, and Flux's
// source-controller and kustomize-controller running out of cluster. No kubelet, scheduler or
// kube-controller-manager: Deployments are stored but never roll out (see test/e2e/README.md).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync, openSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ensureAll, crdDirs } from '../../../scripts/dev/e2e-build.ts';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, everyMs = 500): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

export interface Cluster {
  dir: string;
  kubeconfig: string;
  kc: KubeConfig;
  env: NodeJS.ProcessEnv;
  logs: Record<string, string>;
  kubectl(args: string[], input?: string): { status: number; stdout: string; stderr: string };
  stop(): Promise<void>;
  tail(name: string, lines?: number): string;
}

export async function startCluster(dir: string): Promise<Cluster> {
  const bins = ensureAll();
  mkdirSync(dir, { recursive: true });
  const procs: ChildProcess[] = [];
  const logs: Record<string, string> = {};
  const start = (name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
    logs[name] = path.join(dir, `${name}.log`);
    const fd = openSync(logs[name], 'a');
    const p = spawn('nice', ['-n', '5', cmd, ...args], { stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
    procs.push(p);
    return p;
  };
  const tail = (name: string, lines = 30) =>
    existsSync(logs[name] ?? '') ? readFileSync(logs[name], 'utf8').trim().split('\n').slice(-lines).join('\n') : '';

  const [etcdClient, etcdPeer, apiPort, m1, h1, storage, m2, h2] = await Promise.all(Array.from({ length: 8 }, freePort));
  start('etcd', bins.etcd, [
    '--name', 'e2e', '--data-dir', path.join(dir, 'etcd'),
    '--listen-client-urls', `http://127.0.0.1:${etcdClient}`, '--advertise-client-urls', `http://127.0.0.1:${etcdClient}`,
    '--listen-peer-urls', `http://127.0.0.1:${etcdPeer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeer}`,
    '--initial-cluster', `e2e=http://127.0.0.1:${etcdPeer}`, '--unsafe-no-fsync',
  ]);

  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(path.join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(path.join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const token = randomBytes(16).toString('hex');
  writeFileSync(path.join(dir, 'tokens.csv'), `${token},admin,admin,system:masters\n`);
  start('kube-apiserver', bins['kube-apiserver'], [
    `--etcd-servers=http://127.0.0.1:${etcdClient}`, '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1',
    `--secure-port=${apiPort}`, `--cert-dir=${path.join(dir, 'certs')}`,
    '--service-account-issuer=https://kubernetes.default.svc', `--service-account-key-file=${path.join(dir, 'sa.pub')}`,
    `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`, `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
    '--authorization-mode=RBAC', '--service-cluster-ip-range=10.96.0.0/16', '--allow-privileged=true',
    // No kube-controller-manager issues ServiceAccount tokens; pods are never created here anyway.
    '--disable-admission-plugins=ServiceAccount',
  ]);

  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config', 'current-context: e2e',
    'clusters:', '- name: e2e', '  cluster:', `    server: https://127.0.0.1:${apiPort}`, '    insecure-skip-tls-verify: true',
    'users:', '- name: admin', '  user:', `    token: ${token}`,
    'contexts:', '- name: e2e', '  context:', '    cluster: e2e', '    user: admin', '',
  ].join('\n'));
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: kubeconfig };
  const kubectl = (args: string[], input?: string) => {
    const r = spawnSync('kubectl', args, { env, encoding: 'utf8', input, timeout: 120_000 });
    return { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };

  const cluster: Cluster = {
    dir, kubeconfig, kc, env, logs, kubectl, tail,
    async stop() {
      for (const p of procs.reverse()) if (p.exitCode === null) p.kill('SIGTERM');
      await sleep(500);
      for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    },
  };
  try {
    await waitFor('kube-apiserver /readyz', async () => {
      const r = kubectl(['get', '--raw', '/readyz']);
      return r.status === 0 ? true : undefined;
    }, 120_000, 1000);

    // Flux CRDs straight from the pinned controller modules (their config/crd/bases).
    for (const crds of crdDirs()) {
      const r = kubectl(['apply', '--server-side', '-f', crds]);
      if (r.status !== 0) throw new Error(`applying the CRDs of ${crds} failed: ${r.stderr}`);
    }
    const w = kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);
    if (w.status !== 0) throw new Error(`CRDs not established: ${w.stderr}`);
    const ns = kubectl(['create', 'namespace', 'flux-system']);
    if (ns.status !== 0) throw new Error(ns.stderr);

    const common = { KUBECONFIG: kubeconfig, RUNTIME_NAMESPACE: 'flux-system' };
    // Out of cluster, source-controller serves its artifacts from a local folder on loopback; the
    // advertised address is what kustomize-controller downloads from (the folder must exist).
    const storageDir = path.join(dir, 'source-controller-storage');
    mkdirSync(storageDir, { recursive: true });
    start('source-controller', bins['source-controller'], [
      `--metrics-addr=127.0.0.1:${m1}`, `--health-addr=127.0.0.1:${h1}`, '--enable-leader-election=false',
      '--log-encoding=console', '--watch-all-namespaces',
      `--storage-path=${storageDir}`, `--storage-addr=127.0.0.1:${storage}`, `--storage-adv-addr=127.0.0.1:${storage}`,
    ], common);
    start('kustomize-controller', bins['kustomize-controller'], [
      `--metrics-addr=127.0.0.1:${m2}`, `--health-addr=127.0.0.1:${h2}`, '--enable-leader-election=false',
      '--log-encoding=console', '--no-remote-bases=true',
      // The default 30s would make every change wait twice (apps → infrastructure-config → infrastructure).
      '--requeue-dependency=5s',
    ], common);
    for (const [name, port] of [['source-controller', h1], ['kustomize-controller', h2]] as const) {
      await waitFor(`${name} /readyz`, async () => {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        return res.ok ? true : undefined;
      }, 60_000);
    }
  } catch (e) {
    const diag = Object.keys(logs).map((n) => `--- ${n}\n${tail(n, 15)}`).join('\n');
    await cluster.stop();
    throw new Error(`${(e as Error).message}\n${diag}`);
  }
  return cluster;
}
