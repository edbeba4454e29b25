// The line a field of a manifest starts on, read from block-style YAML text without parsing it.
// Tracing a finding to its source line was the one step that still parsed with `yaml` (for node
// positions), and in a cold process that cost more than conftest's own start-up. Manifests are
// almost always plain block style; wherever this cannot be certain (flow collections, anchors,
// tags, quoted keys with escapes, tabs, an empty value) it answers undefined and the caller parses.

interface Line {
  indent: number;
  /** The line after its indentation, trailing comment and spaces kept. */
  text: string;
}

/** 'absent': the document does not have even the first part of the path. */
export type BlockLine = number | 'absent' | undefined;

const PLAIN_KEY = /^([^\s'"#{}[\],&*!|>?%@`-][^#]*?|-[^\s#][^#]*?):(?:[ \t]+|$)/;
const QUOTED_KEY = /^(?:"([^"\\]*)"|'([^']*)'):(?:[ \t]+|$)/;

function lines(text: string): Line[] | undefined {
  const out: Line[] = [];
  for (const raw of text.split('\n')) {
    const body = raw.replace(/\r$/, '');
    const indent = body.length - body.trimStart().length;
    if (body.slice(0, indent).includes('\t')) return undefined;
    out.push({ indent, text: body.slice(indent) });
  }
  return out;
}

const isContent = (l: Line) => l.text !== '' && !l.text.startsWith('#');

/** A key at the start of text: its name and where its value begins, or undefined if it is not a simple key. */
function keyOf(text: string): { key: string; rest: string } | undefined {
  const q = QUOTED_KEY.exec(text);
  if (q) return { key: q[1] ?? q[2], rest: text.slice(q[0].length) };
  if (text.startsWith("'") || text.startsWith('"')) return undefined;
  const m = PLAIN_KEY.exec(text);
  if (!m) return undefined;
  return { key: m[1].trimEnd(), rest: text.slice(m[0].length) };
}

/** A node: the line it starts on, the lines it spans, and how its first line reads. */
interface Node {
  line: number;
  end: number;
  /** Its first line, as seen from inside it (a sequence item's `- ` is removed). */
  first: Line;
  kind: 'map' | 'seq' | 'scalar';
}

const QUOTED_SCALAR = /^(?:"[^"\\]*"|'[^']*')[ \t]*(?:#.*)?$/;

function classify(first: Line): Node['kind'] | undefined {
  if (first.text === '-' || first.text.startsWith('- ')) return 'seq';
  if (/^[&*!{[]/.test(first.text)) return undefined;
  if (keyOf(first.text)) return 'map';
  if (QUOTED_SCALAR.test(first.text)) return 'scalar';
  // Anything else that could still be a key (one this does not read) is the parser's to say.
  return /^['"]|:(?:[ \t]|$)/.test(first.text) ? undefined : 'scalar';
}

/** The node that starts at `line` (its first content line) and runs while lines are deeper than `parent`. */
function nodeAt(ls: Line[], line: number, first: Line, parent: number, end: number): Node | undefined {
  const kind = classify(first);
  if (!kind) return undefined;
  let i = line + 1;
  // A sequence under a key may sit at the key's own indentation.
  const sameIndentSeq = kind === 'seq' && first.indent === parent;
  for (; i < end; i++) {
    const l = ls[i];
    if (!isContent(l)) continue;
    if (l.indent > parent) continue;
    if (sameIndentSeq && l.indent === parent && (l.text === '-' || l.text.startsWith('- '))) continue;
    break;
  }
  return { line, end: i, first, kind };
}

/** The value of a mapping entry whose key is on line `at` (with `rest` after the colon). */
function valueOf(ls: Line[], at: number, indent: number, rest: string, end: number): Node | undefined {
  const value = rest.replace(/(?:^|[ \t]+)#.*$/, '');
  if (value !== '') {
    if (/^[&*!{[]/.test(value) || value === '-' || value.startsWith('- ')) return undefined;
    // A scalar on the key's line, a block scalar's `|`/`>` included, starts there.
    return { line: at, end: at + 1, first: { indent, text: value }, kind: 'scalar' };
  }
  for (let i = at + 1; i < end; i++) {
    if (!isContent(ls[i])) continue;
    const l = ls[i];
    const seqHere = l.indent === indent && (l.text === '-' || l.text.startsWith('- '));
    // An empty value (null) has no line of its own in a form this can be sure of.
    if (l.indent < indent || (l.indent === indent && !seqHere)) return undefined;
    return nodeAt(ls, i, l, indent, end);
  }
  return undefined;
}

function child(ls: Line[], node: Node, part: string | number): Node | 'absent' | undefined {
  if (node.kind === 'scalar') return 'absent';
  const indent = node.first.indent;
  const rows: Array<{ line: number; row: Line }> = [{ line: node.line, row: node.first }];
  for (let i = node.line + 1; i < node.end; i++) if (isContent(ls[i]) && ls[i].indent === indent) rows.push({ line: i, row: ls[i] });
  if (node.kind === 'map') {
    if (typeof part !== 'string') return 'absent';
    let found: Node | undefined | 'absent' = 'absent';
    for (const { line, row } of rows) {
      // A sequence may sit at its key's indentation; its items belong to that key's value.
      if (row.text === '-' || row.text.startsWith('- ')) continue;
      const k = keyOf(row.text);
      if (!k) return undefined;
      if (k.key !== part) continue;
      // A key given twice is for the parser to resolve.
      if (found !== 'absent') return undefined;
      found = valueOf(ls, line, indent, k.rest, node.end);
      if (found === undefined) return undefined;
    }
    return found;
  }
  if (typeof part !== 'number') return 'absent';
  const items = rows.filter(({ row }) => row.text === '-' || row.text.startsWith('- '));
  if (items.length !== rows.length) return undefined;
  const item = items[part];
  if (!item) return 'absent';
  const next = items[part + 1]?.line ?? node.end;
  const after = item.row.text.slice(1);
  const pad = after.length - after.trimStart().length;
  if (after.trim() !== '' && !after.trimStart().startsWith('#')) {
    const inner: Line = { indent: indent + 1 + pad, text: after.trimStart() };
    const kind = classify(inner);
    if (!kind || kind === 'seq') return undefined;
    return { line: item.line, end: next, first: inner, kind };
  }
  for (let i = item.line + 1; i < next; i++) if (isContent(ls[i])) return ls[i].indent > indent ? nodeAt(ls, i, ls[i], indent, next) : undefined;
  return undefined;
}

/**
 * Line (1-based, in `text`) where the value of the deepest part of `field` the document has starts,
 * as `yaml`'s node ranges would place it; 'absent' when not even its first part is there; undefined
 * when the text is not plain enough to be sure.
 */
export function blockLine(text: string, field: Array<string | number>): BlockLine {
  const ls = lines(text);
  if (!ls) return undefined;
  const start = ls.findIndex(isContent);
  if (start === -1 || ls[start].indent !== 0) return undefined;
  let node: Node | undefined = nodeAt(ls, start, ls[start], -1, ls.length);
  if (!node || node.kind !== 'map') return undefined;
  let deepest: number | 'absent' = 'absent';
  for (const part of field) {
    const next = child(ls, node, part);
    if (next === undefined) return undefined;
    if (next === 'absent') return deepest;
    node = next;
    deepest = node.line + 1;
  }
  return deepest;
}
