// One testsuite per overlay (plus one for repository-wide hygiene) so CI UIs group by overlay.
import type { Finding, Report } from '../types.ts';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function formatJunit(report: Report): string {
  const suites: { name: string; findings: Finding[] }[] = report.overlays.map((o) => ({
    name: o.name,
    findings: report.findings.filter((f) => f.overlay === o.name && f.severity !== 'info'),
  }));
  suites.push({ name: 'repository', findings: report.findings.filter((f) => f.overlay === null && f.severity !== 'info') });
  const body = suites.map((s) => {
    const errors = s.findings.filter((f) => f.severity === 'error');
    const cases = s.findings.map((f) => {
      const name = esc(`${f.rule} ${f.kind ?? ''} ${f.namespace ? `${f.namespace}/` : ''}${f.name ?? f.file ?? ''}`.trim());
      const inner =
        f.severity === 'error'
          ? `<failure type="${esc(f.rule)}" message="${esc(f.message)}">${esc(f.file ?? '')}</failure>`
          : `<system-out>${esc(`warning: ${f.message}`)}</system-out>`;
      return `    <testcase classname="${esc(s.name)}" name="${name}">${inner}</testcase>`;
    });
    if (cases.length === 0) cases.push(`    <testcase classname="${esc(s.name)}" name="validate"/>`);
    return `  <testsuite name="${esc(s.name)}" tests="${cases.length}" failures="${errors.length}" errors="0">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="matrix-gitops validate">\n${body.join('\n')}\n</testsuites>\n`;
}
