// Upgrades without fear: `scaffold --plan`, three-way merge of the user's edits, and an upgrade of a
// repository scaffolded by the previous release (test/fixtures/upgrade/0.1.0), all with the real
// git, sops and age.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { projectRoot, versions } from '../../src/lib/versions.ts';
import { userCacheDir } from '../../src/lib/paths.ts';
import { snapshot } from '../lib/snapshot.ts';
import { installCliShim } from '../lib/cli-shim.ts';

const cli = path.join(projectRoot, 'src', 'cli', 'scaffold.ts');
const config = path.join(import.meta.dirname, 'fixtures', 'upgrade', 'homelab.yaml');
const previous = path.join(projectRoot, 'test', 'fixtures', 'upgrade', '0.1.0');
const work = mkdtempSync(path.join(tmpdir(), 'mx-upgrade-'));
const repo = path.join(work, 'repo');
const env = { HOME: path.join(work, 'home'), SOPS_AGE_KEY_FILE: '', MATRIX_GITOPS_CACHE: userCacheDir() };
const git = (dir: string, ...args: string[]) => execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@localhost', ...args], { cwd: dir });

function scaffold(args: string[]) {
  return execa(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: projectRoot, reject: false, env, input: '' });
}


/** The counts of a summary line ("N created, … N new secret(s)"), the part plan and run share. */
const counts = (stderr: string, prefix: RegExp): string => {
  const m = new RegExp(`${prefix.source}.*?(\\d+ created, \\d+ updated, \\d+ merged, \\d+ unchanged, \\d+ removed, \\d+ new secret\\(s\\))`, 'm').exec(stderr);
  assert.ok(m, `no summary in:\n${stderr}`);
  return m[1];
};

const homeserver = path.join(repo, 'overlays/homelab/synapse/homeserver.yaml');

test.before(async () => {
  const r = await scaffold(['--config', config, '--out', repo, '--yes']);
  assert.equal(r.exitCode, 0, r.stderr);
});
test.after(() => rmSync(work, { recursive: true, force: true }));

test('--plan for a new repository: exit 3, every file as created, the new key announced, nothing created', async () => {
  const fresh = path.join(work, 'fresh', 'repo');
  const r = await scaffold(['--config', config, '--out', fresh, '--yes', '--plan']);
  assert.equal(r.exitCode, 3, r.stderr);
  assert.match(r.stdout, /^create base\/synapse\/deployment\.yaml$/m);
  assert.match(r.stdout, /^secret overlays\/homelab\/secrets\/synapse-signing-key\.sops\.yaml \(new: generated and encrypted by the real run\)$/m);
  assert.match(r.stderr, /the real run generates a NEW age key at .*age\.key/);
  assert.ok(!existsSync(path.join(work, 'fresh')), 'not even the parent folder');
});

test('--plan on an up-to-date repository: exit 0, no diff, nothing written', async () => {
  const before = snapshot(repo);
  const r = await scaffold(['--out', repo, '--yes', '--plan']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^✓ plan: nothing to do: .* up to date \(0 created, 0 updated, 0 merged, \d+ unchanged, 0 removed, 0 new secret\(s\)\)$/m);
  assert.deepEqual(snapshot(repo), before);
});

test('--plan after a config change: exit 3, the diffs and new secrets by name, nothing written; the real run counts the same and names its files', async () => {
  const lost = 'overlays/homelab/secrets/synapse-form-secret.sops.yaml';
  rmSync(path.join(repo, lost));
  const before = snapshot(repo);
  const p = await scaffold(['--out', repo, '--yes', '--plan', '--components', 'no-coturn']);
  assert.equal(p.exitCode, 3, p.stderr);
  assert.deepEqual(snapshot(repo), before, 'a plan writes nothing');
  assert.match(p.stdout, /^remove base\/coturn\/deployment\.yaml$/m);
  assert.match(p.stdout, /^update overlays\/homelab\/synapse\/homeserver\.yaml\n--- overlays\/homelab\/synapse\/homeserver\.yaml \(now\)\n\+\+\+ overlays\/homelab\/synapse\/homeserver\.yaml \(after scaffold\)\n@@ /m);
  assert.match(p.stdout, /^-turn_user_lifetime: 1h$/m);
  assert.match(p.stdout, /^update matrix-gitops\.yaml\n(.*\n)*?\+  coturn: false$/m, 'the config file records the change');
  assert.match(p.stdout, new RegExp(`^secret ${lost} \\(new: generated and encrypted by the real run\\)$`, 'm'));
  assert.doesNotMatch(p.stdout, /\u001b\[/, 'no colour when stdout is not a terminal');
  // --dry-run is the same thing.
  const d = await scaffold(['--out', repo, '--yes', '--dry-run', '--components', 'no-coturn']);
  assert.equal(d.exitCode, 3);
  assert.equal(d.stdout, p.stdout);
  const planned = counts(p.stderr, /^✓ plan: /);
  // coturn's four files go; the lost secret comes back.
  assert.match(planned, /^0 created, [1-9]\d* updated, 0 merged, \d+ unchanged, 4 removed, 1 new secret\(s\)$/);

  const r = await scaffold(['--out', repo, '--yes', '--components', 'no-coturn']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(counts(r.stderr, /^✓ scaffolded /), planned, 'the real run does what the plan said');
  assert.match(r.stderr, /^ {2}updated overlays\/homelab\/synapse\/homeserver\.yaml$/m);
  assert.match(r.stderr, /^ {2}removed base\/coturn\/deployment\.yaml$/m);
  assert.match(r.stderr, new RegExp(`^ {2}new secret ${lost}$`, 'm'));
  assert.ok(!existsSync(path.join(repo, '.matrix-gitops/base/base/coturn/deployment.yaml')), 'the base of a removed file goes too');
  assert.equal(readFileSync(path.join(repo, '.matrix-gitops/base/overlays/homelab/synapse/homeserver.yaml'), 'utf8'), readFileSync(homeserver, 'utf8'));
  assert.ok(!readdirSync(path.join(repo, '.matrix-gitops/base'), { recursive: true }).map(String).some((f) => f.includes('secrets/')), 'no secret is ever kept as a base');
  await git(repo, 'add', '-A');
  await git(repo, 'commit', '-qm', 'coturn off');
});

test('a user edit and a non-overlapping template change merge cleanly: both kept, listed as merged', async () => {
  const edited = readFileSync(homeserver, 'utf8').replace('max_upload_size: 100M\n', 'max_upload_size: 250M\n');
  assert.notEqual(edited, readFileSync(homeserver, 'utf8'));
  writeFileSync(homeserver, edited);
  const p = await scaffold(['--out', repo, '--yes', '--plan', '--components', 'coturn']);
  assert.equal(p.exitCode, 3, p.stderr);
  assert.match(p.stdout, /^merge {2}overlays\/homelab\/synapse\/homeserver\.yaml \(your edit kept, the new render merged in\)$/m);
  assert.match(p.stdout, /^\+turn_user_lifetime: 1h$/m);
  assert.equal(readFileSync(homeserver, 'utf8'), edited, 'the plan wrote nothing');
  const r = await scaffold(['--out', repo, '--yes', '--components', 'coturn']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(counts(r.stderr, /^✓ scaffolded /), counts(p.stderr, /^✓ plan: /));
  assert.match(r.stderr, /^ {2}merged overlays\/homelab\/synapse\/homeserver\.yaml$/m);
  const after = readFileSync(homeserver, 'utf8');
  assert.match(after, /^max_upload_size: 250M$/m, 'the user edit is kept');
  assert.match(after, /^turn_user_lifetime: 1h$/m, 'the new render is merged in');
  // The merged file is stable: the next plan keeps the edit and has nothing to do.
  const again = await scaffold(['--out', repo, '--yes', '--plan']);
  assert.equal(again.exitCode, 0, again.stdout + again.stderr);
  await git(repo, 'add', '-A');
  await git(repo, 'commit', '-qm', 'coturn on, my upload size');
});

test('an edit overlapping a template change is a conflict: exit 1, the hunks shown, nothing written; --force takes ours', async () => {
  writeFileSync(homeserver, readFileSync(homeserver, 'utf8').replace('turn_user_lifetime: 1h\n', 'turn_user_lifetime: 4h\n'));
  const before = snapshot(repo);
  for (const flags of [['--plan'], []]) {
    const r = await scaffold(['--out', repo, '--yes', ...flags, '--components', 'no-coturn']);
    assert.equal(r.exitCode, 1, `${flags.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /^overlays\/homelab\/synapse\/homeserver\.yaml:\d+: conflict\n<<<<<<< yours\n(.*\n)*?turn_user_lifetime: 4h\n(.*\n)*?=======\n>>>>>>> matrix-gitops$/m);
    assert.match(r.stderr, /overlays\/homelab\/synapse\/homeserver\.yaml/);
    assert.deepEqual(snapshot(repo), before, `${flags.join(' ')}: nothing written, not even the files without conflicts`);
  }
  const forcedPlan = await scaffold(['--out', repo, '--yes', '--plan', '--force', '--components', 'no-coturn']);
  assert.equal(forcedPlan.exitCode, 3, forcedPlan.stderr);
  assert.match(forcedPlan.stdout, /^update overlays\/homelab\/synapse\/homeserver\.yaml \(--force: your edit is overwritten\)\n(.*\n)*?-turn_user_lifetime: 4h$/m);
  assert.deepEqual(snapshot(repo), before);
  const forced = await scaffold(['--out', repo, '--yes', '--force', '--components', 'no-coturn']);
  assert.equal(forced.exitCode, 0, forced.stderr);
  const after = readFileSync(homeserver, 'utf8');
  assert.doesNotMatch(after, /turn_user_lifetime/);
  assert.match(after, /^max_upload_size: 100M$/m, '--force takes ours for the whole file');
});

test('a pin that changed since the last scaffold shows in --plan, as after bumping the CLI', async () => {
  // As if an older release (older Synapse pin) had written the file: the file, its base and the state agree.
  const file = 'base/synapse/deployment.yaml';
  const pinned = versions().images.synapse;
  const older = pinned.replace(/:[^:]+$/, ':v1.0.0');
  const text = readFileSync(path.join(repo, file), 'utf8');
  assert.ok(text.includes(`image: ${pinned}`), `${file} uses ${pinned}`);
  const oldText = text.replaceAll(pinned, older);
  writeFileSync(path.join(repo, file), oldText);
  writeFileSync(path.join(repo, '.matrix-gitops/base', file), oldText);
  const stateFile = path.join(repo, '.matrix-gitops/state.json');
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { files: Record<string, string> };
  state.files[file] = createHash('sha256').update(oldText).digest('hex');
  writeFileSync(stateFile, JSON.stringify(state));
  const p = await scaffold(['--out', repo, '--yes', '--plan']);
  assert.equal(p.exitCode, 3, p.stderr);
  const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  assert.match(p.stdout, new RegExp(`^update ${esc(file)}\\n(.*\\n)*?-\\s+image: ${esc(older)}\\n\\+\\s+image: ${esc(pinned)}$`, 'm'));
  const r = await scaffold(['--out', repo, '--yes']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`^ {2}updated ${file}$`, 'm'));
  assert.ok(readFileSync(path.join(repo, file), 'utf8').includes(`image: ${pinned}`));
});

test('upgrade from a repository scaffolded by 0.1.0: plan, then scaffold re-renders with the new templates and keeps the user edits', async () => {
  const old = path.join(work, 'old');
  cpSync(path.join(previous, 'repo'), old, { recursive: true });
  // As the user has it: scaffolded and committed by 0.1.0, then edited and committed.
  await git(old, 'init', '-q', '-b', 'main');
  await git(old, 'add', '-A');
  await git(old, 'commit', '-qm', 'Scaffold the Matrix stack with matrix-gitops');
  const readme = path.join(old, 'README.md');
  writeFileSync(readme, readFileSync(readme, 'utf8').replace('\n## How changes reach the cluster', '\nOn-call: #ops-matrix.\n\n## How changes reach the cluster'));
  // A file the new templates leave as 0.1.0 wrote it.
  const hs = path.join(old, 'base/coturn/configmap.yaml');
  writeFileSync(hs, readFileSync(hs, 'utf8').replace('total-quota=1200\n', 'total-quota=3000\n'));
  await git(old, 'commit', '-qam', 'our notes');
  assert.ok(!existsSync(path.join(old, '.matrix-gitops/base')), '0.1.0 kept hashes only');
  const tools = { ...env, MATRIX_GITOPS_HOME: projectRoot, SOPS_AGE_KEY_FILE: path.join(previous, 'test-only-age-identity.txt') };
  const secretsBefore = new Map([...snapshot(old)].filter(([p]) => p.includes('/secrets/')));

  // The commands of the generated README's "Upgrading" section, run the way it says.
  const plan = await execa('npm', ['run', '--silent', 'scaffold', '--', '--plan'], { cwd: old, reject: false, env: tools });
  assert.equal(plan.exitCode, 3, plan.stderr);
  assert.match(plan.stdout, /^merge {2}README\.md \(your edit kept, the new render merged in\)$/m, 'the template change of README.md merges with the edit (base from git history)');
  assert.match(plan.stdout, /^\+## Upgrading$/m);
  const up = await execa('npm', ['run', '--silent', 'scaffold'], { cwd: old, reject: false, env: tools });
  assert.equal(up.exitCode, 0, up.stderr);
  assert.equal(counts(up.stderr, /^✓ scaffolded /), counts(plan.stderr, /^✓ plan: /));
  assert.match(up.stderr, /^ {2}merged README\.md$/m);
  const text = readFileSync(readme, 'utf8');
  assert.match(text, /^On-call: #ops-matrix\.$/m, 'the user edit of README.md is kept');
  assert.match(text, /^## Upgrading$/m, 'and the new template is in');
  assert.match(readFileSync(hs, 'utf8'), /^ +total-quota=3000$/m, 'an edit of an unchanged template is kept');
  for (const [p, h] of secretsBefore) assert.equal(snapshot(old).get(p), h, `${p} kept byte for byte`);
  assert.ok(existsSync(path.join(old, '.matrix-gitops/base/README.md')), 'from now on the bases are kept in the repository');
  const review = await execa('git', ['diff', '--stat'], { cwd: old });
  assert.match(review.stdout, /README\.md/);
  // The upgraded package.json calls the matrix-gitops devDependency (npm install would fetch it).
  installCliShim(old);
  const v = await execa('npm', ['run', '--silent', 'validate', '--', '--format', 'json'], { cwd: old, reject: false, env: tools });
  assert.equal(v.exitCode, 0, v.stdout.slice(0, 2000) + v.stderr);
  // Committed and pushed on a branch, as the README says (to a local bare remote).
  const remote = path.join(work, 'remote.git');
  await execa('git', ['init', '-q', '--bare', remote]);
  await git(old, 'remote', 'add', 'origin', remote);
  await execa('sh', ['-c', 'git switch -c upgrade-matrix-gitops && git add -A && git -c user.name=t -c user.email=t@localhost commit -q -m "Upgrade matrix-gitops"'], { cwd: old });
  await execa('git', ['push', '-q', '-u', 'origin', 'upgrade-matrix-gitops'], { cwd: old });
  assert.equal((await execa('git', ['rev-parse', 'upgrade-matrix-gitops'], { cwd: remote })).stdout, (await execa('git', ['rev-parse', 'HEAD'], { cwd: old })).stdout);
  const again = await execa('npm', ['run', '--silent', 'scaffold', '--', '--plan'], { cwd: old, reject: false, env: tools });
  assert.equal(again.exitCode, 0, again.stdout + again.stderr);
});
