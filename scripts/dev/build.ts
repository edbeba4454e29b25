// `npm run build` (and prepack): compiles src/ to dist/ with tsc (tsconfig.build.json) and copies the
// non-TypeScript files src/ reads at run time (the config JSON schema) beside the compiled modules,
// so dist/ is laid out like src/ and the package root resolves the same way from both.
import { chmodSync, cpSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { projectRoot } from '../../src/lib/versions.ts';
import { answerHelp } from './help.ts';

answerHelp(`Usage: npm run build

Compiles src/ to dist/ (tsc -p tsconfig.build.json, relative .ts imports rewritten to .js) and
copies src/**/*.json beside it. npm pack runs it (prepack); dist/cli/main.js is the package's bin.`);

const src = path.join(projectRoot, 'src');
const dist = path.join(projectRoot, 'dist');

function assets(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const full = path.join(dir, e);
    if (statSync(full).isDirectory()) return assets(full);
    return e.endsWith('.ts') ? [] : [full];
  });
}

rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [path.join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(projectRoot, 'tsconfig.build.json')], { stdio: 'inherit', cwd: projectRoot });
if (tsc.status !== 0) {
  process.stderr.write('build: tsc failed (see above); nothing to pack\n');
  process.exit(tsc.status ?? 1);
}
const copied = assets(src);
for (const f of copied) cpSync(f, path.join(dist, path.relative(src, f)));
chmodSync(path.join(dist, 'cli', 'main.js'), 0o755);
process.stdout.write(`built dist/ (${copied.length} asset file(s) copied)\n`);
