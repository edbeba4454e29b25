// Components that 0.1.0 accepted and silently rendered nothing for (workers and monitoring without
// production, the admin UI without li), and that this version refuses. A repository's own
// matrix-gitops.yaml, exactly as the tool last wrote it, listed every component with its old
// default, so refusing would block every upgrade; instead those values are turned off, which is what
// they rendered. A value the user wrote (a --config file, or an edited matrix-gitops.yaml) is refused
// as usual, because there it is a request, not an old default.
export interface Migrated { raw: unknown; notes: string[] }

type Mapping = Record<string, unknown>;
const isMapping = (v: unknown): v is Mapping => typeof v === 'object' && v !== null && !Array.isArray(v);

export function migrateWrittenConfig(raw: unknown): Migrated {
  if (!isMapping(raw) || !isMapping(raw.components)) return { raw, notes: [] };
  const envs = Array.isArray(raw.environments) ? raw.environments : ['homelab', 'production'];
  const off: [string, string][] = [];
  if (!envs.includes('production')) {
    for (const k of ['workers', 'monitoring']) if (raw.components[k] === true) off.push([k, 'production']);
  }
  if (!envs.includes('li') && raw.components.synapseAdmin === true) off.push(['synapseAdmin', 'li']);
  if (off.length === 0) return { raw, notes: [] };
  const components = { ...raw.components, ...Object.fromEntries(off.map(([k]) => [k, false])) };
  const notes = off.map(([k, env]) => `matrix-gitops.yaml: components.${k}: true rendered nothing without the ${env} environment; set to false (nothing deployed changes)`);
  return { raw: { ...raw, components }, notes };
}
