// `npm run scaffold` end to end with the real sops, age, git and the validate gate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, execaSync } from 'execa';
import { parse } from 'yaml';
import { projectRoot } from '../../src/lib/versions.ts';
import { toolPath } from '../../src/lib/tools.ts';
import { userCacheDir } from '../../src/lib/paths.ts';
import { snapshot } from '../lib/snapshot.ts';
import { decryptFile } from '../../src/scaffold/secrets/index.ts';

const cli = path.join(projectRoot, 'src', 'cli', 'scaffold.ts');
const fixture = (f: string) => path.join(import.meta.dirname, 'fixtures', 'scaffold', f);
const work = mkdtempSync(path.join(tmpdir(), 'mx-scaffold-'));
const repo = path.join(work, 'repo');
// No key in the user's home may leak into the test: HOME points at an empty folder. The per-user
// tool cache (under the real HOME by default) stays where setup put it.
const env = { HOME: path.join(work, 'home'), SOPS_AGE_KEY_FILE: '', MATRIX_GITOPS_CACHE: userCacheDir() };
// The generated scripts and hook call `matrix-gitops` (the repository's devDependency). Here this
// checkout stands in for the installed package through a PATH entry; test/integration/package.test.ts
// installs the real tarball.
const shimDir = path.join(work, 'bin');
mkdirSync(shimDir, { recursive: true });
writeFileSync(path.join(shimDir, 'matrix-gitops'), `#!/bin/sh\nexec "${path.join(projectRoot, 'node_modules', '.bin', 'tsx')}" "${path.join(projectRoot, 'src', 'cli', 'main.ts')}" "$@"\n`, { mode: 0o755 });
const withCli = { PATH: `${shimDir}${path.delimiter}${process.env.PATH ?? ''}` };

function scaffold(args: string[], input?: string) {
  return execa(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: projectRoot, reject: false, env, input: input ?? '' });
}


const secretFiles = (snap: Map<string, string>) => new Map([...snap].filter(([p]) => p.includes('/secrets/')));

// An age key of the user's own, for the tests that bring one (--age-key).
test.before(async () => { await execa(toolPath('age-keygen'), ['-o', path.join(work, 'key.txt')]); });
test.after(() => rmSync(work, { recursive: true, force: true }));

test('a fresh scaffold is a git repository that validates clean, with a generated git-ignored age key', async () => {
  const r = await scaffold(['--config', fixture('homelab.yaml'), '--out', repo, '--yes']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /generated a NEW age key/);
  for (const f of ['.sops.yaml', '.gitignore', 'package.json', '.githooks/pre-push', '.github/workflows/validate.yaml', 'README.md',
    'matrix-gitops.yaml', 'matrix-gitops.schema.json', 'policies/main.rego', 'flux/homelab/kustomization.yaml', 'overlays/li/kustomization.yaml']) {
    assert.ok(existsSync(path.join(repo, f)), f);
  }
  const tracked = (await execa('git', ['ls-files'], { cwd: repo })).stdout.split('\n');
  assert.ok(tracked.includes('overlays/homelab/secrets/synapse-signing-key.sops.yaml'));
  assert.ok(!tracked.includes('age.key'), 'the private key is never committed');
  // CI: validate on pull requests and pushes; the deploy branch only moves after validate passed on main.
  const wf = parse(readFileSync(path.join(repo, '.github/workflows/validate.yaml'), 'utf8')) as {
    on: Record<string, unknown>; jobs: Record<string, { needs?: string; if?: string; steps: { run?: string; uses?: string }[] }>;
  };
  assert.ok('pull_request' in wf.on && 'push' in wf.on);
  assert.ok(wf.jobs.validate.steps.some((s) => s.uses?.startsWith('github/codeql-action/upload-sarif')));
  assert.ok(wf.jobs.validate.steps.some((s) => s.run === 'npm ci'));
  assert.ok(wf.jobs.validate.steps.some((s) => s.run?.includes('npx matrix-gitops setup')));
  assert.equal(wf.jobs.deploy.needs, 'validate');
  assert.match(wf.jobs.deploy.if ?? '', /refs\/heads\/main/);
  assert.match(wf.jobs.deploy.steps.at(-1)?.run ?? '', /refs\/heads\/deploy/);
  assert.doesNotMatch(wf.jobs.deploy.steps.at(-1)?.run ?? '', /--force|\+/);
  assert.equal(statSync(path.join(repo, '.githooks/pre-push')).mode & 0o111, 0o111, 'the hook is executable');
  // Through the generated package.json, as the hook and CI run it.
  const v = await execa('npm', ['run', '--silent', 'validate', '--', '--format', 'json'], { cwd: repo, reject: false, env: withCli });
  const report = JSON.parse(v.stdout) as { ok: boolean; findings: { severity: string; rule: string; message: string }[] };
  assert.deepEqual(report.findings.filter((f) => f.severity === 'error'), []);
  assert.equal(report.ok, true);
  assert.equal(v.exitCode, 0);
});

test('the pre-push hook runs the gate: a broken commit is not pushed', async () => {
  const remote = path.join(work, 'remote.git');
  await execa('git', ['init', '-q', '--bare', remote]);
  const ok = await execa('git', ['push', '-q', remote, 'main'], { cwd: repo, reject: false, env: withCli });
  assert.equal(ok.exitCode, 0, ok.stderr);
  const pushed = (await execa('git', ['rev-parse', 'main'], { cwd: remote })).stdout;
  const kust = path.join(repo, 'overlays/homelab/kustomization.yaml');
  const original = readFileSync(kust, 'utf8');
  writeFileSync(kust, original.replace('resources:', 'resources:\n  - does-not-exist.yaml'));
  await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qam', 'broken'], { cwd: repo });
  const refused = await execa('git', ['push', '-q', remote, 'main'], { cwd: repo, reject: false, env: withCli });
  assert.notEqual(refused.exitCode, 0);
  assert.equal((await execa('git', ['rev-parse', 'main'], { cwd: remote })).stdout, pushed, 'the remote did not move');
  await execa('git', ['reset', '-q', '--hard', 'HEAD~1'], { cwd: repo });
  assert.equal(readFileSync(kust, 'utf8'), original);
  // A clone without `npm install`: the hook says what to do, in one line, and the push does not happen.
  const bare = (process.env.PATH ?? '').split(path.delimiter).filter((d) => !d.includes('node_modules')).join(path.delimiter);
  const missing = await execa(path.join(repo, '.githooks/pre-push'), [], { cwd: repo, reject: false, env: { PATH: bare }, extendEnv: false });
  assert.equal(missing.exitCode, 2);
  assert.equal(missing.stderr, 'pre-push: matrix-gitops is not installed in this clone; run npm install (then npx matrix-gitops setup) and push again');
});

test('decrypted secrets are well formed: the signing key is an Ed25519 seed', async () => {
  const text = await decryptFile(path.join(repo, 'overlays/homelab/secrets/synapse-signing-key.sops.yaml'), path.join(repo, 'age.key'));
  const line = (parse(text) as { stringData: Record<string, string> }).stringData['signing.key'];
  const seed = Buffer.from(line.trim().split(' ')[2], 'base64');
  assert.equal(seed.length, 32);
  createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
  assert.match(line, /^ed25519 a_[A-Za-z0-9]{4} [A-Za-z0-9+/]{43}\n?$/);
  // Every secret file: encrypted at rest, a Secret when decrypted, every value filled and templates resolved.
  const files = readdirSync(path.join(repo, 'overlays'), { recursive: true }).map(String).filter((f) => f.endsWith('.sops.yaml'));
  assert.ok(files.length >= 20, `${files.length} secret files`);
  for (const f of files) {
    const file = path.join(repo, 'overlays', f);
    assert.match(readFileSync(file, 'utf8'), /ENC\[AES256_GCM,/, `${f} is encrypted`);
    const secret = parse(await decryptFile(file, path.join(repo, 'age.key'))) as { kind: string; metadata: { name: string }; stringData: Record<string, string> };
    assert.equal(secret.kind, 'Secret', f);
    for (const [k, v] of Object.entries(secret.stringData)) {
      assert.ok(typeof v === 'string' && v.length > 0, `${f} ${k} is empty`);
      assert.doesNotMatch(v, /\{[a-z-]+\}/, `${f} ${k} has an unresolved template`);
    }
    if (secret.stringData['keys.yaml']) {
      assert.equal(secret.stringData['keys.yaml'].trim(), `${secret.stringData['api-key']}: ${secret.stringData['api-secret']}`, 'LiveKit keys.yaml agrees with api-key/api-secret');
    }
  }
});

test('a second run with the same config changes nothing, byte for byte', async () => {
  const before = snapshot(repo);
  const r = await scaffold(['--out', repo, '--yes']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /nothing to do/);
  assert.deepEqual(snapshot(repo), before);
});

test('a config change re-renders, keeps every secret byte for byte, and removes only what the tool owned', async () => {
  const lost = 'overlays/production/secrets/synapse-form-secret.sops.yaml';
  rmSync(path.join(repo, lost));
  const before = snapshot(repo);
  const r = await scaffold(['--out', repo, '--yes', '--components', 'no-coturn', '--host-element', 'web.example.org']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /1 new secret\(s\)/);
  const after = snapshot(repo);
  for (const [p, h] of secretFiles(before)) assert.equal(after.get(p), h, `${p} kept`);
  assert.ok(after.has(lost), 'a missing secret is added');
  assert.equal(secretFiles(after).size, secretFiles(before).size + 1, 'and only that one');
  const v = await execa('npm', ['run', '--silent', 'validate', '--', '--format', 'json'], { cwd: repo, reject: false, env: withCli });
  assert.equal(v.exitCode, 0, v.stdout.slice(0, 2000));
  assert.ok(!after.has('base/coturn/kustomization.yaml'), 'coturn removed');
  assert.match(readFileSync(path.join(repo, 'matrix-gitops.yaml'), 'utf8'), /element: web\.example\.org/);
});

test('changing serverName is refused with exit 2 naming old and new; nothing changes', async () => {
  const before = snapshot(repo);
  const r = await scaffold(['--out', repo, '--yes', '--server-name', 'other.org']);
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr.trim(), /^scaffold: serverName: .*"example\.org".*"other\.org"/m);
  assert.deepEqual(snapshot(repo), before);
  // Also without the state file: the repository's own config holds the name.
  const stateFile = path.join(repo, '.matrix-gitops/state.json');
  const state = readFileSync(stateFile);
  rmSync(stateFile);
  const r2 = await scaffold(['--out', repo, '--yes', '--server-name', 'other.org']);
  assert.equal(r2.exitCode, 2);
  assert.match(r2.stderr, /scaffolded for "example\.org"; refusing to change it to "other\.org"/);
  writeFileSync(stateFile, state);
  assert.deepEqual(snapshot(repo), before);
});

test('a file edited by the user keeps the edit through a re-render (three-way merge; conflicts: scaffold-upgrade.test.ts)', async () => {
  const file = path.join(repo, 'base/synapse/kustomization.yaml');
  appendFileSync(file, '# tuned by hand\n');
  const r = await scaffold(['--out', repo, '--yes', '--components', 'coturn']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(readFileSync(file, 'utf8'), /# tuned by hand/);
  assert.ok(existsSync(path.join(repo, 'base/coturn/kustomization.yaml')), 'the rest of the change is written');
});

test('bad input: one line, exit 2, target untouched', async () => {
  const before = snapshot(repo);
  const cases: [string[], RegExp][] = [
    [['--config', fixture('bad-cidr.yaml'), '--out', path.join(work, 'new1'), '--yes'], /li\.allowedCidrs\[0\]: "203\.0\.113\.0\/99" must be a CIDR/],
    [['--out', path.join(work, 'new2'), '--yes'], /serverName: missing; pass --server-name/],
    [['--config', fixture('homelab.yaml'), '--yes'], /--out: missing/],
    [['--out', repo, '--yes', '--bogus'], /^scaffold: unknown option --bogus; see `matrix-gitops scaffold --help`$/],
    [['--out', repo, '--yes', '--environments', 'homelab,staging'], /environments\[1\]: "staging" is not one of/],
    [['--out', repo, '--yes', '--age-key', path.join(work, 'missing.key')], /--age-key: .*missing\.key does not exist/],
    [['--out', repo, '--yes', '--age-key', fixture('not-an-age-key.txt')], /not-an-age-key\.txt: not an age identity file/],
    [['--config', fixture('missing.yaml'), '--out', repo, '--yes'], /missing\.yaml: cannot read the config \(no such file\)/],
    [['--config', fixture('bad-yaml.yaml'), '--out', path.join(work, 'new1'), '--yes'], /bad-yaml\.yaml:3:1: not valid YAML/],
    [['--out', repo, '--yes', '--host-synapse', 'https://matrix.example.org'], /hosts\.synapse: "https:\/\/matrix\.example\.org" must be a fully qualified hostname/],
    [['--out', path.join(repo, 'README.md'), '--yes'], /--out: .*README\.md is not a directory/],
  ];
  for (const [args, expected] of cases) {
    const r = await scaffold(args);
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('scaffold:'));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], expected);
  }
  assert.ok(!existsSync(path.join(work, 'new1')) && !existsSync(path.join(work, 'new2')));
  assert.deepEqual(snapshot(repo), before);
  // A damaged state file is refused (it is what protects your edits), with how to restore it.
  const stateFile = path.join(repo, '.matrix-gitops/state.json');
  const state = readFileSync(stateFile);
  writeFileSync(stateFile, '{"serverName": ');
  const r = await scaffold(['--out', repo, '--yes']);
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /^scaffold: .*state\.json: unreadable scaffold state; restore it from git/m);
  writeFileSync(stateFile, state);
  assert.deepEqual(snapshot(repo), before);
});

/** script(1) from util-linux gives a real pseudo-terminal without native modules; install it if we can. */
function haveScript(): boolean {
  const found = () => execaSync('sh', ['-c', 'command -v script'], { reject: false }).exitCode === 0;
  if (found()) return true;
  if (process.getuid?.() === 0) execaSync('sh', ['-c', 'apt-get install -y -qq bsdutils || (apt-get update -qq && apt-get install -y -qq bsdutils)'], { reject: false });
  return found();
}

test('on a terminal the missing main values are prompted for, with defaults and validation', { skip: haveScript() ? false : 'script(1) missing: apt-get install bsdutils' }, async () => {
  const out = path.join(work, 'prompted');
  const cmd = `${process.execPath} --import tsx ${cli} --out ${out} --environments homelab --no-git`;
  // script(1) gives the command a real pseudo-terminal. Answers: serverName (invalid, then valid),
  // Synapse host (default), Element host, components (invalid, then valid), git URL (default).
  const answers = ['not a name', 'prompted.example.org', '', 'web.prompted.example.org', 'coturn,frobnicator', 'coturn,backups', ''];
  const r = await execa('script', ['-qec', cmd, '/dev/null'], { cwd: projectRoot, reject: false, env, input: `${answers.join('\n')}\n` });
  assert.equal(r.exitCode, 0, r.stdout);
  assert.match(r.stdout, /Matrix server name/);
  assert.match(r.stdout, /Synapse host \[matrix\.prompted\.example\.org\]/);
  assert.match(r.stdout, /"frobnicator" is not one of/);
  const config = parse(readFileSync(path.join(out, 'matrix-gitops.yaml'), 'utf8')) as { serverName: string; hosts: Record<string, string>; components: Record<string, boolean>; git: { url: string } };
  assert.equal(config.serverName, 'prompted.example.org');
  assert.equal(config.hosts.synapse, 'matrix.prompted.example.org');
  assert.equal(config.hosts.element, 'web.prompted.example.org');
  assert.equal(config.components.coturn, true);
  assert.equal(config.components.livekit, false);
  assert.equal(config.git.url, 'https://git.prompted.example.org/ops/matrix-gitops.git');
  assert.ok(!existsSync(path.join(out, '.git')), '--no-git');
  // Once scaffolded, nothing is missing: a re-run on the terminal asks nothing.
  const again = await execa('script', ['-qec', `${process.execPath} --import tsx ${cli} --out ${out} --no-git`, '/dev/null'], { cwd: projectRoot, reject: false, env, input: '' });
  assert.equal(again.exitCode, 0, again.stdout);
  assert.doesNotMatch(again.stdout, /\[.*\]: /);
  assert.match(again.stdout, /nothing to do/);
});

test('--help prints the flags and exits 0', async () => {
  const r = await scaffold(['--help']);
  assert.equal(r.exitCode, 0);
  for (const flag of ['--config', '--out', '--yes', '--age-key', '--plan', '--dry-run', '--force', '--no-git', '--server-name', '--environments', '--host-synapse', '--components']) assert.match(r.stdout, new RegExp(flag));
});

test('an existing empty directory gets a git repository; comments in the repository config survive re-runs', async () => {
  const out = path.join(work, 'empty');
  const key = path.join(work, 'key.txt');
  mkdirSync(out);
  const r = await scaffold(['--out', out, '--yes', '--server-name', 'empty.example.org', '--environments', 'homelab', '--age-key', key]);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /generated a NEW age key/);
  assert.ok(!existsSync(path.join(out, 'age.key')));
  assert.equal((await execa('git', ['log', '--oneline'], { cwd: out })).stdout.split('\n').length, 1);
  assert.equal((await execa('git', ['status', '--porcelain'], { cwd: out })).stdout, '');
  const cfg = path.join(out, 'matrix-gitops.yaml');
  writeFileSync(cfg, readFileSync(cfg, 'utf8').replace(/^serverName:/m, '# our homeserver\nserverName:'));
  const again = await scaffold(['--out', out, '--yes', '--age-key', key]);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.match(readFileSync(cfg, 'utf8'), /# our homeserver/);
});

test('ageRecipientsByEnvironment: production secrets go to their own key, the others to the default one', async () => {
  const out = path.join(work, 'per-env');
  const prodKey = path.join(work, 'prod.txt');
  await execa(toolPath('age-keygen'), ['-o', prodKey]);
  const prodRecipient = (await execa(toolPath('age-keygen'), ['-y', prodKey])).stdout.trim();
  const cfg = path.join(work, 'per-env.yaml');
  writeFileSync(cfg, `serverName: per.example.org\nenvironments: [homelab, production]\nageRecipientsByEnvironment:\n  production: [${prodRecipient}]\n`);
  const r = await scaffold(['--config', cfg, '--out', out, '--yes', '--age-key', path.join(work, 'key.txt'), '--no-git']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(readFileSync(path.join(out, '.sops.yaml'), 'utf8'), new RegExp(prodRecipient));
  const prodSecret = path.join(out, 'overlays/production/secrets/synapse-signing-key.sops.yaml');
  const homeSecret = path.join(out, 'overlays/homelab/secrets/synapse-signing-key.sops.yaml');
  assert.match(await decryptFile(prodSecret, prodKey), /signing\.key/);
  await assert.rejects(decryptFile(prodSecret, path.join(work, 'key.txt')));
  assert.match(await decryptFile(homeSecret, path.join(work, 'key.txt')), /signing\.key/);
  const again = await scaffold(['--out', out, '--yes', '--age-key', path.join(work, 'key.txt'), '--no-git']);
  assert.match(again.stderr, /nothing to do/);
});

test('a file the tool no longer renders is removed, unless you edited it', async () => {
  const out = path.join(work, 'removal');
  const key = path.join(work, 'key.txt');
  const base = ['--out', out, '--yes', '--server-name', 'rm.example.org', '--environments', 'homelab', '--age-key', key, '--no-git'];
  assert.equal((await scaffold([...base, '--components', 'coturn,livekit'])).exitCode, 0);
  appendFileSync(path.join(out, 'base/livekit/configmap.yaml'), '# mine\n');
  const r = await scaffold([...base, '--components', 'no-livekit']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /base\/livekit\/configmap\.yaml is no longer rendered but you edited it: left in place/);
  assert.ok(existsSync(path.join(out, 'base/livekit/configmap.yaml')));
  assert.ok(!existsSync(path.join(out, 'base/livekit/kustomization.yaml')));
  for (const f of readdirSync(path.join(out, 'overlays/homelab/secrets'))) assert.ok(f.endsWith('.sops.yaml'));
  assert.ok(readdirSync(path.join(out, 'overlays/homelab/secrets')).some((f) => f.startsWith('livekit')), 'secret files are never deleted');
});

test('Ctrl-C while secrets are being encrypted leaves nothing behind', async () => {
  const out = path.join(work, 'interrupted');
  const key = path.join(work, 'key.txt');
  const child = execa(process.execPath, ['--import', 'tsx', cli, '--config', fixture('homelab.yaml'), '--out', out, '--yes', '--age-key', key], { cwd: projectRoot, reject: false, env });
  const staged = () => readdirSync(work).filter((e) => e.startsWith('.interrupted.scaffold-'));
  for (let i = 0; i < 500 && staged().length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(staged().length, 1, 'the run got as far as staging');
  child.kill('SIGINT');
  const r = await child;
  assert.equal(r.signal, 'SIGINT');
  assert.ok(!existsSync(out), 'no half-written repository');
  assert.deepEqual(staged(), [], 'no staging directory left behind');
});

test('a run killed while moving files into place is rolled back by the next run', async () => {
  const out = path.join(work, 'killed');
  const key = path.join(work, 'key.txt');
  const base = ['--out', out, '--yes', '--server-name', 'kill.example.org', '--environments', 'homelab', '--age-key', key, '--no-git'];
  assert.equal((await scaffold(base)).exitCode, 0);
  const before = snapshot(out);
  const killed = await execa(process.execPath, ['--import', 'tsx', cli, ...base, '--components', 'no-coturn,jitsi', '--host-element', 'k.example.org'], {
    cwd: projectRoot, reject: false, env: { ...env, MATRIX_GITOPS_TEST_SIGNAL_AFTER_MOVES: 'SIGKILL@5' },
  });
  assert.equal(killed.signal, 'SIGKILL');
  assert.notDeepEqual(snapshot(out), before);
  // The next run (here one that is then refused) first restores the repository.
  const next = await scaffold([...base, '--server-name', 'other.example.org']);
  assert.equal(next.exitCode, 2);
  assert.match(next.stderr, /interrupted run .* was rolled back/);
  assert.deepEqual(snapshot(out), before);
});
