// Every object each entry point renders, keyed kind/namespace/name, through the validate gate's own
// Flux walk (the same entry points, builds and postBuild substitution validate checks), with the volatile fields
// normalised so that two renders compare by what the cluster would actually see change.
import { parse, stringify } from 'yaml';
import { walk } from '../validate/flux-graph.ts';
import type { Built } from '../validate/build.ts';

export interface RenderedObject {
  kind: string;
  namespace: string;
  name: string;
  secret: boolean;
  /** normalised YAML of the object (never printed for a Secret) */
  text: string;
}

export interface EntryRender {
  objects: Map<string, RenderedObject>;
  /** set when the entry point failed to build at this revision */
  error?: string;
}

export const objectKey = (o: { kind: string; namespace: string; name: string }): string => `${o.kind}/${o.namespace || '-'}/${o.name}`;

// kustomize's name hash: 10 characters of a sha256 in its own alphabet (hex with 0,1,3,a,e replaced).
const HASH_SUFFIX = /^(.+)-([2456789bcdfghkmt]{10})$/;
const HASHED = '<hash>';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Replaces every string that is a generated name (`renames`) and every checksum/* annotation value. */
function normalise(value: Json, renames: Map<string, string>, key = ''): Json {
  if (typeof value === 'string') {
    if (key.startsWith('checksum/')) return '<checksum>';
    return renames.get(value) ?? value;
  }
  if (Array.isArray(value)) return value.map((v) => normalise(v, renames));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v, renames, k)]));
  }
  return value;
}

interface Meta { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } }

/** The objects of one built stream, with hash-suffixed ConfigMap/Secret names and references to them normalised. */
export function objectsOf(docs: string[]): Map<string, RenderedObject> {
  const parsed = docs.map((d) => parse(d) as Json).filter((d): d is { [k: string]: Json } => !!d && typeof d === 'object' && !Array.isArray(d));
  const renames = new Map<string, string>();
  for (const d of parsed) {
    const m = d as Meta;
    const name = typeof m.metadata?.name === 'string' ? m.metadata.name : '';
    const hit = HASH_SUFFIX.exec(name);
    if (hit && (m.kind === 'ConfigMap' || m.kind === 'Secret')) renames.set(name, `${hit[1]}-${HASHED}`);
  }
  const out = new Map<string, RenderedObject>();
  for (const d of parsed) {
    const n = normalise(d, renames) as Meta & { [k: string]: Json };
    const kind = typeof n.kind === 'string' ? n.kind : '(no kind)';
    const o: RenderedObject = {
      kind,
      namespace: typeof n.metadata?.namespace === 'string' ? n.metadata.namespace : '',
      name: typeof n.metadata?.name === 'string' ? n.metadata.name : '(no name)',
      secret: kind === 'Secret',
      text: stringify(n, { lineWidth: 0 }),
    };
    out.set(objectKey(o), o);
  }
  return out;
}

/** Renders every entry point of the tree in `dir`; a failed build is recorded, not thrown. */
export async function renderTree(dir: string): Promise<Map<string, EntryRender>> {
  const walked = await walk(dir);
  const out = new Map<string, EntryRender>();
  try {
    collectRenders(walked.builts, out);
  } finally {
    await walked.cleanup();
  }
  return out;
}

function collectRenders(built: Built[], out: Map<string, EntryRender>): void {
  for (const b of built) {
    const failed = b.findings.find((f) => f.rule === 'kustomize-build');
    if (failed) out.set(b.entry.path, { objects: new Map(), error: failed.message });
    else {
      try {
        out.set(b.entry.path, { objects: objectsOf(b.docs) });
      } catch (err) {
        out.set(b.entry.path, { objects: new Map(), error: `not valid YAML: ${(err as Error).message.split('\n')[0]}` });
      }
    }
  }
}
