// renovate.json of a scaffolded repository: Renovate (the usual dependency bot of Kubernetes GitOps
// repositories) proposes new container image tags (base/, overlays/), Flux HelmRelease chart
// versions (flux/) and new matrix-gitops releases (package.json). Renovate has no default file
// pattern for plain Kubernetes manifests or Flux files other than gotk-components.yaml, so both are
// named here.
//
// A bump in a rendered manifest is, to the scaffolder, an edit of a file it owns: the next
// `npm run scaffold` reports it as a conflict (never overwrites it) until a matrix-gitops release
// with that pin renders the same bytes. The matrix-gitops bump therefore carries the
// recommended pins; the image and chart PRs are for updates it has not caught up with yet.
import { CLI_PACKAGE } from './package-json.ts';

export function renovateConfig(): string {
  return `${JSON.stringify({
    $schema: 'https://docs.renovatebot.com/renovate-schema.json',
    extends: ['config:recommended'],
    kubernetes: { managerFilePatterns: ['/^(base|overlays)/.+\\.ya?ml$/'] },
    flux: { managerFilePatterns: ['/^flux/.+\\.ya?ml$/'] },
    packageRules: [
      {
        description: 'The validator and renderer: an exact version, so every clone and CI run the same gate; re-run `npm run scaffold` after merging.',
        matchPackageNames: [CLI_PACKAGE],
        rangeStrategy: 'pin',
      },
      {
        description: 'Images and charts rendered by matrix-gitops: one PR per dependency, never automerged (the next scaffold reports the changed file until matrix-gitops renders the same pin).',
        matchManagers: ['kubernetes', 'flux'],
        automerge: false,
      },
    ],
  }, null, 2)}\n`;
}
