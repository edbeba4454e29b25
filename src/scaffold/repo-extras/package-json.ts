// package.json of a scaffolded repository: matrix-gitops as a versioned devDependency, and scripts
// that call its CLI (`npm run validate` in the hook and CI, `npm run scaffold` to re-render).
//
// The dependency is a version (this package's own by default, so the repository is validated by
// the release that wrote it; Renovate proposes newer ones), or what --cli-source says: a tarball,
// a folder or a git URL. Paths are written relative to the repository, never absolute, so a clone
// on another machine (and CI) resolves them the same way.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../lib/errors.ts';

export const CLI_PACKAGE = 'matrix-gitops';

/** True for specs npm reads as a local path (it would take `foo.tgz` as a registry name otherwise). */
function looksLikePath(spec: string): boolean {
  return /^(\.{1,2}[\\/]|[\\/]|~[\\/])/.test(spec) || /\.(tgz|tar\.gz)$/.test(spec);
}

/**
 * The devDependency spec for `--cli-source SPEC`, for a repository in `repoDir`. Local paths become
 * `file:` + the path relative to the repository; versions, ranges and git URLs pass through.
 */
export function cliDependencySpec(spec: string, repoDir: string, cwd = process.cwd()): string {
  const s = spec.trim();
  if (s === '' || /\s/.test(s)) throw new UsageError(`--cli-source: ${JSON.stringify(spec)} is not a package spec; give a version (0.1.0), a tarball or folder path, or a git URL`);
  const local = s.startsWith('file:') ? s.slice('file:'.length) : looksLikePath(s) ? s : undefined;
  if (local === undefined) return s;
  const abs = path.resolve(cwd, local.replace(/^~(?=[\\/])/, process.env.HOME ?? '~'));
  if (!existsSync(abs)) throw new UsageError(`--cli-source: ${abs} does not exist; give the path of a matrix-gitops tarball (npm pack) or checkout`);
  const rel = path.relative(repoDir, abs).split(path.sep).join('/');
  return `file:${rel.startsWith('.') ? rel : `./${rel}`}`;
}

/** The matrix-gitops spec an existing package.json carries (kept when no --cli-source is given). */
export function existingCliSpec(packageJsonText: string | undefined): string | undefined {
  if (packageJsonText === undefined) return undefined;
  try {
    const pkg = JSON.parse(packageJsonText) as { devDependencies?: Record<string, unknown>; dependencies?: Record<string, unknown> };
    const spec = pkg.devDependencies?.[CLI_PACKAGE] ?? pkg.dependencies?.[CLI_PACKAGE];
    return typeof spec === 'string' && spec !== '' ? spec : undefined;
  } catch {
    return undefined;
  }
}

export function packageJson(cliSpec: string): string {
  return `${JSON.stringify({
    name: 'matrix-stack',
    private: true,
    description: 'Matrix on Kubernetes, deployed by Flux from this repository',
    engines: { node: '>=20' },
    scripts: {
      setup: 'matrix-gitops setup',
      validate: 'matrix-gitops validate',
      'validate:sarif': 'matrix-gitops validate --format sarif',
      scaffold: 'matrix-gitops scaffold --out .',
      doctor: 'matrix-gitops doctor',
      status: 'matrix-gitops status',
    },
    devDependencies: { [CLI_PACKAGE]: cliSpec },
  }, null, 2)}\n`;
}
