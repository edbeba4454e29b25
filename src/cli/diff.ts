// `matrix-gitops diff`:
// what the cluster would receive differently between two revisions, object by object.
import path from 'node:path';
import { UsageError } from '../lib/errors.ts';
import { parseFlags } from '../lib/args.ts';
import { execute, isEntryPoint } from './command.ts';
import { step } from '../lib/progress.ts';
import { checkRepoDir } from '../validate/discover.ts';
import { compare, isEmpty } from '../diff/compare.ts';
import { FORMATS, MARKDOWN_CAP, isFormat, json, markdown, text, type Format } from '../diff/format.ts';
import { renderTree } from '../diff/objects.ts';
import { checkGitRepo, defaultBase, treeAt, workTree, type Tree } from '../diff/revision.ts';

const HELP = `Usage: matrix-gitops diff [DIR] [--base REV] [--head REV] [--format text|markdown|json] [--max-chars N] [--exit-code]

Renders every entry point (overlays/*/, flux/*/, clusters/*/ and the folders their Kustomizations
build) of the git repository DIR (default: the current directory) at two revisions and prints the
objects added, removed and changed, by kind/namespace/name, with a unified diff of each changed one.
Hash suffixes of generated ConfigMaps and Secrets and checksum/* annotations are normalised, so a
renamed hash is one change. Secrets only show that they changed, never a value (encrypted or not).

  --base REV        default: the merge base of HEAD with the default branch (origin's, main or master)
  --head REV        default: the work tree as it is now (uncommitted changes included)
  --format FORMAT   text (default), markdown (a pull-request comment, capped) or json
  --max-chars N     markdown size cap (default ${MARKDOWN_CAP}; GitHub refuses comments over 65536)
  --exit-code       exit 1 when there is a difference (as git diff --exit-code)
  -h, --help        this text

Exit codes: 0 done (1 with --exit-code and a difference, or when an entry point fails to build);
2 usage or environment error.`;

interface Options { dir: string; base?: string; head?: string; format: Format; cap: number; exitCode: boolean }

export function parseOptions(argv: string[]): Options | 'help' {
  const parsed = parseFlags('diff', argv, {
    base: { type: 'string' }, head: { type: 'string' }, format: { type: 'string' }, 'max-chars': { type: 'string' },
    'exit-code': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  }, true);
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length > 1) throw new UsageError(`expected at most one DIR, got ${positionals.length}: ${positionals.join(' ')}`);
  const format = values.format ?? 'text';
  if (!isFormat(format)) throw new UsageError(`--format: unknown format "${format}" (expected ${FORMATS.join('|')})`);
  const capText = values['max-chars'] ?? String(MARKDOWN_CAP);
  const cap = Number(capText);
  if (!/^\d+$/.test(capText) || cap < 1000) throw new UsageError(`--max-chars: "${capText}" must be a whole number of at least 1000`);
  for (const k of ['base', 'head'] as const) {
    if (values[k] === '') throw new UsageError(`--${k}: empty; name a branch, tag or commit`);
  }
  // `npm run` switches to the package root; INIT_CWD is where the user typed the command.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  return { dir: path.resolve(cwd, positionals[0] ?? '.'), base: values.base, head: values.head, format, cap, exitCode: values['exit-code'] === true };
}

export async function run(argv: string[]): Promise<number> {
  const opts = parseOptions(argv);
  if (opts === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const dir = await checkRepoDir(opts.dir);
  await checkGitRepo(dir);
  const baseRev = opts.base ?? (await defaultBase(dir));
  const trees: Tree[] = [];
  try {
    const base = await treeAt(dir, baseRev);
    trees.push(base);
    const head = opts.head === undefined ? workTree(dir) : await treeAt(dir, opts.head);
    trees.push(head);
    const baseLabel = opts.base ?? `merge base ${baseRev.slice(0, 12)}`;
    step(`rendering ${baseLabel} and ${head.label}`);
    const [a, b] = await Promise.all([renderTree(base.dir), renderTree(head.dir)]);
    const result = compare(a, b, { base: baseLabel, head: head.label });
    const print: Record<Format, () => string> = {
      text: () => text(result, process.stdout.isTTY === true),
      markdown: () => markdown(result, opts.cap),
      json: () => json(result),
    };
    process.stdout.write(print[opts.format]());
    if (result.entries.some((e) => e.errors.length)) return 1;
    return opts.exitCode && !isEmpty(result) ? 1 : 0;
  } finally {
    await Promise.all(trees.map((t) => t.dispose()));
  }
}

if (isEntryPoint(import.meta.url)) await execute('diff', { run }, process.argv.slice(2));
