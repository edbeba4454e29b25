// SARIF 2.1.0 as GitHub code scanning accepts it: every result needs a ruleId, a message and a location.
import type { Report } from '../types.ts';

export function formatSarif(report: Report): string {
  const ruleIds = [...new Set(report.findings.map((f) => f.rule))].sort();
  const results = report.findings.map((f) => ({
    ruleId: f.rule,
    ruleIndex: ruleIds.indexOf(f.rule),
    level: f.severity,
    message: {
      text: [f.overlay && `[${f.overlay}]`, f.kind && `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name ?? ''}:`, f.message]
        .filter(Boolean)
        .join(' '),
    },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: f.file ?? '.', uriBaseId: '%SRCROOT%' },
          region: { startLine: f.line ?? 1 },
        },
      },
    ],
    partialFingerprints: { primaryLocationLineHash: `${f.rule}:${f.overlay ?? ''}:${f.kind ?? ''}:${f.namespace ?? ''}:${f.name ?? ''}` },
  }));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'matrix-gitops-validate',
            informationUri: 'https://github.com/matrix-gitops/matrix-gitops',
            rules: ruleIds.map((id) => ({ id, name: id, shortDescription: { text: id } })),
          },
        },
        results,
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
