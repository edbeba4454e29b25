// `npm run bench [-- --rounds N] [--scales 1,5,10] [--profile] [DIR]`: our full gate (the compiled CLI
// as the package ships it) vs the naive
// per-overlay `kustomize build | kubeconform`, timed on the same tree in the same run so machine
// noise hits both sides alike; then the same on copies of the tree with its overlays 5x and 10x
// (ratio and time per resource per row, so growth is visible); --profile prints the five rules the
// Rego time goes to (opa eval --profile, the engine conftest embeds).
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { projectRoot } from '../../src/lib/versions.ts';
import { parseFlags } from '../../src/lib/args.ts';
import { answerHelp } from './help.ts';
import { toolPath } from '../../src/lib/tools.ts';
import { UsageError, exitOnKnownError } from '../../src/lib/errors.ts';
import { step, done, warn } from '../../src/lib/progress.ts';
import { discover, checkRepoDir } from '../../src/validate/discover.ts';
import { schemaDir, checkSchemaCache } from '../../src/validate/schema.ts';
import { validate } from '../../src/validate/report.ts';
import { walk } from '../../src/validate/flux-graph.ts';
import { scaledTree } from './bench/scaled-tree.ts';
import { profileRules } from './bench/rego-profile.ts';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function time(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const SHIPPED = path.join(projectRoot, 'dist', 'cli', 'main.js');

interface Row {
  scale: number;
  entries: number;
  resources: number;
  ours: number;
  naive: number;
}

/** Cold gate (validate CLI --no-cache) and naive loop on one tree, alternating, medians. */
async function measure(repo: string, rounds: number, label: string): Promise<Omit<Row, 'scale'> & { warm?: number; inProcess?: number }> {
  // The naive pipeline people copy only knows kustomization roots, so it gets exactly those.
  const entries = await discover(repo);
  const overlays = entries.filter((e) => e.hasKustomization);
  if (overlays.length === 0) warn(`no overlays under ${repo}; timings measure start-up only`);
  const location = path.join(schemaDir(), '{{ .ResourceKind }}{{ .KindSuffix }}.json');
  const cli = (extra: string[]) => async () => {
    // The default report, as the generated pre-push hook runs it (`matrix-gitops validate`), into a pipe.
    const r = await execa(process.execPath, [SHIPPED, 'validate', repo, ...extra], { reject: false, cwd: projectRoot });
    if (r.exitCode === 2) throw new Error(`validate failed: ${r.stderr}`);
  };
  const naive = async () => {
    for (const o of overlays) {
      await execa(toolPath('kustomize'), ['build', '--load-restrictor', 'LoadRestrictionsNone', o.absPath], { reject: false }).pipe(
        toolPath('kubeconform'),
        ['-strict', '-schema-location', location, '-summary'],
        { reject: false },
      );
    }
  };
  const ours = cli(['--no-cache']);
  // One untimed round each warms the page cache and tsx's transform cache.
  await ours();
  await naive();
  const tOurs: number[] = [];
  const tNaive: number[] = [];
  for (let i = 1; i <= rounds; i++) {
    // Alternate the order so neither side always runs on a warmer machine.
    if (i % 2) {
      tOurs.push(await time(ours));
      tNaive.push(await time(naive));
    } else {
      tNaive.push(await time(naive));
      tOurs.push(await time(ours));
    }
    step(`${label} round ${i}/${rounds}: validate ${tOurs[i - 1].toFixed(0)} ms, naive ${tNaive[i - 1].toFixed(0)} ms`);
  }
  // Entry points and resources as validate counts them (the Flux walk), not the naive loop's roots.
  const { builts } = await walk(repo);
  return { entries: builts.length, resources: builts.reduce((n, b) => n + b.docs.length, 0), ours: median(tOurs), naive: median(tNaive) };
}

async function main(): Promise<void> {
  answerHelp(`Usage: npm run bench -- [--rounds N] [--scales 1,5,10] [--profile] [DIR]

Builds dist/ (npm run build) and times the full validate gate as the package ships it and the
generated pre-push hook runs it (default report; cold and cached; also from the TypeScript sources
through tsx) against the naive per-overlay
\`kustomize build | kubeconform\` loop on the same tree (DIR, default this project), N rounds each
(default 5), then on copies of the tree with its overlays repeated (--scales), and prints medians,
ratios and time per resource; --profile prints the five rules the Rego time goes to.`);
  const { values, positionals } = parseFlags('npm run bench', process.argv.slice(2), {
    rounds: { type: 'string', default: '5' }, scales: { type: 'string', default: '1,5,10' }, profile: { type: 'boolean' },
  }, true);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new UsageError(`--rounds must be a positive integer, got ${values.rounds}`);
  const scales = (values.scales ?? '1').split(',').map(Number);
  if (scales.some((x) => !Number.isInteger(x) || x < 1)) throw new UsageError(`--scales must list positive integers (1,5,10), got ${values.scales}`);
  const repo = await checkRepoDir(positionals[0] ?? projectRoot);
  checkSchemaCache();
  // The gate is timed as the package ships it (compiled dist/, plain node), which is what a
  // scaffolded repository's hook and CI run; the tsx row below shows what the sources cost.
  step('building dist/ (npm run build)');
  const b = await execa(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'scripts/dev/build.ts')], { reject: false, cwd: projectRoot });
  if (b.exitCode !== 0) throw new UsageError(`npm run build failed: ${(b.stderr || b.stdout).trim().split('\n')[0]}`);

  if (values.profile) {
    const built = (await walk(repo)).builts;
    const top = await profileRules(repo, built);
    process.stdout.write(`opa eval --profile over ${built.reduce((n, b) => n + b.docs.length, 0)} documents, top rules by time:\n`);
    for (const t of top) process.stdout.write(`  ${t.rule.padEnd(36)} ${t.ms.toFixed(0).padStart(6)} ms  ${t.evals} evals\n`);
  }

  // What a pre-push run over an unchanged tree pays (results from the cache), and the gate without
  // node+tsx start-up (what a long-lived caller pays): for the project's tree only.
  const warmCli = async () => {
    await execa(process.execPath, [SHIPPED, 'validate', repo], { reject: false, cwd: projectRoot });
  };
  // `npm run validate` in this checkout runs the TypeScript sources through tsx, which costs start-up.
  const tsxCli = async () => {
    await execa(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src/cli/main.ts'), 'validate', repo, '--no-cache'], { reject: false, cwd: projectRoot });
  };
  await warmCli();
  await tsxCli();
  const tWarm: number[] = [];
  const tIn: number[] = [];
  const tTsx: number[] = [];
  for (let i = 0; i < rounds; i++) {
    tWarm.push(await time(warmCli));
    tIn.push(await time(async () => void (await validate({ dir: repo, cache: false, locate: new Set(['error', 'warning']) }))));
    tTsx.push(await time(tsxCli));
  }

  const rows: Row[] = [];
  for (const scale of scales) {
    const tree = scale === 1 ? { dir: repo, cleanup: async () => {} } : await scaledTree(repo, scale);
    try {
      rows.push({ scale, ...(await measure(tree.dir, rounds, `${scale}x`)) });
    } finally {
      await tree.cleanup();
    }
  }
  done(`${rounds} rounds per tree`);
  const out = [
    'tree   entry points  resources  validate --no-cache  naive loop   ratio  validate/resource  naive/resource',
    ...rows.map(
      (r) =>
        `${`${r.scale}x`.padEnd(6)} ${String(r.entries).padStart(12)}  ${String(r.resources).padStart(9)}  ${`${r.ours.toFixed(0)} ms`.padStart(19)}  ${`${r.naive.toFixed(0)} ms`.padStart(10)}  ${(r.ours / r.naive).toFixed(2).padStart(6)}  ${`${(r.ours / r.resources).toFixed(2)} ms`.padStart(17)}  ${`${(r.naive / r.resources).toFixed(2)} ms`.padStart(14)}`,
    ),
  ];
  const first = rows.find((r) => r.scale === 1);
  if (first) {
    out.push(
      `validate CLI, unchanged tree (results from the cache): median ${median(tWarm).toFixed(0)} ms (ratio ${(median(tWarm) / first.naive).toFixed(2)})`,
      `validate in-process (no node/tsx start-up), --no-cache: median ${median(tIn).toFixed(0)} ms (ratio ${(median(tIn) / first.naive).toFixed(2)})`,
      `validate from the TypeScript sources (tsx, as \`npm run validate\` here), --no-cache: median ${median(tTsx).toFixed(0)} ms (ratio ${(median(tTsx) / first.naive).toFixed(2)})`,
      `ratio validate CLI/naive: ${(first.ours / first.naive).toFixed(2)}`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => exitOnKnownError(err, 'bench'));
