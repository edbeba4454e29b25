// `matrix-gitops sops ...` and `matrix-gitops age-keygen ...`: the pinned binaries from the per-user
// cache, so a repository's README can say `npx matrix-gitops sops edit FILE` without sops on PATH.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { toolPath, type ToolName } from '../lib/tools.ts';
import { versions } from '../lib/versions.ts';
import { UsageError } from '../lib/errors.ts';
import { helpHint } from '../lib/args.ts';

function help(binary: ToolName): string {
  const pin = Object.values(versions().tools).find((p) => p.binaries.includes(binary));
  const sops = binary === 'sops'
    ? `\nThe age private key: SOPS_AGE_KEY_FILE; when neither it nor SOPS_AGE_KEY is set and ./age.key
exists (the key the scaffolder generates), that file is used. \`matrix-gitops sops help\` prints
sops' own help.\n`
    : `\n\`matrix-gitops ${binary} -- --help\` prints ${binary}'s own help.\n`;
  return `Usage: matrix-gitops ${binary} [ARGS...]

Runs the pinned ${binary} ${pin?.version ?? ''} (installed by \`matrix-gitops setup\`) with ARGS, in the
current directory; its exit code is this command's.
${sops}`;
}

/** The environment for sops: the repository's generated key when the user named none. */
export function sopsEnv(env: NodeJS.ProcessEnv, cwd: string): NodeJS.ProcessEnv {
  if (env.SOPS_AGE_KEY_FILE || env.SOPS_AGE_KEY) return env;
  const local = path.join(cwd, 'age.key');
  return existsSync(local) ? { ...env, SOPS_AGE_KEY_FILE: local } : env;
}

export function passthrough(binary: ToolName): { run(argv: string[]): Promise<number> } {
  return {
    async run(argv: string[]): Promise<number> {
      // Only a leading --help is ours; `sops edit --help` and the like belong to the tool.
      if (argv[0] === '--help' || argv[0] === '-h') {
        process.stdout.write(help(binary));
        return 0;
      }
      if (argv.length === 0) throw new UsageError(`missing ${binary} arguments, e.g. \`matrix-gitops ${binary} ${binary === 'sops' ? 'decrypt FILE' : '-o key.txt'}\`; ${helpHint(binary)}`);
      const args = argv[0] === '--' ? argv.slice(1) : argv;
      const file = toolPath(binary);
      const env = binary === 'sops' ? sopsEnv(process.env, process.cwd()) : process.env;
      return new Promise((resolve, reject) => {
        const child = spawn(file, args, { stdio: 'inherit', env });
        child.on('error', reject);
        child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1)));
      });
    },
  };
}
