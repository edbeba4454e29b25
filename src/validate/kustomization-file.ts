// The kustomization file Flux's generator (fluxcd/pkg kustomize_generator.go) would build at spec.path:
// the existing file read leniently (unknown top-level keys dropped, as Flux's non-strict unmarshal does),
// or, for a folder without one, the file Flux generates; then the Flux spec fields merged in.
// See /work/shared/reference/flux-semantics.md §1.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { readYaml, readYamlStream } from '../lib/yaml-read.ts';
import type { FluxMods } from './types.ts';
import { asRecord } from './types.ts';

export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** json tags of kustomize/api types.Kustomization (v0.21.1); anything else Flux silently drops. */
const KNOWN_KEYS = new Set([
  'apiVersion', 'kind', 'metadata', 'openapi', 'namePrefix', 'nameSuffix', 'namespace', 'commonLabels', 'labels',
  'commonAnnotations', 'patchesStrategicMerge', 'patchesJson6902', 'patches', 'images', 'replacements', 'replicas',
  'vars', 'sortOptions', 'resources', 'components', 'crds', 'bases', 'configMapGenerator', 'secretGenerator',
  'helmGlobals', 'helmCharts', 'helmChartInflationGenerator', 'generatorOptions', 'configurations', 'generators',
  'transformers', 'validators', 'buildMetadata',
]);

/** Keys that make kustomize build something; a file with none of them builds zero objects. */
const PRODUCING_KEYS = ['resources', 'bases', 'components', 'configMapGenerator', 'secretGenerator', 'helmCharts', 'generators'];

export async function kustomizationFileIn(dir: string): Promise<string | undefined> {
  let names: Set<string>;
  try {
    names = new Set(await readdir(dir));
  } catch {
    return undefined;
  }
  const hit = KUSTOMIZATION_FILES.find((f) => names.has(f));
  return hit ? path.join(dir, hit) : undefined;
}

export interface LenientFile {
  doc: Record<string, unknown>;
  /** Top-level keys Flux drops without a word. */
  dropped: string[];
  /** True when what is left builds nothing (e.g. `resource:` typed for `resources:`). */
  empty: boolean;
}

export function parseLenient(text: string): LenientFile {
  const doc = asRecord(readYaml(text)) ?? {};
  const dropped = Object.keys(doc).filter((k) => !KNOWN_KEYS.has(k));
  for (const k of dropped) delete doc[k];
  const empty = !PRODUCING_KEYS.some((k) => Array.isArray(doc[k]) && (doc[k] as unknown[]).length > 0);
  return { doc, dropped, empty };
}

export interface GeneratedFile {
  doc: Record<string, unknown>;
  /** Files Flux would refuse: YAML that is not Kubernetes objects (a stray values.yaml, say). */
  undecodable: string[];
}

function isKubernetesDocs(text: string): boolean {
  const { docs, broken } = readYamlStream(text);
  if (broken > 0) return false;
  for (const v of docs) {
    if (v === null || v === undefined) continue;
    const o = asRecord(v);
    if (!o || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') return false;
  }
  return true;
}

/**
 * Flux's generated kustomization: every .yaml/.yml below dir (hidden folders included, .json not),
 * a subfolder with its own kustomization as a folder resource that is not descended into.
 * `.sops.yaml` files are skipped: source-controller excludes them from the artifact by default.
 */
export async function generateKustomization(dir: string): Promise<GeneratedFile> {
  const resources: string[] = [];
  const undecodable: string[] = [];
  async function walk(sub: string): Promise<void> {
    const abs = path.join(dir, sub);
    const entries = (await readdir(abs, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (await kustomizationFileIn(path.join(abs, e.name))) resources.push(`./${rel}`);
        else await walk(rel);
      } else if (/\.ya?ml$/.test(e.name) && e.name !== '.sops.yaml') {
        if (isKubernetesDocs(await readFile(path.join(abs, e.name), 'utf8'))) resources.push(`./${rel}`);
        else undecodable.push(rel);
      }
    }
  }
  await walk('');
  const doc: Record<string, unknown> = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources };
  // Flux does the same so an empty folder does not fail the build as "empty".
  if (resources.length === 0) doc.namespace = '_placeholder';
  return { doc, undecodable };
}

/** Flux's merge of the Kustomization spec into the file (PK GenerateManifest). */
export function mergeFluxSpec(doc: Record<string, unknown>, mods: FluxMods): Record<string, unknown> {
  const out = { ...doc };
  if (mods.targetNamespace) out.namespace = mods.targetNamespace;
  if (mods.namePrefix) out.namePrefix = mods.namePrefix;
  if (mods.nameSuffix) out.nameSuffix = mods.nameSuffix;
  if (mods.patches?.length) out.patches = [...((out.patches as unknown[] | undefined) ?? []), ...mods.patches];
  if (mods.components?.length) out.components = [...((out.components as unknown[] | undefined) ?? []), ...mods.components];
  if (mods.images?.length) {
    const byName = new Map<string, Record<string, unknown>>();
    for (const i of (out.images as Record<string, unknown>[] | undefined) ?? []) byName.set(String(i.name), i);
    for (const i of mods.images as Record<string, unknown>[]) byName.set(String(i.name), { ...byName.get(String(i.name)), ...i });
    out.images = [...byName.values()];
  }
  return out;
}

/** True when Flux would build this folder exactly as `kustomize build` does. */
export function changesBuild(mods: FluxMods | undefined): boolean {
  if (!mods) return false;
  return Boolean(mods.targetNamespace || mods.namePrefix || mods.nameSuffix || mods.patches?.length || mods.components?.length || mods.images?.length);
}
