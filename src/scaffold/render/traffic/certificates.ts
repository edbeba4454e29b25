// cert-manager Certificates for providers whose route objects cert-manager does not watch
// (Traefik IngressRoutes): one per host, into the Secret the routes reference.
import type { EnvModel } from '../../model/index.ts';
import { labels, type Obj } from '../lib.ts';

export function certificates(env: EnvModel, secrets: Map<string, string>): Obj[] {
  return [...secrets].map(([host, secretName]) => ({
    apiVersion: 'cert-manager.io/v1', kind: 'Certificate',
    metadata: { name: secretName, labels: labels('certificates') },
    spec: { secretName, dnsNames: [host], issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: env.clusterIssuer } },
  }));
}
