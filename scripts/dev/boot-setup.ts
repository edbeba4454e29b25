// Boot tier set-up (issue 5): installs the Debian packages the boot tests start (PostgreSQL, Redis,
// coturn) with apt-get, and the pinned Synapse from PyPI into a virtualenv cached in
// .cache/boot/venv-<version>. Idempotent: a warm run only checks binaries and the venv marker.
// Usage: tsx scripts/dev/boot-setup.ts   (the boot tests call ensureBootEnvironment() themselves)
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { versions } from '../../src/lib/versions.ts';
import { cacheDir } from '../../src/lib/paths.ts';
import { EnvironmentError, exitOnKnownError } from '../../src/lib/errors.ts';
import { done, step } from '../../src/lib/progress.ts';

export interface BootPins {
  synapse: { package: string; extras: string[]; version: string; constraints?: string[] };
  /** test-only packages in the same venv (aiosmtpd, the SMTP sink) */
  python?: { packages: string[] };
  debian: Record<string, { packages: string[]; binaries: string[] }>;
}

export function bootPins(): BootPins {
  const boot = versions().boot as unknown as BootPins;
  if (!boot?.synapse?.version) throw new EnvironmentError('versions.json has no boot.synapse.version');
  const tag = versions().images.synapse?.split(':').pop()?.replace(/^v/, '');
  if (tag !== boot.synapse.version) {
    throw new EnvironmentError(`versions.json: boot.synapse.version ${boot.synapse.version} differs from the Synapse image tag ${tag}`);
  }
  return boot;
}

export interface BootEnvironment {
  python: string;
  venv: string;
  /** Absolute paths of every Debian binary the tests start, by name. */
  bin: Record<string, string>;
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

/** Everything pip installs, in one line (the venv marker). */
function venvWanted(pins: BootPins): string[] {
  const requirement = `${pins.synapse.package}[${pins.synapse.extras.join(',')}]==${pins.synapse.version}`;
  return [requirement, ...(pins.synapse.constraints ?? []), ...(pins.python?.packages ?? [])];
}

/** Keyed by what it holds, so checkouts with different pins never rebuild each other's venv. */
export function venvDir(pins = bootPins()): string {
  const key = createHash('sha256').update(venvWanted(pins).join(' ')).digest('hex').slice(0, 8);
  return path.join(cacheDir, 'boot', `venv-${pins.synapse.version}-${key}`);
}

export function ensureVenv(pins = bootPins()): { venv: string; python: string } {
  const venv = venvDir(pins);
  const python = path.join(venv, 'bin', 'python');
  const [requirement, ...rest] = venvWanted(pins);
  const wanted = [requirement, ...rest].join(' ');
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
    '--only-binary', pins.synapse.package, requirement, ...rest], `pip install ${wanted}`);
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
  done(`boot environment ready (Synapse ${pins.synapse.version}, ${Object.keys(bin).length} Debian binaries) in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  cached = { python, venv, bin };
  return cached;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    ensureBootEnvironment();
  } catch (err) {
    exitOnKnownError(err, 'boot-setup');
  }
}
