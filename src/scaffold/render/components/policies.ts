// Production hardening: default-deny NetworkPolicies with the exact allows the stack needs, PDBs.
import type { EnvModel, Model } from '../../model/index.ts';
import { LIVEKIT_TCP_PORT, LIVEKIT_UDP_PORT } from './livekit.ts';
import { TURN_MAX_PORT, TURN_MIN_PORT } from './coturn.ts';
import { REPLICATION_PORT } from './synapse.ts';
import { CLAMD_PORT, SCANNER_PORT } from './antivirus.ts';
import { autoscaledDeployments } from './autoscaling.ts';
import { JVB_UDP_PORT, JVB_WS_PORT, PROSODY_PORTS } from './jitsi.ts';
import { SYGNAL_PORT } from './sygnal.ts';
import { labels, type Obj } from '../lib.ts';
import { controllerNamespace } from '../traffic/index.ts';

const MONITORING_NS = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } };
const CNPG_NS = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'cnpg-system' } } };
// Every pod of the stack (CNPG instances get it through inheritedMetadata).
const PART_OF = { matchLabels: { 'app.kubernetes.io/part-of': 'matrix' } };
const SYNAPSE_PODS = { podSelector: { matchLabels: { 'app.kubernetes.io/component': 'synapse' } } };
const PG_PODS = (cluster: string) => ({ podSelector: { matchLabels: { 'cnpg.io/cluster': cluster } } });

function np(name: string, podSelector: Obj, spec: Obj): Obj {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, labels: labels('matrix-netpol') }, spec: { podSelector, ...spec } };
}
const tcp = (...ports: number[]): Obj[] => ports.map((port) => ({ protocol: 'TCP', port }));
const byName = (n: string): Obj => ({ matchLabels: { 'app.kubernetes.io/name': n } });

/** Public internet without the cluster's own ranges, for federation and TURN/SFU relays. */
function internet(model: Model): Obj {
  return { ipBlock: { cidr: '0.0.0.0/0', except: [...model.clusterCidrs, '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'].filter((v, i, a) => a.indexOf(v) === i) } };
}

export function networkPolicies(model: Model, env: EnvModel, pgCluster = 'synapse-pg'): Obj[] {
  // Web traffic arrives from the traffic provider's proxies (traffic/index.ts).
  const INGRESS_NS = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': controllerNamespace(env) } } };
  const out: Obj[] = [
    np('default-deny', {}, { policyTypes: ['Ingress', 'Egress'] }),
    np('allow-dns', PART_OF, {
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
    }),
    np('allow-ingress-controller', { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['synapse', 'element', 'wellknown', 'livekit', 'lk-jwt-service', ...env.workers.map((w) => `synapse-${w.replaceAll('_', '-')}`)] }] }, {
      policyTypes: ['Ingress'],
      ingress: [{ from: [INGRESS_NS], ports: tcp(8008, 8080, 7880) }],
    }),
    np('allow-metrics-scrape', PART_OF, { policyTypes: ['Ingress'], ingress: [{ from: [MONITORING_NS], ports: tcp(9000, 6789, 9187) }] }),
    np('synapse', SYNAPSE_PODS.podSelector, {
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [SYNAPSE_PODS, { podSelector: byName('synapse-admin-user') }, { podSelector: byName('lk-jwt-service') }], ports: tcp(8008, 8080, REPLICATION_PORT) },
        // The content scanner fetches the media it scans from the media listener.
        ...(env.components.antivirus ? [{ from: [{ podSelector: byName('content-scanner') }], ports: tcp(8008) }] : [])],
      egress: [
        model.externalPostgres && env.postgres === 'external'
          ? { to: [{ ipBlock: { cidr: model.externalPostgres.cidr } }], ports: tcp(model.externalPostgres.port) }
          : { to: [PG_PODS(pgCluster)], ports: tcp(5432) },
        { to: [SYNAPSE_PODS], ports: tcp(8008, REPLICATION_PORT) },
        model.externalRedis
          ? { to: [{ ipBlock: { cidr: model.externalRedis.cidr } }], ports: tcp(model.externalRedis.port) }
          : { to: [{ podSelector: byName('synapse-redis') }], ports: tcp(6379) },
        // Federation, key servers and URL previews.
        { to: [internet(model)], ports: tcp(443, 8448) },
        // synapse.email: the SMTP server, wherever it is (a relay is often on a private network).
        ...(model.synapse.email ? [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: tcp(model.synapse.email.smtpPort) }] : []),
      ],
    }),
    np('postgres', PG_PODS(pgCluster).podSelector, {
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { from: [SYNAPSE_PODS], ports: tcp(5432) },
        { from: [PG_PODS(pgCluster)], ports: tcp(5432, 8000) },
        { from: [CNPG_NS], ports: tcp(8000, 5432) },
      ],
      egress: [
        { to: [PG_PODS(pgCluster)], ports: tcp(5432, 8000) },
        // The CNPG instance manager talks to the API server.
        { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: tcp(443, 6443) },
      ],
    }),
    np('admin-user-job', { matchLabels: { 'app.kubernetes.io/name': 'synapse-admin-user' } }, {
      policyTypes: ['Egress'], egress: [{ to: [SYNAPSE_PODS], ports: tcp(8008) }],
    }),
  ];
  // externalPostgres: no database pod of ours to guard (a policy selecting nothing is an error).
  if (env.postgres === 'external') out.splice(out.findIndex((p) => (p.metadata as { name: string }).name === 'postgres'), 1);
  if (env.workers.length && !model.externalRedis) {
    out.push(np('redis', { matchLabels: { 'app.kubernetes.io/name': 'synapse-redis' } }, {
      policyTypes: ['Ingress'], ingress: [{ from: [SYNAPSE_PODS], ports: tcp(6379) }],
    }));
  }
  if (env.components.coturn) {
    out.push(np('coturn', { matchLabels: { 'app.kubernetes.io/name': 'coturn' } }, {
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ ports: [{ protocol: 'UDP', port: 3478 }, { protocol: 'TCP', port: 3478 }, { protocol: 'UDP', port: TURN_MIN_PORT, endPort: TURN_MAX_PORT }] }],
      egress: [{ to: [internet(model)] }],
    }));
  }
  if (env.components.livekit) {
    out.push(np('livekit', { matchLabels: { 'app.kubernetes.io/name': 'livekit' } }, {
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { ports: [{ protocol: 'TCP', port: LIVEKIT_TCP_PORT }, { protocol: 'UDP', port: LIVEKIT_UDP_PORT }] },
        { from: [{ podSelector: byName('lk-jwt-service') }], ports: tcp(7880) },
      ],
      egress: [{ to: [internet(model)] }, { to: [{ podSelector: byName('lk-jwt-service') }], ports: tcp(8080) }],
    }));
    out.push(np('lk-jwt-service', { matchLabels: { 'app.kubernetes.io/name': 'lk-jwt-service' } }, {
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: byName('livekit') }], ports: tcp(8080) }],
      // OpenID userinfo checks go to homeservers over federation; room creation to the SFU.
      egress: [{ to: [internet(model)], ports: tcp(443, 8448) }, { to: [{ podSelector: byName('livekit') }, SYNAPSE_PODS], ports: tcp(7880, 8008) }],
    }));
  }
  if (env.components.jitsi) out.push(...jitsiPolicies(model, INGRESS_NS));
  if (env.components.sygnal) {
    out.push(np('sygnal', byName('sygnal'), {
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [INGRESS_NS], ports: tcp(SYGNAL_PORT) }],
      // APNs and FCM.
      egress: [{ to: [internet(model)], ports: tcp(443) }],
    }));
  }
  if (env.components.antivirus) {
    out.push(np('content-scanner', byName('content-scanner'), {
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [INGRESS_NS], ports: tcp(SCANNER_PORT) }],
      egress: [{ to: [SYNAPSE_PODS], ports: tcp(8008) }, { to: [{ podSelector: byName('clamav') }], ports: tcp(CLAMD_PORT) }],
    }));
    out.push(np('clamav', byName('clamav'), {
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: byName('content-scanner') }], ports: tcp(CLAMD_PORT) }],
      // freshclam: signature updates from database.clamav.net.
      egress: [{ to: [internet(model)], ports: tcp(443, 80) }],
    }));
  }
  return out;
}

/** Prosody is the hub: Jicofo and JVB connect to it; the Ingress reaches Prosody (websocket/BOSH),
 *  JVB (colibri websockets) and the web UI; JVB's media port is open to everyone. */
function jitsiPolicies(model: Model, INGRESS_NS: Obj): Obj[] {
  const jitsiPeers = [{ podSelector: byName('jitsi-jicofo') }, { podSelector: byName('jitsi-jvb') }];
  return [
    np('jitsi-web', byName('jitsi-web'), { policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [INGRESS_NS], ports: tcp(80) }], egress: [] }),
    np('jitsi-prosody', byName('jitsi-prosody'), {
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { from: [INGRESS_NS], ports: tcp(PROSODY_PORTS.http) },
        { from: jitsiPeers, ports: tcp(PROSODY_PORTS.c2s, PROSODY_PORTS.component) },
      ],
      egress: [],
    }),
    np('jitsi-jicofo', byName('jitsi-jicofo'), {
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [{ to: [{ podSelector: byName('jitsi-prosody') }], ports: tcp(PROSODY_PORTS.c2s, PROSODY_PORTS.component) }],
    }),
    np('jitsi-jvb', byName('jitsi-jvb'), {
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { ports: [{ protocol: 'UDP', port: JVB_UDP_PORT }] },
        { from: [INGRESS_NS], ports: tcp(JVB_WS_PORT) },
      ],
      // Media to clients and STUN, plus the XMPP control connection.
      egress: [{ to: [internet(model)] }, { to: [{ podSelector: byName('jitsi-prosody') }], ports: tcp(PROSODY_PORTS.c2s) }],
    }),
  ];
}

export function pdbs(env: EnvModel): Obj[] {
  const pdb = (name: string, sel: Obj, spec: Obj): Obj => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, labels: labels(name) }, spec: { selector: sel, ...spec } });
  // CNPG manages the PDBs of its own instances; a second one would block every eviction.
  const out = [
    pdb('element', byName('element'), { maxUnavailable: 1 }),
    pdb('wellknown', byName('wellknown'), { maxUnavailable: 1 }),
  ];
  // The HPA keeps at least two replicas of these.
  for (const name of autoscaledDeployments(env)) if (name !== 'element') out.push(pdb(name, byName(name), { maxUnavailable: 1 }));
  return out;
}

export function antiAffinityPatch(name: string): Obj {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: {
      template: {
        spec: {
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [{
                weight: 100,
                podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': name } } },
              }],
            },
          },
        },
      },
    },
  };
}
