// package.json of a scaffolded repository: `npm run validate` (hook, CI) and `npm run scaffold`.
//
// Decision: matrix-gitops is not published to a registry, so the generated repository does not
// depend on it as a package (a git-URL devDependency would pull the tool and its pinned tools into
// every clone, and `npx matrix-gitops` would need a published name). Its scripts call a checkout of
// the tool instead: MATRIX_GITOPS_HOME, defaulting to the checkout that scaffolded the repository;
// CI checks out the pinned MATRIX_GITOPS_REF of the tool next to it (see workflow.ts).
import { CONFIG_FILE } from './names.ts';

export function packageJson(toolDir: string): string {
  // A missing checkout is one clear line (exit 2, like every usage error), not an npm stack.
  const home = `H="\${MATRIX_GITOPS_HOME:-${toolDir}}"; [ -f "$H/src/cli/validate.ts" ] || { echo "matrix-gitops not found at $H: set MATRIX_GITOPS_HOME to a checkout (npm ci && npm run setup there)" >&2; exit 2; }`;
  return `${JSON.stringify({
    name: 'matrix-stack',
    private: true,
    description: 'Matrix on Kubernetes, deployed by Flux from this repository',
    scripts: {
      validate: `${home}; npm --prefix "$H" run --silent validate -- "$PWD"`,
      'validate:sarif': `${home}; npm --prefix "$H" run --silent validate -- "$PWD" --format sarif`,
      scaffold: `${home}; npm --prefix "$H" run --silent scaffold -- --config "$PWD/${CONFIG_FILE}" --out "$PWD"`,
      // The rendered objects' difference against the default branch (CI posts it on pull requests).
      diff: `${home}; npm --prefix "$H" run --silent diff -- "$PWD"`,
    },
  }, null, 2)}\n`;
}
