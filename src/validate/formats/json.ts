import type { Finding, Report } from '../types.ts';

// Fixed key order so diffs of saved reports stay readable whatever module produced a finding.
const ordered = (f: Finding): Finding => ({
  rule: f.rule,
  severity: f.severity,
  overlay: f.overlay,
  file: f.file,
  kind: f.kind,
  name: f.name,
  namespace: f.namespace,
  message: f.message,
  kustomization: f.kustomization ?? null,
});

export function formatJson(report: Report): string {
  const out: Report = {
    ok: report.ok,
    overlays: report.overlays,
    findings: report.findings.map(ordered),
    exceptions: report.exceptions.map(ordered),
    notes: report.notes ?? [],
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
