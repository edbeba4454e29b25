// sha256 of every file below a folder (outside .git), so "nothing written" or "unchanged" in a test
// means byte for byte.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      if (e === '.git') continue;
      const f = path.join(d, e);
      if (statSync(f).isDirectory()) walk(f);
      else out.set(path.relative(dir, f), createHash('sha256').update(readFileSync(f)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}
