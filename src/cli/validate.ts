// `matrix-gitops validate [DIR] [--overlay NAME] [--format pretty|json|sarif|junit|github]`
import path from 'node:path';
import { UsageError } from '../lib/errors.ts';
import { packageRoot } from '../lib/versions.ts';
import { parseFlags, wantsHelp } from '../lib/args.ts';
import { execute, isEntryPoint } from './command.ts';
import { step, style, warn } from '../lib/progress.ts';
import { validate } from '../validate/report.ts';
import { FORMATS, isFormat } from '../validate/formats/index.ts';
import type { Severity } from '../validate/types.ts';

const USAGE = `Usage: matrix-gitops validate [DIR] [--overlay NAME] [--path P]... [--policies DIR] [--crds DIR]...
                              [--format pretty|json|sarif|junit|github] [--no-cache]
                              [--verbose] [--quiet] [--max-warnings N]

Builds DIR (default: the current directory) the way Flux does: from the roots clusters/*, flux/*,
kubernetes/flux*, overlays/* and every --path, it follows each Flux Kustomization's spec.path (with
its targetNamespace, patches, components and postBuild substitution) and renders HelmReleases whose
chart is available offline. Each build is checked with kubeconform against the offline schema cache
plus the CRDs the repository carries (and --crds folders), and with conftest against the bundled
rules (DIR/policies or --policies add to them, or replace them when they hold a main.rego); every
Secret in DIR must be SOPS-encrypted and covered by the nearest .sops.yaml.

--overlay NAME checks one entry: its name or path, or a Flux Kustomization (namespace/name or name).

Results of unchanged entry points (same rendered YAML, policies, schemas and tool versions) come
from the per-user cache (validate/ under the matrix-gitops cache); --no-cache checks everything again.

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
  paths: string[];
  policies?: string;
  crds: string[];
  verbose: boolean;
  quiet: boolean;
  maxWarnings?: number;
}

function parse(argv: string[]): Args | 'help' {
  if (wantsHelp(argv)) return 'help';
  const { values, positionals } = parseFlags('validate', argv, {
    overlay: { type: 'string' },
    format: { type: 'string', default: 'pretty' },
    'no-cache': { type: 'boolean' },
    path: { type: 'string', multiple: true },
    policies: { type: 'string' },
    crds: { type: 'string', multiple: true },
    verbose: { type: 'boolean', short: 'v' },
    quiet: { type: 'boolean', short: 'q' },
    'max-warnings': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  }, true);
  if (positionals.length > 1) throw new UsageError(`expected at most one DIR, got ${positionals.length}: ${positionals.join(' ')}`);
  const format = values.format ?? 'pretty';
  if (!isFormat(format)) throw new UsageError(`unknown format "${format}" (expected ${Object.keys(FORMATS).join('|')})`);
  if (values.verbose && values.quiet) throw new UsageError('--verbose and --quiet exclude each other; pick one');
  const max = values['max-warnings'];
  if (max !== undefined && !/^\d+$/.test(max)) throw new UsageError(`--max-warnings expects a whole number >= 0, got "${max}"`);
  // This project's own `npm run validate -- DIR` runs in the package root; INIT_CWD is where the user
  // typed it. Anywhere else (a generated repository's scripts and hook, npx) the working directory is meant.
  const inOwnCheckout = process.cwd() === packageRoot && process.env.INIT_CWD;
  const cwd = inOwnCheckout || process.cwd();
  return {
    dir: path.resolve(cwd, positionals[0] ?? '.'),
    overlay: values.overlay,
    format,
    cache: values['no-cache'] !== true,
    paths: values.path ?? [],
    policies: values.policies === undefined ? undefined : path.resolve(cwd, values.policies),
    crds: (values.crds ?? []).map((d) => path.resolve(cwd, d)),
    verbose: values.verbose === true,
    quiet: values.quiet === true,
    maxWarnings: max === undefined ? undefined : Number(max),
  };
}

/** The severities the chosen report prints, and so traces to a source line (info only in json, sarif and --verbose). */
function locatedSeverities(args: { format: string; verbose: boolean; quiet: boolean }): ReadonlySet<Severity> {
  if (args.quiet) return new Set(['error']);
  return new Set(args.verbose || args.format === 'json' || args.format === 'sarif' ? ['error', 'warning', 'info'] : ['error', 'warning']);
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
    paths: args.paths,
    policies: args.policies,
    crds: args.crds,
    locate: locatedSeverities(args),
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
  return report.ok && !tooMany ? 0 : 1;
}

if (isEntryPoint(import.meta.url)) await execute('validate', { run }, process.argv.slice(2));
