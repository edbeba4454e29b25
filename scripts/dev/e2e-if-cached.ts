// `npm test`'s last step: runs the e2e tier (npm run test:e2e) only when its binaries are already
// built (scripts/dev/e2e-build.ts), because a cold build takes about 20 minutes of `go build` on this
// machine's 2 cores (test/e2e/README.md "In CI?"). A fresh clone (CI) has no .cache/e2e, so it skips
// with one line unless E2E_CACHE_DIR points at a built cache. E2E_SKIP=1 skips it always.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { binaryPath, e2ePins } from './e2e-build.ts';
import { projectRoot } from '../../src/lib/versions.ts';

const missing = [...Object.keys(e2ePins().binaries).map(binaryPath), e2ePins().etcd.binary].filter((f) => !existsSync(f));
if (process.env.E2E_SKIP === '1' || missing.length > 0) {
  const why = process.env.E2E_SKIP === '1' ? 'E2E_SKIP=1' : `not built: ${missing.map((f) => path.relative(projectRoot, f)).join(', ')}`;
  process.stdout.write(`test:e2e skipped (${why}); build with \`npx tsx scripts/dev/e2e-build.ts\`, run with \`npm run test:e2e\`\n`);
} else {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join('scripts', 'dev', 'run-tests.ts'), 'e2e'], { cwd: projectRoot, stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
}
