// The files around the manifests that make a scaffolded folder a working GitOps repository:
// README, .gitignore, package.json, renovate.json, pre-push hook, CI workflow, config schema, policies.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { MatrixConfig } from '../config/types.ts';
import { packageRoot, packageVersion } from '../../lib/versions.ts';
import { readme } from './readme.ts';
import { GITIGNORE } from './gitignore.ts';
import { packageJson } from './package-json.ts';
import { renovateConfig } from './renovate.ts';
import { PRE_PUSH } from './hook.ts';
import { workflow } from './workflow.ts';
import { CONFIG_FILE, SCHEMA_FILE } from './names.ts';
import type { RenderedFile } from '../render/index.ts';

export interface ExtraFile {
  path: string;
  content: string;
  mode?: number;
}

export { CONFIG_FILE, SCHEMA_FILE };

function policyFiles(): ExtraFile[] {
  const root = path.join(packageRoot, 'policies');
  const walk = (dir: string): string[] =>
    readdirSync(dir).sort().flatMap((e) => (statSync(path.join(dir, e)).isDirectory() ? walk(path.join(dir, e)) : [path.join(dir, e)]));
  return walk(root).map((f) => ({ path: `policies/${path.relative(root, f).split(path.sep).join('/')}`, content: readFileSync(f, 'utf8') }));
}

/** The effective config, written back so a re-run (and a reviewer) sees exactly what was rendered. */
export function configFile(config: MatrixConfig): string {
  // The file must load back into the same config: an empty li.allowedCidrs is the default, and the
  // schema only accepts the key with at least one entry.
  const { allowedCidrs, ...liRest } = config.li;
  const written = { ...config, li: allowedCidrs.length ? config.li : liRest };
  return `# yaml-language-server: $schema=./${SCHEMA_FILE}\n# matrix-gitops configuration: edit, then run \`npm run scaffold\` (re-renders; secrets and your edits are kept)\n${stringify(written, { lineWidth: 0 })}`;
}

export interface ExtraOptions {
  /** devDependency spec of matrix-gitops (see cliDependencySpec); default: this package's version. */
  cliSpec?: string;
}

/** `rendered`: the manifests, for facts the README quotes (ports). */
export function repoExtras(config: MatrixConfig, schema: string, rendered: RenderedFile[] = [], options: ExtraOptions = {}): ExtraFile[] {
  return [
    { path: CONFIG_FILE, content: configFile(config) },
    { path: SCHEMA_FILE, content: schema },
    { path: '.gitignore', content: GITIGNORE },
    { path: 'package.json', content: packageJson(options.cliSpec ?? packageVersion()) },
    { path: 'renovate.json', content: renovateConfig() },
    { path: '.githooks/pre-push', content: PRE_PUSH, mode: 0o755 },
    { path: '.github/workflows/validate.yaml', content: workflow(config) },
    { path: 'README.md', content: readme(config, rendered) },
    ...policyFiles(),
  ];
}
