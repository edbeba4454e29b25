// Runs node:test over the *.test.ts files of the given tiers (Node 20's --test has no globs).
// Usage: tsx scripts/dev/run-tests.ts unit integration [-- extra node --test flags]
import { readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { projectRoot } from '../../src/lib/versions.ts';

function testFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return entry === 'fixtures' ? [] : testFiles(full);
    return entry.endsWith('.test.ts') ? [full] : [];
  });
}

const args = process.argv.slice(2);
const sep = args.indexOf('--');
const tiers = sep === -1 ? args : args.slice(0, sep);
const extra = sep === -1 ? [] : args.slice(sep + 1);
const files = tiers.flatMap((t) => testFiles(path.join(projectRoot, 'test', t))).sort();
if (files.length === 0) {
  process.stderr.write(`run-tests: no *.test.ts files under test/{${tiers.join(',')}}\n`);
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? (tiers.some((t) => t === 'boot' || t === 'e2e') ? '1' : '2');
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...extra, ...files], {
  stdio: 'inherit',
  cwd: projectRoot,
});
process.exit(r.status ?? 1);
