// The li overlay: production plus a read-only copy in its own namespace. The copy has its own
// database fed by logical replication from production, federation and registration off, and
// NetworkPolicies that give it no path to write production.
import { stringify } from 'yaml';
import { CUSTOM_DIR, customComponent } from '../custom.ts';
import type { EnvModel, Model } from '../../model/index.ts';
import { elementBase } from './element.ts';
import { synapseAdminBase } from './synapse-admin.ts';
import { liLogConfig } from './li-audit-log.ts';
import { cnpgCluster } from './postgres.ts';
import { homeserverConfig, synapseBase, synapseSecretSpecs, yamlText } from './synapse.ts';
import { liftRoutes, type HostRoute } from '../traffic/routes.ts';
import { controllerNamespace, trafficObjects } from '../traffic/index.ts';
import { labels, namespaceObj, secretSpec, toYaml, type BaseComponent, type Obj, type RenderedFile, type SecretSpec } from '../lib.ts';

const KUSTOMIZATION = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' };
const PUBLICATION = 'synapse_li';
const LI_ROLE = 'li_reader';

/** Writes a copy component; its Ingresses go to `routes` (rendered by the provider into routes.yaml). */
function comp(files: RenderedFile[], dir: string, c: BaseComponent, routes: HostRoute[]): void {
  routes.push(...liftRoutes(c.files));
  const resources: string[] = [];
  for (const [file, body] of Object.entries(c.files)) {
    if (typeof body === 'string') files.push({ path: `${dir}/${file}`, content: body });
    else { files.push({ path: `${dir}/${file}`, content: toYaml(body) }); resources.push(file); }
  }
  files.push({ path: `${dir}/kustomization.yaml`, content: stringify({ ...KUSTOMIZATION, resources, ...(c.kustomization ?? {}) }, { lineWidth: 0 }) });
}

function np(name: string, namespace: string, podSelector: Obj, spec: Obj): Obj {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace, labels: labels('matrix-li-netpol') }, spec: { podSelector, ...spec } };
}

export function liCopy(model: Model, env: EnvModel): { files: RenderedFile[]; secrets: SecretSpec[] } {
  const files: RenderedFile[] = [];
  const ns = env.namespace;
  const prodNs = model.productionNamespace;
  const dir = 'overlays/li';
  const copy = `${dir}/copy`;

  const routes: HostRoute[] = [];
  const synapse = synapseBase('synapse-li', env.hosts.synapse, 'synapse-li-pg-app');
  const withAdmin = env.components.synapseAdmin;
  if (withAdmin) {
    // The admin API is reachable only here, behind the li allow-list, for the admin UI.
    const ing = (synapse.files['ingress.yaml'] as Obj[])[0] as { spec: { rules: Array<{ http: { paths: Obj[] } }> } };
    ing.spec.rules[0].http.paths.push({ path: '/_synapse/admin', pathType: 'Prefix', backend: { service: { name: 'synapse-li', port: { number: 8008 } } } });
    comp(files, `${copy}/synapse-admin-li`, synapseAdminBase('synapse-admin-li', env.hosts.admin, env.hosts.synapse), routes);
  }
  comp(files, `${copy}/synapse-li`, synapse, routes);
  const element = elementBase(model, { ...env, components: { ...env.components, jitsi: false, livekit: false } }, 'element-li');
  // The copy is read-only, so its Element must not offer sign-up.
  comp(files, `${copy}/element-li`, element, routes);
  files.push({ path: `${copy}/synapse-li/homeserver.yaml`, content: yamlText(homeserverConfig(model, env, 'synapse-li')) });
  files.push({ path: `${copy}/synapse-li/log.yaml`, content: yamlText(liLogConfig()) });

  const cluster = cnpgCluster('synapse-li-pg', 1, {
    // Logical replication copies rows, not DDL: import the schema first, then subscribe.
    bootstrap: {
      initdb: {
        database: 'synapse', owner: 'synapse', encoding: 'UTF8', localeCollate: 'C', localeCType: 'C',
        import: { type: 'microservice', databases: ['synapse'], source: { externalCluster: 'production' }, schemaOnly: true },
      },
    },
    externalClusters: [{
      name: 'production',
      connectionParameters: { host: `synapse-pg-rw.${prodNs}.svc`, user: LI_ROLE, dbname: 'synapse', sslmode: 'require' },
      password: { name: 'li-source-db', key: 'password' },
    }],
  });
  const subscription: Obj = {
    apiVersion: 'postgresql.cnpg.io/v1', kind: 'Subscription',
    metadata: { name: 'synapse-li', labels: labels('synapse-li-pg') },
    spec: { cluster: { name: 'synapse-li-pg' }, name: PUBLICATION, dbname: 'synapse', publicationName: PUBLICATION, externalClusterName: 'production' },
  };
  files.push({ path: `${copy}/postgres.yaml`, content: toYaml([cluster, subscription]) });

  const INGRESS_NS = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': controllerNamespace(env) } } };
  const tcp = (...ports: number[]): Obj[] => ports.map((port) => ({ protocol: 'TCP', port }));
  const liSynapse = { matchLabels: { 'app.kubernetes.io/name': 'synapse-li' } };
  const liPg = { matchLabels: { 'cnpg.io/cluster': 'synapse-li-pg' } };
  const policies: Obj[] = [
    np('default-deny', ns, {}, { policyTypes: ['Ingress', 'Egress'] }),
    np('allow-dns', ns, { matchLabels: { 'app.kubernetes.io/part-of': 'matrix' } }, { policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }] }),
    np('allow-ingress-controller', ns, { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['synapse-li', 'element-li', 'synapse-admin-li'] }] }, {
      policyTypes: ['Ingress'], ingress: [{ from: [INGRESS_NS], ports: tcp(8008, 8080) }],
    }),
    // No internet egress at all: federation is off and the copy talks to its own database only.
    np('synapse-li', ns, liSynapse, { policyTypes: ['Egress'], egress: [{ to: [{ podSelector: liPg }], ports: tcp(5432) }] }),
    np('synapse-li-pg', ns, liPg, {
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { from: [{ podSelector: liSynapse }], ports: tcp(5432) },
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'cnpg-system' } } }], ports: tcp(8000, 5432) },
      ],
      egress: [
        { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': prodNs } }, podSelector: { matchLabels: { 'cnpg.io/cluster': 'synapse-pg' } } }], ports: tcp(5432) },
        { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: tcp(443, 6443) },
      ],
    }),
  ];
  files.push({ path: `${copy}/networkpolicies.yaml`, content: toYaml(policies) });
  files.push({ path: `${copy}/namespace.yaml`, content: toYaml([namespaceObj(ns)]) });

  // The provider's allow-list (env.allowedCidrs) goes on every route of the copy.
  files.push({ path: `${copy}/routes.yaml`, content: toYaml(trafficObjects(env, routes)) });
  files.push({
    path: `${copy}/kustomization.yaml`,
    content: stringify({
      ...KUSTOMIZATION,
      namespace: ns,
      resources: ['namespace.yaml', 'synapse-li', 'element-li', ...(withAdmin ? ['synapse-admin-li'] : []), 'postgres.yaml', 'networkpolicies.yaml', 'routes.yaml'],
      configMapGenerator: [{ name: 'synapse-li-config', files: ['homeserver.yaml=synapse-li/homeserver.yaml', 'log.yaml=synapse-li/log.yaml'] }],
    }, { lineWidth: 0 }),
  });

  // Production side: a publication and a replication-only role; the li database can only read.
  const production: Obj[] = [
    {
      apiVersion: 'postgresql.cnpg.io/v1', kind: 'Publication',
      metadata: { name: 'synapse-li', namespace: prodNs, labels: labels('synapse-pg') },
      spec: { cluster: { name: 'synapse-pg' }, name: PUBLICATION, dbname: 'synapse', target: { allTables: true } },
    },
    np('allow-li-subscription', prodNs, { matchLabels: { 'cnpg.io/cluster': 'synapse-pg' } }, {
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, podSelector: liPg }], ports: tcp(5432) }],
    }),
  ];
  files.push({ path: `${dir}/production-side.yaml`, content: toYaml(production) });

  const core = synapseSecretSpecs(env).filter((s) => s.name !== 'synapse-admin-user');
  const liRole = secretSpec(env, 'li-source-db', { username: { generate: 'literal', value: LI_ROLE }, password: { generate: 'password', length: 32 } }, 'kubernetes.io/basic-auth');
  const own: SecretSpec[] = [...core, liRole];
  // The production role reads its password from a Secret in the production namespace; the li
  // subscription connects with the same password from its own namespace.
  const prodRole = {
    ...secretSpec(env, 'li-source-db-production', { username: { generate: 'literal', value: LI_ROLE }, password: { sameAs: { path: liRole.path, key: 'password' } } }, 'kubernetes.io/basic-auth'),
    namespace: prodNs,
  };
  own.push(prodRole);
  const rolePatch = {
    target: { kind: 'Cluster', name: 'synapse-pg', namespace: prodNs },
    patch: stringify({
      apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'synapse-pg', namespace: prodNs },
      spec: { managed: { roles: [{ name: LI_ROLE, ensure: 'present', login: true, replication: true, inRoles: ['pg_read_all_data'], passwordSecret: { name: 'li-source-db-production' } }] } },
    }, { lineWidth: 0 }),
  };
  files.push({
    path: `${dir}/kustomization.yaml`,
    content: stringify({
      ...KUSTOMIZATION,
      resources: ['../production', 'copy', 'production-side.yaml', ...own.map((s) => s.path.slice(dir.length + 1))],
      patches: [rolePatch],
      components: [CUSTOM_DIR],
    }, { lineWidth: 0 }),
  });
  files.push({ path: `${dir}/${CUSTOM_DIR}/kustomization.yaml`, content: customComponent(dir), createOnce: true });
  return { files, secrets: own };
}
