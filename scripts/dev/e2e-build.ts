// `npx tsx scripts/dev/e2e-build.ts`: builds the e2e tier's binaries once, cached per user outside the
// clone (see binDir): kube-apiserver (k8s.io/kubernetes) and the Flux source-controller and
// kustomize-controller, each from its own wrapper Go module under e2e/
// (one per binary, so MVS never merges their dependency graphs), and etcd from Debian.
// Every input is pinned in versions.json "e2e". Idempotent: a present binary is not rebuilt.
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { projectRoot, versions } from '../../src/lib/versions.ts';
import { userCacheDir } from '../../src/lib/paths.ts';
import { step, done, warn } from '../../src/lib/progress.ts';

export interface GoBinaryPin {
  module: string;
  version: string;
  package: string;
  /** Extra -ldflags, with {version}, {major}, {minor} substituted. */
  ldflags?: string;
  /** "kubernetes": map every ./staging replace of the module to the same-version published module. */
  replaces?: 'kubernetes' | 'copy';
  /** Further replaces "module => module version": requirements the Go proxy here does not serve. */
  extraReplaces?: string[];
}

export interface CrdSource { module: string; version: string; path: string }

export interface E2ePins {
  binaries: Record<string, GoBinaryPin>;
  /** Module folders whose CRDs the test cluster gets (read with go mod download, never committed). */
  crds: CrdSource[];
  etcd: { debian: string; binary: string };
}

export function e2ePins(): E2ePins {
  const e = versions().e2e as unknown as E2ePins;
  if (!e?.binaries || !e.etcd || !e.crds) throw new Error('versions.json has no "e2e" section with "binaries", "crds" and "etcd"');
  return e;
}

/** E2E_CACHE_DIR moves the cache (e.g. to time a cold build together with an empty GOCACHE). */
export function e2eCacheDir(): string {
  return process.env.E2E_CACHE_DIR ?? path.join(userCacheDir(), 'e2e');
}

/**
 * One folder per binary and pin: the key is everything that changes the binary (module, version,
 * extra replaces, ldflags), so a pin bump builds a new binary next to the old one instead of reusing it.
 */
export function binDir(name: string, pin: GoBinaryPin): string {
  const key = createHash('sha256').update(JSON.stringify([pin.module, pin.version, pin.package, pin.replaces ?? '', pin.extraReplaces ?? [], pin.ldflags ?? ''])).digest('hex').slice(0, 12);
  return path.join(e2eCacheDir(), `${name}-${pin.version}-${key}`);
}

export function binaryPath(name: string): string {
  return path.join(binDir(name, e2ePins().binaries[name]), name);
}

export function crdDirs(): string[] {
  return e2ePins().crds.map((c) => path.join(moduleDir(c.module, c.version), c.path));
}

/** A failed build step: one line for the user (which module, what go said), the full output in a log file. */
export class BuildError extends Error {}

/** The line of go's output that names the cause: the first `go: ...` line, else the last line. */
export function causeLine(output: string): string {
  // `go mod download -json` reports on stdout, as the JSON field "Error".
  const json = /"Error": ("(?:[^"\\]|\\.)*")/.exec(output);
  if (json) return (JSON.parse(json[1]) as string).split('\n')[0];
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^go: /.test(l) && !/^go: (downloading|finding|extracting) /.test(l)) ?? lines.at(-1) ?? '(no output)';
}

function run(cmd: string, args: string[], cwd: string, what: string, env: Record<string, string> = {}): string {
  const r = spawnSync('nice', ['-n', '10', cmd, ...args], {
    cwd, encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false', CGO_ENABLED: '0', ...env },
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) {
    const output = `${r.stderr ?? ''}${r.stdout ?? ''}${r.error ? String(r.error) : ''}`;
    const log = path.join(e2eCacheDir(), 'logs', `${what.replace(/[^\w.@-]+/g, '_')}.log`);
    mkdirSync(path.dirname(log), { recursive: true });
    writeFileSync(log, `$ ${cmd} ${args.join(' ')}  (in ${cwd})\n${output}`);
    throw new BuildError(`${what} failed: ${causeLine(output)} (is the Go module proxy reachable? full output: ${log})`);
  }
  return r.stdout;
}

function goModOf(mod: string, version: string, cwd: string): string {
  const info = JSON.parse(run('go', ['mod', 'download', '-json', `${mod}@${version}`], cwd, `go mod download ${mod}@${version}`)) as { GoMod: string; Dir?: string };
  return readFileSync(info.GoMod, 'utf8');
}

export function moduleDir(mod: string, version: string): string {
  const info = JSON.parse(run('go', ['mod', 'download', '-json', `${mod}@${version}`], projectRoot, `go mod download ${mod}@${version}`)) as { Dir: string };
  return info.Dir;
}

/** Replace directives for the wrapper: staging mapping (kubernetes) or the module's own non-local replaces. */
export function wrapperReplaces(pin: GoBinaryPin, gomod: string): string[] {
  const lines: string[] = [];
  const body = gomod.replace(/^replace \(\n([\s\S]*?)^\)/gm, (_m, inner: string) => inner.split('\n').map((l) => `replace ${l.trim()}`).join('\n'));
  for (const raw of body.split('\n')) {
    const m = /^replace\s+(\S+)(?:\s+\S+)?\s+=>\s+(\S+)(?:\s+(\S+))?/.exec(raw.trim());
    if (!m) continue;
    const [, from, to, toVer] = m;
    const local = to.startsWith('./') || to.startsWith('../');
    if (pin.replaces === 'kubernetes' && local && to.includes('staging/')) {
      lines.push(`replace ${from} => ${from} ${pin.version.replace(/^v1\./, 'v0.')}`);
    } else if (!local && toVer) {
      lines.push(`replace ${from} => ${to} ${toVer}`);
    }
  }
  return lines;
}

function goDirective(gomod: string): string {
  return /^go (\S+)/m.exec(gomod)?.[1] ?? '1.24';
}

function godebug(gomod: string): string[] {
  return gomod.split('\n').filter((l) => /^godebug\s/.test(l));
}

/** Writes e2e/<name>/{go.mod,tools.go} for the pin when missing or stale, then tidies it. */
export function ensureWrapper(name: string, pin: GoBinaryPin): string {
  const dir = path.join(projectRoot, 'e2e', name);
  mkdirSync(dir, { recursive: true });
  const modFile = path.join(dir, 'go.mod');
  const want = `require ${pin.module} ${pin.version}`;
  const pinned = new RegExp(`^\\s*(require\\s+)?${pin.module.replaceAll('.', '\\.')} ${pin.version.replaceAll('.', '\\.')}$`, 'm');
  const current = existsSync(modFile) ? readFileSync(modFile, 'utf8') : '';
  if (pinned.test(current) && (pin.extraReplaces ?? []).every((r) => current.includes(`replace ${r}`))) return dir;
  step(`${name}: writing wrapper module e2e/${name} for ${pin.module}@${pin.version}`);
  const upstream = goModOf(pin.module, pin.version, projectRoot);
  const mod = [
    `// Generated by scripts/dev/e2e-build.ts from versions.json "e2e"; builds ${pin.package} out of the published module.`,
    `module local/e2e/${name}`,
    '',
    `go ${goDirective(upstream)}`,
    '',
    ...godebug(upstream),
    want,
    '',
    ...wrapperReplaces(pin, upstream),
    ...(pin.extraReplaces ?? []).map((r) => `replace ${r}`),
    '',
  ].join('\n');
  writeFileSync(modFile, mod);
  writeFileSync(path.join(dir, 'tools.go'), `//go:build tools\n\npackage tools\n\nimport _ "${pin.package}"\n`);
  step(`${name}: go mod tidy`);
  // -e: tidy also resolves the test imports of every package, some of which (k8s.io/dynamic-resource-allocation
  // at the staging version) are not published; the build below resolves what it really needs (-mod=mod).
  run('go', ['mod', 'tidy', '-e'], dir, `${name}: go mod tidy for ${pin.module}@${pin.version}`);
  return dir;
}

function ldflags(pin: GoBinaryPin): string {
  const v = pin.version;
  const [major, minor] = v.replace(/^v/, '').split('.');
  return ['-s -w', (pin.ldflags ?? '').replaceAll('{version}', v).replaceAll('{major}', major).replaceAll('{minor}', minor)].join(' ').trim();
}

export function buildBinary(name: string): { path: string; built: boolean; seconds: number } {
  const pin = e2ePins().binaries[name];
  const out = binaryPath(name);
  if (existsSync(out)) return { path: out, built: false, seconds: 0 };
  const t0 = Date.now();
  const dir = ensureWrapper(name, pin);
  step(`${name}: go build ${pin.package}@${pin.version} (download + compile; the first build takes minutes)`);
  mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  run('go', ['build', '-mod=mod', '-trimpath', '-ldflags', ldflags(pin), '-o', tmp, pin.package], dir, `${name}: go build ${pin.module}@${pin.version}`);
  renameSync(tmp, out);
  const seconds = Math.round((Date.now() - t0) / 1000);
  done(`${name}: built in ${seconds}s → ${out}`);
  return { path: out, built: true, seconds };
}

function asRoot(args: string[]): string[] {
  return process.getuid?.() === 0 ? args : ['sudo', '-n', ...args];
}

export function ensureEtcd(): string {
  const { debian, binary } = e2ePins().etcd;
  if (existsSync(binary)) return binary;
  step(`etcd: apt-get update + install ${debian}`);
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  for (const args of [['apt-get', ...lock, 'update', '-q'], ['apt-get', ...lock, 'install', '-y', '-q', '--no-install-recommends', debian]]) {
    const [c, ...a] = asRoot(args);
    const r = spawnSync(c, a, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) throw new Error(`${args.slice(0, 1).join(' ')} ${args.slice(-1)} failed (exit ${r.status})`);
  }
  // Debian starts the service on install; the tests run their own etcd on other ports, so stop it.
  spawnSync(asRoot(['systemctl', 'stop', 'etcd'])[0], asRoot(['systemctl', 'stop', 'etcd']).slice(1), { stdio: 'ignore' });
  if (!existsSync(binary)) throw new Error(`${debian} installed but ${binary} is missing`);
  done(`etcd: ${binary}`);
  return binary;
}

export function ensureAll(): Record<string, string> {
  const t0 = Date.now();
  // The Go builds first: they are what can fail for reasons outside this machine (the module proxy).
  const paths: Record<string, string> = {};
  let builtAny = false;
  for (const name of Object.keys(e2ePins().binaries)) {
    const r = buildBinary(name);
    if (!r.built) step(`${name}: cached (${r.path})`);
    builtAny ||= r.built;
    paths[name] = r.path;
  }
  paths.etcd = ensureEtcd();
  if (builtAny) done(`e2e binaries ready in ${Math.round((Date.now() - t0) / 1000)}s`);
  return paths;
}

const HELP = `Usage: tsx scripts/dev/e2e-build.ts [--help]

Builds the e2e tier's binaries once, cached per user and pin in
\${E2E_CACHE_DIR:-\${XDG_CACHE_HOME:-~/.cache}/matrix-gitops/e2e}/<name>-<version>-<pin hash>/:
kube-apiserver, source-controller and kustomize-controller from wrapper Go modules in e2e/<name>/
(GOTOOLCHAIN=local, CGO_ENABLED=0), and installs etcd from Debian (etcd-server).
Pins: versions.json "e2e". Prints name<TAB>path of each binary.
Exit codes: 0 ready, 2 a step failed (one line naming the module; the full go output is in the cache's logs/).`;

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(projectRoot, 'scripts', 'dev', 'e2e-build.ts')) {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
  } else {
    try {
      const paths = ensureAll();
      for (const [k, v] of Object.entries(paths)) process.stdout.write(`${k}\t${v}\n`);
    } catch (e) {
      process.stderr.write(`e2e-build: ${(e as Error).message.split('\n')[0]}\n`);
      process.exit(2);
    }
  }
}
