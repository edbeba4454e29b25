// Asks for the main config values the config file and flags left out: only on a TTY, never with
// --yes. Each question shows its default (Enter takes it) and re-asks until the answer is valid.
import { createInterface, type Interface } from 'node:readline';
import { FORMATS } from './config/formats.ts';
import { DEFAULT_COMPONENTS, doubledPrefix, serverHost } from './config/defaults.ts';
import { ENVIRONMENTS, type Components, type Environment, type MatrixConfig } from './config/types.ts';
import type { DeepPartial } from './config/load.ts';
import { UsageError } from '../lib/errors.ts';

export interface Question {
  /** config field path, named in errors */
  key: string;
  prompt: string;
  default?: string;
  /** a problem to show before asking again, or undefined when the answer is fine */
  check: (answer: string) => string | undefined;
}

export class Prompter {
  private readonly rl: Interface;
  private readonly lines: AsyncIterator<string>;

  constructor(input: NodeJS.ReadableStream = process.stdin, private readonly output: NodeJS.WritableStream = process.stderr) {
    // Lines come from one iterator, so answers typed (or pasted) ahead of a prompt are not lost.
    this.rl = createInterface({ input, terminal: false });
    this.lines = this.rl[Symbol.asyncIterator]();
  }

  async ask(q: Question): Promise<string> {
    for (;;) {
      this.output.write(`${q.prompt}${q.default !== undefined ? ` [${q.default}]` : ''}: `);
      const next = await this.lines.next();
      if (next.done) throw new UsageError(`${q.key}: no answer (input ended); pass it as a flag or in the config`);
      const typed = String(next.value).trim();
      const answer = typed || q.default || '';
      const problem = answer ? q.check(answer) : 'a value is required';
      if (!problem) return answer;
      this.output.write(`  ${problem}; try again\n`);
    }
  }

  close(): void {
    this.rl.close();
  }
}

const list = (a: string): string[] => a.split(',').map((s) => s.trim()).filter(Boolean);
const format = (name: string) => (a: string) => (FORMATS[name].validate(a) ? undefined : FORMATS[name].hint);

export const SERVER_NAME_QUESTION: Question = {
  key: 'serverName',
  prompt: 'Matrix server name (the part after the colon in @alice:example.org)',
  check: format('server-name'),
};

/** What is already known: the config file's content with the flags over it (both may be partial). */
export interface Known {
  serverName?: string;
  environments?: string[];
  hosts?: { synapse?: string; element?: string };
  components?: Partial<Components>;
  li?: { allowedCidrs?: string[] };
  git?: { url?: string };
  acme?: { email?: string };
}

/**
 * Prompts for each main field `known` lacks, in an order where later defaults derive from earlier
 * answers (hosts from serverName). Returns the answers as config overrides.
 */
export async function promptMissing(known: Known, prompter: Prompter): Promise<DeepPartial<MatrixConfig>> {
  const o: DeepPartial<MatrixConfig> = {};
  const serverName = known.serverName ?? (o.serverName = await prompter.ask(SERVER_NAME_QUESTION));
  const host = serverHost(serverName);
  // The domain the host defaults hang off (matrix.example.org → example.org: never matrix.matrix.…).
  const domain = doubledPrefix(host) ? host.slice(host.indexOf('.') + 1) : host;
  let envs = known.environments;
  if (!envs) {
    envs = list(await prompter.ask({
      key: 'environments',
      prompt: `Environments (comma list of ${ENVIRONMENTS.join(', ')})`,
      default: 'homelab,production',
      check: (a) => {
        const bad = list(a).find((e) => !(ENVIRONMENTS as readonly string[]).includes(e));
        if (bad) return `"${bad}" is not one of ${ENVIRONMENTS.join(', ')}`;
        if (list(a).includes('li') && !list(a).includes('production')) return 'li is a copy next to production; add production';
        return undefined;
      },
    }));
    o.environments = envs as Environment[];
  }
  if (!known.hosts?.synapse || !known.hosts.element) {
    const hosts: { synapse?: string; element?: string } = {};
    if (!known.hosts?.synapse) hosts.synapse = await prompter.ask({ key: 'hosts.synapse', prompt: 'Synapse host', default: doubledPrefix(host) === 'matrix' ? host : `matrix.${domain}`, check: format('hostname-strict') });
    if (!known.hosts?.element) hosts.element = await prompter.ask({ key: 'hosts.element', prompt: 'Element Web host', default: `chat.${domain}`, check: format('hostname-strict') });
    o.hosts = hosts;
  }
  if (!known.components) {
    const names = Object.keys(DEFAULT_COMPONENTS);
    // Workers and monitoring run only in production, the admin UI only behind the li allow-list.
    const needs: Record<string, Environment> = { workers: 'production', monitoring: 'production', synapseAdmin: 'li' };
    const chosen = envs;
    const defaults = names.filter((n) => (needs[n] ? chosen.includes(needs[n]) : DEFAULT_COMPONENTS[n as keyof Components]));
    const on = list(await prompter.ask({
      key: 'components',
      prompt: `Components to enable (comma list of ${names.join(', ')})`,
      default: defaults.join(','),
      check: (a) => {
        const bad = list(a).find((c) => !names.includes(c));
        if (bad) return `"${bad}" is not one of ${names.join(', ')}`;
        const misplaced = list(a).find((c) => needs[c] && !chosen.includes(needs[c]));
        return misplaced ? `${misplaced} needs the ${needs[misplaced]} environment; leave it out` : undefined;
      },
    }));
    o.components = Object.fromEntries(names.map((n) => [n, on.includes(n)])) as Partial<Components>;
  }
  if (envs.includes('li') && !known.li?.allowedCidrs?.length) {
    o.li = {
      allowedCidrs: list(await prompter.ask({
        key: 'li.allowedCidrs',
        prompt: 'CIDRs allowed to reach the li ingress (comma list)',
        check: (a) => {
          const bad = list(a).find((c) => !FORMATS.cidr.validate(c));
          return bad ? `"${bad}" ${FORMATS.cidr.hint}` : undefined;
        },
      })),
    };
  }
  if (!known.git?.url) {
    o.git = { url: await prompter.ask({ key: 'git.url', prompt: 'Git URL Flux pulls this repository from', default: `https://git.${host}/ops/matrix-gitops.git`, check: format('git-url') }) };
  }
  if (envs.includes('production') && !known.acme?.email) {
    o.acme = { email: await prompter.ask({ key: 'acme.email', prompt: "Let's Encrypt (ACME) e-mail", default: `admin@${host}`, check: format('email') }) };
  }
  return o;
}
