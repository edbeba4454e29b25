// The plaintext Secret manifest handed to sops (never written to disk).
import { stringify } from 'yaml';
import type { SecretSpec } from '../render/lib.ts';

export function secretManifest(spec: SecretSpec, values: Record<string, string>): string {
  return stringify(
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: spec.name, namespace: spec.namespace, labels: { 'app.kubernetes.io/part-of': 'matrix', 'app.kubernetes.io/managed-by': 'matrix-gitops' } },
      type: spec.type ?? 'Opaque',
      // stringData keeps values readable after `sops decrypt`; the API server turns it into data.
      stringData: values,
    },
    { lineWidth: 0 },
  );
}
