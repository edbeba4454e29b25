// A unified diff for a conflict report, from the system's diff(1) (diffutils), so the output is the
// format every reviewer knows.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execaSync } from 'execa';

export function unifiedDiff(file: string, yours: string, ours: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mx-diff-'));
  try {
    writeFileSync(path.join(dir, 'a'), yours);
    writeFileSync(path.join(dir, 'b'), ours);
    const r = execaSync('diff', ['-u', '--label', `${file} (yours)`, '--label', `${file} (matrix-gitops)`, path.join(dir, 'a'), path.join(dir, 'b')], { reject: false });
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
