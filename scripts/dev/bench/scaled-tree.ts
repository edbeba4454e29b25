// A copy of a repository whose overlays/* appear `factor` times (overlays/<name>-copy<k> next to
// each original), so the bench can show how the gate grows with the tree. Copies sit at the same
// depth, so their ../../base references still resolve; .sops.yaml gains a rule covering them.
import { cp, mkdtemp, readdir, readFile, writeFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const COPY = ['base', 'overlays', 'flux', 'clusters', 'policies', 'matrix-gitops.yaml', '.sops.yaml'];

export async function scaledTree(repo: string, factor: number): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), `mx-bench-${factor}x-`));
  for (const d of COPY) if (existsSync(path.join(repo, d))) await cp(path.join(repo, d), path.join(dir, d), { recursive: true });
  const overlays = path.join(dir, 'overlays');
  const names = existsSync(overlays) ? (await readdir(overlays, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name) : [];
  for (let k = 2; k <= factor; k++) {
    for (const name of names) await cp(path.join(overlays, name), path.join(overlays, `${name}-copy${k}`), { recursive: true });
  }
  const sops = path.join(dir, '.sops.yaml');
  if (factor > 1 && existsSync(sops)) {
    const text = await readFile(sops, 'utf8');
    const recipient = /age:\s*(age1\w+)/.exec(text)?.[1];
    if (recipient) {
      await writeFile(sops, `${text.trimEnd()}\n  - path_regex: ^overlays/[^/]+-copy\\d+/secrets/.*\\.sops\\.ya?ml$\n    encrypted_regex: ^(data|stringData)$\n    age: ${recipient}\n`);
    }
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
