// Human output; colours follow stdout's TTY-ness separately from the stderr progress helper.
// Order: warnings, exceptions, then errors last (closest to the summary, so they never scroll away);
// each grouped by rule with a count, a few examples and the fix. Progress lines on stderr already
// name each entry point, so the report lists them only with --verbose (no line twice on a terminal).
import type { Finding, Report } from '../types.ts';

export interface PrettyOptions {
  /** every finding of every group, info findings and the entry-point list */
  verbose?: boolean;
  /** errors only (the summary still counts everything) */
  quiet?: boolean;
  colour?: boolean;
}

/** Examples shown per warning group without --verbose; errors are always listed in full. */
export const WARNING_EXAMPLES = 3;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function groupBy(findings: Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) groups.set(f.rule, [...(groups.get(f.rule) ?? []), f]);
  return new Map([...groups.entries()].sort((a, b) => a[0].localeCompare(b[0])));
}

function subject(f: Finding): string {
  return f.kind ? `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name ?? '?'}` : '';
}

function location(f: Finding): string {
  return f.file ? ` (${f.file}${f.line ? `:${f.line}` : ''})` : '';
}

/** Entry points are overlays (overlays/*) or Flux entry points (flux/*, clusters/*). */
export function summarise(report: Report): string {
  const overlays = report.overlays.filter((o) => o.path.startsWith('overlays/')).length;
  const flux = report.overlays.length - overlays;
  const resources = report.overlays.reduce((n, o) => n + o.resources, 0);
  const count = (s: Finding['severity']) => report.findings.filter((f) => f.severity === s).length;
  return (
    `${plural(report.overlays.length, 'entry point')} (${plural(overlays, 'overlay')}, ${plural(flux, 'Flux entry point')}), ` +
    `${plural(resources, 'resource')}: ${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ` +
    `${count('info')} info, ${plural(report.exceptions.length, 'exception')}`
  );
}

export function formatPretty(report: Report, opts: PrettyOptions = {}): string {
  const colour = opts.colour ?? (process.stdout.isTTY === true && !process.env.NO_COLOR);
  const paint = (code: string, s: string) => (colour ? `\u001b[${code}m${s}\u001b[0m` : s);
  const lines: string[] = [];
  if (opts.verbose) for (const o of report.overlays) lines.push(`${paint('2', '•')} ${o.name} (${o.path}): ${plural(o.resources, 'resource')}`);

  const group = (label: string, findings: Finding[], limit: number | undefined) => {
    for (const [rule, list] of groupBy(findings)) {
      const info = report.rules?.[rule];
      lines.push(`${label} ${paint('1', rule)} ×${list.length}${info ? ` ${info.title}` : ''}`);
      const shown = limit === undefined ? list : list.slice(0, limit);
      for (const f of shown) {
        // Policy messages already start with "Kind name"; other checks' messages get the subject.
        const named = f.kind !== null && f.message.toLowerCase().startsWith(`${f.kind} ${f.name ?? ''}`.toLowerCase());
        const s = subject(f);
        const via = f.kustomization ? ` (via Kustomization ${f.kustomization})` : '';
        lines.push(`  ${f.overlay ? `[${f.overlay}] ` : ''}${s && !named ? `${s}: ` : ''}${f.message}${location(f)}${via}`);
      }
      if (shown.length < list.length) lines.push(paint('2', `  … ${list.length - shown.length} more (--verbose lists all)`));
      if (info) lines.push(`  ${paint('2', 'fix:')} ${info.help}`);
    }
  };

  if (opts.verbose) group(paint('2', 'info'), report.findings.filter((f) => f.severity === 'info'), undefined);
  if (!opts.quiet) group(paint('33', 'warning'), report.findings.filter((f) => f.severity === 'warning'), opts.verbose ? undefined : WARNING_EXAMPLES);

  // One line per excepted object and rule, with every entry point it applies in and its reason once.
  const exceptions = new Map<string, { e: Finding; overlays: string[] }>();
  for (const e of report.exceptions) {
    const k = `${e.rule}|${subject(e)}|${e.reason ?? e.message}`;
    const seen = exceptions.get(k) ?? { e, overlays: [] };
    if (e.overlay && !seen.overlays.includes(e.overlay)) seen.overlays.push(e.overlay);
    exceptions.set(k, seen);
  }
  // What was not checked, and why (a chart not available offline, another repository's source…).
  for (const n of report.notes ?? []) lines.push(`${paint('36', 'note')} ${n}`);
  for (const { e, overlays } of opts.quiet ? [] : [...exceptions.values()].sort((a, b) => a.e.rule.localeCompare(b.e.rule))) {
    const where = overlays.length > 0 ? ` [${overlays.sort().join(', ')}]` : '';
    lines.push(`${paint('2', 'exception')} ${e.rule} ${subject(e)}${where}: ${e.reason ? `reason: ${e.reason}` : e.message}`);
  }

  group(paint('31', 'error'), report.findings.filter((f) => f.severity === 'error'), undefined);
  const summary = summarise(report);
  lines.push(report.ok ? paint('32', `✓ ${summary}`) : paint('31', `✗ ${summary}`));
  return `${lines.join('\n')}\n`;
}
