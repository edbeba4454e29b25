// .githooks/pre-push of a scaffolded repository (core.hooksPath is set by the first commit).
export const PRE_PUSH = `#!/bin/sh
# Runs the validate gate before every push (installed with: git config core.hooksPath .githooks).
# Skipping it with --no-verify does not skip the gate: Flux only follows the deploy branch, which CI
# advances after validation passes.
exec npm run --silent validate
`;
