#!/usr/bin/env node
// `matrix-gitops <command> [args]`: the one entry point (package.json "bin"; npm scripts of this
// project call it too). A command is a module exporting run(argv), loaded only when it is used, so
// `validate` never loads the Kubernetes client that `status` needs. Adding one is one line below.
import { packageVersion } from '../lib/versions.ts';
import { execute, isEntryPoint, type Command } from './command.ts';
import { passthrough } from './tool.ts';

interface Entry { summary: string; load: () => Promise<Command> }

export const COMMANDS: Record<string, Entry> = {
  init: { summary: 'create a new repository (scaffold into a new, empty directory)', load: () => import('./init.ts') },
  scaffold: { summary: 'write or update a repository from matrix-gitops.yaml (secrets and edits kept)', load: () => import('./scaffold.ts') },
  validate: { summary: 'the gate: kustomize build, kubeconform, conftest policies, secret hygiene', load: () => import('./validate.ts') },
  status: { summary: "the Flux Kustomizations of the kubeconfig's cluster: Ready, revision, last error", load: () => import('./status.ts') },
  setup: { summary: 'install the pinned tools and the offline schema cache into the per-user cache', load: () => import('./setup.ts') },
  doctor: { summary: 'check this machine (Node, Go, tools, schemas, age key, kubeconfig)', load: () => import('./doctor.ts') },
  sops: { summary: 'the pinned sops (edit, decrypt, updatekeys secrets)', load: async () => passthrough('sops') },
  'age-keygen': { summary: 'the pinned age-keygen (make an age key for a new recipient)', load: async () => passthrough('age-keygen') },
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return `Usage: matrix-gitops <command> [options]

Scaffold, validate and deploy a Matrix (Synapse) stack on Kubernetes with Flux, Kustomize and SOPS.

Commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`).join('\n')}

\`matrix-gitops <command> --help\` describes each. Exit codes: 0 ok, 1 findings, 2 usage or
environment error (one line on stderr).
`;
}

export async function main(argv: string[]): Promise<never> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    process.exit(name === undefined ? 2 : 0);
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`${packageVersion()}\n`);
    process.exit(0);
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    process.stderr.write(`matrix-gitops: unknown ${name.startsWith('-') ? 'option' : 'command'} ${name}; see \`matrix-gitops --help\`\n`);
    process.exit(2);
  }
  return execute(name, await entry.load(), rest);
}

if (isEntryPoint(import.meta.url)) await main(process.argv.slice(2));
