// The real sops binary. Plaintext travels through stdin/stdout only, never argv or a file.
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { toolPath } from '../../lib/tools.ts';
import { EnvironmentError } from '../../lib/errors.ts';

/** What Flux's kustomize-controller decrypts and what the validate gate expects encrypted. */
export const ENCRYPTED_REGEX = '^(data|stringData)$';

function firstLine(text: string): string {
  // sops error output never contains the plaintext it was given, but keep only its first line.
  return text.trim().split('\n')[0] ?? '';
}

/** Encrypts a YAML document to the age recipients; `filename` only tells sops the format and path. */
export async function encryptYaml(plaintext: string, recipients: string[], filename: string): Promise<string> {
  if (recipients.length === 0) throw new EnvironmentError('no age recipient to encrypt secrets to; pass --age-key or set ageRecipients');
  const r = await execa(
    toolPath('sops'),
    ['encrypt', '--age', recipients.join(','), '--encrypted-regex', ENCRYPTED_REGEX, '--input-type', 'yaml', '--output-type', 'yaml', '--filename-override', filename],
    // A neutral cwd: a .sops.yaml found by walking up must not change what we asked for.
    { input: plaintext, reject: false, cwd: tmpdir(), env: { SOPS_DISABLE_VERSION_CHECK: '1' }, stripFinalNewline: false },
  );
  if (r.exitCode !== 0) throw new EnvironmentError(`sops could not encrypt ${filename}: ${firstLine(r.stderr)}`);
  return r.stdout;
}

/** Decrypts a sops file with the age identities in `keyFile`. */
export async function decryptFile(file: string, keyFile: string): Promise<string> {
  const r = await execa(toolPath('sops'), ['decrypt', file], {
    reject: false,
    env: { SOPS_AGE_KEY_FILE: keyFile, SOPS_DISABLE_VERSION_CHECK: '1' },
    stripFinalNewline: false,
  });
  if (r.exitCode !== 0) throw new EnvironmentError(`sops could not decrypt ${file}: ${firstLine(r.stderr)}`);
  return r.stdout;
}
