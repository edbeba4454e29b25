// `matrix-gitops validate [DIR] [--overlay NAME] [--format pretty|json|sarif|junit|github]`
import path from 'node:path';
import { UsageError } from '../lib/errors.ts';
import { packageRoot } from '../lib/versions.ts';
import { parseFlags, wantsHelp } from '../lib/args.ts';
import { execute, isEntryPoint } from './command.ts';
import { step, style, warn } from '../lib/progress.ts';
import { validate } from '../validate/report.ts';
import { FORMATS, isFormat } from '../validate/formats/index.ts';

const USAGE = `Usage: matrix-gitops validate [DIR] [--overlay NAME] [--format pretty|json|sarif|junit|github] [--no-cache]

Builds every overlay (overlays/*/) and Flux entry point (flux/*/, clusters/*/) of DIR (default: the
current directory) with kustomize, checks it with kubeconform against the offline schema cache and
with conftest against DIR/policies, and checks that every Secret in DIR is SOPS-encrypted and covered
by .sops.yaml.

Results of unchanged entry points (same rendered YAML, policies, schemas and tool versions) come
from the per-user cache (validate/ under the matrix-gitops cache); --no-cache checks everything again.

Exit codes: 0 no error findings, 1 error findings, 2 usage or environment error.
`;

function parse(argv: string[]): { dir: string; overlay?: string; format: keyof typeof FORMATS; cache: boolean } | 'help' {
  if (wantsHelp(argv)) return 'help';
  const { values, positionals } = parseFlags('validate', argv, {
    overlay: { type: 'string' },
    format: { type: 'string', default: 'pretty' },
    'no-cache': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, true);
  if (positionals.length > 1) throw new UsageError(`expected at most one DIR, got ${positionals.length}: ${positionals.join(' ')}`);
  const format = values.format ?? 'pretty';
  if (!isFormat(format)) throw new UsageError(`unknown format "${format}" (expected ${Object.keys(FORMATS).join('|')})`);
  // This project's own `npm run validate -- DIR` runs in the package root; INIT_CWD is where the user
  // typed it. Anywhere else (a generated repository's scripts and hook, npx) the working directory is meant.
  const inOwnCheckout = process.cwd() === packageRoot && process.env.INIT_CWD;
  const cwd = inOwnCheckout || process.cwd();
  return { dir: path.resolve(cwd, positionals[0] ?? '.'), overlay: values.overlay, format, cache: values['no-cache'] !== true };
}

export async function run(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (args === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const report = await validate({
    dir: args.dir,
    overlay: args.overlay,
    cache: args.cache,
    onOverlay: (o, findings) => {
      const errors = findings.filter((f) => f.severity === 'error').length;
      step(`${o.name}: ${o.resources} resources${errors > 0 ? `, ${style.err(`${errors} errors`)}` : ''}`);
    },
  });
  // Not an error (a fresh scaffold may have none yet), but a silent pass over nothing would mislead.
  if (report.overlays.length === 0) warn(`no overlays/*/ or flux/*/ or clusters/*/ entry points under ${args.dir}`);
  process.stdout.write(FORMATS[args.format](report));
  return report.ok ? 0 : 1;
}

if (isEntryPoint(import.meta.url)) await execute('validate', { run }, process.argv.slice(2));
