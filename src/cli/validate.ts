// `npm run validate -- [DIR] [--overlay NAME] [--format pretty|json|sarif|junit|github]`
import { parseArgs } from 'node:util';
import path from 'node:path';
import { UsageError, exitOnKnownError } from '../lib/errors.ts';
import { step, style, warn } from '../lib/progress.ts';
import { validate } from '../validate/report.ts';
import { FORMATS, isFormat } from '../validate/formats/index.ts';

const USAGE = `usage: npm run validate -- [DIR] [--overlay NAME] [--path P]... [--policies DIR] [--crds DIR]...
                            [--format pretty|json|sarif|junit|github] [--no-cache]

Builds DIR (default: the current directory) the way Flux does: from the roots clusters/*, flux/*,
kubernetes/flux*, overlays/* and every --path, it follows each Flux Kustomization's spec.path (with
its targetNamespace, patches, components and postBuild substitution) and renders HelmReleases whose
chart is available offline. Each build is checked with kubeconform against the offline schema cache
plus the CRDs the repository carries (and --crds folders), and with conftest against the bundled
rules (DIR/policies or --policies add to them, or replace them when they hold a main.rego); every
Secret in DIR must be SOPS-encrypted and covered by the nearest .sops.yaml.

--overlay NAME checks one entry: its name or path, or a Flux Kustomization (namespace/name or name).

Results of unchanged entry points (same rendered YAML, policies, schemas and tool versions) come
from .cache/validate; --no-cache checks everything again.

Exit codes: 0 no error findings, 1 error findings, 2 usage or environment error.
`;

interface Args {
  dir: string;
  overlay?: string;
  format: keyof typeof FORMATS;
  cache: boolean;
  paths: string[];
  policies?: string;
  crds: string[];
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
        path: { type: 'string', multiple: true },
        policies: { type: 'string' },
        crds: { type: 'string', multiple: true },
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
  // `npm run` switches to the package root; INIT_CWD is where the user actually typed the command.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  return {
    dir: path.resolve(cwd, positionals[0] ?? '.'),
    overlay: values.overlay,
    format,
    cache: values['no-cache'] !== true,
    paths: values.path ?? [],
    policies: values.policies === undefined ? undefined : path.resolve(cwd, values.policies),
    crds: (values.crds ?? []).map((d) => path.resolve(cwd, d)),
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
    paths: args.paths,
    policies: args.policies,
    crds: args.crds,
    onOverlay: (o, findings) => {
      const errors = findings.filter((f) => f.severity === 'error').length;
      step(`${o.name}: ${o.resources} resources${errors > 0 ? `, ${style.err(`${errors} errors`)}` : ''}`);
    },
  });
  // Not an error (a fresh scaffold may have none yet), but a silent pass over nothing would mislead.
  if (report.overlays.length === 0) warn(`no overlays/*/, flux/*/, clusters/*/ or kubernetes/flux*/ entry points under ${args.dir}; pass --path`);
  process.stdout.write(FORMATS[args.format](report));
  process.exitCode = report.ok ? 0 : 1;
}

main().catch((err: unknown) => exitOnKnownError(err, 'validate'));
