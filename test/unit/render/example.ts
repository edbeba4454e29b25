// The project's own matrix-gitops.yaml as a full MatrixConfig, without depending on the config
// loader (another module), so the render tests only break for render reasons.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { MatrixConfig } from '../../../scaffold/config/types.ts';
import { projectRoot } from '../../../scripts/lib/versions.ts';

export function exampleConfig(): MatrixConfig {
  const raw = parse(readFileSync(path.join(projectRoot, 'matrix-gitops.yaml'), 'utf8')) as Partial<MatrixConfig>;
  const hosts = raw.hosts ?? ({} as MatrixConfig['hosts']);
  const li = raw.li ?? ({} as Partial<MatrixConfig['li']>);
  return {
    serverName: raw.serverName ?? 'example.com',
    environments: raw.environments ?? ['homelab', 'production', 'li'],
    hosts,
    components: raw.components ?? {
      coturn: true, livekit: true, jitsi: false, workers: true, monitoring: true,
      antivirus: false, sygnal: false, synapseAdmin: false, backups: false,
    },
    li: {
      allowedCidrs: li.allowedCidrs ?? [],
      hosts: li.hosts ?? { synapse: `li-${hosts.synapse}`, element: `li-${hosts.element}`, admin: `li-${hosts.admin}` },
    },
    namespace: raw.namespace ?? 'matrix',
    git: raw.git ?? { url: 'https://git.example.com/ops/matrix-gitops.git', branch: 'main', deployBranch: 'deploy' },
    acme: raw.acme ?? { email: 'ops@example.com' },
    ageRecipients: raw.ageRecipients ?? [],
    trustedRegistries: raw.trustedRegistries ?? ['docker.io', 'ghcr.io'],
    clusterCidrs: raw.clusterCidrs ?? ['10.42.0.0/16', '10.43.0.0/16'],
    externalIp: raw.externalIp ?? '',
  };
}
