// Decrypts a SOPS-encrypted object the way kustomize-controller does (whole tree, JSON store, MAC not
// checked: the build adds fields such as metadata.namespace, which Flux tolerates the same way), with
// the operator's local age identity; used for substituteFrom and whole-file-encrypted documents.
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { scratchDir } from '../lib/scratch.ts';
import { execa } from 'execa';
import { toolPath } from '../lib/tools.ts';
import type { Manifest } from './types.ts';
import { asRecord } from './types.ts';

/** sops' own default age key location, besides SOPS_AGE_KEY(_FILE). */
function defaultKeyFile(): string {
  const base = process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config');
  return path.join(base, 'sops', 'age', 'keys.txt');
}

export function sopsKeyAvailable(): boolean {
  return Boolean(process.env.SOPS_AGE_KEY) || (process.env.SOPS_AGE_KEY_FILE !== undefined && existsSync(process.env.SOPS_AGE_KEY_FILE)) || existsSync(defaultKeyFile());
}

/** The plaintext object, or undefined when sops cannot decrypt it (no matching key). Never logs values. */
export async function decryptDoc(doc: Manifest): Promise<Manifest | undefined> {
  // A private temp file, not /dev/stdin: sops cannot open /dev/stdin when it is a socket.
  const dir = await scratchDir('mx-sops-');
  const file = path.join(dir, 'doc.json');
  let r;
  try {
    await writeFile(file, JSON.stringify(doc), { mode: 0o600 });
    r = await execa(toolPath('sops'), ['decrypt', '--ignore-mac', '--input-type', 'json', '--output-type', 'json', file], {
      reject: false,
      env: { SOPS_DISABLE_VERSION_CHECK: '1' },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (r.exitCode !== 0) return undefined;
  try {
    return asRecord(JSON.parse(String(r.stdout)));
  } catch {
    return undefined;
  }
}
