// .sops.yaml: one path-scoped creation rule per environment, so a new secret file in any overlay is
// encrypted the same way by hand (`sops edit`) as by the scaffolder.
import { stringify } from 'yaml';
import type { Environment } from '../config/types.ts';
import { ENCRYPTED_REGEX } from './sops.ts';

export function secretsPathRegex(env: Environment): string {
  return `^overlays/${env}/secrets/.*\\.sops\\.ya?ml$`;
}

/** `recipients[env]` lets production and li use different keys; missing envs fall back to `default`. */
export function renderSopsConfig(envs: Environment[], recipients: { default: string[] } & Partial<Record<Environment, string[]>>): string {
  const rules = envs.map((env) => ({
    path_regex: secretsPathRegex(env),
    encrypted_regex: ENCRYPTED_REGEX,
    age: (recipients[env] ?? recipients.default).join(','),
  }));
  return `# Written by matrix-gitops. Secrets are encrypted per environment; see README "Secrets".\n${stringify({ creation_rules: rules }, { lineWidth: 0 })}`;
}
