// Runs every check and assembles one report; each overlay's checks run concurrently with the others.
import { discover, checkRepoDir } from './discover.ts';
import { build, type Built } from './build.ts';
import { schemaCheck, checkSchemaCache, schemaDir } from './schema.ts';
import { policyCheckAll, hasPolicies, loadPolicyData, ruleFiles } from './policy.ts';
import { entryKey, readCached, runKey, writeCached, type CachedResult } from './cache.ts';
import { hygieneCheck } from './hygiene.ts';
import { indexSources, attribute, type Source } from './sources.ts';
import { readCatalog, GATE_RULES, type RuleCatalog } from './rule-meta.ts';
import { mergeSecretFindings } from './secret-findings.ts';
import { UsageError } from '../lib/errors.ts';
import type { Finding, OverlayResult, Report } from './types.ts';

export interface ValidateOptions {
  dir: string;
  overlay?: string;
  /** false skips the result cache (src/validate/cache.ts); default on */
  cache?: boolean;
  /** Called as each overlay finishes; used for progress on stderr. */
  onOverlay?: (o: OverlayResult, findings: Finding[]) => void;
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

export async function validate(opts: ValidateOptions): Promise<Report> {
  const repo = await checkRepoDir(opts.dir);
  const schemas = schemaDir();
  checkSchemaCache(schemas);
  const entries = await discover(repo, opts.overlay);
  // A pass over nothing would read as "all good"; a directory without entry points is a usage error.
  if (entries.length === 0) {
    throw new UsageError(`no entry points in ${opts.dir}: expected overlays/<name>/kustomization.yaml, flux/<name>/ or clusters/<name>/`);
  }
  const withPolicies = hasPolicies(repo);
  const dataPromise = loadPolicyData(repo);
  const hygienePromise = hygieneCheck(repo);

  const data = await dataPromise;
  const run = opts.cache === false ? undefined : runKey(withPolicies ? ruleFiles(repo) : [], data, schemas);
  // Build every entry in parallel; unchanged ones come from the result cache, the rest are
  // schema-checked in parallel and then policy-checked together.
  const built = await Promise.all(entries.map((entry) => build(entry)));
  const keys = new Map(built.map((b) => [b, run && b.findings.length === 0 ? entryKey(run, b.entry.name, b.yaml) : undefined]));
  const cached = new Map<Built, CachedResult>();
  for (const b of built) {
    const key = keys.get(b);
    const hit = key ? readCached(key) : undefined;
    if (hit) cached.set(b, hit);
  }
  const fresh = built.filter((b) => !cached.has(b));
  const [schemaResults, policies] = await Promise.all([
    Promise.all(fresh.map((b) => schemaCheck(b, schemas))),
    withPolicies ? policyCheckAll(repo, fresh, data) : Promise.resolve(new Map<Built, CachedResult['policy']>()),
  ]);
  fresh.forEach((b, i) => {
    const result: CachedResult = { schema: schemaResults[i], policy: policies.get(b) ?? { findings: [], exceptions: [] } };
    cached.set(b, result);
    const key = keys.get(b);
    if (key) writeCached(key, result);
  });
  const checked = built.map((b) => ({ built: b, schema: (cached.get(b) as CachedResult).schema }));
  const perOverlay = checked.map(({ built, schema }) => {
    const policy = (cached.get(built) as CachedResult).policy;
    const overlay: OverlayResult = { name: built.entry.name, path: built.entry.path, resources: built.docs.length };
    const findings = [...built.findings, ...schema, ...policy.findings];
    opts.onOverlay?.(overlay, findings);
    return { overlay, findings, exceptions: policy.exceptions };
  });
  const raw = perOverlay.flatMap((o) => o.findings);
  const rawExceptions = perOverlay.flatMap((o) => o.exceptions);
  // Tracing findings to source files parses the whole tree, so a clean run skips it.
  const traced = new Set([...raw, ...rawExceptions].flatMap((f) => (f.name ? [f.name] : [])));
  const sources = traced.size > 0 ? await indexSources(repo, traced) : new Map<string, Source[]>();
  const findings = mergeSecretFindings([...attribute(raw, sources), ...(await hygienePromise)]).sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      (a.overlay ?? '').localeCompare(b.overlay ?? '') ||
      a.rule.localeCompare(b.rule),
  );
  const exceptions = attribute(rawExceptions, sources);
  const catalog: RuleCatalog = withPolicies ? readCatalog(ruleFiles(repo)) : GATE_RULES;
  const named = new Set([...findings, ...exceptions].map((f) => f.rule));
  return {
    ok: !findings.some((f) => f.severity === 'error'),
    overlays: perOverlay.map((o) => o.overlay),
    findings,
    exceptions,
    rules: Object.fromEntries(Object.entries(catalog).filter(([id]) => named.has(id)).sort((a, b) => a[0].localeCompare(b[0]))),
  };
}
