// .github/workflows/validate.yaml of a scaffolded repository: the CI half of the deployment gate.
import type { MatrixConfig } from '../config/types.ts';

/**
 * CI of the generated repository. The validator is this tool (not on a registry), checked out from
 * the repository variables MATRIX_GITOPS_REPOSITORY / MATRIX_GITOPS_REF (a tag or commit: the pin).
 * Jobs: `validate` on every pull request and push (SARIF to code scanning), `diff` on pull requests
 * (the rendered objects' difference as a comment), and `deploy`, which
 * only after `validate` passed on a push to the main branch fast-forwards the deploy branch Flux follows.
 */
export function workflow(config: MatrixConfig): string {
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
      - uses: actions/cache@v4
        with:
          path: |
            .matrix-gitops-tool/.tools
            .matrix-gitops-tool/.cache/schemas
          key: matrix-gitops-tools-\${{ hashFiles('.matrix-gitops-tool/versions.json') }}
      - name: install the pinned tools
        working-directory: .matrix-gitops-tool
        run: npm ci && npm run setup
      - name: render the difference against the base branch
        env:
          MATRIX_GITOPS_HOME: \${{ github.workspace }}/.matrix-gitops-tool
          BASE: \${{ github.event.pull_request.base.sha }}
        run: npm run --silent diff -- --base "$BASE" --format markdown > diff.md
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
