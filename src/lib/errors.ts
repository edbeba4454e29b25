// Errors that end a command with one clear line and a fixed exit code.
// Exit codes across the product: 0 ok, 1 findings, 2 usage or environment error.

export class UsageError extends Error {
  readonly exitCode = 2;
}

export class EnvironmentError extends Error {
  readonly exitCode = 2;
}

/** Print one line for a known error and exit; rethrow anything unexpected. */
export function exitOnKnownError(err: unknown, command: string): never {
  if (err instanceof UsageError || err instanceof EnvironmentError) {
    process.stderr.write(`${command}: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  throw err;
}
