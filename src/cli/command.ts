// What a subcommand is: a module exporting `run(argv)` that resolves to the exit code. Known errors
// (usage, environment) end as one line on stderr with exit 2; anything else is a bug and shows its stack.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { EnvironmentError, UsageError } from '../lib/errors.ts';

export interface Command {
  run(argv: string[]): Promise<number>;
}

/** Runs a command and exits with its code; `name` prefixes the error line (`validate: ...`). */
export async function execute(name: string, command: Command, argv: string[]): Promise<never> {
  let code: number;
  try {
    code = await command.run(argv);
  } catch (err) {
    if (err instanceof UsageError || err instanceof EnvironmentError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      code = err.exitCode;
    } else {
      throw err;
    }
  }
  // exitCode + natural exit would wait for stray handles (k8s client keep-alive); the commands are done.
  process.exit(code);
}

/** True when `moduleUrl` is the script Node was started with (`tsx src/cli/validate.ts ...`). */
export function isEntryPoint(moduleUrl: string): boolean {
  try {
    return moduleUrl === pathToFileURL(realpathSync(process.argv[1] ?? '')).href;
  } catch {
    return false;
  }
}
