// HelmReleases: `helm template` when the chart is reachable offline (a chart folder in this repository
// behind a GitRepository that is this repository, or a chart in the local chart cache); otherwise one
// note per release, and for the Matrix charts in wide use the values are mapped onto the homeserver
// configuration the chart would write, so the Synapse rules still run. flux-semantics.md §5–6.
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parse, stringify } from 'yaml';
import { cacheDir } from '../lib/paths.ts';
import { gateToolEnv, toolPath } from '../lib/tools.ts';
import { versions } from '../lib/versions.ts';
import { splitStream } from './build.ts';
import type { Finding, Manifest } from './types.ts';
import { asRecord, identity, str } from './types.ts';
import { essHomeserver, ananaceHomeserver, type MappedHomeserver } from './chart-values.ts';

export interface Lookup {
  get(kind: string, ns: string, name: string): Manifest | undefined;
}

export interface HelmOutcome {
  docs: string[];
  notes: string[];
  findings: Finding[];
  /** `ConfigMap|namespace|name` of a document derived from values → the HelmRelease it stands for. */
  derived: Map<string, { kind: string; name: string; namespace: string | null }>;
}

/** Chart folders searched by name: `<dir>/<chart>-<version>.tgz`, `<dir>/<chart>/` (MATRIX_GITOPS_CHART_DIRS adds dirs). */
export function chartDirs(): string[] {
  const extra = (process.env.MATRIX_GITOPS_CHART_DIRS ?? '').split(path.delimiter).filter(Boolean);
  return [...extra, path.join(cacheDir, 'charts')];
}

/** Helm's chartutil MergeMaps, which helm-controller uses for valuesFrom and values: maps deep, lists replaced. */
export function mergeMaps(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const av = asRecord(out[k]);
    const bv = asRecord(v);
    out[k] = av && bv ? mergeMaps(av, bv) : v;
  }
  return out;
}

function findCachedChart(chart: string, version: string | null): string | undefined {
  for (const dir of chartDirs()) {
    if (!existsSync(dir)) continue;
    const files = readdirSync(dir);
    const exact = version && files.find((f) => f === `${chart}-${version}.tgz`);
    if (exact) return path.join(dir, exact);
    // A range (or no version): any cached version of the chart; the note says which.
    const any = files.filter((f) => f.startsWith(`${chart}-`) && f.endsWith('.tgz')).sort().pop();
    if (any && (!version || /[*^~<>=x]/.test(version))) return path.join(dir, any);
    if (existsSync(path.join(dir, chart, 'Chart.yaml'))) return path.join(dir, chart);
  }
  return undefined;
}

function helmBinary(): string | undefined {
  try {
    return toolPath('helm');
  } catch {
    return undefined;
  }
}

async function valuesOf(hr: Manifest, ns: string, lookup: Lookup, notes: string[], id: string): Promise<Record<string, unknown>> {
  const spec = asRecord(hr.spec) ?? {};
  let values: Record<string, unknown> = {};
  for (const ref of (spec.valuesFrom as Record<string, unknown>[] | undefined) ?? []) {
    const kind = String(ref.kind);
    const obj = lookup.get(kind, ns, String(ref.name));
    const key = str(ref.valuesKey) ?? 'values.yaml';
    if (!obj) {
      if (ref.optional !== true) notes.push(`${id}: valuesFrom ${kind} ${ns}/${String(ref.name)} is not in the repository; checked without it`);
      continue;
    }
    if (asRecord(obj.sops)) {
      notes.push(`${id}: valuesFrom ${kind} ${ns}/${String(ref.name)} is SOPS-encrypted; checked without it`);
      continue;
    }
    const raw = asRecord(obj.data)?.[key] ?? asRecord(obj.stringData)?.[key];
    if (typeof raw !== 'string') continue;
    const text = kind === 'Secret' && asRecord(obj.data)?.[key] !== undefined ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    if (ref.targetPath) continue; // --set paths are rare in Matrix releases; values below still apply.
    const doc = asRecord(parse(text));
    if (doc) values = mergeMaps(values, doc);
  }
  return mergeMaps(values, asRecord(spec.values) ?? {});
}

/** The chart's name as a Matrix-chart mapper knows it: spec.chart.spec.chart, or the OCI repository's last path segment. */
function chartName(hr: Manifest, ns: string, lookup: Lookup): { chart: string; version: string | null; source: string; sourceKind: string; sourceName: string; sourceNs: string } {
  const spec = asRecord(hr.spec) ?? {};
  const cs = asRecord(asRecord(spec.chart)?.spec);
  if (cs) {
    const ref = asRecord(cs.sourceRef) ?? {};
    const kind = str(ref.kind) ?? 'HelmRepository';
    const sns = str(ref.namespace) ?? ns;
    return { chart: String(cs.chart ?? ''), version: str(cs.version), source: `${kind} ${sns}/${String(ref.name)}`, sourceKind: kind, sourceName: String(ref.name), sourceNs: sns };
  }
  const ref = asRecord(spec.chartRef) ?? {};
  const kind = str(ref.kind) ?? 'OCIRepository';
  const sns = str(ref.namespace) ?? ns;
  const oci = lookup.get(kind, sns, String(ref.name));
  const url = str(asRecord(oci?.spec)?.url) ?? '';
  const tag = str(asRecord(asRecord(oci?.spec)?.ref)?.tag);
  return { chart: url.split('/').pop() ?? String(ref.name), version: tag, source: `${kind} ${sns}/${String(ref.name)}${url ? ` (${url})` : ''}`, sourceKind: kind, sourceName: String(ref.name), sourceNs: sns };
}

// Kinds Helm applies without a namespace; every other object without one lands in the release namespace.
const CLUSTER_SCOPED = /^kind:\s*['"]?(Namespace|ClusterRole|ClusterRoleBinding|CustomResourceDefinition|PersistentVolume|StorageClass|PriorityClass|ValidatingWebhookConfiguration|MutatingWebhookConfiguration|ValidatingAdmissionPolicy|ValidatingAdmissionPolicyBinding|APIService|IngressClass|RuntimeClass|CSIDriver|ClusterIssuer|GatewayClass|ClusterSecretStore|ClusterExternalSecret)\b/m;

/** What helm-controller applies: a namespaced object without metadata.namespace goes to the release namespace. */
function withReleaseNamespace(text: string, ns: string): string {
  if (CLUSTER_SCOPED.test(text) || /^\s{2}namespace:/m.test(text)) return text;
  const doc = asRecord(parse(text));
  const meta = asRecord(doc?.metadata);
  if (!doc || !meta || meta.namespace) return text;
  return stringify({ ...doc, metadata: { ...meta, namespace: ns } });
}

export async function renderHelmReleases(repo: string, releases: Manifest[], lookup: Lookup, targetNamespace?: string): Promise<HelmOutcome> {
  const out: HelmOutcome = { docs: [], notes: [], findings: [], derived: new Map() };
  const helm = helmBinary();
  for (const hr of releases) {
    const { name } = identity(hr);
    if (!name) continue;
    const ns = identity(hr).namespace ?? targetNamespace ?? 'default';
    const id = `HelmRelease ${ns}/${name}`;
    const spec = asRecord(hr.spec) ?? {};
    const values = await valuesOf(hr, ns, lookup, out.notes, id);
    const c = chartName(hr, ns, lookup);
    let chartPath: string | undefined;
    if (c.sourceKind === 'GitRepository') {
      const p = path.join(repo, c.chart.replace(/^\.\/+/, ''));
      if (existsSync(path.join(p, 'Chart.yaml'))) chartPath = p;
    } else {
      chartPath = findCachedChart(c.chart, c.version);
    }
    let rendered = false;
    if (chartPath && helm) {
      const releaseName = str(spec.releaseName) ?? (str(spec.targetNamespace) ? `${String(spec.targetNamespace)}-${name}` : name);
      const tmp = await mkdtemp(path.join(tmpdir(), 'mx-helm-'));
      try {
        const vf = path.join(tmp, 'values.yaml');
        await writeFile(vf, stringify(values));
        const r = await execa(helm, ['template', releaseName, chartPath, '--namespace', str(spec.targetNamespace) ?? ns, '--include-crds', '--kube-version', versions().schemas.kubernetesVersion, '-f', vf], { reject: false, env: { ...gateToolEnv(), HELM_CACHE_HOME: path.join(tmp, 'cache'), HELM_CONFIG_HOME: path.join(tmp, 'config'), HELM_DATA_HOME: path.join(tmp, 'data') } });
        if (r.exitCode === 0) {
          out.docs.push(...splitStream(String(r.stdout)).map((d) => withReleaseNamespace(d, str(spec.targetNamespace) ?? ns)));
          rendered = true;
        } else {
          out.findings.push({ rule: 'helm-template', severity: 'error', overlay: null, file: null, kind: 'HelmRelease', name, namespace: ns, message: `helm template ${c.chart} failed: ${String(r.stderr).trim().split('\n').pop() ?? ''}; helm-controller would fail the release the same way` });
        }
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    } else if (chartPath && !helm) {
      out.notes.push(`${id}: chart ${c.chart} is available offline but helm is not installed (run \`npm run setup\`); only its values are checked`);
    } else {
      out.notes.push(`${id}: chart ${c.chart}${c.version ? ` ${c.version}` : ''} from ${c.source} is not available offline (add it to ${chartDirs().slice(-1)[0]} as ${c.chart}-<version>.tgz, or MATRIX_GITOPS_CHART_DIRS); its manifests are not checked${c.chart === "matrix-stack" || c.chart === "matrix-synapse" ? ", its homeserver values are" : ""}`);
    }
    const mapped: MappedHomeserver | undefined =
      c.chart === 'matrix-stack' ? essHomeserver(values) : c.chart === 'matrix-synapse' && !rendered ? ananaceHomeserver(values) : undefined;
    if (!mapped) continue;
    for (const e of mapped.errors) out.findings.push({ rule: 'helm-values', severity: 'error', overlay: null, file: null, kind: 'HelmRelease', name, namespace: ns, message: e });
    for (const n of mapped.notes) out.notes.push(`${id}: ${n}`);
    if (!mapped.homeserver) continue;
    const cm = `${name}-homeserver-from-values`;
    out.docs.push(
      stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: cm, namespace: ns, annotations: { 'matrix-gitops.dev/derived-from': `HelmRelease/${ns}/${name}` } },
        data: { 'homeserver.yaml': stringify(mapped.homeserver) },
      }),
    );
    out.derived.set(`ConfigMap|${ns}|${cm}`, { kind: 'HelmRelease', name, namespace: ns });
  }
  return out;
}
