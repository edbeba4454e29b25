// kind, metadata.name and metadata.namespace read from a document's text, without parsing it.
// Parsing YAML is most of validate's own CPU; several steps only need to know which object a
// document is before deciding whether to parse it at all. Anything this cannot read with certainty
// (flow-style metadata, anchors, odd quoting, a kind given twice) returns undefined, and the caller parses.

export interface DocHeader {
  kind: string;
  name: string;
  namespace: string | null;
}

const SCALAR = String.raw`(?:"([^"\\]*)"|'([^']*)'|([^\s'"#{}\[\],&*!|>][^\s#]*))[ \t]*(?:#.*)?$`;
const KIND = new RegExp(String.raw`^kind:[ \t]*${SCALAR}`, 'gm');
const METADATA = /^metadata:[ \t]*(?:#.*)?$/m;

function scalar(m: RegExpExecArray, from: number): string {
  return m[from] ?? m[from + 1] ?? m[from + 2];
}

export function docHeader(text: string): DocHeader | undefined {
  const kinds = [...text.matchAll(KIND)];
  if (kinds.length !== 1) return undefined;
  const kind = scalar(kinds[0], 1);
  const meta = METADATA.exec(text);
  if (!meta) return undefined;
  // The block below `metadata:` up to the next line at column 0; its children share one indentation.
  const rest = text.slice(meta.index + meta[0].length + 1);
  const end = rest.search(/^[^\s#]/m);
  const block = end === -1 ? rest : rest.slice(0, end);
  const indent = /^([ \t]+)\S/m.exec(block)?.[1];
  if (!indent) return undefined;
  const child = (key: string): string | null | undefined => {
    const all = [...block.matchAll(new RegExp(String.raw`^${indent}${key}:(.*)$`, 'gm'))];
    if (all.length === 0) return null;
    if (all.length > 1) return undefined;
    const m = new RegExp(String.raw`^[ \t]*${SCALAR}`).exec(all[0][1]);
    return m ? scalar(m, 1) : undefined;
  };
  const name = child('name');
  const namespace = child('namespace');
  if (!name || namespace === undefined) return undefined;
  return { kind, name, namespace };
}

/** The documents of a multi-document YAML text, each with the offset it starts at. */
export function documentsWithOffsets(text: string): Array<{ text: string; offset: number }> {
  const out: Array<{ text: string; offset: number }> = [];
  const sep = /^---[ \t]*(?:#.*)?$/gm;
  let start = 0;
  for (const m of text.matchAll(sep)) {
    out.push({ text: text.slice(start, m.index), offset: start });
    start = (m.index ?? 0) + m[0].length;
  }
  out.push({ text: text.slice(start), offset: start });
  return out.filter((d) => /^[^#\s]/m.test(d.text));
}
