// GitHub Actions workflow commands; properties and data need their own escaping per the runner docs.
import type { Report } from '../types.ts';

const data = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const prop = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function formatGithub(report: Report): string {
  // info is counted in the summary only; an annotation would be noise on every pull request.
  const lines = report.findings.filter((f) => f.severity !== 'info').map((f) => {
    const cmd = f.severity === 'error' ? 'error' : 'warning';
    const props = [f.file ? `file=${prop(f.file)}` : undefined, f.line ? `line=${f.line}` : undefined, `title=${prop(f.rule)}`].filter(Boolean).join(',');
    const subject = f.kind ? `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name ?? ''}: ` : '';
    return `::${cmd} ${props}::${data(`${f.overlay ? `[${f.overlay}] ` : ''}${subject}${f.message}`)}`;
  });
  for (const e of report.exceptions) lines.push(`::notice title=${prop(e.rule)}::${data(`exception: ${e.message}`)}`);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
