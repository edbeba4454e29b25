// A unified diff (the format every reviewer knows) for a conflict report. Compact LCS in-process:
// no diff(1) on PATH needed, no temp files. The common head and tail are cut first, so a typical
// hand edit compares a handful of lines; a huge rewrite falls back to "all old out, all new in".
const CONTEXT = 3;
const MAX_CELLS = 4_000_000;

type Op = { kind: ' ' | '-' | '+'; line: string; a: number; b: number };

// A last line without its newline differs from the same line with one (as in diff -u).
const NO_EOL = '\u0000';

function lines(text: string): { list: string[]; eolAtEnd: boolean } {
  const list = text.split('\n');
  const eolAtEnd = list[list.length - 1] === '';
  if (eolAtEnd) list.pop();
  else list[list.length - 1] += NO_EOL;
  return { list, eolAtEnd };
}

/** Edit script from old lines `a` to new lines `b` (indices are 0-based line numbers). */
function editScript(a: string[], b: string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const ops: Op[] = [];
  for (let i = 0; i < head; i++) ops.push({ kind: ' ', line: a[i], a: i, b: i });
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const n = am.length;
  const m = bm.length;
  if ((n + 1) * (m + 1) > MAX_CELLS) {
    am.forEach((line, i) => ops.push({ kind: '-', line, a: head + i, b: head }));
    bm.forEach((line, j) => ops.push({ kind: '+', line, a: head + n, b: head + j }));
  } else {
    // lcs[i][j] = length of the LCS of am[i..] and bm[j..]
    const w = m + 1;
    const lcs = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * w + j] = am[i] === bm[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && am[i] === bm[j]) { ops.push({ kind: ' ', line: am[i], a: head + i, b: head + j }); i++; j++; }
      // On a tie remove before adding, as diff -u prints it.
      else if (i < n && (j === m || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) { ops.push({ kind: '-', line: am[i], a: head + i, b: head + j }); i++; }
      else { ops.push({ kind: '+', line: bm[j], a: head + i, b: head + j }); j++; }
    }
  }
  for (let k = tail; k > 0; k--) ops.push({ kind: ' ', line: a[a.length - k], a: a.length - k, b: b.length - k });
  return ops;
}

const range = (start: number, count: number): string => (count === 1 ? `${start + 1}` : `${count === 0 ? start : start + 1},${count}`);

/** `diff -u` style text from `yours` (on disk) to `ours` (what the tool would write); '' when equal. */
export function unifiedDiff(file: string, yours: string, ours: string): string {
  if (yours === ours) return '';
  const a = lines(yours);
  const b = lines(ours);
  const ops = editScript(a.list, b.list);
  const changed = ops.map((o, k) => (o.kind === ' ' ? -1 : k)).filter((k) => k >= 0);
  const out = [`--- ${file} (yours)`, `+++ ${file} (matrix-gitops)`];
  let k = 0;
  while (k < changed.length) {
    // Extend the hunk while the next change is within 2×CONTEXT unchanged lines.
    let last = k;
    while (last + 1 < changed.length && changed[last + 1] - changed[last] <= 2 * CONTEXT) last++;
    const from = Math.max(0, changed[k] - CONTEXT);
    const to = Math.min(ops.length - 1, changed[last] + CONTEXT);
    const hunk = ops.slice(from, to + 1);
    const aCount = hunk.filter((o) => o.kind !== '+').length;
    const bCount = hunk.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${range(hunk[0].a, aCount)} +${range(hunk[0].b, bCount)} @@`);
    for (const o of hunk) {
      out.push(`${o.kind}${o.line.replace(NO_EOL, '')}`);
      // Only the very last line of a file can lack its newline.
      const lastOfA = o.kind !== '+' && o.a === a.list.length - 1 && !a.eolAtEnd;
      const lastOfB = o.kind !== '-' && o.b === b.list.length - 1 && !b.eolAtEnd;
      if (lastOfA || lastOfB) out.push('\\ No newline at end of file');
    }
    k = last + 1;
  }
  return `${out.join('\n')}\n`;
}
