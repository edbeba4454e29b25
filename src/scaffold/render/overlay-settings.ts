// Per-environment patches that carry the operator's settings into an overlay: volume classes and
// sizes, the SMTP secret config file on every Synapse process, and Element's per-environment config.
import { stringify } from 'yaml';
import type { EnvModel, Model } from '../model/index.ts';
import { elementConfig } from './components/element.ts';
import { EMAIL_CONFIG_FILE } from './components/synapse.ts';
import { emailInSecret } from './components/synapse-settings.ts';
import { workerResourceName } from './components/worker-routes.ts';
import { resources, type Obj } from './lib.ts';

function smp(target: { kind: string; name: string }, patch: Obj): Obj {
  return { target, patch: stringify(patch, { lineWidth: 0 }) };
}

const claim = (storageClass: string | undefined, size: string | undefined): Obj => ({
  ...(storageClass ? { storageClassName: storageClass } : {}),
  ...(size ? { resources: { requests: { storage: size } } } : {}),
});

/** storage.media / database / backups as patches over the base volumes (nothing when unset). */
export function storagePatches(model: Model, env: EnvModel): Obj[] {
  const { media, database, backups } = model.storage;
  const out: Obj[] = [];
  const mediaSpec: Obj = { ...claim(media.storageClass, media.size), ...(mediaReadWriteMany(model, env) ? { accessModes: ['ReadWriteMany'] } : {}) };
  if (Object.keys(mediaSpec).length) out.push(smp({ kind: 'PersistentVolumeClaim', name: 'synapse-media' }, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'synapse-media' }, spec: mediaSpec }));
  if ((database.storageClass || database.size) && env.postgres !== 'external') {
    if (env.postgres === 'cnpg') {
      const storage = { ...(database.size ? { size: database.size } : {}), ...(database.storageClass ? { storageClass: database.storageClass } : {}) };
      out.push(smp({ kind: 'Cluster', name: 'synapse-pg' }, { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'synapse-pg' }, spec: { storage } }));
    } else {
      // volumeClaimTemplates has no merge key: the one template is given whole.
      out.push(smp({ kind: 'StatefulSet', name: 'synapse-pg' }, {
        apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'synapse-pg' },
        spec: { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], ...claim(database.storageClass, database.size ?? '10Gi') } }] },
      }));
    }
  }
  if (env.components.backups && (backups.storageClass || backups.size)) {
    out.push(smp({ kind: 'PersistentVolumeClaim', name: 'synapse-backups' }, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'synapse-backups' }, spec: claim(backups.storageClass, backups.size) }));
  }
  return out;
}

/** Media shared by the main process and a media worker needs ReadWriteMany (load.ts refuses readWriteMany: false with workers). */
export function mediaReadWriteMany(model: Model, env: EnvModel): boolean {
  return model.storage.media.readWriteMany ?? env.workers.includes('media_repository');
}

/** With an authenticated SMTP server every Synapse process loads the email block from its Secret. */
export function emailConfigPatches(model: Model, env: EnvModel): Obj[] {
  if (!model.synapse.email || !emailInSecret(model.synapse)) return [];
  const ops = stringify([
    { op: 'add', path: '/spec/template/spec/containers/0/command/-', value: '-c' },
    { op: 'add', path: '/spec/template/spec/containers/0/command/-', value: EMAIL_CONFIG_FILE },
  ], { lineWidth: 0 });
  return ['synapse', ...env.workers.map(workerResourceName)].map((name) => ({ target: { kind: 'Deployment', name }, patch: ops }));
}

/** Element's config.json for this environment when element.extraConfigByEnvironment has an entry for it. */
export function elementEnvConfig(model: Model, env: EnvModel): string | undefined {
  if (!model.element.extraConfigByEnvironment[env.name]) return undefined;
  return `${JSON.stringify(elementConfig(model, env, true), null, 2)}\n`;
}

/**
 * resources.<env>: large sizes the Synapse main process and PostgreSQL for a few hundred active
 * users (Synapse's own guidance: the main process's caches grow with users and rooms); small keeps
 * the base values. The workers keep theirs: each carries a slice of the load.
 */
export function tierPatches(env: EnvModel): Obj[] {
  if (env.resources !== 'large') return [];
  const out: Obj[] = [smp({ kind: 'Deployment', name: 'synapse' }, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'synapse' },
    spec: { template: { spec: { containers: [{ name: 'synapse', resources: resources('1', '2Gi', '4Gi') }] } } },
  })];
  if (env.postgres === 'cnpg') {
    out.push(smp({ kind: 'Cluster', name: 'synapse-pg' }, { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'synapse-pg' }, spec: { resources: resources('1', '2Gi', '4Gi') } }));
  } else if (env.postgres === 'statefulset') {
    out.push(smp({ kind: 'StatefulSet', name: 'synapse-pg' }, {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'synapse-pg' },
      spec: { template: { spec: { containers: [{ name: 'postgres', resources: resources('500m', '1Gi', '2Gi') }] } } },
    }));
  }
  return out;
}
