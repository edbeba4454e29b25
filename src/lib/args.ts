// Flag parsing for every command: node:util parseArgs, with its multi-line messages turned into the
// product's one-line contract ("which flag, what is wrong, where to look").
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Where a command's help lives, for the error line: a subcommand name, or `npm run X` for dev scripts. */
export function helpHint(command: string): string {
  return command.startsWith('npm run ') ? `see \`${command} -- --help\`` : `see \`matrix-gitops ${command} --help\``;
}

/** The one-line form of a parseArgs error. Exported for the commands that scan argv by hand. */
export function usageLine(err: unknown, command: string): string {
  const e = err as { code?: string; message?: string };
  const quoted = /'([^']+)'/.exec(e.message ?? '')?.[1];
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted) return `unknown option ${quoted}; ${helpHint(command)}`;
  if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && quoted) return `unexpected argument ${quoted}; ${helpHint(command)}`;
  // ERR_PARSE_ARGS_INVALID_OPTION_VALUE: "Option '--out <value>' argument missing" and similar.
  return `${(e.message ?? String(err)).split('\n')[0].replace(/\.$/, '')}; ${helpHint(command)}`;
}

export function parseFlags<O extends Options>(command: string, argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError(usageLine(err, command));
  }
}

/** True when argv asks for help; checked before anything else so --help never has side effects. */
export function wantsHelp(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}
