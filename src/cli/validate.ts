// `npm run validate -- [DIR] [--overlay NAME] [--format pretty|json|sarif|junit|github]`
import { parseArgs } from 'node:util';
import path from 'node:path';
import { UsageError, exitOnKnownError } from '../lib/errors.ts';
import { step, style, warn } from '../lib/progress.ts';
import { validate } from '../validate/report.ts';
import { FORMATS, isFormat } from '../validate/formats/index.ts';

const USAGE = `usage: npm run validate -- [DIR] [--overlay NAME] [--format pretty|json|sarif|junit|github] [--no-cache]
                             [--verbose] [--quiet] [--max-warnings N]

Builds every overlay (overlays/*/) and Flux entry point (flux/*/, clusters/*/) of DIR (default: the
current directory) with kustomize, checks it with kubeconform against the offline schema cache and
with conftest against DIR/policies, and checks that every Secret in DIR is SOPS-encrypted and covered
by .sops.yaml.

Results of unchanged entry points (same rendered YAML, policies, schemas and tool versions) come
from .cache/validate; --no-cache checks everything again.

The pretty report groups findings by rule: warnings with a count and a few examples, then counted
exceptions, then every error with its fix. --verbose lists every finding (and the info-level ones,
which are otherwise only counted); --quiet reports errors only; --max-warnings N fails the run
when there are more than N warnings (info does not count), as eslint does.

Exit codes: 0 no error findings, 1 error findings (or more warnings than --max-warnings),
2 usage or environment error (including a DIR with no entry points).
`;

interface Args {
  dir: string;
  overlay?: string;
  format: keyof typeof FORMATS;
  cache: boolean;
  verbose: boolean;
  quiet: boolean;
  maxWarnings?: number;
}

function parse(argv: string[]): Args | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        overlay: { type: 'string' },
        format: { type: 'string', default: 'pretty' },
        'no-cache': { type: 'boolean' },
        verbose: { type: 'boolean', short: 'v' },
        quiet: { type: 'boolean', short: 'q' },
        'max-warnings': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    // parseArgs' messages are multi-line; keep just the first to honour the one-line contract.
    throw new UsageError(`${(err as Error).message.split('\n')[0]} (see --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length > 1) throw new UsageError(`expected at most one DIR, got ${positionals.length}: ${positionals.join(' ')}`);
  const format = values.format ?? 'pretty';
  if (!isFormat(format)) throw new UsageError(`unknown format "${format}" (expected ${Object.keys(FORMATS).join('|')})`);
  if (values.verbose && values.quiet) throw new UsageError('--verbose and --quiet exclude each other; pick one');
  const max = values['max-warnings'];
  if (max !== undefined && !/^\d+$/.test(max)) throw new UsageError(`--max-warnings expects a whole number >= 0, got "${max}"`);
  // `npm run` switches to the package root; INIT_CWD is where the user actually typed the command.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  return {
    dir: path.resolve(cwd, positionals[0] ?? '.'),
    overlay: values.overlay,
    format,
    cache: values['no-cache'] !== true,
    verbose: values.verbose === true,
    quiet: values.quiet === true,
    maxWarnings: max === undefined ? undefined : Number(max),
  };
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  if (args === 'help') {
    process.stdout.write(USAGE);
    return;
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
  const warnings = report.findings.filter((f) => f.severity === 'warning').length;
  const tooMany = args.maxWarnings !== undefined && warnings > args.maxWarnings;
  // --quiet: errors only, in every format; the pretty summary still counts what it hides.
  const shown = args.quiet && args.format !== 'pretty' ? { ...report, findings: report.findings.filter((f) => f.severity === 'error'), exceptions: [] } : report;
  process.stdout.write(FORMATS[args.format](shown, { verbose: args.verbose, quiet: args.quiet }));
  if (tooMany) warn(`${warnings} warnings, more than --max-warnings ${args.maxWarnings}`);
  process.exitCode = report.ok && !tooMany ? 0 : 1;
}

main().catch((err: unknown) => exitOnKnownError(err, 'validate'));
