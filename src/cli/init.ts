// `matrix-gitops init DIR [scaffold flags]`: scaffold into a new directory. The same as
// `scaffold --out DIR`, except that it refuses a directory that already has files, so it can never
// touch an existing repository by mistake (re-runs go through `scaffold`).
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../lib/errors.ts';
import { helpHint, wantsHelp } from '../lib/args.ts';
import { run as scaffold } from './scaffold.ts';
import { execute, isEntryPoint } from './command.ts';

const HELP = `Usage: matrix-gitops init DIR [scaffold options]

Creates a new Flux-ready repository for a Matrix stack in DIR (which must not exist or be empty):
the same as \`matrix-gitops scaffold --out DIR\`, with every scaffold option (see
\`matrix-gitops scaffold --help\`). To update an existing repository, run scaffold in it.

Exit codes: 0 written; 2 usage or environment error (nothing written).`;

export async function run(argv: string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const dir = argv[0];
  if (dir === undefined || dir.startsWith('-')) throw new UsageError(`DIR: missing; name the new repository directory first, e.g. \`matrix-gitops init my-matrix --server-name example.org\`; ${helpHint('init')}`);
  if (argv.slice(1).some((a) => a === '--out' || a.startsWith('--out='))) throw new UsageError(`--out: init takes the directory as its first argument; drop --out (or use \`matrix-gitops scaffold --out DIR\`)`);
  const out = path.resolve(dir);
  if (existsSync(out) && (!statSync(out).isDirectory() || readdirSync(out).length > 0)) {
    throw new UsageError(`${dir}: already exists and is not empty; init only creates new repositories (to update one, run \`matrix-gitops scaffold --out ${dir}\`)`);
  }
  try {
    return await scaffold(['--out', dir, ...argv.slice(1)]);
  } catch (err) {
    // The flags are scaffold's, but the user typed init: point at the help they can reach from here.
    if (err instanceof UsageError) throw new UsageError(err.message.replace(helpHint('scaffold'), helpHint('init')));
    throw err;
  }
}

if (isEntryPoint(import.meta.url)) await execute('init', { run }, process.argv.slice(2));
