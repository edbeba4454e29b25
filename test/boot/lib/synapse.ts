// Starts a Synapse process (main or worker) from its rendered Deployment: the container command,
// its config files from the ConfigMap volumes, its Secret files and env. Rewrites, all of them
// needed only because everything runs as plain processes on one loopback interface:
//   1. in-container paths → the harness folder standing in for the mount (mount-point prefix only);
//   2. every listener: bind_addresses → [127.0.0.1], port → a free loopback port of this pod;
//   3. database.args host/port, redis host/port, instance_map host/port → the Service's loopback
//      address and mapped port (cluster DNS + kube-proxy);
// nothing else in the generated config is touched.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { BootEnvironment } from '../../../scripts/dev/boot-setup.ts';
import type { Cluster, Pod } from './cluster.ts';
import type { Doc } from './repo.ts';
import { Processes, httpOk, log, waitFor, type Managed } from './procs.ts';

export interface SynapseProc {
  pod: Pod;
  proc: Managed;
  /** Every config value the harness changed, as `file: dotted.path` (checked against ALLOWED_REWRITES). */
  rewrites: string[];
  /** Config files (host paths) as rewritten. */
  configFiles: string[];
  /** Mapped loopback port of an in-pod port. */
  port(p: number): number;
  url(p?: number): string;
}

export interface SynapseOverrides {
  /** Test-only change of the merged config (used by a negative test to point at another database). */
  patch?: (file: string, cfg: Doc) => void;
  /** Wraps the command (e.g. into a private mount namespace with its own /etc/hosts). */
  wrap?: (file: string, args: string[]) => { file: string; args: string[] };
}

async function rewriteConfig(cluster: Cluster, pod: Pod, container: Doc, cfg: Doc): Promise<Doc> {
  const out = pod.rewriteValues(container, cfg);
  for (const key of ['listeners', 'worker_listeners']) {
    for (const l of (out[key] ?? []) as Doc[]) {
      l.port = await pod.mapPort(l.port as number);
      l.bind_addresses = ['127.0.0.1'];
    }
  }
  const db = out.database?.args as Doc | undefined;
  if (db?.host) {
    const r = await cluster.resolve(db.host as string, (db.port as number | undefined) ?? 5432);
    db.host = r.host;
    db.port = r.port;
  }
  if (out.redis?.enabled) {
    const r = await cluster.resolve(out.redis.host as string, (out.redis.port as number | undefined) ?? 6379);
    out.redis.host = r.host;
    out.redis.port = r.port;
  }
  for (const inst of Object.values((out.instance_map ?? {}) as Record<string, Doc>)) {
    const r = await cluster.resolve(inst.host as string, inst.port as number);
    inst.host = r.host;
    inst.port = r.port;
  }
  return out;
}

/** The only config values the harness may change (see the header); anything else is an error. */
export const ALLOWED_REWRITES: RegExp[] = [
  /^[a-z_]+_path$/, /^redis\.password_path$/,
  /^(worker_)?listeners\.\d+\.(port|bind_addresses)$/,
  /^database\.args\.(host|port)$/, /^redis\.(host|port)$/, /^instance_map\.[a-z_]+\.(host|port)$/,
];

function changedPaths(a: unknown, b: unknown, prefix = ''): string[] {
  if (a === b) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) === !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    // bind_addresses is replaced as a whole.
    if (prefix.endsWith('bind_addresses')) return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
    return [...keys].flatMap((k) => changedPaths((a as Doc)[k], (b as Doc)[k], prefix ? `${prefix}.${k}` : k));
  }
  return [prefix];
}

/** Prepares the pod's files and config; call for every Synapse pod before starting any (instance_map). */
export function declareSynapse(cluster: Cluster, deployment: string): Pod {
  return cluster.pod('Deployment', deployment);
}

export async function startSynapse(env: BootEnvironment, cluster: Cluster, procs: Processes, pod: Pod, o: SynapseOverrides = {}): Promise<SynapseProc> {
  const container = pod.container('synapse');
  const command = container.command as string[];
  if (command[0] !== 'python3' || command[1] !== '-m') throw new Error(`${pod.name}: unexpected command ${command.join(' ')}`);
  const args = command.slice(1).map((a) => pod.hostPath(container, a));
  const configFiles: string[] = [];
  const rewrites: string[] = [];
  for (let i = 0; i < args.length; i++) if (args[i] === '-c' || args[i] === '--config-path') configFiles.push(args[i + 1]);
  for (const file of configFiles) {
    const original = parse(readFileSync(file, 'utf8')) as Doc;
    const cfg = await rewriteConfig(cluster, pod, container, original);
    const changed = changedPaths(original, cfg);
    const stray = changed.filter((c) => !ALLOWED_REWRITES.some((r) => r.test(c)));
    if (stray.length) throw new Error(`${pod.name}: harness changed config values it must not: ${stray.join(', ')}`);
    rewrites.push(...changed.map((c) => `${path.basename(file)}: ${c}`));
    o.patch?.(file, cfg);
    writeFileSync(file, stringify(cfg, { lineWidth: 0 }));
  }
  const probe = (container.startupProbe ?? container.readinessProbe)?.httpGet as Doc;
  const healthPort = await pod.mapPort(pod.containerPort(probe.port as string | number));
  const logFile = path.join(pod.root, 'synapse.log');
  const cmd = o.wrap ? o.wrap(env.python, args) : { file: env.python, args };
  const proc = procs.start(pod.name, cmd.file, cmd.args, logFile, {
    cwd: pod.root,
    env: { PATH: process.env.PATH ?? '', LANG: 'C.UTF-8', HOME: pod.root, ...cluster.env(container) },
  });
  log(`started ${pod.name} (${args[1]}) pid ${proc.child.pid}, health on 127.0.0.1:${healthPort}`);
  const sp: SynapseProc = {
    pod, proc, configFiles, rewrites,
    port: (p) => {
      const m = pod.portMap.get(p);
      if (m === undefined) throw new Error(`${pod.name}: port ${p} not mapped`);
      return m;
    },
    url: (p = 8008) => `http://127.0.0.1:${sp.port(p)}`,
  };
  return sp;
}

export async function waitHealthy(s: SynapseProc, timeoutMs = 180_000): Promise<void> {
  const container = s.pod.container('synapse');
  const probe = (container.startupProbe ?? container.readinessProbe).httpGet as Doc;
  const port = s.port(s.pod.containerPort(probe.port as string | number));
  const t0 = Date.now();
  await waitFor(`${s.pod.name} ${probe.path}`, () => httpOk(`http://127.0.0.1:${port}${probe.path as string}`), { proc: s.proc, timeoutMs });
  log(`${s.pod.name} healthy after ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}

export function logText(s: { proc: Managed }): string {
  return readFileSync(s.proc.logFile, 'utf8');
}
