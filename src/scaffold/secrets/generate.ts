// Secret values from node:crypto only. Each kind matches what its consumer parses.
import { randomBytes, randomInt } from 'node:crypto';
import type { SecretSpec, SecretValue } from '../render/lib.ts';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Uniform characters (randomInt rejects biased draws, unlike a modulo over bytes). */
export function alnum(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[randomInt(ALNUM.length)];
  return out;
}

/**
 * Synapse's signing key file: "ed25519 a_<4 alnum> <unpadded base64 of the 32-byte seed>", one line,
 * as `generate_signing_key` writes it (signedjson.key.write_signing_keys).
 */
export function synapseSigningKey(): string {
  const seed = randomBytes(32).toString('base64').replace(/=+$/, '');
  return `ed25519 a_${alnum(4)} ${seed}\n`;
}

type Generated = Extract<SecretValue, { generate: string }>;

export function generateValue(v: Generated): string {
  switch (v.generate) {
    case 'synapse-signing-key':
      return synapseSigningKey();
    case 'token':
      return randomBytes(v.bytes ?? 32).toString(v.encoding ?? 'base64url');
    case 'password':
      return alnum(v.length ?? 32);
    case 'livekit-key':
      return `API${alnum(12)}`;
    case 'literal':
      return v.value;
  }
}

/**
 * Every key of one Secret; templates refer to sibling keys as {key}; `sameAs` copies a value of a
 * secret generated earlier in the same run (`earlier`, keyed by file path).
 */
export function generateSecret(spec: SecretSpec, earlier: ReadonlyMap<string, Record<string, string>> = new Map()): Record<string, string> {
  const values: Record<string, string> = {};
  const templates: [string, string][] = [];
  for (const [key, v] of Object.entries(spec.data)) {
    if ('template' in v) templates.push([key, v.template]);
    else if ('sameAs' in v) {
      const source = earlier.get(v.sameAs.path)?.[v.sameAs.key];
      if (source === undefined) {
        throw new Error(`${spec.path}: ${key} must equal ${v.sameAs.key} of ${v.sameAs.path}, which was not generated in this run; delete both files to generate them together`);
      }
      values[key] = source;
    } else values[key] = generateValue(v);
  }
  for (const [key, template] of templates) {
    values[key] = template.replace(/\{([^}]+)\}/g, (_, ref: string) => {
      if (!(ref in values)) throw new Error(`secret ${spec.name}: template of ${key} refers to unknown key ${ref}`);
      return values[ref];
    });
  }
  return values;
}
