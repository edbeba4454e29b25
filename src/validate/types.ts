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
  /** The Flux Kustomization (namespace/name) that delivers the object, when the entry was reached through one. */
  kustomization?: string | null;
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
  /** Flux builds plain directories without a kustomization.yaml with a generated one (see kustomization-file.ts). */
  hasKustomization: boolean;
  /** The root entry (one cluster's tree) the walk reached this entry from; objects repeat only within one. */
  root?: string;
  /** Flux Kustomizations (namespace/name) that build exactly this entry; the first is named on findings. */
  deliveredBy?: string[];
  /** What Flux merges into the kustomization at spec.path, when the entry was reached through a Flux Kustomization. */
  flux?: FluxMods;
  /** Namespace of the Flux Kustomization that builds the entry (where substituteFrom objects are looked up). */
  fluxNamespace?: string;
  /** Root the entry's paths may not leave (the repository, or a synthesised ExternalArtifact tree). */
  artifactRoot?: string;
}

/** The parts of a Flux Kustomization spec that change what gets built (flux-semantics.md §1–2). */
export interface FluxMods {
  targetNamespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  patches?: unknown[];
  components?: string[];
  images?: unknown[];
  postBuild?: PostBuild;
}

export interface PostBuild {
  substitute?: Record<string, string>;
  substituteFrom?: { kind: string; name: string; optional?: boolean }[];
  substituteStrategy?: string;
}

export interface OverlayResult {
  name: string;
  path: string;
  resources: number;
}

export interface Report {
  ok: boolean;
  /** Information that is neither a finding nor silent: what was not checked and why, placeholders used. */
  notes?: string[];
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
