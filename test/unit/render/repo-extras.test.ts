// The files around the manifests that make a scaffolded folder an installable-CLI repository:
// package.json (a version, not a path), renovate.json (its patterns reach the rendered pins), the
// CI workflow (npm ci, cached tools, no repository variables) and the README's li instruction.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { buildModel } from '../../../src/scaffold/model/index.ts';
import { renderRepository } from '../../../src/scaffold/render/index.ts';
import { repoExtras } from '../../../src/scaffold/repo-extras/index.ts';
import { cliDependencySpec, existingCliSpec } from '../../../src/scaffold/repo-extras/package-json.ts';
import { packageVersion } from '../../../src/lib/versions.ts';
import { exampleConfig } from './example.ts';

const config = exampleConfig();
const { files } = renderRepository(buildModel(config));
const extras = (cliSpec?: string) => new Map(repoExtras(config, '{}', files, { cliSpec }).map((f) => [f.path, f.content]));

test('package.json depends on this matrix-gitops version by default, and its scripts call the CLI', () => {
  const pkg = JSON.parse(extras().get('package.json') ?? '') as { devDependencies: Record<string, string>; scripts: Record<string, string> };
  assert.deepEqual(pkg.devDependencies, { 'matrix-gitops': packageVersion() });
  for (const script of Object.values(pkg.scripts)) assert.match(script, /^matrix-gitops /);
  const told = JSON.parse(extras('file:../mg.tgz').get('package.json') ?? '') as { devDependencies: Record<string, string> };
  assert.deepEqual(told.devDependencies, { 'matrix-gitops': 'file:../mg.tgz' });
  assert.equal(existingCliSpec(extras('github:owner/matrix-gitops#v1').get('package.json')), 'github:owner/matrix-gitops#v1');
  assert.equal(existingCliSpec('not json'), undefined);
});

test('--cli-source: paths become file: specs relative to the repository; versions and git URLs pass through; bad ones are one line', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mx-cli-source-'));
  try {
    writeFileSync(path.join(dir, 'matrix-gitops-0.1.0.tgz'), '');
    const repo = path.join(dir, 'repos', 'one');
    mkdirSync(path.join(dir, 'checkout'));
    assert.equal(cliDependencySpec(path.join(dir, 'matrix-gitops-0.1.0.tgz'), repo), 'file:../../matrix-gitops-0.1.0.tgz');
    assert.equal(cliDependencySpec('matrix-gitops-0.1.0.tgz', repo, dir), 'file:../../matrix-gitops-0.1.0.tgz');
    assert.equal(cliDependencySpec('file:./checkout', repo, dir), 'file:../../checkout');
    assert.equal(cliDependencySpec('0.2.0', repo), '0.2.0');
    assert.equal(cliDependencySpec('git+https://git.example.com/ops/matrix-gitops.git#v0.2.0', repo), 'git+https://git.example.com/ops/matrix-gitops.git#v0.2.0');
    assert.throws(() => cliDependencySpec('./missing.tgz', repo, dir), { message: `--cli-source: ${path.join(dir, 'missing.tgz')} does not exist; give the path of a matrix-gitops tarball (npm pack) or checkout` });
    assert.throws(() => cliDependencySpec('two words', repo, dir), { message: '--cli-source: "two words" is not a package spec; give a version (0.1.0), a tarball or folder path, or a git URL' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("renovate.json's file patterns reach every rendered image and every HelmRelease chart", () => {
  const renovate = JSON.parse(extras().get('renovate.json') ?? '') as Record<string, { managerFilePatterns?: string[] }>;
  const matcher = (manager: string) => {
    const patterns = (renovate[manager]?.managerFilePatterns ?? []).map((p) => new RegExp(p.slice(1, -1)));
    return (file: string) => patterns.some((re) => re.test(file));
  };
  const kubernetes = matcher('kubernetes');
  const flux = matcher('flux');
  const withImage = files.filter((f) => /^\s+image: \S+:\S+/m.test(f.content));
  assert.ok(withImage.length > 5);
  for (const f of withImage) assert.ok(kubernetes(f.path), `${f.path} has an image Renovate's kubernetes manager must see`);
  const releases = files.filter((f) => /^kind: HelmRelease$/m.test(f.content));
  assert.ok(releases.length > 0);
  for (const f of releases) {
    assert.ok(flux(f.path), `${f.path} has a HelmRelease Renovate's flux manager must see`);
    assert.match(f.content, /^kind: HelmRepository$/m, 'the flux manager links a HelmRelease to a HelmRepository in the same file');
  }
});

test('the CI workflow installs with npm ci, caches the per-user tool cache, and reads no repository variable', () => {
  const text = extras().get('.github/workflows/validate.yaml') ?? '';
  assert.doesNotMatch(text, /vars\.|secrets\./);
  const wf = parse(text) as { jobs: { validate: { steps: { run?: string; uses?: string; with?: Record<string, string>; if?: string }[] } } };
  const steps = wf.jobs.validate.steps;
  const at = (pred: (s: (typeof steps)[number]) => boolean) => steps.findIndex(pred);
  const ci = at((s) => s.run === 'npm ci');
  const cache = at((s) => s.uses?.startsWith('actions/cache') === true);
  const setup = at((s) => s.run === 'npx matrix-gitops setup');
  assert.ok(ci >= 0 && ci < cache && cache < setup, 'npm ci, then the cache (keyed by what npm ci installed), then setup');
  assert.equal(steps[cache].with?.path, '~/.cache/matrix-gitops');
  assert.match(steps[cache].with?.key ?? '', /hashFiles\('package-lock\.json', 'node_modules\/matrix-gitops\/versions\.json'\)/);
  assert.match(steps.find((s) => s.uses?.startsWith('actions/setup-go'))?.if ?? '', /cache-hit != 'true'/);
});

test('the README tells li users to apply production first, then li, which adds to it', () => {
  const readme = extras().get('README.md') ?? '';
  assert.match(readme, /apply `flux\/production`\s+first, then `kubectl apply -k flux\/li`/);
  assert.doesNotMatch(readme, /also apply `flux\/li`/);
  assert.doesNotMatch(readme, /MATRIX_GITOPS_HOME|MATRIX_GITOPS_REPOSITORY/);
  assert.match(readme, /^## Secrets$/m);
  assert.match(readme, /SOPS_AGE_KEY_FILE/);
});
