// Human output; colours follow stdout's TTY-ness separately from the stderr progress helper.
import type { Finding, Report } from '../types.ts';

export function formatPretty(report: Report, colour = process.stdout.isTTY === true && !process.env.NO_COLOR): string {
  const paint = (code: string, s: string) => (colour ? `\u001b[${code}m${s}\u001b[0m` : s);
  const where = (f: Finding) =>
    [f.overlay && `[${f.overlay}]`, f.file, f.kind && `${f.kind}/${f.namespace ? `${f.namespace}/` : ''}${f.name ?? '?'}`, f.kustomization && `(via Kustomization ${f.kustomization})`]
      .filter(Boolean)
      .join(' ');
  const lines: string[] = [];
  for (const o of report.overlays) lines.push(`${paint('2', '•')} ${o.name} (${o.path}): ${o.resources} resources`);
  for (const f of report.findings) {
    const label = f.severity === 'error' ? paint('31', 'error') : paint('33', 'warning');
    lines.push(`${label} ${paint('1', f.rule)} ${where(f)}: ${f.message}`);
  }
  for (const n of report.notes ?? []) lines.push(`${paint('36', 'info')} ${n}`);
  for (const e of report.exceptions) lines.push(`${paint('2', 'exception')} ${e.rule} ${where(e)}: ${e.message}`);
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.length - errors;
  const summary = `${report.overlays.length} overlays, ${errors} errors, ${warnings} warnings, ${report.exceptions.length} exceptions`;
  lines.push(report.ok ? paint('32', `✓ ${summary}`) : paint('31', `✗ ${summary}`));
  return `${lines.join('\n')}\n`;
}
