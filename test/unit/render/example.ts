// The project's own matrix-gitops.yaml as a full MatrixConfig, through the real config loader.
import path from 'node:path';
import { loadConfig } from '../../../src/scaffold/config/load.ts';
import type { MatrixConfig } from '../../../src/scaffold/config/types.ts';
import { projectRoot } from '../../../src/lib/versions.ts';

export function exampleConfig(): MatrixConfig {
  return loadConfig({ file: path.join(projectRoot, 'matrix-gitops.yaml') });
}
