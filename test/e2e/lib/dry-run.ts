// Server-side dry-run against the e2e API server, next to validate's verdict for the same build: the
// API server (with the pinned CRDs, their OpenAPI schemas and CEL rules) is the reference that
// kubeconform + conftest approximate offline. Used by scripts/dev/e2e-dry-run.ts and the e2e test.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { moduleDir } from '../../../scripts/dev/e2e-build.ts';
import { versions } from '../../../src/lib/versions.ts';
import { kustomizeBuild } from '../../../src/lib/tools.ts';
import { readYamlDocuments } from '../../../src/schemas/sources.ts';
import type { Cluster } from './cluster.ts';

interface K8sDoc { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [k: string]: unknown }
interface CrdSource { name?: string; module: string; version: string; paths: string[] }

/** The API server refuses CRDs of *.k8s.io groups without this annotation (Gateway API carries it). */
function approval(d: K8sDoc): { annotations?: Record<string, string> } {
  const annotations = (d.metadata as { annotations?: Record<string, string> }).annotations;
  const v = annotations?.['api-approved.kubernetes.io'];
  return v ? { annotations: { 'api-approved.kubernetes.io': v } } : {};
}

/** Applies every CRD of versions.json schemas.crds (the pins validate's schemas come from); returns a summary. */
export function applyPinnedCrds(cluster: Cluster): string {
  const sources = versions().schemas.crds as CrdSource[];
  // cert-manager's deploy/crds are Helm templates whose labels ('{{ template ... }}') are no valid
  // label values, so only name and spec are kept; the schema (what matters here) is untouched.
  const crds = sources.flatMap((c) => (readYamlDocuments(moduleDir(c.module, c.version), c.paths) as K8sDoc[])
    .filter((d) => d?.kind === 'CustomResourceDefinition')
    .map((d) => ({ ...d, metadata: { name: d.metadata.name, ...approval(d) } })));
  const applied = cluster.kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: crds }));
  if (applied.status !== 0) throw new Error(`applying the pinned CRDs: ${applied.stderr.split('\n').slice(0, 5).join('\n')}`);
  const established = cluster.kubectl(['wait', '--for=condition=Established', '--timeout=120s', 'crd', '--all']);
  if (established.status !== 0) throw new Error(`CRDs not established: ${established.stderr}`);
  return `${crds.length} CRDs of ${sources.map((c) => `${c.name ?? c.module} ${c.version}`).join(', ')}`;
}

/** `kubectl apply --dry-run=server --server-side` of the objects; namespaces they use are created for real. */
export function dryRun(cluster: Cluster, docs: K8sDoc[]): { ok: boolean; errors: string[] } {
  // A dry-run Namespace is not persisted, so objects in a namespace the same build creates would fail.
  for (const ns of new Set(docs.flatMap((d) => (d.kind === 'Namespace' ? [d.metadata.name] : d.metadata.namespace ? [d.metadata.namespace] : [])))) {
    cluster.kubectl(['create', 'namespace', ns]);
  }
  // --force-conflicts: in the test, kustomize-controller already owns objects of the same names (and
  // it applies with force itself); the dry-run is about validity, not field ownership.
  const r = cluster.kubectl(['apply', '--dry-run=server', '--server-side', '--force-conflicts', '--field-manager=e2e-dry-run', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs }));
  return { ok: r.status === 0, errors: [...new Set(r.stderr.trim().split('\n').filter((l) => l && !l.startsWith('Warning:')))] };
}

export interface Comparison { overlay: string; objects: number; validateOk: boolean; validateRules: string[]; serverOk: boolean; serverErrors: string[] }

/**
 * validate's verdict and the API server's for every overlay and Flux entry point of DIR. SOPS
 * metadata is dropped instead of decrypting (Flux decrypts before applying; the project's own
 * private key is not shared): the ENC[...] stringData values are valid strings for the API server.
 */
export function compareOverlays(cluster: Cluster, dir: string, projectRoot: string): Comparison[] {
  const val = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/validate.ts', dir, '--format', 'json'], { cwd: projectRoot, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (val.status !== 0 && val.status !== 1) throw new Error(`validate could not run (exit ${val.status}): ${val.stderr}`);
  const report = JSON.parse(val.stdout) as { overlays: { name: string; path: string }[]; findings: { rule: string; severity: string; overlay: string | null }[] };
  const out: Comparison[] = [];
  for (const o of report.overlays) {
    const b = kustomizeBuild(path.join(dir, o.path));
    const built = spawnSync(b.file, b.args, { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (built.status !== 0) throw new Error(`kustomize build ${o.path}: ${built.stderr}`);
    const docs = parseAllDocuments(built.stdout).map((d) => d.toJS() as (K8sDoc & { sops?: unknown }) | null)
      .filter((d): d is K8sDoc => d !== null).map(({ sops: _sops, ...d }) => d);
    if (docs.length === 0) continue;
    const server = dryRun(cluster, docs);
    const rules = [...new Set(report.findings.filter((f) => f.severity === 'error' && f.overlay === o.name).map((f) => f.rule))];
    out.push({ overlay: o.name, objects: docs.length, validateOk: rules.length === 0, validateRules: rules, serverOk: server.ok, serverErrors: server.errors });
  }
  return out;
}

/** Negative control: the comparison means something only if the server does refuse a bad CR. */
export function refusesBadCluster(cluster: Cluster, namespace: string): { refused: boolean; error: string } {
  const r = dryRun(cluster, [{
    apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'control', namespace },
    spec: { instances: 1, storage: { size: '1Gi' }, notAField: true },
  }]);
  return { refused: !r.ok, error: r.errors[0] ?? '' };
}
