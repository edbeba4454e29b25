// Tests that run a generated repository's own commands (`npm run validate`, `npx matrix-gitops …`)
// need the `matrix-gitops` devDependency installed. This checkout stands in for the installed package
// through the repository's node_modules/.bin (where npm run and npx look first);
// test/integration/package.test.ts installs the real tarball.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/lib/versions.ts';

export function installCliShim(repoDir: string): void {
  const bin = path.join(repoDir, 'node_modules', '.bin');
  mkdirSync(bin, { recursive: true });
  const tsx = path.join(projectRoot, 'node_modules', '.bin', 'tsx');
  writeFileSync(path.join(bin, 'matrix-gitops'), `#!/bin/sh\nexec "${tsx}" "${path.join(projectRoot, 'src', 'cli', 'main.ts')}" "$@"\n`, { mode: 0o755 });
}
