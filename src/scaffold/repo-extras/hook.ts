// .githooks/pre-push of a scaffolded repository (core.hooksPath is set by the first commit).
// It runs the repository's own matrix-gitops (node_modules/.bin) directly, so a clone that has not
// run `npm install` yet gets one line saying so rather than npm's "command not found".
export const PRE_PUSH = `#!/bin/sh
# Runs the validate gate before every push (installed with: git config core.hooksPath .githooks).
# Skipping it with --no-verify does not skip the gate: Flux only follows the deploy branch, which CI
# advances after validation passes.
PATH="$(pwd)/node_modules/.bin:$PATH"
if ! command -v matrix-gitops >/dev/null 2>&1; then
  echo "pre-push: matrix-gitops is not installed in this clone; run npm install (then npx matrix-gitops setup) and push again" >&2
  exit 2
fi
exec matrix-gitops validate
`;
