// .sops.yaml: one path-scoped creation rule per environment, so a new secret file in any overlay is
// encrypted the same way by hand (`sops edit`) as by the scaffolder.
import { stringify } from 'yaml';
import { ENVIRONMENTS, type Environment, type MatrixConfig } from '../config/types.ts';
import { ENCRYPTED_REGEX } from './sops.ts';

export function secretsPathRegex(env: Environment): string {
  return `^overlays/${env}/secrets/.*\\.sops\\.ya?ml$`;
}

export type SopsRecipients = { default: string[] } & Partial<Record<Environment, string[]>>;

/** The recipients of a config, as renderSopsConfig and writeSecretFiles take them. */
export function sopsRecipients(config: Pick<MatrixConfig, 'ageRecipients' | 'ageRecipientsByEnvironment'>, fallback: string[] = []): SopsRecipients {
  return { ...config.ageRecipientsByEnvironment, default: config.ageRecipients.length ? config.ageRecipients : fallback };
}

/** The environment whose creation rule covers a repo-relative secret path (undefined outside overlays/<env>/secrets/). */
export function environmentOfSecret(secretPath: string): Environment | undefined {
  return ENVIRONMENTS.find((env) => new RegExp(secretsPathRegex(env)).test(secretPath));
}

/** Who a secret file is encrypted to: its environment's recipients, else the default ones. */
export function recipientsFor(secretPath: string, recipients: SopsRecipients): string[] {
  const env = environmentOfSecret(secretPath);
  return (env && recipients[env]) || recipients.default;
}

/** `recipients[env]` lets production and li use different keys; missing envs fall back to `default`. */
export function renderSopsConfig(envs: Environment[], recipients: SopsRecipients): string {
  const rules = envs.map((env) => ({
    path_regex: secretsPathRegex(env),
    encrypted_regex: ENCRYPTED_REGEX,
    age: (recipients[env] ?? recipients.default).join(','),
  }));
  return `# Written by matrix-gitops. Secrets are encrypted per environment; see README "Secrets".\n${stringify({ creation_rules: rules }, { lineWidth: 0 })}`;
}
