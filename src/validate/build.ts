// Renders one entry point the way kustomize-controller would: the kustomization at the path read
// leniently or generated (kustomization-file.ts), the Flux spec merged in, then `kustomize build`
// with LoadRestrictionsNone bounded by the artifact root.
import { cp, mkdtemp, readFile, rm, writeFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { documentsWithOffsets } from './doc-header.ts';
import { gateToolEnv, kustomizeBuild } from '../lib/tools.ts';
import type { Entry, Finding, Manifest } from './types.ts';
import { KUSTOMIZATION_FILES, changesBuild, generateKustomization, kustomizationFileIn, mergeFluxSpec, parseLenient } from './kustomization-file.ts';

export interface Built {
  entry: Entry;
  yaml: string;
  /** Raw text of each document; parsed only on demand because YAML parsing dominates CPU on big overlays. */
  docs: string[];
  findings: Finding[];
  /** Parsed documents of the kinds the Flux walk needs (flux-graph.ts); not every document. */
  parsed?: Manifest[];
  /** `kind|namespace|name` of vendored controller objects (Flux's own gotk-components, flux-operator). */
  vendored?: Set<string>;
  /** Documents derived from HelmRelease values: `ConfigMap|namespace|name` → the HelmRelease it stands for. */
  derived?: Map<string, { kind: string; name: string; namespace: string | null }>;
}

function finding(entry: Entry, rule: string, severity: Finding['severity'], message: string, file = entry.path): Finding {
  return { rule, severity, overlay: entry.name, file, kind: null, name: null, namespace: null, message, kustomization: entry.deliveredBy?.[0] ?? null };
}

/** Splits a stream at `---` lines, dropping documents that hold only comments or whitespace. */
export function splitStream(text: string): string[] {
  return documentsWithOffsets(text).map((d) => d.text);
}

// Folders that are never part of a Flux artifact worth copying (and are large).
const NOT_COPIED = new Set(['.git', 'node_modules', '.tools', '.cache']);

/**
 * Flux writes its merged kustomization into its own copy of the artifact; so does this, leaving the
 * user's tree untouched and letting two Flux Kustomizations with different specs share one folder.
 */
async function withArtifactCopy<T>(root: string, fn: (copy: string) => Promise<T>): Promise<T> {
  const copy = await mkdtemp(path.join(tmpdir(), 'mx-artifact-'));
  try {
    await cp(root, copy, { recursive: true, filter: (src) => !NOT_COPIED.has(path.basename(src)) || src === root });
    return await fn(copy);
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}

async function kustomize(dir: string): Promise<{ ok: true; yaml: string } | { ok: false; message: string }> {
  const k = kustomizeBuild(dir);
  const r = await execa(k.file, k.args, { reject: false, stripFinalNewline: false, env: gateToolEnv() });
  if (r.exitCode === 0) return { ok: true, yaml: r.stdout };
  const msg = (r.stderr || r.message || '').trim().split('\n').filter(Boolean).slice(-3).join(' ');
  return { ok: false, message: msg };
}

export async function build(entry: Entry): Promise<Built> {
  const findings: Finding[] = [];
  const root = entry.artifactRoot ?? entry.absPath;
  const file = await kustomizationFileIn(entry.absPath);
  let doc: Record<string, unknown> | undefined;
  let rewrite = changesBuild(entry.flux);
  if (file) {
    const lenient = parseLenient(await readFile(file, 'utf8'));
    if (lenient.dropped.length > 0) {
      rewrite = true;
      findings.push(
        finding(entry, 'kustomization-unknown-field', 'warning', `${path.basename(file)}: unknown field ${lenient.dropped.map((k) => `"${k}"`).join(', ')}; Flux drops it silently and \`kustomize build\` fails on it; remove it or fix its spelling`, `${entry.path}/${path.basename(file)}`),
      );
      if (lenient.empty) {
        findings.push(finding(entry, 'kustomization-empty', 'error', `${path.basename(file)} builds zero objects once Flux drops ${lenient.dropped.join(', ')}; with prune: true Flux would delete everything it applied from here; fix the field name`, `${entry.path}/${path.basename(file)}`));
        return { entry, yaml: '', docs: [], findings };
      }
    }
    doc = lenient.doc;
  } else {
    const generated = await generateKustomization(entry.absPath);
    if (generated.undecodable.length > 0) {
      for (const f of generated.undecodable) {
        findings.push(finding(entry, 'kustomize-build', 'error', `${f} is not Kubernetes YAML, and ${entry.path} has no kustomization.yaml, so Flux's generated kustomization includes it and the build fails ("missing Resource metadata"); add a kustomization.yaml that lists the manifests, or move the file`, `${entry.path}/${f}`));
      }
      return { entry, yaml: '', docs: [], findings };
    }
    doc = generated.doc;
    rewrite = true;
  }
  let result: Awaited<ReturnType<typeof kustomize>>;
  if (!rewrite) {
    result = await kustomize(entry.absPath);
  } else {
    const merged = entry.flux ? mergeFluxSpec(doc, entry.flux) : doc;
    result = await withArtifactCopy(root, async (copy) => {
      const dir = path.join(copy, path.relative(root, entry.absPath));
      for (const name of KUSTOMIZATION_FILES) await unlink(path.join(dir, name)).catch(() => undefined);
      await writeFile(path.join(dir, 'kustomization.yaml'), stringify(merged));
      const r = await kustomize(dir);
      // Paths in kustomize's messages should name the user's tree, not the temporary copy.
      return r.ok ? r : { ok: false as const, message: r.message.split(copy).join(root) };
    });
  }
  if (!result.ok) {
    findings.push(finding(entry, 'kustomize-build', 'error', `kustomize build failed: ${result.message}`));
    return { entry, yaml: '', docs: [], findings };
  }
  // Malformed YAML is left to kubeconform, which reports it per document.
  return { entry, yaml: result.yaml, docs: splitStream(result.yaml), findings };
}
