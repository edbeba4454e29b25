// Secret files of a scaffolded repository: generated once, encrypted with sops, then kept byte-for-byte.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SecretSpec } from '../render/lib.ts';
import { generateSecret } from './generate.ts';
import { secretManifest } from './manifest.ts';
import { encryptYaml } from './sops.ts';
import { recipientsFor, type SopsRecipients } from './sops-config.ts';

export { decryptFile, encryptYaml, ENCRYPTED_REGEX } from './sops.ts';
export { renderSopsConfig, secretsPathRegex, sopsRecipients, recipientsFor, environmentOfSecret, type SopsRecipients } from './sops-config.ts';
export { resolveAgeKey, generateAgeKey, recipientsOf, GENERATED_KEY_FILE, type AgeKey } from './age-key.ts';
export { generateSecret, synapseSigningKey } from './generate.ts';

function hasSameAs(spec: SecretSpec): boolean {
  return Object.values(spec.data).some((v) => 'sameAs' in v);
}

/**
 * Generates and encrypts each spec into `outDir/spec.path`. The caller passes only the specs whose
 * files do not exist yet; existing secret files are never regenerated. `byEnvironment` (from
 * sopsRecipients(config)) encrypts an environment's files to its own recipients, as .sops.yaml says.
 */
export async function writeSecretFiles(
  specs: SecretSpec[],
  outDir: string,
  recipients: string[],
  byEnvironment?: Omit<SopsRecipients, 'default'>,
): Promise<void> {
  const all: SopsRecipients = { ...byEnvironment, default: recipients };
  // Values first (a `sameAs` value copies one generated earlier), in an order that puts sources first.
  const ordered = [...specs].sort((a, b) => Number(hasSameAs(a)) - Number(hasSameAs(b)));
  const values = new Map<string, Record<string, string>>();
  for (const spec of ordered) values.set(spec.path, generateSecret(spec, values));
  // Two at a time: each sops run is a short process, and the machine may have two cores.
  const queue = [...ordered];
  await Promise.all([0, 1].map(async () => {
    for (let spec = queue.shift(); spec; spec = queue.shift()) {
      const encrypted = await encryptYaml(secretManifest(spec, values.get(spec.path) ?? {}), recipientsFor(spec.path, all), spec.path);
      const target = path.join(outDir, spec.path);
      await mkdir(path.dirname(target), { recursive: true });
      // 'wx': a secret file that exists is never replaced, even if a caller passes its spec by mistake.
      try {
        await writeFile(target, encrypted, { mode: 0o644, flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        throw new Error(`${spec.path} already exists; secret files are written once and kept (delete it first to generate a new one)`);
      }
    }
  }));
}
