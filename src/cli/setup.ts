// `npm run setup`: installs the pinned tools (go install into .tools/bin) and builds the offline schema cache.
// A second run with everything present only checks versions and takes well under two seconds.
import { mkdirSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { versions, type ToolPin } from '../lib/versions.ts';
import { toolsBinDir } from '../lib/paths.ts';
import { isPinnedVersion, kubectlFallbackMarker, kubectlOnPath } from '../lib/tools.ts';
import { EnvironmentError, UsageError, exitOnKnownError } from '../lib/errors.ts';
import { step, done, warn } from '../lib/progress.ts';
import { ensureSchemaCache } from '../schemas/cache.ts';

const HELP = `Usage: npm run setup [-- --tools-only] [--schemas-only]

Installs the pinned CLI tools (kustomize, kubeconform, conftest, opa, sops, age) with
\`go install MODULE@VERSION\` into .tools/bin, and builds the offline JSON schema cache
in .cache/schemas from pinned sources. Versions: versions.json.
Exit codes: 0 ready, 2 missing Go toolchain or failed install.`;

async function installedOk(name: string, pin: ToolPin): Promise<boolean> {
  const bins = pin.binaries.map((b) => path.join(toolsBinDir, b));
  if (!bins.every((b) => existsSync(b))) return false;
  const main = bins[0];
  const r = await execa(main, pin.versionArgs, { reject: false, env: { SOPS_DISABLE_VERSION_CHECK: '1' }, timeout: 10_000 });
  return isPinnedVersion(`${r.stdout}\n${r.stderr}`, pin.version);
}

async function goAvailable(): Promise<boolean> {
  const r = await execa('go', ['version'], { reject: false });
  return r.exitCode === 0;
}

async function install(name: string, pin: ToolPin): Promise<void> {
  const args = ['install'];
  if (pin.ldflags) args.push(`-ldflags=${pin.ldflags}`);
  args.push(`${pin.module}@${pin.version}`);
  step(`installing ${name} ${pin.version} (go ${args.join(' ')})`);
  const r = await execa('go', args, {
    reject: false,
    env: { GOBIN: toolsBinDir, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false' },
    all: true,
  });
  if (r.exitCode !== 0) {
    const last = (r.all ?? '').trim().split('\n').slice(-1)[0];
    throw new EnvironmentError(`go install of ${name} ${pin.version} failed: ${last}`);
  }
}

export async function ensureTools(): Promise<void> {
  mkdirSync(toolsBinDir, { recursive: true });
  const pins = Object.entries(versions().tools);
  const status = await Promise.all(pins.map(async ([name, pin]) => [name, pin, await installedOk(name, pin)] as const));
  const missing = status.filter(([, , ok]) => !ok);
  if (missing.length === 0) {
    rmSync(kubectlFallbackMarker(), { force: true });
    done(`tools ready: ${pins.map(([n, p]) => `${n} ${p.version}`).join(', ')}`);
    return;
  }
  if (!(await goAvailable())) {
    // Without Go, kubectl's built-in kustomize is the one acceptable stand-in (issue 2); the rest must exist.
    const kubectl = kubectlOnPath();
    if (kubectl && missing.every(([n]) => n === 'kustomize')) {
      writeFileSync(kubectlFallbackMarker(), `${kubectl}\n`);
      warn(`Go is not on PATH: using \`kubectl kustomize\` (${kubectl}) instead of kustomize ${missing[0][1].version}`);
      return;
    }
    throw new EnvironmentError(
      `the Go toolchain is not on PATH, so ${missing.map(([n]) => n).join(', ')} cannot be installed; install Go 1.24+ (https://go.dev/dl) and re-run \`npm run setup\``,
    );
  }
  // Two at a time: the machine has two cores and go install is CPU-bound.
  const queue = [...missing];
  const workers = [0, 1].map(async () => {
    for (let item = queue.shift(); item; item = queue.shift()) await install(item[0], item[1]);
  });
  await Promise.all(workers);
  for (const [name, pin] of missing) {
    if (!(await installedOk(name, pin))) throw new EnvironmentError(`${name} installed but does not report ${pin.version}`);
  }
  done(`installed ${missing.map(([n, p]) => `${n} ${p.version}`).join(', ')} into ${toolsBinDir}`);
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const known = new Set(['--tools-only', '--schemas-only']);
  const unknown = argv.find((a) => !known.has(a));
  if (unknown) throw new UsageError(`unknown option ${unknown}; see \`npm run setup -- --help\``);
  if (!argv.includes('--schemas-only')) await ensureTools();
  if (!argv.includes('--tools-only')) await ensureSchemaCache();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((err) => exitOnKnownError(err, 'setup'));
}
