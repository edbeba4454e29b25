// `matrix-gitops setup`: installs the pinned tools (go install into the per-user cache, one folder per
// tool and version) and builds the offline schema cache (keyed by the schema pins).
// A second run with everything present only checks versions and takes well under two seconds.
import { mkdirSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { versions, type ToolPin } from '../lib/versions.ts';
import { schemaCacheDir, toolDir } from '../lib/paths.ts';
import { isPinnedVersion, kubectlFallbackMarker, kubectlOnPath } from '../lib/tools.ts';
import { EnvironmentError } from '../lib/errors.ts';
import { parseFlags, wantsHelp } from '../lib/args.ts';
import { execute, isEntryPoint } from './command.ts';
import { step, done, warn } from '../lib/progress.ts';
import { ensureSchemaCache } from '../schemas/cache.ts';

const HELP = `Usage: matrix-gitops setup [--tools-only] [--schemas-only]

Installs the pinned CLI tools (kustomize, kubeconform, conftest, opa, sops, age, helm) with
\`go install MODULE@VERSION\` and builds the offline JSON schema cache from pinned Go modules,
into the per-user cache shared by every repository on this machine:
  \$MATRIX_GITOPS_CACHE, else \$XDG_CACHE_HOME/matrix-gitops, else ~/.cache/matrix-gitops
    tools/<tool>-<version>/   schemas/<hash of the schema pins>/
MATRIX_GITOPS_TOOLS_DIR (one folder for all binaries) and MATRIX_GITOPS_SCHEMA_DIR override those.
A second run with everything present only checks versions. Versions: versions.json of the package.

Exit codes: 0 ready, 2 missing Go toolchain or failed install.`;

async function installedOk(name: string, pin: ToolPin): Promise<boolean> {
  const bins = pin.binaries.map((b) => path.join(toolDir(name, pin), b));
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
    // GOTOOLCHAIN=local: a module's toolchain line must not make go download another Go; a Go that
    // is too old fails with go's one line naming the version needed.
    env: { GOBIN: toolDir(name, pin), CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false', GOTOOLCHAIN: 'local' },
    all: true,
  });
  if (r.exitCode !== 0) {
    const last = (r.all ?? '').trim().split('\n').slice(-1)[0];
    throw new EnvironmentError(`go install of ${name} ${pin.version} failed: ${last}`);
  }
}

export async function ensureTools(): Promise<void> {
  const pins = Object.entries(versions().tools);
  for (const [name, pin] of pins) mkdirSync(toolDir(name, pin), { recursive: true });
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
      `the Go toolchain is not on PATH, so ${missing.map(([n]) => n).join(', ')} cannot be installed; install Go 1.26.8+ (https://go.dev/dl) and re-run \`npx matrix-gitops setup\``,
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
  done(`installed ${missing.map(([n, p]) => `${n} ${p.version}`).join(', ')} into ${path.dirname(toolDir(missing[0][0], missing[0][1]))}`);
}

export async function run(argv: string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const { values } = parseFlags('setup', argv, { 'tools-only': { type: 'boolean' }, 'schemas-only': { type: 'boolean' } });
  if (!values['schemas-only']) await ensureTools();
  if (!values['tools-only']) await ensureSchemaCache(schemaCacheDir());
  return 0;
}

if (isEntryPoint(import.meta.url)) await execute('setup', { run }, process.argv.slice(2));
