// Maps rendered resources back to the raw file that defines them, so SARIF and GitHub annotations
// point at a line-addressable file instead of an overlay directory whenever the match is unambiguous.
import path from 'node:path';
import { parseDocument, isNode, type Document } from 'yaml';
import { docHeader, documentsWithOffsets } from './doc-header.ts';
import { blockLine } from './block-lines.ts';
import type { Finding } from './types.ts';
import { asRecord, identity } from './types.ts';
import { readRepoYaml, type RepoFile } from './repo-files.ts';

export interface Source {
  file: string;
  /** Line of the resource's metadata.name (the line that identifies it in a code-scanning view). */
  line: () => number;
  /** Line of a field inside the resource (the deepest part of the path the file has). */
  lineOf: (field: Array<string | number>) => number;
}
export type SourceIndex = Map<string, Source[]>;

const key = (kind: string | null, name: string | null) => `${kind}|${name}`;
const TOP_METADATA = /^(?:metadata|"metadata"|'metadata')[ \t]*:/m;

/**
 * `names`: only files that mention one of these resource names are read further (a finding can only
 * be traced to a file naming it). A document whose header names its object is parsed only when a
 * finding is attributed to it, and then only when its text is not plain block style (block-lines.ts);
 * one without a readable header is parsed here to learn what it defines.
 */
export async function indexSources(repo: string, names?: Set<string>, files: Promise<RepoFile[]> = readRepoYaml(repo)): Promise<SourceIndex> {
  const index: SourceIndex = new Map();
  for (const { file, text } of await files) {
    if (!/^kind:/m.test(text)) continue;
    if (names && ![...names].some((n) => text.includes(n))) continue;
    const rel = path.relative(repo, file).split(path.sep).join('/');
    for (const part of documentsWithOffsets(text)) {
      const h = docHeader(part.text);
      if (h && names && !names.has(h.name)) continue;
      // A block-style document without a top-level metadata key has no metadata.name to find (a
      // kustomization.yaml, say): nothing to parse.
      if (!h && !TOP_METADATA.test(part.text) && !/^\s*[{[]/.test(part.text.replace(/^\s*#.*$/gm, ''))) continue;
      let parsed: Document | undefined;
      const doc = (): Document => (parsed ??= parseDocument(part.text));
      if (!h && doc().errors.length > 0) continue;
      const id = h ?? identity(asRecord(doc().toJS()) ?? {});
      if (!id.kind || !id.name) continue;
      const before = text.slice(0, part.offset).split('\n').length - 1;
      // A document that does not parse (never one a build used) is pointed at by its first line.
      const line = () => {
        const fast = blockLine(part.text, ['metadata', 'name']);
        if (typeof fast === 'number') return before + fast;
        const d = doc();
        if (d.errors.length > 0) return before + 1;
        const node = d.getIn(['metadata', 'name'], true);
        const offset = isNode(node) && node.range ? node.range[0] : (d.range?.[0] ?? 0);
        return before + part.text.slice(0, offset).split('\n').length;
      };
      const k = key(id.kind, id.name);
      const list = index.get(k) ?? [];
      if (!list.some((x) => x.file === rel)) list.push({ file: rel, line, lineOf: (field) => {
        const fast = blockLine(part.text, field);
        if (fast !== undefined) return fast === 'absent' ? line() : before + fast;
        const inDoc = doc().errors.length > 0 ? undefined : fieldLine(part.text, doc(), field);
        return inDoc === undefined ? line() : before + inDoc;
      } });
      index.set(k, list);
    }
  }
  return index;
}

/** Line of the deepest node along `field` that the document has (a patch may set the rest). */
function fieldLine(text: string, doc: Document, field: Array<string | number>): number | undefined {
  for (let n = field.length; n > 0; n--) {
    const node = doc.getIn(field.slice(0, n), true);
    if (isNode(node) && node.range) return text.slice(0, node.range[0]).split('\n').length;
  }
  return undefined;
}

/** Replaces the overlay path by the one source file that defines the resource, within that overlay's reach. */
export function attribute(findings: Finding[], index: SourceIndex): Finding[] {
  return findings.map((f) => {
    if (!f.kind || !f.name || f.overlay === null) return f;
    const hits = index.get(key(f.kind, f.name)) ?? [];
    // Prefer a file inside the overlay itself, then a single candidate anywhere (usually base/).
    const inOverlay = f.file ? hits.filter((h) => h.file.startsWith(`${f.file}/`)) : [];
    const pick = inOverlay.length === 1 ? inOverlay[0] : hits.length === 1 ? hits[0] : undefined;
    if (!pick) return f;
    return { ...f, file: pick.file, line: f.field ? pick.lineOf(f.field) : pick.line() };
  });
}
