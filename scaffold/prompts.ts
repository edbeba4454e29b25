// Asks for values the config and flags left out, only on a TTY and never with --yes.
import { createInterface } from 'node:readline/promises';
import { isServerName } from './config/formats.ts';
import { UsageError } from '../scripts/lib/errors.ts';

export interface Question {
  key: string;
  prompt: string;
  default?: string;
  /** returns a problem to show before asking again, or undefined when the answer is fine */
  check: (answer: string) => string | undefined;
}

export const SERVER_NAME_QUESTION: Question = {
  key: 'serverName',
  prompt: 'Matrix server name (the part after the colon in @alice:example.org)',
  check: (a) => (isServerName(a) ? undefined : 'a domain (example.org), domain:port, IPv4 or [IPv6]'),
};

export async function ask(questions: Question[], input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stderr): Promise<Record<string, string>> {
  // Lines are read from one iterator, so answers typed (or pasted) ahead of a prompt are not lost.
  const rl = createInterface({ input, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  const answers: Record<string, string> = {};
  try {
    for (const q of questions) {
      for (;;) {
        output.write(`${q.prompt}${q.default ? ` [${q.default}]` : ''}: `);
        const next = await lines.next();
        if (next.done) throw new UsageError(`${q.key}: no answer (input ended); pass it as a flag or in the config`);
        const answer = String(next.value).trim() || q.default || '';
        const problem = answer ? q.check(answer) : 'a value is required';
        if (!problem) {
          answers[q.key] = answer;
          break;
        }
        output.write(`  ${problem}; try again\n`);
      }
    }
  } finally {
    rl.close();
  }
  return answers;
}
