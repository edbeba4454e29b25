// Shared shapes of the validate gate; the JSON format prints these as-is, so they are the public contract.
// info: counted in the summary, listed only with --verbose (things a user is told about but need not act on).
export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  rule: string;
  severity: Severity;
  overlay: string | null;
  /** Repo-relative POSIX path: the source file when known, else the overlay directory. */
  file: string | null;
  kind: string | null;
  name: string | null;
  namespace: string | null;
  message: string;
  /** 1-based line in `file`, when the finding was traced to a source file; not part of the JSON report. */
  line?: number;
  /** Path of the offending field inside the object (["spec","template","spec","containers",0]), when the rule names it. */
  field?: Array<string | number>;
  /** The reason an exception gives (exceptions only). */
  reason?: string;
}

export interface Entry {
  /** `production` for overlays/production, `flux/system` for Flux entry points (avoids clashes). */
  name: string;
  /** Repo-relative POSIX path of the directory. */
  path: string;
  absPath: string;
  /** Flux builds plain directories without a kustomization.yaml by concatenating their YAML. */
  hasKustomization: boolean;
}

export interface OverlayResult {
  name: string;
  path: string;
  resources: number;
}

export interface Report {
  ok: boolean;
  overlays: OverlayResult[];
  findings: Finding[];
  exceptions: Finding[];
  /** Title, fix and documentation anchor of the rules the findings name (SARIF rules, pretty "fix:"). */
  rules?: Record<string, { title: string; help: string; anchor: string }>;
}

export type Manifest = Record<string, unknown>;

export function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

export function identity(doc: Manifest): { kind: string | null; name: string | null; namespace: string | null } {
  const meta = asRecord(doc.metadata);
  return { kind: str(doc.kind), name: str(meta?.name), namespace: str(meta?.namespace) };
}
