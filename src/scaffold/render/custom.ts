// The operator's own Kustomize folder in every overlay and Flux entry point: a Component the
// tool creates once with nothing in it and never writes again, so any field of any object can be
// changed with a patch there without ever conflicting with a re-scaffold. A Component (not a
// resource folder) because its patches apply to everything the including kustomization has.
import { stringify } from 'yaml';

export const CUSTOM_DIR = 'custom';

export function customComponent(includedBy: string): string {
  return `# Yours: matrix-gitops created this folder once and never writes it again. ${includedBy}/kustomization.yaml
# includes it as a Kustomize Component, so its patches apply to everything that folder renders, e.g.
#   patches:
#     - path: my-patch.yaml        # a strategic-merge patch (apiVersion, kind, metadata.name + the fields)
#       target: {kind: Deployment, name: synapse}
#   resources:
#     - my-extra-object.yaml
# It is validated like every generated file (npm run validate).
${stringify({ apiVersion: 'kustomize.config.k8s.io/v1alpha1', kind: 'Component', resources: [], patches: [] }, { lineWidth: 0 })}`;
}
