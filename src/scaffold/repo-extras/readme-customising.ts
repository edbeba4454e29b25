// The generated README's "Customising" section: for each common change, which of the three ways
// (a config key, extraConfig, a patch in a custom/ folder) to use. None of them ever conflicts.
import type { MatrixConfig } from '../config/types.ts';

export function customisingSection(c: MatrixConfig): string {
  const envs = c.environments;
  return `## Customising (three ways, none of them conflicts with a re-scaffold)

1. **A key in \`matrix-gitops.yaml\`**, then \`npm run scaffold\`: every setting the tool knows
   (\`matrix-gitops.schema.json\` lists them all, with defaults). Prefer this way.
2. **\`synapse.extraConfig\` / \`element.extraConfig\`** (and \`…ByEnvironment.<env>\`): any other
   homeserver.yaml / config.json key, deep-merged last. Secret-looking keys are refused: those go in
   a SOPS secret file read through a \`*_path\` option.
3. **A patch in a \`custom/\` folder**: \`overlays/<env>/custom/\` and \`flux/<env>/custom/\`
   (${envs.join(', ')}) are Kustomize Components the scaffolder created once and never writes again.
   Add a patch file and list it in that folder's \`kustomization.yaml\` (\`patches: [{path: my-patch.yaml}]\`);
   it applies to everything the overlay (or entry point) renders and is validated like the rest.

| change | way |
|---|---|
| registration, e-mail/SMTP, retention, upload limits, URL previews, auto-join rooms, federation, presence, log level, room directory | 1: \`synapse.*\` |
| Element brand, logo, theme, welcome/home page, country code | 1: \`element.*\` |
| storage class or size of a volume | 1: \`storage.*\` |
| a Synapse option the schema does not have (e.g. \`rc_login\`, \`admin_contact\`) | 2: \`synapse.extraConfig\` |
| an Element option the schema does not have (e.g. \`show_labs_settings\`) | 2: \`element.extraConfig\` |
| Git credentials for a private repository (\`spec.secretRef\` of the GitRepository) | 3: \`flux/<env>/custom/\` |
| replicas, nodeSelector, tolerations, resources, an annotation on any object | 3: \`overlays/<env>/custom/\` |
| an extra object (a ConfigMap, a NetworkPolicy of your own) | 3: \`resources:\` in \`overlays/<env>/custom/\` |

Secrets you supply (the SMTP password, reCAPTCHA keys, push credentials) are read once, when their
SOPS file is first written: \`MATRIX_GITOPS_SMTP_PASSWORD\` (or \`synapse.email.passwordEnv\`),
\`MATRIX_GITOPS_RECAPTCHA_PUBLIC_KEY\` / \`MATRIX_GITOPS_RECAPTCHA_PRIVATE_KEY\`, and the files named by
\`sygnal.apps.<id>.credentialsFile\`. With an SMTP user the whole \`email:\` block lives in
\`overlays/<env>/secrets/synapse-email.sops.yaml\`; change it there with \`sops edit\` (or delete the
file and re-run \`npm run scaffold\` with the password exported).
${c.synapse.registration.mode === 'token' ? `
Registration needs a token. Create one with the admin API (an admin's access token):

    curl -X POST -H "Authorization: Bearer $ADMIN_TOKEN" -d '{"uses_allowed": 1}' https://${c.hosts.synapse}/_synapse/admin/v1/registration_tokens/new
` : ''}`;
}
