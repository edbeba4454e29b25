// Where setup puts things: git-ignored folders inside the project, overridable for CI caches.
import path from 'node:path';
import { projectRoot } from './versions.ts';

/** Pinned tool binaries (`go install` GOBIN). */
export const toolsBinDir = process.env.MATRIX_GITOPS_TOOLS_DIR ?? path.join(projectRoot, '.tools', 'bin');
/** Offline JSON schema cache for kubeconform. */
export const schemaCacheDir = process.env.MATRIX_GITOPS_SCHEMA_DIR ?? path.join(projectRoot, '.cache', 'schemas');
/** Other build caches (Synapse virtualenv, e2e binaries). */
export const cacheDir = path.join(projectRoot, '.cache');
