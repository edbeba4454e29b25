// The files around the manifests that make a scaffolded folder a working GitOps repository:
// README, .gitignore, package.json, pre-push hook, CI workflow, config schema, policies.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { MatrixConfig } from '../config/types.ts';
import { projectRoot } from '../../scripts/lib/versions.ts';
import { readme } from './readme.ts';
import type { RenderedFile } from '../render/index.ts';

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
  // The file must load back into the same config: an empty li.allowedCidrs is the default, and the
  // schema only accepts the key with at least one entry.
  const { allowedCidrs, ...liRest } = config.li;
  const written = { ...config, li: allowedCidrs.length ? config.li : liRest };
  return `# yaml-language-server: $schema=./${SCHEMA_FILE}\n# matrix-gitops configuration: edit, then re-run \`npm run scaffold -- --config ${CONFIG_FILE} --out .\`\n${stringify(written, { lineWidth: 0 })}`;
}

const GITIGNORE = `# age private keys and decrypted secrets never go into git
age.key
*.agekey
keys.txt
*.dec.yaml
*.decrypted.*
node_modules/
# CI: the validator checkout and its report
.matrix-gitops-tool/
validate.sarif
`;

function packageJson(toolDir: string): string {
  // The validator is this tool itself (not published to a registry): MATRIX_GITOPS_HOME points at a
  // checkout, defaulting to the one that scaffolded the repository. A missing checkout is one clear
  // line (exit 2, like every usage error), not an npm stack.
  const home = `H="\${MATRIX_GITOPS_HOME:-${toolDir}}"; [ -f "$H/scripts/validate.ts" ] || { echo "matrix-gitops not found at $H: set MATRIX_GITOPS_HOME to a checkout (npm ci && npm run setup there)" >&2; exit 2; }`;
  return `${JSON.stringify({
    name: 'matrix-stack',
    private: true,
    description: 'Matrix on Kubernetes, deployed by Flux from this repository',
    scripts: {
      validate: `${home}; npm --prefix "$H" run --silent validate -- "$PWD"`,
      'validate:sarif': `${home}; npm --prefix "$H" run --silent validate -- "$PWD" --format sarif`,
      scaffold: `${home}; npm --prefix "$H" run --silent scaffold -- --config "$PWD/${CONFIG_FILE}" --out "$PWD"`,
    },
  }, null, 2)}\n`;
}

const PRE_PUSH = `#!/bin/sh
# Runs the validate gate before every push (installed with: git config core.hooksPath .githooks).
# Skipping it with --no-verify does not skip the gate: Flux only follows the deploy branch, which CI
# advances after validation passes.
exec npm run --silent validate
`;

/**
 * CI of the generated repository. The validator is this tool (not on a registry), checked out from
 * the repository variables MATRIX_GITOPS_REPOSITORY / MATRIX_GITOPS_REF (a tag or commit: the pin).
 * Two jobs: `validate` on every pull request and push (SARIF to code scanning), and `deploy`, which
 * only after `validate` passed on a push to the main branch fast-forwards the deploy branch Flux follows.
 */
function workflow(config: MatrixConfig): string {
  const { branch, deployBranch } = config.git;
  return `# Validate every pull request and push; only a passing validation on ${branch} advances
# ${deployBranch}, the branch Flux follows (the deployment gate). Set the repository variables
# MATRIX_GITOPS_REPOSITORY (owner/name of matrix-gitops) and MATRIX_GITOPS_REF (tag or commit).
name: validate
on:
  pull_request:
  push:
    branches: [${branch}]
permissions:
  contents: read
jobs:
  validate:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      security-events: write
    steps:
      - name: check the matrix-gitops pin
        env:
          REPO: \${{ vars.MATRIX_GITOPS_REPOSITORY }}
          REF: \${{ vars.MATRIX_GITOPS_REF }}
        run: |
          if [ -z "$REPO" ] || [ -z "$REF" ]; then
            echo "::error::set the repository variables MATRIX_GITOPS_REPOSITORY and MATRIX_GITOPS_REF (see README)"
            exit 2
          fi
      - uses: actions/checkout@v4
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
          cache: false
      - name: cache the pinned tools and schemas
        uses: actions/cache@v4
        with:
          path: |
            .matrix-gitops-tool/.tools
            .matrix-gitops-tool/.cache/schemas
          key: matrix-gitops-tools-\${{ hashFiles('.matrix-gitops-tool/versions.json') }}
      - name: install the pinned tools (kustomize, kubeconform, conftest, sops, age) and schemas
        working-directory: .matrix-gitops-tool
        run: npm ci && npm run setup
      - name: validate
        env:
          MATRIX_GITOPS_HOME: \${{ github.workspace }}/.matrix-gitops-tool
        run: |
          set +e
          npm run --silent validate -- --format sarif > validate.sarif
          code=$?
          npm run --silent validate -- --format github
          exit $code
      - uses: github/codeql-action/upload-sarif@v3
        if: always() && hashFiles('validate.sarif') != ''
        with:
          sarif_file: validate.sarif
          category: matrix-gitops
  deploy:
    # The gate: Flux follows ${deployBranch}, and only this job moves it, after validate passed.
    needs: validate
    if: github.event_name == 'push' && github.ref == 'refs/heads/${branch}'
    runs-on: ubuntu-latest
    permissions:
      contents: write
    concurrency:
      group: advance-${deployBranch}
      cancel-in-progress: false
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - name: fast-forward ${deployBranch} to the validated commit
        # No --force: ${deployBranch} only ever moves forward along ${branch}.
        run: git push origin "\${{ github.sha }}:refs/heads/${deployBranch}"
`;
}

/** `rendered`: the manifests, for facts the README quotes (ports). */
export function repoExtras(config: MatrixConfig, schema: string, rendered: RenderedFile[] = []): ExtraFile[] {
  return [
    { path: CONFIG_FILE, content: configFile(config) },
    { path: SCHEMA_FILE, content: schema },
    { path: '.gitignore', content: GITIGNORE },
    { path: 'package.json', content: packageJson(projectRoot) },
    { path: '.githooks/pre-push', content: PRE_PUSH, mode: 0o755 },
    { path: '.github/workflows/validate.yaml', content: workflow(config) },
    { path: 'README.md', content: readme(config, rendered) },
    ...policyFiles(),
  ];
}
