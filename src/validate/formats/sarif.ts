// SARIF 2.1.0 as GitHub code scanning accepts it: every result needs a ruleId, a message and a
// location. Rules carry their title, help text and a help URI into docs/policies.md, so the
// code-scanning view explains each finding and links to the rule's reference.
import type { Report } from '../types.ts';
import { DOCS_URI } from '../rule-meta.ts';

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

export function formatSarif(report: Report): string {
  const ruleIds = [...new Set(report.findings.map((f) => f.rule))].sort();
  const results = report.findings.map((f) => ({
    ruleId: f.rule,
    ruleIndex: ruleIds.indexOf(f.rule),
    level: LEVEL[f.severity],
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
  const rules = ruleIds.map((id) => {
    const info = report.rules?.[id];
    const uri = `${DOCS_URI}#${info?.anchor ?? id.toLowerCase()}`;
    return {
      id,
      name: id,
      shortDescription: { text: info?.title ?? id },
      fullDescription: { text: info?.help ?? info?.title ?? id },
      help: { text: info?.help ?? id, markdown: `${info?.help ?? id}\n\n[${id} in docs/policies.md](${uri})` },
      helpUri: uri,
    };
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'matrix-gitops-validate',
            informationUri: 'https://github.com/matrix-gitops/matrix-gitops',
            rules,
          },
        },
        results,
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
