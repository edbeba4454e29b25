// Walks a repository the way Flux does: build each root, read the Flux Kustomizations in what it
// built, follow each one's spec.path (in this repository, or in the ExternalArtifact an in-repo
// ArtifactGenerator assembles from it) with its targetNamespace/patches/components merged in and
// postBuild substitution applied, and repeat on what those build. Each distinct build runs once;
// every Flux Kustomization that delivers it is recorded. See /work/shared/reference/flux-semantics.md.
import { docHeader } from './doc-header.ts';
import { existsSync, statSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { readYaml } from '../lib/yaml-read.ts';
import { UsageError } from '../lib/errors.ts';
import { build, type Built } from './build.ts';
import { kustomizationFileIn } from './kustomization-file.ts';
import { SubstituteError, VAR_NAME, cleanValue, substitute, typedPlaceholder } from './substitute.ts';
import { decryptDoc, sopsKeyAvailable } from './sops-decrypt.ts';
import { renderHelmReleases } from './helm.ts';
import type { Entry, Finding, FluxMods, Manifest, PostBuild } from './types.ts';
import { asRecord, identity, str } from './types.ts';

export interface WalkResult {
  builts: Built[];
  notes: string[];
  /** Temporary trees (synthesised ExternalArtifacts) to remove once checks are done. */
  cleanup: () => Promise<void>;
}

export interface WalkOptions {
  /** Extra roots (repo-relative), as `--path` gives them. */
  paths?: string[];
}

interface FluxKustomization {
  id: string;
  namespace: string;
  name: string;
  path: string;
  sourceRef: { kind: string; name: string; namespace: string };
  mods: FluxMods;
  /** Entry whose build delivered this object. */
  parent: Built;
}

const FLUX_KS = /^kustomize\.toolkit\.fluxcd\.io\//;
const INTERESTING = /^kind:\s*['"]?(Kustomization|GitRepository|ArtifactGenerator|ConfigMap|Secret|HelmRelease|HelmRepository|OCIRepository)\b/m;

async function subdirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

/** The roots Flux bootstraps from in the layouts seen in the wild, plus this project's own overlays. */
export async function roots(repo: string, extra: string[] = []): Promise<Entry[]> {
  const out: Entry[] = [];
  const add = async (rel: string, name = rel): Promise<void> => {
    const abs = path.join(repo, rel);
    if (out.some((e) => e.absPath === abs)) return;
    out.push({ name, path: rel, absPath: abs, hasKustomization: (await kustomizationFileIn(abs)) !== undefined, artifactRoot: repo, deliveredBy: [], root: name });
  };
  for (const sub of await subdirs(path.join(repo, 'overlays'))) {
    if (await kustomizationFileIn(path.join(repo, 'overlays', sub))) await add(`overlays/${sub}`, sub);
  }
  for (const top of ['flux', 'clusters']) for (const sub of await subdirs(path.join(repo, top))) await add(`${top}/${sub}`);
  for (const sub of await subdirs(path.join(repo, 'kubernetes'))) if (sub.startsWith('flux')) await add(`kubernetes/${sub}`);
  for (const p of extra) {
    const r = p.replace(/^\.\/+|\/+$/g, '');
    if (!existsSync(path.join(repo, r)) || !statSync(path.join(repo, r)).isDirectory()) throw new UsageError(`--path ${p}: no such folder in ${repo}`);
    await add(r);
  }
  return out;
}

function parseDoc(text: string): Manifest | undefined {
  try {
    return asRecord(readYaml(text, { uniqueKeys: false }));
  } catch {
    return undefined;
  }
}

const rel = (p: string) => p.replace(/^\.?\/+/, '').replace(/\/+$/, '');

function postBuildOf(spec: Record<string, unknown>): PostBuild | undefined {
  const pb = asRecord(spec.postBuild);
  if (!pb) return undefined;
  const substitute = asRecord(pb.substitute) as Record<string, string> | undefined;
  const from = Array.isArray(pb.substituteFrom) ? (pb.substituteFrom as Record<string, unknown>[]) : [];
  return {
    substitute,
    substituteFrom: from.map((f) => ({ kind: String(f.kind), name: String(f.name), optional: f.optional === true })),
    substituteStrategy: str(pb.substituteStrategy) ?? undefined,
  };
}

function fluxKustomization(doc: Manifest, parent: Built): FluxKustomization | undefined {
  if (doc.kind !== 'Kustomization' || !FLUX_KS.test(String(doc.apiVersion))) return undefined;
  const { name, namespace } = identity(doc);
  const spec = asRecord(doc.spec);
  if (!name || !spec) return undefined;
  const ns = namespace ?? parent.entry.flux?.targetNamespace ?? 'flux-system';
  const ref = asRecord(spec.sourceRef) ?? {};
  const mods: FluxMods = {
    targetNamespace: str(spec.targetNamespace) ?? undefined,
    namePrefix: str(spec.namePrefix) ?? undefined,
    nameSuffix: str(spec.nameSuffix) ?? undefined,
    patches: Array.isArray(spec.patches) ? spec.patches : undefined,
    components: Array.isArray(spec.components) ? (spec.components as string[]) : undefined,
    images: Array.isArray(spec.images) ? spec.images : undefined,
    postBuild: postBuildOf(spec),
  };
  return {
    id: `${ns}/${name}`,
    namespace: ns,
    name,
    path: rel(str(spec.path) ?? ''),
    sourceRef: { kind: str(ref.kind) ?? 'GitRepository', name: str(ref.name) ?? '', namespace: str(ref.namespace) ?? ns },
    mods,
    parent,
  };
}

function normaliseUrl(u: string): string {
  return u.replace(/^ssh:\/\/git@/, 'https://').replace(/^git@([^:]+):/, 'https://$1/').replace(/\.git$/, '').replace(/\/+$/, '').toLowerCase();
}

async function gitRemotes(repo: string): Promise<Set<string>> {
  const r = await execa('git', ['-C', repo, 'remote', '-v'], { reject: false });
  if (r.exitCode !== 0) return new Set();
  return new Set(String(r.stdout).split('\n').map((l) => l.split(/\s+/)[1]).filter(Boolean).map(normaliseUrl));
}

function finding(k: FluxKustomization, rule: string, severity: Finding['severity'], message: string): Finding {
  return { rule, severity, overlay: k.parent.entry.name, file: k.parent.entry.path, kind: 'Kustomization', name: k.name, namespace: k.namespace, message, kustomization: k.parent.entry.deliveredBy?.[0] ?? null };
}

/** Object store of what has been built so far, for substituteFrom, sourceRef and valuesFrom lookups. */
/** Kinds the walk only looks up by name (postBuild substituteFrom): parsed on first lookup, most never are. */
const LOOKED_UP = /^kind:\s*['"]?(ConfigMap|Secret)\b/m;

class Index {
  objects = new Map<string, Manifest | (() => Manifest | undefined)>();
  add(doc: Manifest, fallbackNs: string): void {
    const { kind, name, namespace } = identity(doc);
    if (!kind || !name) return;
    const key = `${kind}/${namespace ?? fallbackNs}/${name}`;
    if (!this.objects.has(key)) this.objects.set(key, doc);
  }
  /** A document of a looked-up kind, keyed by the kind and name read from its text. */
  addLazy(text: string, fallbackNs: string): void {
    const h = docHeader(text);
    // Anything the shortcut cannot read is parsed now, as before.
    if (!h) {
      const d = parseDoc(text);
      if (d) this.add(d, fallbackNs);
      return;
    }
    const key = `${h.kind}/${h.namespace ?? fallbackNs}/${h.name}`;
    if (this.objects.has(key)) return;
    let parsed: Manifest | undefined | null = null;
    this.objects.set(key, () => (parsed === null ? (parsed = parseDoc(text)) : parsed));
  }
  get(kind: string, ns: string, name: string): Manifest | undefined {
    const v = this.objects.get(`${kind}/${ns}/${name}`);
    return typeof v === 'function' ? v() : v;
  }
  all(kind: string): Manifest[] {
    return [...this.objects.entries()]
      .filter(([k]) => k.startsWith(`${kind}/`))
      .flatMap(([, v]) => {
        const d = typeof v === 'function' ? v() : v;
        return d ? [d] : [];
      });
  }
}

export async function walk(repo: string, opts: WalkOptions = {}): Promise<WalkResult> {
  const notes: string[] = [];
  const noted = new Set<string>();
  const note = (n: string) => {
    if (!noted.has(n)) notes.push(n);
    noted.add(n);
  };
  const temps: string[] = [];
  const remotes = await gitRemotes(repo);
  const index = new Index();
  const seen = new Map<string, Entry>();
  const names = new Set<string>();
  const builts: Built[] = [];
  const selfSources = new Set<string>();
  const handled = new Set<string>();
  /** kustomize-controller Deployments the repository vendors, and whether they enable ExternalArtifact. */
  const controllers: { entry: Built; gate: boolean }[] = [];
  const externalUsers: FluxKustomization[] = [];

  const signature = (e: Entry) => `${e.absPath}|${JSON.stringify(e.flux ?? {})}`;

  async function process(entry: Entry): Promise<Built> {
    const b = await build(entry);
    b.vendored = new Set();
    await wholeFileEncrypted(b);
    await substituteBuilt(b);
    const ns = entry.flux?.targetNamespace ?? '';
    const parsed: Manifest[] = [];
    for (const text of b.docs) {
      if (/app\.kubernetes\.io\/part-of:\s*['"]?flux(-operator)?['"]?\s*$/m.test(text)) {
        const d = parseDoc(text);
        if (d) {
          const id = identity(d);
          b.vendored.add(`${id.kind}|${id.namespace ?? ''}|${id.name}`);
        }
      }
      if (/^kind:\s*Deployment\b/m.test(text) && /^\s+name:\s*kustomize-controller\s*$/m.test(text)) {
        controllers.push({ entry: b, gate: /--feature-gates=[^\s"']*\bExternalArtifact=true/.test(text) });
      }
      if (!INTERESTING.test(text)) continue;
      if (LOOKED_UP.test(text)) {
        index.addLazy(text, ns);
        continue;
      }
      const d = parseDoc(text);
      if (!d) continue;
      index.add(d, ns);
      parsed.push(d);
    }
    b.parsed = parsed;
    return b;
  }

  /**
   * A document sops encrypted as a whole file has kind ENC[…]; kustomize-controller decrypts it after
   * the build (any kind with sops.mac). Decrypted with a local key, else left out of the checks, said once.
   */
  async function wholeFileEncrypted(b: Built): Promise<void> {
    const out: string[] = [];
    for (const text of b.docs) {
      if (!/^(kind|apiVersion):\s*['"]?ENC\[/m.test(text)) {
        out.push(text);
        continue;
      }
      const d = parseDoc(text);
      const plain = d && sopsKeyAvailable() ? await decryptDoc(d) : undefined;
      if (plain) out.push(stringify(plain));
      else note(`${b.entry.name}: a document is SOPS-encrypted as a whole file (kind and metadata encrypted) and no age key is available (SOPS_AGE_KEY_FILE); it is not checked. kustomize-controller decrypts it, but its docs ask for --encrypted-regex '^(data|stringData)$'`);
    }
    if (out.length !== b.docs.length) {
      b.docs = out;
      b.yaml = out.join('\n---\n');
    }
  }

  async function substituteBuilt(b: Built): Promise<void> {
    const pb = b.entry.flux?.postBuild;
    if (!pb) return;
    const ks = b.entry.fluxNamespace ?? 'flux-system';
    const vars = new Map<string, string>();
    let lenient = false;
    const bad: string[] = [];
    for (const ref of pb.substituteFrom ?? []) {
      const obj = index.get(ref.kind, ks, ref.name);
      if (!obj) {
        if (!ref.optional) {
          lenient = true;
          note(`${b.entry.deliveredBy?.[0]}: postBuild.substituteFrom ${ref.kind} ${ks}/${ref.name} is not in the repository (created in the cluster?); its variables are checked with typed placeholders`);
        }
        continue;
      }
      let doc = obj;
      if (asRecord(obj.sops)) {
        const plain = sopsKeyAvailable() ? await decryptDoc(obj) : undefined;
        if (plain) doc = plain;
        else {
          note(`${b.entry.deliveredBy?.[0]}: ${ref.kind} ${ks}/${ref.name} is SOPS-encrypted and no age key is available (SOPS_AGE_KEY_FILE); its variables are checked with typed placeholders`);
          for (const field of ['data', 'stringData']) for (const k of Object.keys(asRecord(obj[field]) ?? {})) vars.set(k, typedPlaceholder(k));
          continue;
        }
      }
      const data = asRecord(doc.data) ?? {};
      for (const [k, v] of Object.entries(data)) vars.set(k, cleanValue(ref.kind === 'Secret' ? Buffer.from(String(v), 'base64').toString('utf8') : String(v)));
      if (ref.kind === 'Secret') for (const [k, v] of Object.entries(asRecord(doc.stringData) ?? {})) vars.set(k, cleanValue(String(v)));
    }
    for (const [k, v] of Object.entries(pb.substitute ?? {})) vars.set(k, cleanValue(String(v)));
    for (const k of vars.keys()) if (!VAR_NAME.test(k)) bad.push(k);
    if (bad.length > 0) {
      b.findings.push({ rule: 'flux-substitute', severity: 'error', overlay: b.entry.name, file: b.entry.path, kind: 'Kustomization', name: b.entry.deliveredBy?.[0] ?? null, namespace: ks, message: `'${bad[0]}' var name is invalid: Flux fails the Kustomization; variable names must match ^[_a-zA-Z][_a-zA-Z0-9]*$`, kustomization: b.entry.deliveredBy?.[0] ?? null });
      return;
    }
    if (vars.size === 0 && pb.substituteStrategy !== 'Always') return;
    b.docs = b.docs.map((text) => {
      if (/kustomize\.toolkit\.fluxcd\.io\/substitute:\s*['"]?disabled/.test(text)) return text;
      const local = new Map(vars);
      if (lenient) for (const m of text.matchAll(/\$\{([_a-zA-Z][_a-zA-Z0-9]*)/g)) if (!local.has(m[1])) local.set(m[1], typedPlaceholder(m[1]));
      try {
        return substitute(text, local, true);
      } catch (err) {
        if (!(err instanceof SubstituteError)) throw err;
        const d = parseDoc(text);
        const id = d ? identity(d) : { kind: null, name: null, namespace: null };
        b.findings.push({ rule: 'flux-substitute', severity: 'error', overlay: b.entry.name, file: b.entry.path, ...id, message: `${err.message}: Flux fails the whole Kustomization; define the variable in postBuild.substitute or substituteFrom, or escape it as $\${…}`, kustomization: b.entry.deliveredBy?.[0] ?? null });
        return text;
      }
    });
    b.yaml = b.docs.join('\n---\n');
  }

  /** Where a Flux Kustomization's spec.path is on disk, or why it cannot be checked. */
  async function locate(k: FluxKustomization): Promise<{ absPath: string; path: string; artifactRoot: string } | { note: string } | { error: string } | 'later'> {
    const src = `${k.sourceRef.kind} ${k.sourceRef.namespace}/${k.sourceRef.name}`;
    if (k.sourceRef.kind === 'GitRepository') {
      const git = index.get('GitRepository', k.sourceRef.namespace, k.sourceRef.name);
      const url = str(asRecord(git?.spec)?.url);
      const abs = path.join(repo, k.path);
      const isSelf =
        k.sourceRef.name === 'flux-system' ||
        selfSources.has(src) ||
        (url !== null && remotes.has(normaliseUrl(url))) ||
        existsSync(abs);
      if (!isSelf) return { note: `${k.id}: not checked: its source ${src}${url ? ` (${url})` : ''} is another repository (path ./${k.path} is not here)` };
      if (!selfSources.has(src) && k.sourceRef.name !== 'flux-system' && !(url !== null && remotes.has(normaliseUrl(url)))) {
        note(`${src}${url ? ` (${url})` : ''} is taken to be this repository: its Kustomizations' paths exist here`);
      }
      selfSources.add(src);
      if (!existsSync(abs) || !statSync(abs).isDirectory()) return { error: `spec.path ./${k.path} does not exist in the repository; Flux fails with "kustomization path not found"` };
      return { absPath: abs, path: k.path || '.', artifactRoot: repo };
    }
    if (k.sourceRef.kind === 'ExternalArtifact') {
      if (!externalUsers.includes(k)) externalUsers.push(k);
      const gen = index.all('ArtifactGenerator').find((g) => {
        const gns = identity(g).namespace ?? 'flux-system';
        const arts = (asRecord(g.spec)?.artifacts as Record<string, unknown>[] | undefined) ?? [];
        return gns === k.sourceRef.namespace && arts.some((a) => a.name === k.sourceRef.name);
      });
      if (!gen) return 'later';
      return synthesise(gen, k);
    }
    return { note: `${k.id}: not checked: its source ${src} is not in this repository (only GitRepository sources that are this repository, and ExternalArtifacts of an in-repo ArtifactGenerator, are followed)` };
  }

  const artifacts = new Map<string, string>();
  /** The ExternalArtifact tree an ArtifactGenerator's copy rules assemble from this repository. */
  async function synthesise(gen: Manifest, k: FluxKustomization): Promise<{ absPath: string; path: string; artifactRoot: string } | { note: string } | { error: string }> {
    const spec = asRecord(gen.spec) ?? {};
    const key = `${identity(gen).namespace}/${identity(gen).name}/${k.sourceRef.name}`;
    const sources = new Map<string, Record<string, unknown>>();
    for (const s of (spec.sources as Record<string, unknown>[] | undefined) ?? []) sources.set(String(s.alias), s);
    const art = ((spec.artifacts as Record<string, unknown>[] | undefined) ?? []).find((a) => a.name === k.sourceRef.name) ?? {};
    let root = artifacts.get(key);
    let repoPath: string | undefined;
    const copies = (art.copy as Record<string, unknown>[] | undefined) ?? [];
    if (!root) {
      root = await mkdtemp(path.join(tmpdir(), 'mx-external-artifact-'));
      temps.push(root);
      artifacts.set(key, root);
      for (const c of copies) {
        const m = /^@([^/]+)\/(.*)$/.exec(String(c.from));
        const to = String(c.to ?? '@artifact/').replace(/^@artifact\/?/, '');
        const s = m ? sources.get(m[1]) : undefined;
        if (!m || !s || s.kind !== 'GitRepository') return { note: `${k.id}: not checked: ArtifactGenerator ${identity(gen).name} copies from ${String(c.from)}, which is not this repository` };
        const from = m[2];
        if (from.endsWith('/**')) {
          const dir = path.join(repo, from.slice(0, -3));
          if (existsSync(dir)) await cp(dir, path.join(root, to), { recursive: true });
        } else if (/[*?[]/.test(from)) {
          const dir = path.join(repo, path.dirname(from));
          for (const f of await readdir(dir).catch(() => [] as string[])) {
            if (path.matchesGlob(path.join(path.dirname(from), f), from)) {
              await mkdir(path.join(root, to), { recursive: true });
              await cp(path.join(dir, f), path.join(root, to, f), { recursive: true });
            }
          }
        } else {
          const src = path.join(repo, from.replace(/\/+$/, ''));
          const dest = to === '' || to.endsWith('/') ? path.join(root, to, path.basename(src)) : path.join(root, to);
          if (existsSync(src)) await cp(src, dest, { recursive: true });
        }
      }
    }
    // Name the folder by where it comes from in the repository when one copy rule maps it.
    for (const c of copies) {
      const from = String(c.from).replace(/^@[^/]+\//, '');
      const to = String(c.to ?? '').replace(/^@artifact\/?/, '').replace(/\/+$/, '');
      if (from.endsWith('/**') && (k.path === to || k.path.startsWith(`${to}/`) || to === '')) {
        repoPath = path.posix.join(from.slice(0, -3), to === '' ? k.path : k.path.slice(to.length));
        break;
      }
    }
    const abs = path.join(root, k.path);
    if (!existsSync(abs)) return { error: `spec.path ./${k.path} does not exist in ExternalArtifact ${k.sourceRef.namespace}/${k.sourceRef.name} as ArtifactGenerator ${identity(gen).name} assembles it` };
    return { absPath: abs, path: rel(repoPath ?? `${k.sourceRef.name}:${k.path}`), artifactRoot: root };
  }

  let queue = await roots(repo, opts.paths);
  for (const e of queue) {
    seen.set(signature(e), e);
    names.add(e.name);
  }
  let pending: FluxKustomization[] = [];
  while (queue.length > 0) {
    const level = await Promise.all(queue.map((e) => process(e)));
    for (const b of level) {
      builts.push(b);
      for (const d of b.parsed ?? []) {
        const k = fluxKustomization(d, b);
        if (k) pending.push(k);
      }
    }
    queue = [];
    const later: FluxKustomization[] = [];
    for (const k of pending) {
      const hkey = `${k.parent.entry.name}|${k.id}`;
      if (handled.has(hkey)) continue;
      const where = await locate(k);
      if (where === 'later') {
        later.push(k);
        continue;
      }
      handled.add(hkey);
      if ('note' in where) {
        note(where.note);
        continue;
      }
      if ('error' in where) {
        k.parent.findings.push(finding(k, 'flux-path', 'error', where.error));
        continue;
      }
      const flux = k.mods;
      const entry: Entry = {
        name: where.path,
        path: where.path,
        absPath: where.absPath,
        hasKustomization: (await kustomizationFileIn(where.absPath)) !== undefined,
        artifactRoot: where.artifactRoot,
        deliveredBy: [k.id],
        root: k.parent.entry.root,
        flux,
        fluxNamespace: k.namespace,
      };
      const sig = signature(entry);
      const prior = seen.get(sig);
      if (prior) {
        if (!prior.deliveredBy?.includes(k.id)) (prior.deliveredBy ??= []).push(k.id);
        continue;
      }
      // Two Flux Kustomizations building one folder differently (another cluster, other patches).
      if (names.has(entry.name)) entry.name = `${entry.name}@${k.id}`;
      if (names.has(entry.name)) entry.name = `${k.parent.entry.name}:${entry.name}`;
      names.add(entry.name);
      seen.set(sig, entry);
      queue.push(entry);
    }
    pending = later;
  }
  for (const k of pending) note(`${k.id}: not checked: ExternalArtifact ${k.sourceRef.namespace}/${k.sourceRef.name} is produced by no ArtifactGenerator in this repository`);

  // kustomize-controller accepts ExternalArtifact sources only behind its feature gate (off by default
  // in v1.9); a vendored controller without it fails every such Kustomization.
  const gateless = controllers.filter((c) => !c.gate);
  if (controllers.length > 0 && gateless.length === controllers.length) {
    for (const k of externalUsers) {
      k.parent.findings.push(finding(k, 'flux-feature-gate', 'error', `sourceRef ExternalArtifact ${k.sourceRef.namespace}/${k.sourceRef.name} needs kustomize-controller --feature-gates=ExternalArtifact=true, which the vendored controller in ${gateless[0].entry.entry.path} does not set; Flux fails with "ExternalArtifact feature gate is disabled" (bootstrap with --components-extra=source-watcher)`));
    }
  }

  // HelmReleases: rendered where the chart is offline-reachable, else their values mapped for known charts.
  for (const b of builts) {
    const releases = (b.parsed ?? []).filter((d) => d.kind === 'HelmRelease');
    if (releases.length === 0) continue;
    const out = await renderHelmReleases(repo, releases, index, b.entry.flux?.targetNamespace);
    for (const n of out.notes) note(n);
    b.findings.push(...out.findings.map((f) => ({ ...f, overlay: b.entry.name, file: f.file ?? b.entry.path, kustomization: b.entry.deliveredBy?.[0] ?? null })));
    if (out.docs.length > 0) {
      b.docs.push(...out.docs);
      b.yaml = b.docs.join('\n---\n');
    }
    for (const [k, v] of out.derived) (b.derived ??= new Map()).set(k, v);
  }
  return {
    builts,
    notes,
    cleanup: async () => {
      await Promise.all(temps.map((t) => rm(t, { recursive: true, force: true })));
    },
  };
}
