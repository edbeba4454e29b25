// Model → repository files. base/ holds one generic folder per component; overlays/<env> compose
// them and add what differs per environment; flux/<env> are the cluster entry points.
import { stringify } from 'yaml';
import type { EnvModel, Model } from '../model/index.ts';
import { adminUserBase } from './components/admin-user.ts';
import { antivirusBase, antivirusSecretSpecs } from './components/antivirus.ts';
import { autoscaledDeployments, hpas, scalableWorkers } from './components/autoscaling.ts';
import { backupsBase, cnpgScheduledBackup, pgDumpBase } from './components/backups.ts';
import { coturnBase } from './components/coturn.ts';
import { elementBase } from './components/element.ts';
import { fluxFiles } from './components/flux.ts';
import { jitsiBase, jitsiSecretSpecs } from './components/jitsi.ts';
import { livekitBase, livekitSecretSpecs } from './components/livekit.ts';
import { liCopy } from './components/li.ts';
import { monitoringBase } from './components/monitoring.ts';
import { antiAffinityPatch, networkPolicies, pdbs } from './components/policies.ts';
import { postgresCnpgBase, postgresStatefulSetBase } from './components/postgres.ts';
import { homeserverConfig, settingsSecretSpecs, synapseBase, synapseSecretSpecs, yamlText } from './components/synapse.ts';
import { synapseLogConfig } from './components/synapse-settings.ts';
import { elementEnvConfig, emailConfigPatches, storagePatches, tierPatches } from './overlay-settings.ts';
import { CUSTOM_DIR, customComponent } from './custom.ts';
import { sygnalBase, sygnalSecretSpecs } from './components/sygnal.ts';
import { wellKnownBase } from './components/wellknown.ts';
import { workersBase } from './components/workers.ts';
import { workerResourceName } from './components/worker-routes.ts';
import { liftRoutes, workerHostRoute, type HostRoute } from './traffic/routes.ts';
import { trafficObjects } from './traffic/index.ts';
import { namespaceObj, toYaml, type BaseComponent, type Obj, type RenderedFile, type SecretSpec } from './lib.ts';

export type { RenderedFile, SecretSpec, SecretValue } from './lib.ts';

const KUSTOMIZATION = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' };

export class FileSet {
  private readonly map = new Map<string, string>();
  private readonly once = new Set<string>();
  add(path: string, content: string, opts: { createOnce?: boolean } = {}): void {
    if (this.map.has(path)) throw new Error(`rendered twice: ${path}`);
    this.map.set(path, content);
    if (opts.createOnce) this.once.add(path);
  }
  yaml(path: string, docs: Obj[]): void { this.add(path, toYaml(docs)); }
  list(): RenderedFile[] {
    return [...this.map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([path, content]) => (this.once.has(path) ? { path, content, createOnce: true } : { path, content }));
  }
}

/** Writes a component folder with its kustomization.yaml; returns the folder. */
export function writeComponent(out: FileSet, dir: string, c: BaseComponent): string {
  const resources: string[] = [];
  for (const [file, body] of Object.entries(c.files)) {
    if (typeof body === 'string') out.add(`${dir}/${file}`, body);
    else if (body.length) { out.yaml(`${dir}/${file}`, body); resources.push(file); }
  }
  out.add(`${dir}/kustomization.yaml`, stringify({ ...KUSTOMIZATION, resources, ...(c.kustomization ?? {}) }, { lineWidth: 0 }));
  return dir;
}

function smp(target: { kind: string; name: string }, patch: Obj): Obj {
  return { target, patch: stringify(patch, { lineWidth: 0 }) };
}

export function envSecretSpecs(model: Model, env: EnvModel): SecretSpec[] {
  const specs = [...synapseSecretSpecs(env, model), ...settingsSecretSpecs(model, env)];
  if (env.components.livekit) specs.push(...livekitSecretSpecs(env));
  if (env.components.jitsi) specs.push(...jitsiSecretSpecs(model, env));
  if (env.components.sygnal) specs.push(...sygnalSecretSpecs(model, env));
  if (env.components.antivirus) specs.push(...antivirusSecretSpecs(env));
  return specs;
}

export function renderRepository(model: Model): { files: RenderedFile[]; secrets: SecretSpec[] } {
  const out = new FileSet();
  const secrets: SecretSpec[] = [];
  const primary = model.environments.find((e) => e.name === 'production') ?? model.environments[0];
  if (!primary) throw new Error('no environment configured');
  // The generic bases (Element's config.json among them) follow the primary environment.
  const baseEnv: EnvModel = primary;
  const deployed = model.environments.filter((e) => e.name !== 'li');
  const any = (f: (e: EnvModel) => boolean): boolean => deployed.some(f);

  // The bases declare their public paths as Ingresses; those are lifted into the neutral route table
  // (traffic/routes.ts) and rendered per environment by its provider, so no base carries a route object.
  const baseRoutes: Record<string, HostRoute[]> = {};
  const addBase = (c: BaseComponent): void => { baseRoutes[c.name] = liftRoutes(c.files); writeComponent(out, `base/${c.name}`, c); };
  addBase(synapseBase('synapse', baseEnv.hosts.synapse, undefined, model.synapse.maxUploadSize));
  addBase(elementBase(model, baseEnv));
  addBase(wellKnownBase(model, baseEnv));
  addBase(adminUserBase());
  if (any((e) => e.postgres === 'cnpg')) addBase(postgresCnpgBase());
  if (any((e) => e.postgres === 'statefulset')) addBase(postgresStatefulSetBase());
  if (any((e) => e.components.coturn)) addBase(coturnBase(model, baseEnv));
  if (any((e) => e.components.livekit)) addBase(livekitBase(model, baseEnv));
  const workerEnv = deployed.find((e) => e.workers.length);
  if (workerEnv) addBase(workersBase(workerEnv, !model.externalRedis));
  if (any((e) => e.components.monitoring)) addBase(monitoringBase(primary));
  if (any((e) => e.components.jitsi)) addBase(jitsiBase(model, baseEnv));
  if (any((e) => e.components.sygnal)) addBase(sygnalBase(model, baseEnv));
  // The model turns antivirus off outside production; the scanner fetches from that env's media listener.
  const avEnv = deployed.find((e) => e.components.antivirus);
  if (avEnv) addBase(antivirusBase(avEnv));
  // synapse-admin (components.synapseAdmin) is rendered only for the li copy (li.ts): the UI needs
  // /_synapse/admin from the browser, and production has no source-range allow-list to put it
  // behind (MX-NET-008 allows the admin API only on an allow-listed Ingress). Production admins use
  // the li copy's UI for reads, or the admin API through kubectl port-forward to the synapse Service.
  if (any((e) => e.components.backups)) addBase(backupsBase());
  if (any((e) => e.components.backups && e.postgres === 'statefulset')) addBase(pgDumpBase());

  for (const env of deployed) {
    const dir = `overlays/${env.name}`;
    const comps = ['synapse', 'element', 'wellknown', 'admin-user'];
    // externalPostgres: the operator's database, nothing of ours to deploy.
    if (env.postgres !== 'external') comps.push(env.postgres === 'cnpg' ? 'postgres-cnpg' : 'postgres-statefulset');
    if (env.components.coturn) comps.push('coturn');
    if (env.components.livekit) comps.push('livekit');
    if (env.workers.length) comps.push('synapse-workers');
    if (env.components.jitsi) comps.push('jitsi');
    if (env.components.sygnal) comps.push('sygnal');
    if (env.components.antivirus) comps.push('antivirus');
    if (env.components.monitoring) comps.push('monitoring');
    if (env.components.backups) comps.push('backups');
    if (env.components.backups && env.postgres === 'statefulset') comps.push('backups-pgdump');

    out.yaml(`${dir}/namespace.yaml`, [namespaceObj(env.namespace, env.components.coturn && env.coturnHostNetwork ? 'coturn runs on the host network (single-node homelab), which only the privileged level admits' : undefined)]);
    out.add(`${dir}/synapse/homeserver.yaml`, yamlText(homeserverConfig(model, env)));
    const synapseFiles = ['homeserver.yaml=synapse/homeserver.yaml'];
    if (model.synapse.logLevel !== 'INFO') {
      out.add(`${dir}/synapse/log.yaml`, yamlText(synapseLogConfig(model.synapse.logLevel)));
      synapseFiles.push('log.yaml=synapse/log.yaml');
    }
    const generators: Obj[] = [{ name: 'synapse-config', files: synapseFiles }];
    const elementOwn = elementEnvConfig(model, env);
    if (elementOwn) {
      // element.extraConfigByEnvironment: this overlay's own config.json replaces the base one.
      out.add(`${dir}/element/config.json`, elementOwn);
      generators.push({ name: 'element-config', behavior: 'replace', files: ['config.json=element/config.json'] });
    }
    out.add(`${dir}/${CUSTOM_DIR}/kustomization.yaml`, customComponent(`overlays/${env.name}`), { createOnce: true });
    const local: string[] = ['namespace.yaml'];
    if (env.networkPolicies) { out.yaml(`${dir}/networkpolicies.yaml`, networkPolicies(model, env)); local.push('networkpolicies.yaml'); }
    if (env.podDisruptionBudgets) { out.yaml(`${dir}/pdbs.yaml`, pdbs(env)); local.push('pdbs.yaml'); }
    if (env.components.backups && env.postgres === 'cnpg') { out.yaml(`${dir}/scheduledbackup.yaml`, [cnpgScheduledBackup()]); local.push('scheduledbackup.yaml'); }
    const autoscaled = autoscaledDeployments(env);
    if (autoscaled.length) { out.yaml(`${dir}/hpa.yaml`, hpas(env, model.replicas)); local.push('hpa.yaml'); }

    const envSecrets = envSecretSpecs(model, env);
    secrets.push(...envSecrets);

    const routes = comps.flatMap((c) => (c === 'synapse-workers' ? [workerHostRoute(env, model.synapse.maxUploadSize)] : baseRoutes[c] ?? []));
    out.yaml(`${dir}/routes.yaml`, trafficObjects(env, routes));
    local.push('routes.yaml');
    const patches: Obj[] = [];
    if (env.postgres === 'cnpg') {
      const backup = env.components.backups ? { backup: { volumeSnapshot: { className: 'csi-snapclass' } } } : {};
      patches.push(smp({ kind: 'Cluster', name: 'synapse-pg' }, { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'synapse-pg' }, spec: { instances: env.postgresInstances, ...backup } }));
    }
    if (env.antiAffinity) {
      for (const name of ['element', 'wellknown']) {
        // An HPA owns the replica count of what it scales; Git must not reset it on every reconcile.
        if (autoscaled.includes(name)) patches.push({ target: { kind: 'Deployment', name }, patch: stringify([{ op: 'remove', path: '/spec/replicas' }], { lineWidth: 0 }) });
        else patches.push(smp({ kind: 'Deployment', name }, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: { replicas: 2 } }));
        patches.push(smp({ kind: 'Deployment', name }, antiAffinityPatch(name)));
      }
      for (const name of scalableWorkers(env).map(workerResourceName)) patches.push(smp({ kind: 'Deployment', name }, antiAffinityPatch(name)));
    }
    // Main process and media worker share the media store (ReadWriteMany); storage.* classes and sizes.
    patches.push(...storagePatches(model, env), ...emailConfigPatches(model, env), ...tierPatches(env));
    if (env.components.coturn && env.coturnHostNetwork) {
      patches.push(smp({ kind: 'Deployment', name: 'coturn' }, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'coturn' }, spec: { template: { spec: { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' } } } }));
    }

    const kustomization: Obj = {
      ...KUSTOMIZATION,
      namespace: env.namespace,
      resources: [...local, ...comps.map((c) => `../../base/${c}`), ...envSecrets.map((s) => s.path.slice(dir.length + 1))],
      configMapGenerator: generators,
      patches,
      // The operator's own folder: created once, never rewritten (patches, extra resources).
      components: [CUSTOM_DIR],
    };
    out.add(`${dir}/kustomization.yaml`, stringify(kustomization, { lineWidth: 0, aliasDuplicateObjects: false }));
    renderFlux(out, model, env);
  }

  const li = model.environments.find((e) => e.name === 'li');
  if (li) {
    if (!model.environments.some((e) => e.name === 'production')) throw new Error('li needs the production environment');
    const liOut = liCopy(model, li);
    for (const f of liOut.files) out.add(f.path, f.content, { createOnce: f.createOnce });
    secrets.push(...liOut.secrets);
    renderFlux(out, model, li);
  }
  return { files: out.list(), secrets };
}

function renderFlux(out: FileSet, model: Model, env: EnvModel): void {
  const dirs = env.name === 'li' ? [''] : ['', '/infrastructure', '/infrastructure-config'];
  const byDir = new Map<string, string[]>(dirs.map((d) => [`flux/${env.name}${d}`, []]));
  for (const [path, docs] of Object.entries(fluxFiles(model, env))) {
    const dir = path.slice(0, path.lastIndexOf('/'));
    if (!docs.length) continue;
    out.yaml(path, docs);
    byDir.get(dir)?.push(path.slice(dir.length + 1));
  }
  for (const [dir, resources] of byDir) {
    // The entry point includes the operator's own folder (a GitRepository secretRef, Flux
    // Kustomization patches that reach into the infrastructure layers, …).
    const entry = dir === `flux/${env.name}`;
    if (entry) out.add(`${dir}/${CUSTOM_DIR}/kustomization.yaml`, customComponent(dir), { createOnce: true });
    out.add(`${dir}/kustomization.yaml`, stringify({ ...KUSTOMIZATION, resources, ...(entry ? { components: [CUSTOM_DIR] } : {}) }, { lineWidth: 0 }));
  }
}
