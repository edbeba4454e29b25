// Runs node:test over the *.test.ts files of the given tiers (Node 20's --test has no globs).
// Usage: tsx scripts/dev/run-tests.ts unit integration [-- extra node --test flags]
//        tsx scripts/dev/run-tests.ts --all   (npm test: typecheck, unit + integration, boot, e2e build + run)
import { readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { projectRoot } from '../../src/lib/versions.ts';
import { answerHelp } from './help.ts';

const TIERS = ['unit', 'integration', 'boot', 'e2e'];

answerHelp(`Usage: npm test | npm run test:unit | npm run test:boot | npm run test:e2e [-- NODE_TEST_FLAGS]

Runs node:test over test/<tier>/**/*.test.ts (test:unit runs the unit and integration tiers;
\`npm test\` runs the typecheck, unit + integration, boot, then the e2e tier, building its binaries first when they are not cached).
Extra flags after \`--\` go to node --test (e.g. --test-name-pattern=scaffold). TEST_CONCURRENCY
overrides the file concurrency (default 2; 1 for boot and e2e).`);

function testFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return entry === 'fixtures' ? [] : testFiles(full);
    return entry.endsWith('.test.ts') ? [full] : [];
  });
}

function step(cmd: string, args: string[]): number {
  return spawnSync(cmd, args, { stdio: 'inherit', cwd: projectRoot }).status ?? 1;
}

const args = process.argv.slice(2);
if (args[0] === '--all') {
  // Sequential, stopping at the first failure, as `a && b && c` did.
  const tsx = (file: string, ...rest: string[]): [string, string[]] => [process.execPath, ['--import', 'tsx', file, ...rest]];
  const steps: [string, string[]][] = [
    [process.execPath, [path.join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit']],
    tsx(path.join('scripts', 'dev', 'run-tests.ts'), 'unit', 'integration'),
    tsx(path.join('scripts', 'dev', 'run-tests.ts'), 'boot'),
    tsx(path.join('scripts', 'dev', 'run-tests.ts'), 'e2e'),
  ];
  for (const [cmd, a] of steps) {
    const code = step(cmd, a);
    if (code !== 0) process.exit(code);
  }
  process.exit(0);
}
// `npm run test:unit -- --test-name-pattern=x` arrives without the `--`: dashed words are node flags.
const sep = args.indexOf('--');
const before = sep === -1 ? args : args.slice(0, sep);
const tiers = before.filter((a) => !a.startsWith('-'));
const extra = [...before.filter((a) => a.startsWith('-')), ...(sep === -1 ? [] : args.slice(sep + 1))];
const unknown = tiers.find((t) => !TIERS.includes(t));
if (unknown) {
  process.stderr.write(`run-tests: unknown tier ${unknown} (expected ${TIERS.join(', ')}; node --test flags go after --); see \`npm test -- --help\`\n`);
  process.exit(2);
}
const files = tiers.flatMap((t) => testFiles(path.join(projectRoot, 'test', t))).sort();
if (files.length === 0) {
  process.stderr.write(`run-tests: no *.test.ts files under test/{${tiers.join(',')}}\n`);
  process.exit(1);
}
// The boot and e2e tiers need their environment first (Debian packages, the Synapse venv, LiveKit;
// the e2e binaries). It is prepared here, after --help was answered, rather than by a step in front
// of this one in the npm script, which `npm run test:boot -- --help` would still have run.
const prepare: Record<string, string> = { boot: 'boot-setup.ts', e2e: 'e2e-build.ts' };
for (const t of tiers) {
  if (!prepare[t]) continue;
  const code = step(process.execPath, ['--import', 'tsx', path.join('scripts', 'dev', prepare[t])]);
  if (code !== 0) process.exit(code);
}
const concurrency = process.env.TEST_CONCURRENCY ?? (tiers.some((t) => t === 'boot' || t === 'e2e') ? '1' : '2');
process.exit(step(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...extra, ...files]));
