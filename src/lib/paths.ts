// Where setup puts things: one per-user cache shared by every repository on the machine, keyed by
// the pinned versions so two versions of matrix-gitops never overwrite each other's tools.
//   MATRIX_GITOPS_CACHE, else $XDG_CACHE_HOME/matrix-gitops, else ~/.cache/matrix-gitops
// MATRIX_GITOPS_TOOLS_DIR (one flat folder of binaries) and MATRIX_GITOPS_SCHEMA_DIR override the
// tool and schema locations, e.g. to share an existing install.
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import path from 'node:path';
import { packageRoot, versions, type ToolPin } from './versions.ts';

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

/** Root of the per-user cache (tools, schemas, validate results, boot and e2e build caches). */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = nonEmpty(env.MATRIX_GITOPS_CACHE);
  if (explicit) return path.resolve(explicit);
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = nonEmpty(env.XDG_CACHE_HOME);
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'matrix-gitops');
  return path.join(homedir(), '.cache', 'matrix-gitops');
}

/** True when MATRIX_GITOPS_TOOLS_DIR names one flat folder for every tool. */
export function toolsDirOverride(): string | undefined {
  const v = nonEmpty(process.env.MATRIX_GITOPS_TOOLS_DIR);
  return v ? path.resolve(v) : undefined;
}

/**
 * Folder of one pinned tool: tools/<name>-<version>/ in the user cache. The Go version that built it
 * is not part of the key: the tool's behaviour is fixed by its module version (go.mod pins its
 * dependencies), and keying by Go would rebuild everything on every Go patch release.
 */
export function toolDir(name: string, pin: Pick<ToolPin, 'version'>): string {
  return toolsDirOverride() ?? path.join(userCacheDir(), 'tools', `${name}-${pin.version}`);
}

/** Key of the schema pins: the cache folder changes whenever a schema source version does. */
export function schemaPinsKey(schemas: unknown = versions().schemas): string {
  return createHash('sha256').update(JSON.stringify(schemas)).digest('hex').slice(0, 16);
}

/** Offline JSON schema cache for kubeconform. */
export function schemaCacheDir(): string {
  const v = nonEmpty(process.env.MATRIX_GITOPS_SCHEMA_DIR);
  return v ? path.resolve(v) : path.join(userCacheDir(), 'schemas', schemaPinsKey());
}

/**
 * The project checkout's own .cache (legacy location of the boot and e2e build caches; those move
 * to userCacheDir() with their owners). Inside an installed package this is never written.
 */
export const cacheDir = path.join(packageRoot, '.cache');
