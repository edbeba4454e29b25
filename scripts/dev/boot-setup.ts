// Boot tier set-up (issue 5): installs the Debian packages the boot tests start (PostgreSQL, Redis,
// coturn, nginx, ClamAV) with apt-get, the pinned Synapse from PyPI into a virtualenv cached in
// .cache/boot/venv-<version>, and livekit-server with `go install` into the per-user cache
// (${XDG_CACHE_HOME:-~/.cache}/matrix-gitops/boot/livekit-<version>/, outside the clone: one build
// serves every checkout). Idempotent: a warm run only checks binaries and the venv marker.
// Usage: tsx scripts/dev/boot-setup.ts   (the boot tests call ensureBootEnvironment() themselves)
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync, spawnSync } from 'node:child_process';
import { versions } from '../../src/lib/versions.ts';
import { cacheDir } from '../../src/lib/paths.ts';
import { EnvironmentError, exitOnKnownError } from '../../src/lib/errors.ts';
import { done, step } from '../../src/lib/progress.ts';
import { answerHelp } from './help.ts';

export interface BootPins {
  synapse: { package: string; extras: string[]; version: string; constraints?: string[] };
  livekit: { module: string; version: string; binary: string };
  debian: Record<string, { packages: string[]; binaries: string[] }>;
}

export function bootPins(): BootPins {
  const boot = versions().boot as unknown as BootPins;
  if (!boot?.synapse?.version) throw new EnvironmentError('versions.json has no boot.synapse.version');
  const tag = versions().images.synapse?.split(':').pop()?.replace(/^v/, '');
  if (tag !== boot.synapse.version) {
    throw new EnvironmentError(`versions.json: boot.synapse.version ${boot.synapse.version} differs from the Synapse image tag ${tag}`);
  }
  const lkTag = versions().images.livekit?.split(':').pop();
  if (!boot.livekit?.version || lkTag !== boot.livekit.version) {
    throw new EnvironmentError(`versions.json: boot.livekit.version ${boot.livekit?.version} differs from the LiveKit image tag ${lkTag}`);
  }
  return boot;
}

export interface BootEnvironment {
  python: string;
  venv: string;
  /** Absolute paths of every Debian binary the tests start, by name. */
  bin: Record<string, string>;
  /** livekit-server built from the pinned module version. */
  livekit: string;
}

/** Per-user build cache shared by every checkout (XDG base directory spec). */
export function userCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'matrix-gitops');
}

export function livekitDir(pins = bootPins()): string {
  return path.join(userCacheDir(), 'boot', `livekit-${pins.livekit.version}`);
}

/** livekit-server via `go install module@version` (GOBIN in a temp folder, renamed into place, so
 *  an interrupted build never leaves a half binary that a warm run would trust). */
export function ensureLivekit(pins = bootPins()): string {
  const dir = livekitDir(pins);
  const bin = path.join(dir, 'livekit-server');
  if (existsSync(bin)) return bin;
  if (!findBinary('go')) throw new EnvironmentError('go not found: it is needed to build livekit-server for the boot tier (install Go >= 1.26)');
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  step(`go install ${pins.livekit.module}@${pins.livekit.version} (first run only; a few minutes)`);
  const r = spawnSync('go', ['install', `${pins.livekit.module}@${pins.livekit.version}`], {
    stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env: { ...process.env, GOBIN: tmp },
  });
  if (r.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new EnvironmentError(`go install ${pins.livekit.module}@${pins.livekit.version} failed (exit ${r.status}):\n${(r.stderr ?? '').trim().split('\n').slice(-5).join('\n')}`);
  }
  mkdirSync(dir, { recursive: true });
  renameSync(path.join(tmp, pins.livekit.binary), bin);
  rmSync(tmp, { recursive: true, force: true });
  return bin;
}

const SEARCH_DIRS = ['/usr/local/bin', '/usr/bin', '/usr/sbin', '/bin', '/sbin'];

/** PostgreSQL's server binaries live in /usr/lib/postgresql/<major>/bin on Debian; newest wins. */
function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root).filter((d) => /^\d+$/.test(d)).map(Number).sort((a, b) => b - a);
  for (const m of majors) if (existsSync(path.join(root, String(m), 'bin', 'postgres'))) return path.join(root, String(m), 'bin');
  return undefined;
}

function findBinary(name: string): string | undefined {
  const dirs = [...(postgresBinDir() ? [postgresBinDir() as string] : []), ...(process.env.PATH ?? '').split(':'), ...SEARCH_DIRS];
  for (const d of dirs) {
    if (d && existsSync(path.join(d, name))) return path.join(d, name);
  }
  return undefined;
}

function asRoot(cmd: string[]): string[] {
  if (process.getuid?.() === 0) return cmd;
  if (findBinary('sudo')) return ['sudo', '-n', ...cmd];
  throw new EnvironmentError(`need root (or passwordless sudo) to run: ${cmd.join(' ')}`);
}

function run(cmd: string[], what: string): void {
  const r = spawnSync(cmd[0], cmd.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim().split('\n').slice(-5).join('\n');
    throw new EnvironmentError(`${what} failed (exit ${r.status}):\n${tail}`);
  }
}

export function ensureDebianPackages(pins = bootPins()): Record<string, string> {
  const missing = Object.entries(pins.debian).filter(([, p]) => p.binaries.some((b) => !findBinary(b)));
  if (missing.length) {
    const pkgs = missing.flatMap(([, p]) => p.packages);
    step(`apt-get update (for ${pkgs.join(', ')})`);
    // Another process may hold the dpkg lock for a while (a parallel install); wait for it.
    const lock = ['-o', 'DPkg::Lock::Timeout=300'];
    run(asRoot(['apt-get', ...lock, 'update', '-q']), 'apt-get update');
    step(`apt-get install ${pkgs.join(' ')}`);
    // policy-rc.d is not ours to touch; in a container without an init system nothing is started.
    run(asRoot(['apt-get', ...lock, 'install', '-y', '-q', '--no-install-recommends', ...pkgs]), `apt-get install ${pkgs.join(' ')}`);
  }
  const bin: Record<string, string> = {};
  for (const [name, p] of Object.entries(pins.debian)) {
    for (const b of p.binaries) {
      const found = findBinary(b);
      if (!found) throw new EnvironmentError(`${b} (Debian package ${p.packages.join(', ')} for ${name}) not found after install`);
      bin[b] = found;
    }
  }
  for (const extra of ['pg_ctl', 'psql', 'createdb']) {
    const f = findBinary(extra);
    if (f) bin[extra] = f;
  }
  return bin;
}

function pythonForVenv(): string {
  for (const c of ['python3', 'python']) {
    const r = spawnSync(c, ['-c', 'import sys; print(sys.version_info >= (3, 10))'], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim() === 'True') return c;
  }
  throw new EnvironmentError('Python >= 3.10 is needed for Synapse (python3 not found)');
}

export function venvDir(pins = bootPins()): string {
  return path.join(cacheDir, 'boot', `venv-${pins.synapse.version}`);
}

export function ensureVenv(pins = bootPins()): { venv: string; python: string } {
  const venv = venvDir(pins);
  const python = path.join(venv, 'bin', 'python');
  const requirement = `${pins.synapse.package}[${pins.synapse.extras.join(',')}]==${pins.synapse.version}`;
  const constraints = pins.synapse.constraints ?? [];
  const wanted = [requirement, ...constraints].join(' ');
  const marker = path.join(venv, '.boot-installed');
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === wanted && existsSync(python)) {
    return { venv, python };
  }
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(path.dirname(venv), { recursive: true });
  step(`creating virtualenv ${path.relative(process.cwd(), venv) || venv}`);
  run([pythonForVenv(), '-m', 'venv', venv], 'python -m venv');
  step(`pip install ${wanted} (first run only; about a minute)`);
  run([python, '-m', 'pip', 'install', '-q', '--disable-pip-version-check', '--no-input',
    '--only-binary', pins.synapse.package, requirement, ...constraints], `pip install ${wanted}`);
  const v = execFileSync(python, ['-c', 'import synapse; print(synapse.__version__.split()[0])'], { encoding: 'utf8' }).trim();
  if (v !== pins.synapse.version) throw new EnvironmentError(`venv has Synapse ${v}, expected ${pins.synapse.version}`);
  writeFileSync(marker, `${wanted}\n`);
  return { venv, python };
}

let cached: BootEnvironment | undefined;

/** Everything the boot tests need on this machine, installed if missing. */
export function ensureBootEnvironment(): BootEnvironment {
  if (cached) return cached;
  const t0 = Date.now();
  const pins = bootPins();
  const bin = ensureDebianPackages(pins);
  const { venv, python } = ensureVenv(pins);
  const livekit = ensureLivekit(pins);
  done(`boot environment ready (Synapse ${pins.synapse.version}, livekit-server ${pins.livekit.version}, ${Object.keys(bin).length} Debian binaries) in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  cached = { python, venv, bin, livekit };
  return cached;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  answerHelp(`Usage: npm run setup:boot

Installs what the boot tier (npm run test:boot) starts: Debian PostgreSQL, Redis, coturn and nginx
(apt-get), and the pinned Synapse from PyPI in a cached virtualenv. Idempotent; the boot tests run
it themselves. Pins: versions.json "boot" (the Synapse version must equal the image tag).`);
  try {
    ensureBootEnvironment();
  } catch (err) {
    exitOnKnownError(err, 'boot-setup');
  }
}
