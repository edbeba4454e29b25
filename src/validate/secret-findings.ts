// A plaintext Secret in git is one problem, however many checks see it: hygiene (no sops stanza,
// not covered by .sops.yaml) and the policies (MX-SEC-001/002 on the rendered copy in every
// overlay). The report keeps one finding that says where the file should go and how to encrypt it.
import type { Finding } from './types.ts';

const SAME_PROBLEM = new Set(['MX-SEC-001', 'MX-SEC-002']);

function overlayOf(file: string): string {
  return /^overlays\/([^/]+)\//.exec(file)?.[1] ?? '<env>';
}

export function mergeSecretFindings(findings: Finding[]): Finding[] {
  const plaintext = findings.filter((f) => f.rule === 'secret-plaintext' && f.file);
  if (plaintext.length === 0) return findings;
  const notCovered = new Set(findings.filter((f) => f.rule === 'secret-not-covered').map((f) => `${f.file}|${f.name}`));
  const names = new Set(plaintext.map((f) => `${f.name}|${f.namespace ?? ''}`));
  const sameSecret = (f: Finding) =>
    f.kind === 'Secret' && (names.has(`${f.name}|${f.namespace ?? ''}`) || (f.namespace !== null && names.has(`${f.name}|`)));
  const rest = findings.filter(
    (f) =>
      f.rule !== 'secret-plaintext' &&
      !(f.rule === 'secret-not-covered' && plaintext.some((p) => p.file === f.file && p.name === f.name)) &&
      !(SAME_PROBLEM.has(f.rule) && sameSecret(f)),
  );
  const merged = plaintext.map((p): Finding => {
    const file = p.file as string;
    const what = `${p.message.replace(/^Secret /, '')}`;
    const uncovered = notCovered.has(`${file}|${p.name}`);
    const target = uncovered ? `overlays/${overlayOf(file)}/secrets/${p.name ?? 'secret'}.sops.yaml` : file;
    const move = uncovered ? `move it to a path .sops.yaml covers (${target}), then ` : '';
    return {
      ...p,
      message: `Secret ${p.namespace ? `${p.namespace}/` : ''}${p.name ?? '?'} is plaintext in git (${what}): ${move}encrypt it with \`sops --encrypt --in-place ${target}\``,
    };
  });
  return [...rest, ...merged];
}
