// A unified diff (the format every reviewer knows) for plans, conflicts and object diffs. jsdiff
// computes the hunks in-process (no diff(1) on PATH, no temp files); this module only picks the
// labels and turns the hunks into `diff -u` text.
import { structuredPatch } from 'diff';

const CONTEXT = 3;

const range = (start: number, count: number): string => (count === 1 ? `${start}` : `${start},${count}`);

/**
 * `diff -u` style text from `from` to `to`; '' when equal. `labels` name the two sides after the
 * file name (default: the user's file on disk against what the tool would write).
 */
export function unifiedDiff(file: string, from: string, to: string, labels: [string, string] = ['yours', 'matrix-gitops']): string {
  if (from === to) return '';
  const patch = structuredPatch(file, file, from, to, '', '', { context: CONTEXT });
  const out = [`--- ${file} (${labels[0]})`, `+++ ${file} (${labels[1]})`];
  for (const h of patch.hunks) {
    // jsdiff numbers an empty side from 1 (as 1,0); diff -u says 0,0.
    const oldStart = h.oldLines === 0 ? h.oldStart - 1 : h.oldStart;
    const newStart = h.newLines === 0 ? h.newStart - 1 : h.newStart;
    out.push(`@@ -${range(oldStart, h.oldLines)} +${range(newStart, h.newLines)} @@`, ...h.lines);
  }
  return `${out.join('\n')}\n`;
}

/** Red/green diff lines, only when `tty` (a redirected diff stays a plain patch) and NO_COLOR is unset. */
export function colourDiff(diff: string, tty: boolean = process.stdout.isTTY === true): string {
  if (!tty || process.env.NO_COLOR) return diff;
  return diff.replace(/^([-+@].*)$/gm, (line) => {
    const code = line.startsWith('@') ? '36' : line.startsWith('+') ? '32' : '31';
    return `\u001b[${code}m${line}\u001b[0m`;
  });
}
