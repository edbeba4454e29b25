// Background processes of one boot test file: each runs in its own process group with its output in a
// log file; stopAll() (the after hook) ends them all, and an exit handler kills leftovers if a test
// run is interrupted, so nothing outlives the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';

export interface Managed {
  name: string;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
  exitCode: number | null | undefined;
}

const live = new Set<Managed>();
const tempDirs = new Set<string>();
function killLeftovers(): void {
  for (const m of live) {
    try { process.kill(-(m.child.pid as number), 'SIGKILL'); } catch { /* already gone */ }
  }
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
}

/** A temp dir removed when the test process ends, also when it is interrupted (unless BOOT_KEEP). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  if (process.env.BOOT_KEEP) log(`keeping ${dir} (BOOT_KEEP)`);
  else tempDirs.add(dir);
  return dir;
}
// Children run in their own process groups, so an interrupted run must end them itself.
process.on('exit', killLeftovers);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => { killLeftovers(); process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1)); });
}

export function log(message: string): void {
  process.stderr.write(`[boot] ${message}\n`);
}

export interface StartOptions {
  env?: Record<string, string>;
  cwd?: string;
  uid?: number;
  gid?: number;
}

export class Processes {
  readonly all: Managed[] = [];

  start(name: string, file: string, args: string[], logFile: string, opts: StartOptions = {}): Managed {
    const fd = openSync(logFile, 'a');
    const child = spawn(file, args, {
      cwd: opts.cwd, env: opts.env ?? { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      stdio: ['ignore', fd, fd], detached: true,
      ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid } : {}),
    });
    closeSync(fd);
    const m: Managed = {
      name, child, logFile, exitCode: undefined,
      exited: new Promise((resolve) => {
        child.on('exit', (code, signal) => { m.exitCode = code ?? (signal ? -1 : null); live.delete(m); resolve(m.exitCode); });
        child.on('error', () => { m.exitCode = -1; live.delete(m); resolve(-1); });
      }),
    };
    live.add(m);
    this.all.push(m);
    return m;
  }

  async stop(m: Managed, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    if (m.exitCode !== undefined) return;
    try { process.kill(-(m.child.pid as number), signal); } catch { return; }
    const t = setTimeout(() => { try { process.kill(-(m.child.pid as number), 'SIGKILL'); } catch { /* gone */ } }, graceMs);
    await m.exited;
    clearTimeout(t);
  }

  /** Servers others depend on (database, Redis) stop last; everything else stops at once. */
  async stopAll(): Promise<void> {
    const infra = this.all.filter((m) => this.infra.has(m));
    await Promise.all(this.all.filter((m) => !this.infra.has(m)).map((m) => this.stop(m)));
    for (const m of infra.reverse()) await this.stop(m);
  }

  private readonly infra = new Set<Managed>();

  /** Marks a process as one the others depend on, so stopAll() ends it after them. */
  markInfra(m: Managed): Managed {
    this.infra.add(m);
    return m;
  }
}

export function logTail(m: Managed, lines = 25): string {
  if (!existsSync(m.logFile)) return '';
  return readFileSync(m.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

const handedOut = new Set<number>();

function tryListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.unref();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** Below Linux's ephemeral range (32768+), so no outgoing connection can take the port between
 *  this check and the server's bind; never the same port twice in one test process. */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (handedOut.has(port)) continue;
    if (await tryListen(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free loopback port in 20000-31999');
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until check() resolves true; fails early with the log tail when the process exits. */
export async function waitFor(what: string, check: () => Promise<boolean>, opts: { timeoutMs?: number; proc?: Managed } = {}): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  for (;;) {
    if (opts.proc && opts.proc.exitCode !== undefined) {
      throw new Error(`${opts.proc.name} exited (code ${opts.proc.exitCode}) while waiting for ${what}:\n${logTail(opts.proc)}`);
    }
    try { if (await check()) return; } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${opts.proc ? `:\n${logTail(opts.proc)}` : ''}`);
    await sleep(250);
  }
}

export async function httpOk(url: string): Promise<boolean> {
  const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await r.arrayBuffer();
  return r.status === 200;
}

export async function tcpOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}
