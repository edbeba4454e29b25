// kubeconform over the rendered entry points (one process for all), against the offline cache only (never fetches at validate time).
import { closeSync, existsSync, openSync, readSync, readdirSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { scratchDir } from '../lib/scratch.ts';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { readYaml } from '../lib/yaml-read.ts';
import { docHeader } from './doc-header.ts';
import { gateToolEnv, toolPath } from '../lib/tools.ts';
import { schemaCacheDir } from '../lib/paths.ts';
import { EnvironmentError } from '../lib/errors.ts';
import type { Built } from './build.ts';
import type { Finding, Manifest } from './types.ts';
import { asRecord, identity, str } from './types.ts';

export function schemaDir(): string {
  return schemaCacheDir();
}

export function checkSchemaCache(dir = schemaDir()): void {
  if (!existsSync(dir) || !existsSync(path.join(dir, '.stamp.json'))) {
    throw new EnvironmentError(`schema cache missing at ${dir}; run \`npx matrix-gitops setup\``);
  }
}

/** Encrypted objects are validated too (Flux decrypts any kind with sops.mac), minus the sops stanza. */
export function withoutSops(doc: Manifest): Manifest {
  if (!('sops' in doc) || !asRecord(doc.sops)) return doc;
  const { sops: _sops, ...rest } = doc;
  return rest;
}

function parseDoc(text: string): Manifest | undefined {
  try {
    return asRecord(readYaml(text));
  } catch {
    return undefined;
  }
}

/** Encrypted objects lose their sops stanza; every other document goes to kubeconform byte-for-byte. */
function stripSopsText(text: string): string {
  if (!/^sops:/m.test(text)) return text;
  // The stanza is one top-level key: drop its line and the indented lines below it. Re-serialising
  // the whole document cost more than the rest of the schema step; the text form stays the fallback
  // for anything unusual (a second sops key, or a stanza not followed by a plain key or the end).
  const lines = text.split('\n');
  const at = lines.findIndex((l) => /^sops:/.test(l));
  let end = at + 1;
  while (end < lines.length && (lines[end] === '' || /^[ \t]/.test(lines[end]) || /^- /.test(lines[end]))) end++;
  const rest = [...lines.slice(0, at), ...lines.slice(end)];
  if (rest.some((l) => /^sops:/.test(l)) || (end < lines.length && !/^[A-Za-z_"'][^:]*:/.test(lines[end]))) {
    const doc = parseDoc(text);
    return doc ? stringify(withoutSops(doc)) : text;
  }
  return rest.join('\n');
}

export interface KubeconformResource {
  kind?: string;
  name?: string;
  version?: string;
  status?: string;
  msg?: string;
  validationErrors?: { path?: string; msg?: string }[];
}

/**
 * kubeconform flattens only the first level of causes: an error inside a `$ref`'d definition comes
 * out as "validation failed", while its summary line carries every leaf. Prefer the leaves.
 */
export function validationMessages(res: KubeconformResource): string[] {
  const errors = res.validationErrors ?? [];
  if (!errors.some((e) => e.msg === 'validation failed')) return errors.map((e) => `${e.path || '/'}: ${e.msg}`);
  const leaves = [...(res.msg ?? '').matchAll(/ - at '([^']*)': (.*?)(?= - at '|$)/g)].map((m) => `${m[1] || '/'}: ${m[2]}`);
  return leaves.length > 0 ? leaves : errors.map((e) => `${e.path || '/'}: ${e.msg}`);
}

/**
 * API groups the schema dirs hold a kind for. File names carry only a group's first label
 * (source.toolkit… and source.extensions… share "source"), so the group is read from the apiVersion
 * enum each converted schema pins in its first bytes.
 */
export function knownGroups(dirs: string[]): Set<string> {
  const out = new Set<string>();
  const head = Buffer.alloc(400);
  for (const d of dirs) {
    let files: string[] = [];
    try {
      files = readdirSync(d).filter((f) => f.endsWith('.json'));
    } catch {
      continue;
    }
    for (const f of files) {
      const fd = openSync(path.join(d, f), 'r');
      try {
        const n = readSync(fd, head, 0, head.length, 0);
        const m = /"apiVersion":\{[^}]*"enum":\["([^"]*)"/.exec(head.toString('utf8', 0, n));
        if (m) out.add(m[1].includes('/') ? m[1].split('/')[0] : '');
      } finally {
        closeSync(fd);
      }
    }
  }
  return out;
}

interface KubeconformOutput {
  resources?: Array<KubeconformResource & { filename?: string }>;
}

/** `apiVersion|kind|name` as kubeconform reports a resource, read from the text; undefined when unsure. */
function resourceKey(text: string): string | undefined {
  const h = docHeader(text);
  const versions = [...text.matchAll(/^apiVersion:[ \t]*['"]?([^\s'"#]+)['"]?[ \t]*(?:#.*)?$/gm)];
  return h && versions.length === 1 ? `${versions[0][1]}|${h.kind}|${h.name}` : undefined;
}

/** Per entry, the resourceKey of each document, computed on first use. */
function resourceKeys(builts: Built[]): (b: Built) => Array<string | undefined> {
  const memo = new Map<Built, Array<string | undefined>>();
  return (b) => {
    let ks = memo.get(b);
    if (!ks) {
      ks = b.docs.map(resourceKey);
      memo.set(b, ks);
    }
    return ks;
  };
}

const keyOfResult = (res: KubeconformResource) => `${res.version ?? ''}|${res.kind ?? ''}|${res.name ?? ''}`;

/**
 * What each entry sends to kubeconform. A document is checked once: the same text in a later entry
 * (base objects an overlay leaves alone, a Flux child inside its parent's tree) borrows the results
 * of its first entry, found by apiVersion, kind and name, since kubeconform reports no more than
 * that. Where that could be ambiguous (the first entry has two objects of that key, or the header
 * cannot be read) the document is checked in its own entry again.
 */
export function planSchemaInput(builts: Built[]): { own: Map<Built, string[]>; borrowed: Map<Built, Array<{ from: Built; key: string }>>; keys: (b: Built) => Array<string | undefined> } {
  const own = new Map<Built, string[]>(builts.map((b) => [b, []]));
  const borrowed = new Map<Built, Array<{ from: Built; key: string }>>(builts.map((b) => [b, []]));
  const first = new Map<string, Built>();
  // resourceKey is a few regexes per document: read once per entry, used for counts, borrowing and order.
  const keys = resourceKeys(builts);
  const keyCounts = new Map<Built, Map<string, number>>();
  const counts = (b: Built): Map<string, number> => {
    let m = keyCounts.get(b);
    if (!m) {
      m = new Map();
      for (const k of keys(b)) if (k) m.set(k, (m.get(k) ?? 0) + 1);
      keyCounts.set(b, m);
    }
    return m;
  };
  for (const b of builts) {
    b.docs.forEach((text, i) => {
      const t = stripSopsText(text);
      // Split documents keep the newline after `---`; the first of a stream has none.
      const same = t.trim();
      const from = first.get(same);
      const key = from && from !== b ? keys(b)[i] : undefined;
      if (from && key && counts(from).get(key) === 1) {
        borrowed.get(b)?.push({ from, key });
        return;
      }
      if (!from) first.set(same, b);
      own.get(b)?.push(t);
    });
  }
  return { own, borrowed, keys };
}

/**
 * Schema findings of every entry from one kubeconform process. Each process loads and parses the
 * schemas it needs anew, so one run over a file per entry costs less CPU than one run per entry;
 * results come back per file (`filename`), which maps them to their entry. A document the same in
 * several entries is checked once (planSchemaInput).
 */
export async function schemaCheckAll(builts: Built[], dir = schemaDir(), extraDirs: string[] = []): Promise<Finding[][]> {
  const withDocs = builts.filter((b) => b.docs.length > 0);
  if (withDocs.length === 0) return builts.map(() => []);
  const tmp = await scratchDir('mx-schema-');
  try {
    const { own, borrowed, keys } = planSchemaInput(withDocs);
    const checked = withDocs.filter((b) => (own.get(b) ?? []).length > 0);
    const files = checked.map((_, i) => path.join(tmp, `entry-${i}.yaml`));
    await Promise.all(checked.map((b, i) => writeFile(files[i], (own.get(b) ?? []).join('\n---\n'))));
    // CRDs the repository carries first: they describe the versions that cluster runs.
    const locations = [...extraDirs, dir].flatMap((d) => ['-schema-location', path.join(d, '{{ .ResourceKind }}{{ .KindSuffix }}.json')]);
    // One worker per core; more only add scheduling, not throughput.
    const r = files.length === 0 ? undefined : await execa(toolPath('kubeconform'), ['-strict', '-output', 'json', ...locations, '-n', String(availableParallelism()), ...files], { reject: false, env: gateToolEnv() });
    let parsed: KubeconformOutput = {};
    try {
      if (r) parsed = JSON.parse(r.stdout) as KubeconformOutput;
    } catch {
      throw new EnvironmentError(`kubeconform failed (exit ${r?.exitCode}): ${(r?.stderr || r?.stdout || '').trim().split('\n')[0]}`);
    }
    const bad = (parsed.resources ?? []).filter((res) => res.status === 'statusInvalid' || res.status === 'statusError');
    const groups = bad.length > 0 ? knownGroups([...extraDirs, dir]) : new Set<string>();
    const byFile = new Map(files.map((f, i) => [f, checked[i]]));
    // A result no entry claims would be a finding silently dropped: refuse rather than pass.
    const stray = bad.find((res) => !byFile.has(res.filename ?? ''));
    if (stray) throw new EnvironmentError(`kubeconform reported ${stray.kind ?? 'a resource'} ${stray.name ?? ''} in ${stray.filename ?? 'no file'}, which is none of the rendered entry points; check the kubeconform version (versions.json)`);
    const mine = new Map<Built, KubeconformResource[]>(withDocs.map((b) => [b, bad.filter((res) => byFile.get(res.filename ?? '') === b)]));
    const findings = new Map<Built, Finding[]>();
    for (const b of withDocs) {
      const lent = (borrowed.get(b) ?? []).flatMap(({ from, key }) => (mine.get(from) ?? []).filter((res) => keyOfResult(res) === key));
      let all = mine.get(b) ?? [];
      if (lent.length > 0) {
        // In document order, as one file per entry reported them.
        const order = new Map(keys(b).map((k, i) => [k ?? `#${i}`, i] as const));
        all = [...all, ...lent].sort((x, y) => (order.get(keyOfResult(x)) ?? 0) - (order.get(keyOfResult(y)) ?? 0));
      }
      findings.set(b, toFindings(b, all, groups));
    }
    return builts.map((b) => findings.get(b) ?? []);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

export async function schemaCheck(built: Built, dir = schemaDir(), extraDirs: string[] = []): Promise<Finding[]> {
  return (await schemaCheckAll([built], dir, extraDirs))[0];
}

/** kubeconform's invalid/error results of one entry as findings. */
function toFindings(built: Built, bad: KubeconformResource[], groups: Set<string>): Finding[] {
  if (bad.length === 0) return [];
  // kubeconform does not report namespaces, so recover them from the rendered documents (only when needed).
  const ns = new Map<string, string | null>();
  for (const text of built.docs) {
    const d = parseDoc(text);
    if (!d) continue;
    const id = identity(d);
    ns.set(`${str(d.apiVersion)}|${id.kind}|${id.name}`, id.namespace);
  }
  const findings: Finding[] = [];
  for (const res of bad) {
    const base = {
      severity: 'error' as const,
      overlay: built.entry.name,
      file: built.entry.path,
      kind: res.kind ?? null,
      name: res.name ?? null,
      namespace: ns.get(`${res.version}|${res.kind}|${res.name}`) ?? null,
    };
    if (res.status === 'statusError' && /could not find schema/.test(res.msg ?? '')) {
      const group = (res.version ?? '').includes('/') ? (res.version ?? '').split('/')[0] : '';
      if (group && !groups.has(group)) {
        // A group the tool knows nothing about: not the user's mistake, but not checked either.
        findings.push({ ...base, severity: 'warning', rule: 'schema-unknown-group', message: `${res.kind} (${res.version}) not checked: no schema for API group ${group}; commit its CustomResourceDefinition to the repository or pass --crds DIR (a folder of CRD YAML)` });
      } else {
        findings.push({ ...base, rule: 'schema-missing', message: `no schema for ${res.version}/${res.kind}: ${res.msg}` });
      }
    } else if (res.validationErrors && res.validationErrors.length > 0) {
      for (const message of validationMessages(res)) findings.push({ ...base, rule: 'schema', message });
    } else {
      findings.push({ ...base, rule: 'schema', message: res.msg ?? 'invalid' });
    }
  }
  return findings;
}

