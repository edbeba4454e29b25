// The files around the manifests that make a scaffolded folder a working GitOps repository:
// README, .gitignore, package.json, pre-push hook, CI workflow, config schema, policies.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { MatrixConfig } from '../config/types.ts';
import { projectRoot } from '../../scripts/lib/versions.ts';
import { readme } from './readme.ts';

export interface ExtraFile {
  path: string;
  content: string;
  mode?: number;
}

export const CONFIG_FILE = 'matrix-gitops.yaml';
export const SCHEMA_FILE = 'matrix-gitops.schema.json';

function policyFiles(): ExtraFile[] {
  const root = path.join(projectRoot, 'policies');
  const walk = (dir: string): string[] =>
    readdirSync(dir).sort().flatMap((e) => (statSync(path.join(dir, e)).isDirectory() ? walk(path.join(dir, e)) : [path.join(dir, e)]));
  return walk(root).map((f) => ({ path: `policies/${path.relative(root, f).split(path.sep).join('/')}`, content: readFileSync(f, 'utf8') }));
}

/** The effective config, written back so a re-run (and a reviewer) sees exactly what was rendered. */
export function configFile(config: MatrixConfig): string {
  return `# yaml-language-server: $schema=./${SCHEMA_FILE}\n# matrix-gitops configuration: edit, then re-run \`npm run scaffold -- --config ${CONFIG_FILE} --out .\`\n${stringify(config, { lineWidth: 0 })}`;
}

const GITIGNORE = `# age private keys and decrypted secrets never go into git
age.key
*.agekey
keys.txt
*.dec.yaml
*.decrypted.*
node_modules/
`;

function packageJson(toolDir: string): string {
  // The validator is this tool itself (not published to a registry): MATRIX_GITOPS_HOME points at a
  // checkout, defaulting to the one that scaffolded the repository.
  const run = (script: string, args: string) =>
    `npm --prefix "\${MATRIX_GITOPS_HOME:-${toolDir}}" run --silent ${script} -- "$PWD"${args}`;
  return `${JSON.stringify({
    name: 'matrix-stack',
    private: true,
    description: 'Matrix on Kubernetes, deployed by Flux from this repository',
    scripts: {
      validate: run('validate', ''),
      'validate:sarif': run('validate', ' --format sarif'),
      scaffold: `npm --prefix "\${MATRIX_GITOPS_HOME:-${toolDir}}" run --silent scaffold -- --config "$PWD/${CONFIG_FILE}" --out "$PWD"`,
    },
  }, null, 2)}\n`;
}

const PRE_PUSH = `#!/bin/sh
# Runs the validate gate before every push (installed with: git config core.hooksPath .githooks).
# Skipping it with --no-verify does not skip the gate: Flux only follows the deploy branch, which CI
# advances after validation passes.
exec npm run --silent validate
`;

function workflow(config: MatrixConfig): string {
  return `# Validate every pull request and push; only a passing validation on ${config.git.branch} advances
# ${config.git.deployBranch}, the branch Flux follows.
name: validate
on:
  pull_request:
  push:
    branches: [${config.git.branch}]
permissions:
  contents: write
  security-events: write
jobs:
  validate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: actions/checkout@v4
        with:
          repository: \${{ vars.MATRIX_GITOPS_REPOSITORY }}
          ref: \${{ vars.MATRIX_GITOPS_REF }}
          path: .matrix-gitops-tool
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - uses: actions/setup-go@v5
        with:
          go-version: stable
      - name: install the pinned tools and schemas
        working-directory: .matrix-gitops-tool
        run: npm ci && npm run setup
      - name: validate
        env:
          MATRIX_GITOPS_HOME: \${{ github.workspace }}/.matrix-gitops-tool
        run: npm run --silent validate:sarif > validate.sarif || (npm run --silent validate; exit 1)
      - uses: github/codeql-action/upload-sarif@v3
        if: always()
        with:
          sarif_file: validate.sarif
      - name: advance ${config.git.deployBranch}
        if: github.event_name == 'push'
        run: git push origin HEAD:refs/heads/${config.git.deployBranch}
`;
}

export function repoExtras(config: MatrixConfig, schema: string): ExtraFile[] {
  return [
    { path: CONFIG_FILE, content: configFile(config) },
    { path: SCHEMA_FILE, content: schema },
    { path: '.gitignore', content: GITIGNORE },
    { path: 'package.json', content: packageJson(projectRoot) },
    { path: '.githooks/pre-push', content: PRE_PUSH, mode: 0o755 },
    { path: '.github/workflows/validate.yaml', content: workflow(config) },
    { path: 'README.md', content: readme(config) },
    ...policyFiles(),
  ];
}
