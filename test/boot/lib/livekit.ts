// livekit-server (built from the pinned module version) started from the rendered Deployment: its
// container args, the livekit-config ConfigMap and the livekit-keys Secret as mounted files, and the
// environment Kubernetes gives the container (cluster.env: service links unless the pod turns them
// off, envFrom, env). Rewrites of the generated livekit.yaml, all forced by one loopback interface
// and by "no traffic off this machine":
//   - port, rtc.tcp_port, rtc.udp_port, prometheus.port → free loopback ports of this pod;
//   - key_file → the folder standing in for the Secret mount (mount-point prefix only);
//   - bind_addresses [127.0.0.1] and rtc.node_ip 127.0.0.1 added, rtc.use_external_ip → false:
//     with use_external_ip (or an auto-detected node IP) livekit-server asks public STUN servers.
// livekit-server exits 0 after printing a config or flag error, so readiness is `GET /` answering
// 200 (406 until its node stats are fresh), never the exit code.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BootEnvironment } from '../../../scripts/dev/boot-setup.ts';
import type { Cluster, Pod } from './cluster.ts';
import type { Doc } from './repo.ts';
import { Processes, httpOk, log, waitFor, type Managed } from './procs.ts';

export interface LiveKit {
  pod: Pod;
  proc: Managed;
  /** The environment the process got (names only matter to the tests: values may be secret). */
  env: Record<string, string>;
  /** Config values the harness changed, as dotted paths. */
  rewrites: string[];
  generated: Doc;
  url: string;
  port: number;
}

export const LIVEKIT_REWRITES = [
  'bind_addresses', 'key_file', 'port', 'prometheus.port', 'rtc.node_ip', 'rtc.tcp_port', 'rtc.udp_port', 'rtc.use_external_ip',
];

export async function prepareLiveKit(cluster: Cluster, deployment = 'livekit', podName = deployment): Promise<{ pod: Pod; args: string[]; config: string; generated: Doc; rewrites: string[] }> {
  const pod = cluster.pod('Deployment', deployment, podName);
  const c = pod.container('livekit');
  const args = ((c.args ?? []) as string[]).map((a) => pod.hostPath(c, a));
  const ci = args.indexOf('--config');
  if (ci === -1) throw new Error('livekit container args have no --config');
  const config = args[ci + 1];
  const generated = parse(readFileSync(config, 'utf8'));
  const cfg = structuredClone(generated);
  cfg.port = await pod.mapPort(generated.port as number);
  cfg.rtc.tcp_port = await pod.mapPort(generated.rtc.tcp_port as number);
  cfg.rtc.udp_port = await pod.mapPort(generated.rtc.udp_port as number);
  if (cfg.prometheus?.port) cfg.prometheus.port = await pod.mapPort(generated.prometheus.port as number);
  cfg.key_file = pod.hostPath(c, generated.key_file as string);
  cfg.bind_addresses = ['127.0.0.1'];
  cfg.rtc.node_ip = '127.0.0.1';
  cfg.rtc.use_external_ip = false;
  writeFileSync(config, `${JSON.stringify(cfg, null, 2)}\n`);
  const rewrites = changed(generated, cfg);
  const stray = rewrites.filter((r) => !LIVEKIT_REWRITES.includes(r));
  if (stray.length) throw new Error(`livekit: harness changed config values it must not: ${stray.join(', ')}`);
  return { pod, args, config, generated, rewrites };
}

/** livekit.yaml is rendered as JSON (a YAML subset); anything else is a renderer change to look at. */
function parse(text: string): Doc {
  return JSON.parse(text) as Doc;
}

function changed(a: unknown, b: unknown, prefix = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].sort().flatMap((k) => changed((a as Doc)[k], (b as Doc)[k], prefix ? `${prefix}.${k}` : k));
  }
  return [prefix];
}

/** Starts livekit-server; `wait: false` returns at once (a test that expects it never to listen). */
export async function startLiveKit(env: BootEnvironment, cluster: Cluster, procs: Processes, opts: { deployment?: string; podName?: string; wait?: boolean } = {}): Promise<LiveKit> {
  const { pod, args, generated, rewrites } = await prepareLiveKit(cluster, opts.deployment, opts.podName);
  const c = pod.container('livekit');
  const kubeEnv = cluster.env(c);
  const port = pod.portMap.get(generated.port as number) as number;
  const proc = procs.start(pod.name, env.livekit, args, path.join(pod.root, 'livekit.log'), {
    cwd: pod.root, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: pod.root, ...kubeEnv },
  });
  const lk: LiveKit = { pod, proc, env: kubeEnv, rewrites, generated, url: `http://127.0.0.1:${port}`, port };
  if (opts.wait !== false) await waitLiveKit(lk);
  return lk;
}

export async function waitLiveKit(lk: LiveKit, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  await waitFor(`${lk.pod.name} GET / 200`, () => httpOk(`${lk.url}/`), { proc: lk.proc, timeoutMs });
  log(`${lk.pod.name} ready on ${lk.url} after ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}
