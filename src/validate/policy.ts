// conftest over the rendered entry points: per-document and cross-resource rules, in one process when the policy set allows.
import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile, mkdir, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { scratchDir } from '../lib/scratch.ts';
import { execa } from 'execa';
import { readYaml } from '../lib/yaml-read.ts';
import { gateToolEnv, toolPath } from '../lib/tools.ts';
import { EnvironmentError } from '../lib/errors.ts';
import type { Built } from './build.ts';
import type { Finding, Severity } from './types.ts';
import { mainCovers } from './dispatch.ts';
import { asRecord, str } from './types.ts';

export interface PolicyData {
  trusted_registries: string[];
  cluster_cidrs: string[];
  li_allowed_cidrs: string[];
  /** matrix-gitops.yaml requireImageDigests: MX-IMG-002 enforced instead of counted as info. */
  require_digests: boolean;
  /** matrix-gitops.yaml git (MX-FLX-001, the deploy gate); absent keys take the rule's defaults. */
  git?: { url?: string; branch?: string; deployBranch?: string };
}

// Same defaults the scaffold uses when matrix-gitops.yaml leaves them out.
const DEFAULTS: PolicyData = {
  trusted_registries: ['docker.io', 'ghcr.io', 'quay.io', 'registry.k8s.io'],
  cluster_cidrs: ['10.42.0.0/16', '10.43.0.0/16'],
  li_allowed_cidrs: [],
  require_digests: false,
};

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

function gitData(git: Record<string, unknown> | undefined): Pick<PolicyData, 'git'> {
  if (!git) return {};
  const out: NonNullable<PolicyData['git']> = {};
  for (const k of ['url', 'branch', 'deployBranch'] as const) if (typeof git[k] === 'string') out[k] = git[k] as string;
  return { git: out };
}

export async function loadPolicyData(repo: string): Promise<PolicyData> {
  let cfg: Record<string, unknown> | undefined;
  try {
    cfg = asRecord(readYaml(await readFile(path.join(repo, 'matrix-gitops.yaml'), 'utf8')));
  } catch {
    cfg = undefined;
  }
  return {
    trusted_registries: strings(cfg?.trustedRegistries) ?? DEFAULTS.trusted_registries,
    cluster_cidrs: strings(cfg?.clusterCidrs) ?? DEFAULTS.cluster_cidrs,
    li_allowed_cidrs: strings(asRecord(cfg?.li)?.allowedCidrs) ?? DEFAULTS.li_allowed_cidrs,
    require_digests: cfg?.requireImageDigests === true,
    ...gitData(asRecord(cfg?.git)),
  };
}


/** Every .rego file below dir, sorted, so conftest sees the same order on every machine. */
export function regoFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? regoFiles(path.join(dir, e.name)) : e.name.endsWith('.rego') ? [path.join(dir, e.name)] : []));
}

/**
 * The rule files of a repository's policies/. Only the rules: conftest would otherwise compile the
 * *_test.rego suites and their fixtures too, which costs more than evaluating every rule.
 */
export function ruleFiles(repo: string, dir = path.join(repo, 'policies')): string[] {
  return regoFiles(dir).filter((f) => !f.endsWith('_test.rego'));
}

/** conftest refuses a policy folder without rules, and an empty policies/ just means "no policies yet". */
export function hasPolicies(repo: string): boolean {
  return existsSync(path.join(repo, 'policies')) && ruleFiles(repo).length > 0;
}

interface ConftestResult {
  msg?: string;
  metadata?: Record<string, unknown>;
}
interface ConftestOutput {
  filename?: string;
  namespace?: string;
  warnings?: ConftestResult[];
  failures?: ConftestResult[];
  exceptions?: ConftestResult[];
}

export interface PolicyOutcome {
  findings: Finding[];
  exceptions: Finding[];
}

const GATE_PACKAGES = new Set(['mx.combined', 'main', 'gate_combined', 'gate']);

function toFinding(res: ConftestResult, severity: Severity, overlay: string, file: string): Finding {
  const meta = res.metadata ?? {};
  const details = asRecord(meta.details) ?? {};
  const pick = (k: string) => str(meta[k]) ?? str(details[k]);
  return {
    rule: pick('id') ?? 'policy',
    severity,
    overlay,
    file,
    kind: pick('kind'),
    name: pick('name'),
    namespace: pick('namespace'),
    message: res.msg ?? 'policy violation',
    ...(fieldPath(meta.field) ? { field: fieldPath(meta.field) } : {}),
    ...(pick('reason') ? { reason: pick('reason') as string } : {}),
  };
}

/** A rule's `field` (path of the offending field in the object), when it names one. */
function fieldPath(v: unknown): Array<string | number> | undefined {
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' || typeof x === 'number') ? (v as Array<string | number>) : undefined;
}

async function conftest(args: string[]): Promise<ConftestOutput[]> {
  const r = await execa(toolPath('conftest'), args, { reject: false, env: gateToolEnv() });
  try {
    return JSON.parse(r.stdout) as ConftestOutput[];
  } catch {
    throw new EnvironmentError(`conftest failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
  }
}

/**
 * The gate's entry packages (main, gate_combined, gate) put every result in `deny` with its `severity`;
 * packages run one by one (the fallback) use conftest's own deny/warn split.
 */
function severityOf(res: ConftestResult, fallback: Severity): Severity {
  const s = res.metadata?.severity;
  return s === 'error' || s === 'warning' || s === 'info' ? s : fallback;
}

function collect(outputs: ConftestOutput[], built: Built, outcome: PolicyOutcome): void {
  const add = (res: ConftestResult, fallback: Severity) => {
    const fnd = toFinding(res, severityOf(res, fallback), built.entry.name, built.entry.path);
    if (res.metadata?.exception === true) outcome.exceptions.push({ ...fnd, severity: 'warning' });
    else outcome.findings.push(fnd);
  };
  for (const o of outputs) {
    for (const f of o.failures ?? []) add(f, 'error');
    for (const w of o.warnings ?? []) add(w, 'warning');
    for (const e of o.exceptions ?? []) outcome.exceptions.push(toFinding(e, 'warning', built.entry.name, built.entry.path));
  }
}

/** conftest's outputs with only the results tagged (metadata.entry) as the given entry's. */
function resultsOf(out: ConftestOutput[], entry: string): ConftestOutput[] {
  const mine = (list?: ConftestResult[]) => (list ?? []).filter((r) => r.metadata?.entry === entry);
  return out.map((o) => ({ ...o, failures: mine(o.failures), warnings: mine(o.warnings), exceptions: mine(o.exceptions) }));
}

/**
 * OPA returns a set in value order; a per-document query per file listed results document by
 * document, cross-resource results after them. Restore that order (by the document file a
 * per-document result is tagged with) so reports stay as they were, and stable from run to run.
 */
function inDocumentOrder(out: ConftestOutput[], position: Map<string, number>): ConftestOutput[] {
  const pos = (r: ConftestResult) => position.get(str(r.metadata?.doc) ?? '') ?? Number.MAX_SAFE_INTEGER;
  const sorted = (list?: ConftestResult[]) => [...(list ?? [])].sort((a, b) => pos(a) - pos(b));
  return out.map((o) => ({ ...o, failures: sorted(o.failures), warnings: sorted(o.warnings), exceptions: sorted(o.exceptions) }));
}

/** Documents a conftest process should have before a second one pays for compiling the policies again (~0.25 s CPU). */
const DOCS_PER_PROCESS = 150;

/**
 * Entry points split into as many conftest processes as there are cores and enough documents to
 * pay for each one's compile, balanced by document count: OPA evaluates on one core, so with a
 * single process the other cores idle once kubeconform is done. An entry stays whole: its
 * cross-resource rules need all its documents.
 */
export function shardEntries(builts: Built[], cores = availableParallelism()): Built[][] {
  const total = builts.reduce((n, b) => n + b.docs.length, 0);
  const count = Math.max(1, Math.min(cores, builts.length, Math.floor(total / DOCS_PER_PROCESS)));
  const shards: Array<{ docs: number; builts: Built[] }> = Array.from({ length: count }, () => ({ docs: 0, builts: [] }));
  for (const b of [...builts].sort((x, y) => y.docs.length - x.docs.length)) {
    const lightest = shards.reduce((m, sh) => (sh.docs < m.docs ? sh : m));
    lightest.builts.push(b);
    lightest.docs += b.docs.length;
  }
  return shards.map((sh) => sh.builts);
}

/**
 * Policies over every built entry, in one conftest process per core (shardEntries: as few as the
 * documents pay for) when the policy set has the gate's entry packages: each conftest process spends
 * ~0.25 s CPU loading and compiling the policies, more than a small repository's evaluation costs. policies/gate.rego, queried with --combine over every
 * entry's rendered documents (a file each), evaluates the generated dispatcher (policies/main.rego)
 * once per document and mx.combined once per entry (policies/gate_combined.rego), tagging each
 * result with its entry (data.mx.overlays maps a document's file to its entry). A policy set without those packages, or
 * whose main.rego misses a rule, runs the two passes the old way (per-document, then combined).
 */
export async function policyCheckAll(repo: string, builts: Built[], data: PolicyData, policies = path.join(repo, 'policies'), cores = availableParallelism()): Promise<Map<Built, PolicyOutcome>> {
  const outcomes = new Map<Built, PolicyOutcome>(builts.map((b) => [b, { findings: [], exceptions: [] }]));
  const withDocs = builts.filter((b) => b.docs.length > 0);
  if (withDocs.length === 0) return outcomes;
  const tmp = await scratchDir('mx-validate-');
  try {
    const allData = path.join(tmp, 'data.json');
    const rules = ruleFiles(repo, policies);
    // main.rego dispatches every per-document rule of the set (else a user added a rule without
    // regenerating it, and every namespace is evaluated rule by rule instead).
    const hasMain = mainCovers(policies, rules);
    const hasGate = existsSync(path.join(policies, 'gate_combined.rego'));
    const single = hasMain && hasGate && existsSync(path.join(policies, 'gate.rego'));
    const base = ['--no-fail', '-o', 'json', ...rules.flatMap((f) => ['-p', f])];
    if (single) {
      // One file per document: --combine hands documents over in no fixed order (files and the
      // documents of one file alike), so a file name is what tells a result's entry and position.
      const position = new Map<string, number>();
      const index = new Map(withDocs.map((b, i) => [b, i] as const));
      const writes: Array<Promise<void>> = [];
      const runs = await Promise.all(shardEntries(withDocs, cores).map(async (shard, k) => {
        const dir = path.join(tmp, `docs-${k}`);
        const dataFile = path.join(tmp, `data-${k}.json`);
        await mkdir(dir);
        const docFiles: Record<string, string> = {};
        for (const b of shard) b.docs.forEach((text, j) => {
          const name = `${index.get(b)}-${j}.yaml`;
          docFiles[name] = b.entry.name;
          position.set(name, j);
          writes.push(writeFile(path.join(dir, name), text));
        });
        // Each process's data names only its own files, so mx.combined runs only for its own entries.
        writes.push(writeFile(dataFile, JSON.stringify({ mx: { overlay: shard[0].entry.name, overlays: docFiles, ...data } })));
        return { dir, dataFile };
      }));
      await Promise.all(writes);
      const outs = await Promise.all(runs.map((r) => conftest(['test', '--combine', '--namespace', 'gate', ...base, '-d', r.dataFile, r.dir])));
      const out = inDocumentOrder(outs.flat(), position);
      for (const b of withDocs) collect(resultsOf(out, b.entry.name), b, outcomes.get(b) as PolicyOutcome);
      return outcomes;
    }
    // The two-pass fallback: a file per entry, and a data file per entry for --all-namespaces.
    const files = withDocs.map((_, i) => path.join(tmp, `entry-${i}.yaml`));
    const overlays = Object.fromEntries(withDocs.map((b, i) => [path.basename(files[i]), b.entry.name]));
    const dataFiles = withDocs.map((_, i) => path.join(tmp, `data-${i}.json`));
    await Promise.all([
      ...withDocs.map((b, i) => writeFile(files[i], b.yaml)),
      ...withDocs.map((b, i) => writeFile(dataFiles[i], JSON.stringify({ mx: { overlay: b.entry.name, ...data } }))),
      writeFile(allData, JSON.stringify({ mx: { overlay: withDocs[0].entry.name, overlays, ...data } })),
    ]);
    // Fallback, per-document rules: through main.rego (one query per document, only the rules for
    // its kind) when it covers the set; else every namespace, one process per entry.
    const perDocPass = hasMain
      ? conftest(['test', '--namespace', 'main', ...base, '-d', allData, ...files]).then((out) => new Map(withDocs.map((b, i) => [b, out.filter((o) => path.basename(o.filename ?? '') === path.basename(files[i]))])))
      : Promise.all(withDocs.map((b, i) => conftest(['test', '--all-namespaces', ...base, '-d', dataFiles[i], files[i]]))).then(
        // --all-namespaces would also run mx.combined per document (where input is one object, not a
        // list) and the gate's own entry packages, which would report every result a second time.
        (outs) => new Map(withDocs.map((b, i) => [b, outs[i].filter((o) => !GATE_PACKAGES.has(o.namespace ?? ''))])),
      );
    // Fallback, cross-resource rules: policies/gate_combined.rego runs mx.combined once per entry
    // inside one --combine process and tags each result with its entry; without it, one process per entry.
    const combinedPass: Promise<Map<Built, ConftestOutput[]>> = hasGate
      ? conftest(['test', '--combine', '--namespace', 'gate_combined', ...base, '-d', allData, ...files]).then((out) => new Map(withDocs.map((b) => [b, resultsOf(out, b.entry.name)])))
      : Promise.all(withDocs.map((b, i) => conftest(['test', '--combine', '--namespace', 'mx.combined', ...base, '-d', dataFiles[i], files[i]])))
        .then((outs) => new Map(withDocs.map((b, i) => [b, outs[i]])));
    const [perDoc, combined] = await Promise.all([perDocPass, combinedPass]);
    for (const b of withDocs) collect([...(perDoc.get(b) ?? []), ...(combined.get(b) ?? [])], b, outcomes.get(b) as PolicyOutcome);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return outcomes;
}

export async function policyCheck(repo: string, built: Built, data: PolicyData): Promise<PolicyOutcome> {
  return (await policyCheckAll(repo, [built], data)).get(built) as PolicyOutcome;
}
