// `matrix-gitops diff` on a real scaffolded repository with real git and kustomize: the objects a
// config change adds, removes and changes, Secrets without values, the markdown cap, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { projectRoot } from '../../src/lib/versions.ts';
import { userCacheDir } from '../../src/lib/paths.ts';
import { installCliShim } from '../lib/cli-shim.ts';
import type { DiffResult } from '../../src/diff/compare.ts';

const scaffoldCli = path.join(projectRoot, 'src', 'cli', 'scaffold.ts');
const diffCli = path.join(projectRoot, 'src', 'cli', 'diff.ts');
const config = path.join(import.meta.dirname, 'fixtures', 'upgrade', 'homelab.yaml');
const work = mkdtempSync(path.join(tmpdir(), 'mx-diff-'));
const repo = path.join(work, 'repo');
const env = { HOME: path.join(work, 'home'), SOPS_AGE_KEY_FILE: '', MATRIX_GITOPS_CACHE: userCacheDir() };
const git = (...args: string[]) => execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@localhost', ...args], { cwd: repo });

const scaffold = (args: string[]) => execa(process.execPath, ['--import', 'tsx', scaffoldCli, '--out', repo, '--yes', ...args], { cwd: projectRoot, reject: false, env });
// Run from the project (tsx resolves from there); INIT_CWD is where the user typed it, as under npm run.
const diff = (args: string[], cwd = repo) => execa(process.execPath, ['--import', 'tsx', diffCli, ...args], { cwd: projectRoot, reject: false, env: { ...env, INIT_CWD: cwd } });
const ids = (r: DiffResult, k: 'added' | 'removed' | 'changed') => r.entries.flatMap((e) => e[k].map((o) => `${e.entry} ${[o.kind, o.namespace, o.name].filter(Boolean).join('/')}`));

test.before(async () => {
  const r = await scaffold(['--config', config]);
  assert.equal(r.exitCode, 0, r.stderr);
  await git('switch', '-q', '-c', 'change');
});
test.after(() => rmSync(work, { recursive: true, force: true }));

test('no change: nothing to show, exit 0 also with --exit-code', async () => {
  const r = await diff(['--exit-code']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /^no difference in the rendered objects between merge base [0-9a-f]{12} and work tree$/m);
});

test('a config change shows exactly the objects it adds, removes and changes; a renamed ConfigMap hash is one change', async () => {
  const s = await scaffold(['--components', 'no-coturn']);
  assert.equal(s.exitCode, 0, s.stderr);
  const r = await diff(['--format', 'json']);
  assert.equal(r.exitCode, 0, r.stderr);
  const result = JSON.parse(r.stdout) as DiffResult;
  assert.deepEqual(ids(result, 'added'), []);
  assert.deepEqual(ids(result, 'removed'), [
    'overlays/homelab ConfigMap/matrix/coturn-template',
    'overlays/homelab Deployment/matrix/coturn',
    'overlays/homelab Secret/matrix/turn-shared-secret',
    'overlays/homelab Service/matrix/coturn',
  ]);
  // The Synapse ConfigMap's generated name changes with its content: one change, and the Deployment
  // that mounts it does not show the rename.
  assert.deepEqual(ids(result, 'changed'), ['overlays/homelab ConfigMap/matrix/synapse-config-<hash>', 'overlays/homelab Namespace/matrix']);
  const cm = result.entries[0].changed[0];
  assert.match(cm.diff ?? '', /^-\s+turn_user_lifetime: 1h$/m);
  const t = await diff(['--exit-code']);
  assert.equal(t.exitCode, 1, 'a difference with --exit-code');
  assert.match(t.stdout, /^== overlays\/homelab: 0 added, 4 removed, 2 changed$/m);
  assert.match(t.stdout, /^- Deployment\/matrix\/coturn$/m);
  assert.match(t.stdout, /^~ ConfigMap\/matrix\/synapse-config-<hash>\n--- ConfigMap\/matrix\/synapse-config-<hash> \(merge base [0-9a-f]{12}\)\n\+\+\+ ConfigMap\/matrix\/synapse-config-<hash> \(work tree\)$/m);
  // Committed: the same difference between two named revisions, and nothing between a revision and itself.
  await git('add', '-A');
  await git('commit', '-qm', 'coturn off');
  const named = await diff(['--base', 'main', '--head', 'change', '--format', 'json']);
  assert.deepEqual((JSON.parse(named.stdout) as DiffResult).entries, result.entries.map((e) => ({ ...e, changed: e.changed.map((c) => ({ ...c, diff: c.diff?.replace('(merge base', '(main').replace(/\(main [0-9a-f]+\)/, '(main)').replace('(work tree)', '(change)') })) })));
  assert.deepEqual((JSON.parse((await diff(['--base', 'change', '--format', 'json'])).stdout) as DiffResult).entries, []);
});

test('a changed secret shows only that it changed: no value, encrypted or not, in any format', async () => {
  const secret = 'overlays/homelab/secrets/synapse-form-secret.sops.yaml';
  rmSync(path.join(repo, secret));
  const s = await scaffold([]);
  assert.equal(s.exitCode, 0, s.stderr);
  const file = parse(readFileSync(path.join(repo, secret), 'utf8')) as { stringData: Record<string, string>; sops: { mac: string; age: { enc: string }[] } };
  // Every encrypted value and the sops stanza's own secrets-derived fields.
  const forbidden = [...Object.values(file.stringData), file.sops.mac, ...file.sops.age.map((a) => a.enc.split('\n')[1])];
  for (const format of ['text', 'markdown', 'json']) {
    const r = await diff(['--base', 'HEAD', '--format', format]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /Secret\/matrix\/synapse-form-secret`? changed \(Secret: values not shown\)|"name": "synapse-form-secret",\n\s+"secret": true/, format);
    for (const f of forbidden) assert.ok(!r.stdout.includes(f), `${format}: a secret value leaked`);
    assert.doesNotMatch(r.stdout, /ENC\[/, format);
  }
  const json = JSON.parse((await diff(['--base', 'HEAD', '--format', 'json'])).stdout) as DiffResult;
  assert.deepEqual(json.entries.flatMap((e) => e.changed), [{ kind: 'Secret', namespace: 'matrix', name: 'synapse-form-secret', secret: true }]);
  await git('add', '-A');
  await git('commit', '-qm', 'new form secret');
});

test('markdown of a large change stays under the cap, with a note saying what was left out', async () => {
  const s = await scaffold(['--namespace', 'chat']);
  assert.equal(s.exitCode, 0, s.stderr);
  const full = await diff(['--base', 'main', '--format', 'markdown']);
  assert.equal(full.exitCode, 0, full.stderr);
  assert.ok(full.stdout.length <= 60_000, `${full.stdout.length} characters`);
  // Everything moves namespace: some 60 objects listed, over 2000 characters.
  const capped = await diff(['--base', 'main', '--format', 'markdown', '--max-chars', '2000']);
  assert.ok(capped.stdout.length <= 2000, `${capped.stdout.length} characters`);
  assert.match(capped.stdout, /^\| `overlays\/homelab` \| \d+ \| \d+ \| \d+ \|$/m, 'the summary table is always whole');
  assert.match(capped.stdout, /^> Output capped at 2000 characters: \d+ of \d+ objects not shown\. Run `matrix-gitops diff` locally for all of it\.$/m);
});

test('bad input: one line, exit 2', async () => {
  const plain = mkdtempSync(path.join(work, 'plain-'));
  const cases: [string[], string | undefined, RegExp][] = [
    [['--format', 'html'], undefined, /^diff: --format: unknown format "html" \(expected text\|markdown\|json\)$/],
    [['--base', 'no-such-branch'], undefined, /^diff: --base\/--head: "no-such-branch" is not a commit in .*; name a branch, tag or commit \(git log shows them\)$/],
    [['--max-chars', 'lots'], undefined, /^diff: --max-chars: "lots" must be a whole number of at least 1000$/],
    [['--bogus'], undefined, /^diff: unknown option --bogus; see `matrix-gitops diff --help`$/],
    [[], plain, /^diff: .*plain-[^:]*: not a git repository; diff compares two git revisions \(git init and commit first\)$/],
    [[path.join(work, 'missing')], undefined, /^diff: cannot read directory .*missing: ENOENT$/],
  ];
  for (const [args, cwd, expected] of cases) {
    const r = await diff(args, cwd);
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('diff:'));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], expected);
  }
});

test('the generated CI posts the diff on pull requests, with the command the workflow runs', async () => {
  const wf = parse(readFileSync(path.join(repo, '.github/workflows/validate.yaml'), 'utf8')) as {
    jobs: Record<string, { if?: string; permissions?: Record<string, string>; steps: { run?: string; env?: Record<string, string> }[] }>;
  };
  const job = wf.jobs.diff;
  assert.equal(job.if, "github.event_name == 'pull_request'");
  assert.equal(job.permissions?.['pull-requests'], 'write');
  const render = job.steps.find((st) => st.run?.includes('diff --'));
  assert.ok(render?.run);
  assert.ok(job.steps.at(-1)?.run?.startsWith('gh pr comment "$PR" --body-file diff.md'));
  // The step's command, run as CI runs it (through the generated package.json, BASE = the base commit).
  const base = (await git('rev-parse', 'main')).stdout.trim();
  installCliShim(repo);
  const r = await execa('sh', ['-c', render.run], { cwd: repo, reject: false, env: { ...env, BASE: base } });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(readFileSync(path.join(repo, 'diff.md'), 'utf8'), /^### matrix-gitops diff: `[0-9a-f]{40}` → `work tree`$/m);
});

test('an entry point that fails to build at one revision is reported (exit 1), the others still compared', async () => {
  const k = path.join(repo, 'overlays/homelab/kustomization.yaml');
  const before = readFileSync(k, 'utf8');
  writeFileSync(k, before.replace(/^resources:\n/m, 'resources:\n  - does-not-exist.yaml\n'));
  try {
    const r = await diff(['--base', 'HEAD']);
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(r.stdout, /^! build failed at head: kustomize build failed: .*does-not-exist\.yaml.*$/m);
    const md = await diff(['--base', 'HEAD', '--format', 'markdown']);
    assert.match(md.stdout, /^\| `overlays\/homelab` ⚠️ build failed \| 0 \| \d+ \| 0 \|$/m);
  } finally {
    writeFileSync(k, before);
  }
});
