// Which age key the secrets are encrypted to: --age-key, SOPS_AGE_KEY_FILE, the sops default
// location, or a new key in the repository (git-ignored) that the user is told to back up.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { toolPath } from '../../lib/tools.ts';
import { EnvironmentError, UsageError } from '../../lib/errors.ts';

export interface AgeKey {
  keyFile: string;
  recipients: string[];
  /** true when this run created the key: the caller must say so loudly */
  generated: boolean;
  source: 'flag' | 'SOPS_AGE_KEY_FILE' | 'default location' | 'generated';
}

export const GENERATED_KEY_FILE = 'age.key';

/** Public keys of the identities in a key file (`age-keygen -y` does the derivation). */
export async function recipientsOf(keyFile: string): Promise<string[]> {
  let text: string;
  try {
    text = readFileSync(keyFile, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`${keyFile}: cannot read the age key (${code === 'EISDIR' ? 'a directory' : code ?? 'error'}); pass an age identity file made by age-keygen`);
  }
  if (!/^AGE-SECRET-KEY-1/m.test(text)) throw new UsageError(`${keyFile}: not an age identity file (no AGE-SECRET-KEY-1… line); create one with age-keygen`);
  const r = await execa(toolPath('age-keygen'), ['-y', keyFile], { reject: false });
  if (r.exitCode !== 0) throw new UsageError(`${keyFile}: age-keygen -y cannot read it: ${r.stderr.trim().split('\n')[0]}`);
  return r.stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('age1'));
}

export async function resolveAgeKey(opts: { ageKeyFile?: string; repoDir: string; env?: NodeJS.ProcessEnv }): Promise<AgeKey> {
  const env = opts.env ?? process.env;
  const candidates: [string | undefined, AgeKey['source']][] = [
    [opts.ageKeyFile, 'flag'],
    [env.SOPS_AGE_KEY_FILE, 'SOPS_AGE_KEY_FILE'],
  ];
  for (const [file, source] of candidates) {
    if (!file) continue;
    if (!existsSync(file)) throw new UsageError(`${source === 'flag' ? '--age-key' : 'SOPS_AGE_KEY_FILE'}: ${file} does not exist; point it at an age key file or leave it unset to generate one`);
    return { keyFile: path.resolve(file), recipients: await recipientsOf(file), generated: false, source };
  }
  const sopsDefault = path.join(env.XDG_CONFIG_HOME ?? path.join(env.HOME ?? homedir(), '.config'), 'sops', 'age', 'keys.txt');
  if (existsSync(sopsDefault)) return { keyFile: sopsDefault, recipients: await recipientsOf(sopsDefault), generated: false, source: 'default location' };
  const inRepo = path.join(opts.repoDir, GENERATED_KEY_FILE);
  if (existsSync(inRepo)) return { keyFile: inRepo, recipients: await recipientsOf(inRepo), generated: false, source: 'generated' };
  return { keyFile: inRepo, recipients: [], generated: true, source: 'generated' };
}

/** Creates a new identity file (mode 0600, as age-keygen writes it). */
export async function generateAgeKey(file: string): Promise<string[]> {
  const r = await execa(toolPath('age-keygen'), ['-o', file], { reject: false });
  if (r.exitCode !== 0) throw new EnvironmentError(`age-keygen could not create ${file}: ${r.stderr.trim().split('\n')[0]}`);
  return recipientsOf(file);
}
