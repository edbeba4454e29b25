// Builds the offline schema cache (per-user cache, schemas/<hash of the pins>) from the pinned sources in versions.json.
// A stamp records what the cache was built from, so a warm `matrix-gitops setup` only reads one file.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { versions } from '../lib/versions.ts';
import { schemaCacheDir } from '../lib/paths.ts';
import { done, step } from '../lib/progress.ts';
import { EnvironmentError } from '../lib/errors.ts';
import { convertCrd, convertSwagger, isCrd, objectMetaFrom, type JsonSchema } from './convert.ts';
import { moduleDir, readYamlDocuments, type SchemaSources } from './sources.ts';

/** Bump when the converter's output changes, so existing caches are rebuilt. */
export const CONVERTER_VERSION = 1;

export interface Stamp {
  key: string;
  files: number;
  bytes: number;
  sources: string[];
}

export function schemaSources(): SchemaSources {
  const s = versions().schemas as unknown as SchemaSources;
  if (!s.builtin || !Array.isArray(s.crds)) throw new EnvironmentError('versions.json "schemas" lacks builtin/crds; see README "Versions"');
  return s;
}

export function cacheKey(sources: SchemaSources): string {
  return createHash('sha256').update(JSON.stringify({ CONVERTER_VERSION, sources })).digest('hex');
}

export function readStamp(dir: string): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, '.stamp.json'), 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

function dirBytes(dir: string): number {
  return readdirSync(dir).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);
}

/** Converts every pinned source into `dir` (which must exist and be empty). */
export async function buildSchemas(dir: string, sources: SchemaSources): Promise<Stamp> {
  const pins = [sources.builtin, ...sources.crds];
  step(`fetching schema sources: ${pins.map((p) => `${p.module.split('/').slice(-1)[0]}@${p.version}`).join(', ')}`);
  // Two at a time keeps a two-core machine responsive; downloads are I/O-bound.
  const dirs: string[] = new Array(pins.length);
  const queue = pins.map((p, i) => [p, i] as const);
  await Promise.all([0, 1].map(async () => {
    for (let item = queue.shift(); item; item = queue.shift()) dirs[item[1]] = await moduleDir(item[0]);
  }));

  const written = new Map<string, string>();
  const write = (file: string, schema: JsonSchema, from: string): void => {
    const prior = written.get(file);
    if (prior) throw new EnvironmentError(`schema file ${file} produced by both ${prior} and ${from}; kubeconform's name template cannot tell them apart`);
    written.set(file, from);
    writeFileSync(path.join(dir, file), JSON.stringify(schema));
  };

  step(`converting Kubernetes ${sources.builtin.version} built-in kinds`);
  const swaggerPath = path.join(dirs[0], sources.builtin.file);
  if (!existsSync(swaggerPath)) throw new EnvironmentError(`${sources.builtin.file} is missing in ${sources.builtin.module}@${sources.builtin.version}`);
  const swagger = JSON.parse(readFileSync(swaggerPath, 'utf8')) as Parameters<typeof convertSwagger>[0];
  for (const [file, schema] of convertSwagger(swagger)) write(file, schema, `kubernetes ${sources.builtin.version}`);
  const objectMeta = objectMetaFrom(swagger);

  for (const [i, src] of sources.crds.entries()) {
    step(`converting ${src.name} ${src.version} CRDs`);
    const crds = readYamlDocuments(dirs[i + 1], src.paths).filter(isCrd);
    if (crds.length === 0) throw new EnvironmentError(`no CustomResourceDefinition found in ${src.module}@${src.version} ${src.paths.join(', ')}`);
    for (const crd of crds) {
      for (const [file, schema] of convertCrd(crd, objectMeta)) write(file, schema, `${src.name} ${src.version}`);
    }
  }
  return {
    key: cacheKey(sources),
    files: written.size,
    bytes: dirBytes(dir),
    sources: pins.map((p) => `${p.module}@${p.version}`),
  };
}

/** Ensures the cache matches versions.json; rebuilds it atomically (temp dir, then rename) when not. */
export async function ensureSchemaCache(dir = schemaCacheDir()): Promise<Stamp> {
  const sources = schemaSources();
  const key = cacheKey(sources);
  const existing = readStamp(dir);
  if (existing?.key === key) {
    done(`schema cache ready: ${existing.files} schemas, ${(existing.bytes / 1e6).toFixed(1)} MB in ${dir}`);
    return existing;
  }
  mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = mkdtempSync(`${dir}.tmp-`);
  try {
    const stamp = await buildSchemas(tmp, sources);
    writeFileSync(path.join(tmp, '.stamp.json'), `${JSON.stringify(stamp, null, 2)}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    done(`schema cache built: ${stamp.files} schemas, ${(stamp.bytes / 1e6).toFixed(1)} MB in ${dir}`);
    return stamp;
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
