// CustomResourceDefinitions the repository carries (committed, or in what it builds, e.g. a vendored
// gotk-components.yaml or an operator's manifests) and those in --crds folders become kubeconform
// schemas on the fly, cached by content so an unchanged set is converted once.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readYamlStream } from '../lib/yaml-read.ts';
import { cacheDir } from '../lib/paths.ts';
import { convertCrd, isCrd, type Crd } from '../schemas/convert.ts';
import { CONVERTER_VERSION } from '../schemas/cache.ts';
import type { Built } from './build.ts';
import { readRepoYaml, type RepoFile } from './repo-files.ts';

const CRD_KIND = /^kind:\s*['"]?CustomResourceDefinition\b/m;

function crdsIn(text: string): Crd[] {
  if (!CRD_KIND.test(text)) return [];
  const out: Crd[] = [];
  for (const v of readYamlStream(text).docs) {
    if (isCrd(v)) out.push(v);
  }
  return out;
}

/** The schema folder for every CRD found, or undefined when there are none. */
export async function repoCrdSchemas(repo: string, builts: Built[], crdDirs: string[] = [], files: Promise<RepoFile[]> = readRepoYaml(repo)): Promise<string | undefined> {
  const read = [...(await files), ...(await Promise.all(crdDirs.map(readRepoYaml))).flat()];
  const texts = [...read.map((f) => f.text), ...builts.flatMap((b) => b.docs.filter((d) => CRD_KIND.test(d)))];
  const crds = texts.flatMap(crdsIn);
  if (crds.length === 0) return undefined;
  const schemas = new Map<string, unknown>();
  for (const crd of crds) {
    for (const [file, schema] of convertCrd(crd)) {
      // Without the built-in ObjectMeta definition at hand, metadata is an open object (apiVersion
      // and kind are still pinned, and every field the CRD declares stays strict).
      const props = schema.properties as Record<string, unknown> | undefined;
      if (props && props.metadata === undefined) props.metadata = { type: 'object' };
      if (!schemas.has(file)) schemas.set(file, schema);
    }
  }
  const key = createHash('sha256').update(JSON.stringify({ CONVERTER_VERSION, files: [...schemas.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)) })).digest('hex').slice(0, 32);
  const dir = path.join(process.env.MATRIX_GITOPS_RESULT_CACHE ? path.dirname(process.env.MATRIX_GITOPS_RESULT_CACHE) : cacheDir, 'repo-crds', key);
  if (existsSync(dir)) return dir;
  mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = mkdtempSync(`${dir}.tmp-`);
  try {
    for (const [file, schema] of schemas) writeFileSync(path.join(tmp, file), JSON.stringify(schema));
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
  return existsSync(dir) ? dir : undefined;
}
