// Runs every check and assembles one report; each overlay's checks run concurrently with the others.
import { discover, checkRepoDir } from './discover.ts';
import { build, type Built } from './build.ts';
import { schemaCheck, checkSchemaCache, schemaDir } from './schema.ts';
import { policyCheckAll, hasPolicies, loadPolicyData } from './policy.ts';
import { hygieneCheck } from './hygiene.ts';
import { indexSources, attribute, type Source } from './sources.ts';
import type { Finding, OverlayResult, Report } from './types.ts';

export interface ValidateOptions {
  dir: string;
  overlay?: string;
  /** Called as each overlay finishes; used for progress on stderr. */
  onOverlay?: (o: OverlayResult, findings: Finding[]) => void;
}

const SEVERITY_ORDER = { error: 0, warning: 1 } as const;

export async function validate(opts: ValidateOptions): Promise<Report> {
  const repo = await checkRepoDir(opts.dir);
  const schemas = schemaDir();
  checkSchemaCache(schemas);
  const entries = await discover(repo, opts.overlay);
  const withPolicies = hasPolicies(repo);
  const dataPromise = loadPolicyData(repo);
  const hygienePromise = hygieneCheck(repo);

  // Build and schema-check every entry in parallel; policies then run over all builds at once.
  const checked = await Promise.all(
    entries.map(async (entry) => {
      const built = await build(entry);
      return { built, schema: await schemaCheck(built, schemas) };
    }),
  );
  const policies = withPolicies
    ? await policyCheckAll(repo, checked.map((c) => c.built), await dataPromise)
    : new Map<Built, { findings: Finding[]; exceptions: Finding[] }>();
  const perOverlay = checked.map(({ built, schema }) => {
    const policy = policies.get(built) ?? { findings: [], exceptions: [] };
    const overlay: OverlayResult = { name: built.entry.name, path: built.entry.path, resources: built.docs.length };
    const findings = [...built.findings, ...schema, ...policy.findings];
    opts.onOverlay?.(overlay, findings);
    return { overlay, findings, exceptions: policy.exceptions };
  });
  const raw = perOverlay.flatMap((o) => o.findings);
  const rawExceptions = perOverlay.flatMap((o) => o.exceptions);
  // Tracing findings to source files parses the whole tree, so a clean run skips it.
  const sources = raw.length + rawExceptions.length > 0 ? await indexSources(repo) : new Map<string, Source[]>();
  const findings = [...attribute(raw, sources), ...(await hygienePromise)].sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      (a.overlay ?? '').localeCompare(b.overlay ?? '') ||
      a.rule.localeCompare(b.rule),
  );
  return {
    ok: !findings.some((f) => f.severity === 'error'),
    overlays: perOverlay.map((o) => o.overlay),
    findings,
    exceptions: attribute(rawExceptions, sources),
  };
}
