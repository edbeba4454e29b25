// --help for the project's own dev scripts: answered before the script does anything else, so
// `npm run <script> -- --help` never has a side effect.
import { wantsHelp } from '../../src/lib/args.ts';

/** Prints `text` and exits 0 when argv asks for help. */
export function answerHelp(text: string, argv: string[] = process.argv.slice(2)): void {
  if (!wantsHelp(argv)) return;
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  process.exit(0);
}
