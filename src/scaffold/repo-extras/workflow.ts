// .github/workflows/validate.yaml of a scaffolded repository: the CI half of the deployment gate.
import type { MatrixConfig } from '../config/types.ts';

/**
 * CI of the generated repository. The validator is the matrix-gitops devDependency (`npm ci` installs
 * the version package-lock.json pins); its pinned tools and schemas live in the per-user cache,
 * which actions/cache keeps between runs, keyed by the lock file and the installed package's
 * versions.json. No repository variable is needed. Jobs: `validate` on every pull request and
 * push (SARIF to code scanning), `diff` on pull requests (the rendered objects' difference as a
 * comment), and `deploy`, which only after `validate` passed on a push to the
 * main branch fast-forwards the deploy branch Flux follows.
 */
/**
 * Steps both jobs share: the matrix-gitops version package-lock.json pins (npm ci), then its pinned
 * tools and schemas from the per-user cache, built with Go only on a cache miss.
 */
const INSTALL_STEPS = `      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - name: install matrix-gitops (the version package-lock.json pins)
        run: npm ci
      - name: cache the pinned tools and schemas
        id: tools
        uses: actions/cache@v4
        with:
          path: ~/.cache/matrix-gitops
          key: matrix-gitops-\${{ runner.os }}-\${{ hashFiles('package-lock.json', 'node_modules/matrix-gitops/versions.json') }}
      - uses: actions/setup-go@v5
        # Go only builds the pinned tools; a cache hit needs none.
        if: steps.tools.outputs.cache-hit != 'true'
        with:
          go-version: stable
          cache: false
      - name: install the pinned tools (kustomize, kubeconform, conftest, sops, age, helm) and schemas
        run: npx matrix-gitops setup
`;

export function workflow(config: MatrixConfig): string {
  const { branch, deployBranch } = config.git;
  return `# Validate every pull request and push; only a passing validation on ${branch} advances
# ${deployBranch}, the branch Flux follows (the deployment gate). The validator is the matrix-gitops
# devDependency pinned by package-lock.json; its tools are cached in ~/.cache/matrix-gitops.
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
      - uses: actions/checkout@v4
${INSTALL_STEPS}      - name: validate
        run: |
          set +e
          npx matrix-gitops validate --format sarif > validate.sarif
          code=$?
          npx matrix-gitops validate --format github
          exit $code
      - uses: github/codeql-action/upload-sarif@v3
        if: always() && hashFiles('validate.sarif') != ''
        with:
          sarif_file: validate.sarif
          category: matrix-gitops
  diff:
    # On a pull request: what the cluster would receive differently (objects added, removed,
    # changed; Secrets only as "changed"), posted as a comment (matrix-gitops diff).
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    permissions:
      contents: read
      pull-requests: write
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
${INSTALL_STEPS}      - name: render the difference against the base branch
        env:
          BASE: \${{ github.event.pull_request.base.sha }}
        run: npx matrix-gitops diff --base "$BASE" --format markdown > diff.md
      - name: comment on the pull request
        # A pull request from a fork gets a read-only token: no comment, the job stays green.
        continue-on-error: true
        env:
          GH_TOKEN: \${{ github.token }}
          PR: \${{ github.event.pull_request.number }}
        run: gh pr comment "$PR" --body-file diff.md --edit-last || gh pr comment "$PR" --body-file diff.md
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
