// Fetches the pinned schema sources (Go module zips through the module proxy) and reads the
// swagger.json and CRD YAML files out of them. Setup-time only; validate never fetches.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parseAllDocuments } from 'yaml';
import { EnvironmentError } from '../lib/errors.ts';

export interface ModulePin {
  module: string;
  version: string;
}

export interface BuiltinSource extends ModulePin {
  file: string;
}

export interface CrdSource extends ModulePin {
  name: string;
  paths: string[];
}

export interface SchemaSources {
  kubernetesVersion: string;
  builtin: BuiltinSource;
  crds: CrdSource[];
}

/** Local directory of a module version, downloading it into the Go module cache when needed. */
export async function moduleDir(pin: ModulePin): Promise<string> {
  const r = await execa('go', ['mod', 'download', '-json', `${pin.module}@${pin.version}`], {
    reject: false,
    cwd: tmpdir(),
    // GOTOOLCHAIN=local: a module asking for a newer Go must not trigger a toolchain download.
    env: { GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' },
  }).catch((err: unknown) => {
    throw new EnvironmentError(`cannot run go to fetch schema sources (${(err as Error).message.split('\n')[0]}); install Go and re-run \`npx matrix-gitops setup\``);
  });
  let info: { Dir?: string; Error?: string } = {};
  try {
    info = JSON.parse(r.stdout) as typeof info;
  } catch {
    // fall through to the error below
  }
  if (!info.Dir) {
    const why = (info.Error ?? r.stderr ?? '').split('\n')[0];
    throw new EnvironmentError(`go mod download ${pin.module}@${pin.version} failed: ${why}; check versions.json "schemas" and the Go proxy`);
  }
  return info.Dir;
}

function yamlFilesUnder(p: string): string[] {
  const st = statSync(p);
  if (st.isFile()) return [p];
  return readdirSync(p)
    .sort()
    .flatMap((e) => {
      const full = path.join(p, e);
      if (statSync(full).isDirectory()) return yamlFilesUnder(full);
      return /\.ya?ml$/.test(e) ? [full] : [];
    });
}

/** Every document in the source's YAML files (CRDs and whatever else sits beside them). */
export function readYamlDocuments(dir: string, paths: string[]): unknown[] {
  const docs: unknown[] = [];
  for (const rel of paths) {
    const root = path.join(dir, rel);
    let files: string[];
    try {
      files = yamlFilesUnder(root);
    } catch {
      throw new EnvironmentError(`schema source path ${rel} is missing in ${dir}; fix versions.json "schemas"`);
    }
    for (const f of files) {
      // Some releases ship CRDs with Helm template comments and quoted template strings; both parse as YAML.
      for (const d of parseAllDocuments(readFileSync(f, 'utf8'))) {
        if (d.errors.length === 0) docs.push(d.toJS({ maxAliasCount: -1 }));
      }
    }
  }
  return docs;
}
