// `npm run build` (and prepack): bundles the CLI with esbuild into dist/cli/ (main.js, the package's
// bin, plus one chunk per lazily loaded command and the code they share) and copies the
// non-TypeScript files src/ reads at run time (the config JSON schema) to dist/ laid out like src/.
// Why a bundle: Node resolving and compiling ~300 ES modules (execa alone is 120 files) was ~130 ms
// of every invocation, more than half of a cold `validate --help`. Every chunk sits in dist/cli/,
// at the depth src/cli/ has, so the package root resolves the same way from both.
import { chmodSync, cpSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { projectRoot } from '../../src/lib/versions.ts';
import { answerHelp } from './help.ts';

answerHelp(`Usage: npm run build

Bundles src/cli/main.ts into dist/cli/ with esbuild (ESM, one chunk per lazily loaded command) and
copies src/**/*.json beside it. npm pack runs it (prepack); dist/cli/main.js is the package's bin.
Type checking is \`npm run typecheck\`.`);

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
const result = await build({
  absWorkingDir: projectRoot,
  entryPoints: { 'cli/main': path.join(src, 'cli', 'main.ts') },
  outdir: dist,
  chunkNames: 'cli/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // The Kubernetes client is large and only `status` loads it: it stays a dependency, loaded from node_modules.
  external: ['@kubernetes/client-node'],
  // Bundled CommonJS dependencies (cross-spawn, which) call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
}).catch(() => undefined);
if (!result || result.errors.length > 0) {
  process.stderr.write('build: esbuild failed (see above); nothing to pack\n');
  process.exit(1);
}
const copied = assets(src);
for (const f of copied) cpSync(f, path.join(dist, path.relative(src, f)));
chmodSync(path.join(dist, 'cli', 'main.js'), 0o755);
process.stdout.write(`built dist/ (${readdirSync(path.join(dist, 'cli')).length} bundle file(s), ${copied.length} asset file(s) copied)\n`);
