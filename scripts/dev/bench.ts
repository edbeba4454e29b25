// `npm run bench [-- --rounds N] [DIR]`: our full gate vs the naive per-overlay `kustomize build | kubeconform`,
// timed on the same tree in the same run so machine noise hits both sides alike.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { projectRoot } from '../../src/lib/versions.ts';
import { toolPath } from '../../src/lib/tools.ts';
import { UsageError, exitOnKnownError } from '../../src/lib/errors.ts';
import { step, done, warn } from '../../src/lib/progress.ts';
import { parseFlags } from '../../src/lib/args.ts';
import { answerHelp } from './help.ts';
import { discover, checkRepoDir } from '../../src/validate/discover.ts';
import { schemaDir, checkSchemaCache } from '../../src/validate/schema.ts';
import { validate } from '../../src/validate/report.ts';

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

async function main(): Promise<void> {
  answerHelp(`Usage: npm run bench -- [--rounds N] [DIR]

Times the full validate gate (cold and cached) against the naive per-overlay
\`kustomize build | kubeconform\` loop on the same tree (DIR, default this project), N rounds each
(default 5), and prints medians and the ratio.`);
  const { values, positionals } = parseFlags('npm run bench', process.argv.slice(2), { rounds: { type: 'string', default: '5' } }, true);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new UsageError(`--rounds must be a positive integer, got ${values.rounds}`);
  const repo = await checkRepoDir(positionals[0] ?? projectRoot);
  checkSchemaCache();
  // The naive pipeline people copy only knows kustomization roots, so it gets exactly those.
  const overlays = (await discover(repo)).filter((e) => e.hasKustomization);
  if (overlays.length === 0) warn(`no overlays under ${repo}; timings measure start-up only`);
  const location = path.join(schemaDir(), '{{ .ResourceKind }}{{ .KindSuffix }}.json');

  // Cold: every check runs (--no-cache). Warm: what a pre-push run over unchanged overlays pays
  // (kustomize builds, hygiene, results of unchanged entries from the cache).
  const cli = (extra: string[]) => async () => {
    const r = await execa(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src/cli/validate.ts'), repo, '--format', 'json', ...extra], {
      reject: false,
      cwd: projectRoot,
    });
    if (r.exitCode === 2) throw new Error(`validate failed: ${r.stderr}`);
  };
  const ours = cli(['--no-cache']);
  const oursWarm = cli([]);
  // The gate without node+tsx start-up (~0.3 s here), i.e. what a long-lived caller or a compiled build pays.
  const oursInProcess = async () => {
    await validate({ dir: repo, cache: false });
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

  // One untimed round each warms the page cache and tsx's transform cache.
  await ours();
  await oursWarm();
  await oursInProcess();
  await naive();
  const tOurs: number[] = [];
  const tWarm: number[] = [];
  const tIn: number[] = [];
  const tNaive: number[] = [];
  for (let i = 1; i <= rounds; i++) {
    // Alternate the order so neither side always runs on a warmer machine.
    if (i % 2) {
      tOurs.push(await time(ours));
      tWarm.push(await time(oursWarm));
      tIn.push(await time(oursInProcess));
      tNaive.push(await time(naive));
    } else {
      tNaive.push(await time(naive));
      tIn.push(await time(oursInProcess));
      tWarm.push(await time(oursWarm));
      tOurs.push(await time(ours));
    }
    step(`round ${i}/${rounds}: validate ${tOurs[i - 1].toFixed(0)} ms (cached ${tWarm[i - 1].toFixed(0)} ms, in-process ${tIn[i - 1].toFixed(0)} ms), naive ${tNaive[i - 1].toFixed(0)} ms`);
  }
  const mo = median(tOurs);
  const mw = median(tWarm);
  const mi = median(tIn);
  const mn = median(tNaive);
  done(`${overlays.length} overlays, ${rounds} rounds`);
  process.stdout.write(
    `validate CLI, every check (kustomize + kubeconform + conftest + hygiene, --no-cache): median ${mo.toFixed(0)} ms\n` +
      `validate CLI, unchanged tree (results from the cache): median ${mw.toFixed(0)} ms\n` +
      `validate in-process (same checks, no node/tsx start-up): median ${mi.toFixed(0)} ms\n` +
      `naive (sequential kustomize build | kubeconform -strict): median ${mn.toFixed(0)} ms\n` +
      `ratio validate CLI/naive: ${(mo / mn).toFixed(2)}\n` +
      `ratio validate CLI cached/naive: ${(mw / mn).toFixed(2)}\n` +
      `ratio validate in-process/naive: ${(mi / mn).toFixed(2)}\n`,
  );
}

main().catch((err: unknown) => exitOnKnownError(err, 'bench'));
