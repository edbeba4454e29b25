// Runs every check and assembles one report; each check runs over all entry points at once, concurrently with the others.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { EnvironmentError, UsageError } from '../lib/errors.ts';
import { checkRepoDir, selectEntries } from './discover.ts';
import type { Built } from './build.ts';
import { walk } from './flux-graph.ts';
import { schemaCheckAll, checkSchemaCache, schemaDir } from './schema.ts';
import { policyCheckAll, loadPolicyData, ruleFiles, type PolicyOutcome } from './policy.ts';
import { BUNDLED_POLICIES, policyDirs } from './policy-set.ts';
import { inScope, matrixScope, type MatrixScope } from './matrix-scope.ts';
import { repoCrdSchemas } from './repo-crds.ts';
import { entryKey, readCached, runKey, writeCached, type CachedResult } from './cache.ts';
import { hygieneCheck } from './hygiene.ts';
import { readRepoYaml } from './repo-files.ts';
import { indexSources, attribute, type Source } from './sources.ts';
import { readCatalog, type RuleCatalog } from './rule-meta.ts';
import { mergeSecretFindings } from './secret-findings.ts';
import type { Finding, OverlayResult, Report, Severity } from './types.ts';

export interface ValidateOptions {
  dir: string;
  overlay?: string;
  /** false skips the result cache (src/validate/cache.ts); default on */
  cache?: boolean;
  /** Extra roots to walk from (repo-relative), besides clusters/*, flux/*, kubernetes/flux*, overlays/*. */
  paths?: string[];
  /** A policy folder used instead of DIR/policies. */
  policies?: string;
  /** Folders of CRD YAML to make schemas from, besides the CRDs the repository carries. */
  crds?: string[];
  /** Called as each overlay finishes; used for progress on stderr. */
  onOverlay?: (o: OverlayResult, findings: Finding[]) => void;
  /**
   * Findings of these severities (and every exception) are traced to the source file and line that
   * define their object; the others keep their entry point's folder. Default: all. Tracing parses
   * the source files that name a finding's object, so a report that does not print info findings
   * (the default pretty report, github, junit) has no reason to pay for them.
   */
  locate?: ReadonlySet<Severity>;
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;
/** Bump when matrix-scope.ts changes which findings it keeps (part of the result-cache key). */
const SCOPE_VERSION = 2;

/** Findings on a document derived from HelmRelease values name the HelmRelease; vendored objects are not the user's. */
function owned(b: Built, findings: Finding[]): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    const key = `${f.kind}|${f.namespace ?? ''}|${f.name}`;
    if (b.vendored?.has(key)) continue;
    const derived = b.derived?.get(key);
    // MX-SYN-007 checks the Synapse pod's volumes, which exist only in the chart's render.
    if (derived && f.rule === 'MX-SYN-007') continue;
    const g = derived ? { ...f, ...derived, message: `${f.message} (in the homeserver configuration its values make)` } : f;
    out.push({ ...g, kustomization: g.kustomization ?? b.entry.deliveredBy?.[0] ?? null });
  }
  return out;
}

/**
 * Each object is checked once: the same finding from two entries of one cluster's tree (a parent
 * Kustomization whose path also holds a child's) is reported once. Other clusters' trees build their
 * own objects, even when names match.
 */
function dedupe(findings: { f: Finding; root: string }[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter(({ f, root }) => {
    const k = [root, f.rule, f.severity, f.kind, f.namespace, f.name, f.message].join('|');
    if (f.kind && f.name && seen.has(k)) return false;
    seen.add(k);
    return true;
  }).map(({ f }) => f);
}

/**
 * A promise started now and awaited later, after other awaits: a handler is attached at once so that,
 * should it fail while something else is awaited, it fails where it is awaited instead of as an
 * unhandled rejection that ends the process.
 */
function early<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

export async function validate(opts: ValidateOptions): Promise<Report> {
  const repo = await checkRepoDir(opts.dir);
  const schemas = schemaDir();
  checkSchemaCache(schemas);
  const dirs = policyDirs(repo, opts.policies);
  // This project's own tree is the Matrix stack: every bundled rule applies to all of it.
  const isOwnRepo = repo === path.dirname(BUNDLED_POLICIES);
  // Scoping is a property of each policy folder: a repository carrying a copy of the bundled rules
  // runs them unscoped, and its cached results must not be read back for one without (same rules, same key otherwise).
  const scopedDir = (d: string): boolean => d === BUNDLED_POLICIES && !isOwnRepo;
  for (const d of opts.crds ?? []) if (!existsSync(d) || !statSync(d).isDirectory()) throw new EnvironmentError(`--crds ${d}: not a folder (pass a folder of CustomResourceDefinition YAML)`);
  // What does not depend on the rendered entries is read while kustomize builds them; the walk
  // spends most of its time waiting on those processes.
  const dataRead = loadPolicyData(repo);
  const repoFiles = early(readRepoYaml(repo));
  const walked = await walk(repo, { paths: opts.paths });

  try {
    // A pass over nothing would read as "all good"; a directory without entry points is a usage error.
    if (walked.builts.length === 0) {
      throw new UsageError(`no entry points in ${opts.dir}: expected overlays/<name>/kustomization.yaml, flux/<name>/, clusters/<name>/ or kubernetes/flux*/ (or pass --path)`);
    }
    const built = selectEntries(walked.builts, opts.overlay);
    const crdRead = early(repoCrdSchemas(repo, walked.builts, opts.crds, repoFiles));
    const data = await dataRead;
    const rules = dirs.flatMap((d) => ruleFiles(repo, d));
    const run = opts.cache === false ? undefined : `${runKey(rules, data, schemas)}|${(await crdRead) ?? ''}|scope:${SCOPE_VERSION}:${dirs.map(scopedDir).join(',')}`;
    // Unchanged entries come from the result cache; the rest are schema-checked together (one
    // kubeconform process) while they are policy-checked together (per policy folder, one conftest process per core when the documents pay for it).
    const keys = new Map(built.map((b) => [b, run && b.findings.length === 0 ? entryKey(run, b.entry.name, b.yaml) : undefined]));
    const cached = new Map<Built, CachedResult>();
    for (const b of built) {
      const key = keys.get(b);
      const hit = key ? readCached(key) : undefined;
      if (hit) cached.set(b, hit);
    }
    const fresh = built.filter((b) => !cached.has(b));
    // conftest is the longest step, so it starts first; kubeconform follows once the repository's
    // CRDs are converted, and secret hygiene runs in this process while both work.
    const policyRun = Promise.all(dirs.map((d) => policyCheckAll(repo, fresh, data, d)));
    const schemaRun = crdRead.then((crdDir) => schemaCheckAll(fresh, schemas, crdDir ? [crdDir] : []));
    const hygienePromise = early(hygieneCheck(repo, repoFiles));
    const [schemaResults, policySets] = await Promise.all([schemaRun, policyRun]);

    fresh.forEach((b, i) => {
      // Bundled rules reach only Matrix workloads when they run in place of a repository's own gate.
      // The scope parses documents, so it is computed only for an entry that has something to filter.
      let scope: MatrixScope | undefined;
      const scoped = (d: string, o: PolicyOutcome | undefined): PolicyOutcome | undefined => {
        if (!o || !scopedDir(d) || o.findings.length + o.exceptions.length === 0) return o;
        scope ??= matrixScope(b);
        const s = scope;
        return { findings: o.findings.filter((f) => inScope(f, s)), exceptions: o.exceptions.filter((f) => inScope(f, s)) };
      };
      const outcomes = policySets.map((m, j) => scoped(dirs[j], m.get(b))).filter((o): o is PolicyOutcome => o !== undefined);
      const policy = { findings: outcomes.flatMap((o) => o.findings), exceptions: outcomes.flatMap((o) => o.exceptions) };
      const result: CachedResult = { schema: schemaResults[i], policy };
      cached.set(b, result);
      const key = keys.get(b);
      if (key) writeCached(key, result);
    });
    const perOverlay = built.map((b) => {
      const { schema, policy } = cached.get(b) as CachedResult;
      const overlay: OverlayResult = { name: b.entry.name, path: b.entry.path, resources: b.docs.length };
      const findings = owned(b, [...b.findings, ...schema, ...policy.findings]);
      opts.onOverlay?.(overlay, findings);
      return { overlay, findings, exceptions: owned(b, policy.exceptions), root: b.entry.root ?? b.entry.name };
    });
    const raw = dedupe(perOverlay.flatMap((o) => o.findings.map((f) => ({ f, root: o.root }))));
    const rawExceptions = dedupe(perOverlay.flatMap((o) => o.exceptions.map((f) => ({ f, root: o.root }))));
    // Tracing findings to source files parses the files that name them, so a clean run skips it.
    const shown = (f: Finding) => !opts.locate || opts.locate.has(f.severity);
    const located = raw.filter(shown);
    const unlocated = raw.filter((f) => !shown(f));
    const traced = new Set([...located, ...rawExceptions].flatMap((f) => (f.name ? [f.name] : [])));
    const sources = traced.size > 0 ? await indexSources(repo, traced, repoFiles) : new Map<string, Source[]>();
    const findings = mergeSecretFindings([...attribute(located, sources), ...unlocated, ...(await hygienePromise)]).sort(
      (a, b) =>
        SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
        (a.overlay ?? '').localeCompare(b.overlay ?? '') ||
        a.rule.localeCompare(b.rule),
    );
    const exceptions = attribute(rawExceptions, sources);
    // Title and help of every rule the report names (SARIF rule metadata, the pretty report's fix lines).
    const named = new Set([...findings, ...exceptions].map((f) => f.rule));
    const catalog: RuleCatalog = readCatalog(rules, named);
    return {
      ok: !findings.some((f) => f.severity === 'error'),
      overlays: perOverlay.map((o) => o.overlay),
      findings,
      exceptions,
      notes: walked.notes,
      rules: Object.fromEntries(Object.entries(catalog).filter(([id]) => named.has(id)).sort((a, b) => a[0].localeCompare(b[0]))),
    };
  } finally {
    await walked.cleanup();
  }
}
