// The installable CLI, as a user gets it: `npm pack` of this checkout, a repository scaffolded into
// a temporary directory that depends on the tarball, `npm install` there, and every command the
// repository's README tells a user to run that needs no cluster — with a PATH, HOME and working
// directory in which no path of this checkout (or of /work) appears. The tool cache is a fresh
// per-user cache seeded with the binaries this test run already uses (a warm cache: no go install).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, cpSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { parseDocument } from 'yaml';
import { packageVersion, projectRoot, versions } from '../../src/lib/versions.ts';
import { isPinnedVersion, reportedVersion, toolPath, type ToolName } from '../../src/lib/tools.ts';
import { schemaPinsKey } from '../../src/lib/paths.ts';
import { schemaDir } from '../../src/validate/schema.ts';

const work = realpathSync(mkdtempSync(path.join(tmpdir(), 'mx-package-')));
const home = path.join(work, 'home');
const cache = path.join(work, 'cache');
const repo = path.join(work, 'repo');
const tarball = path.join(work, `matrix-gitops-${packageVersion()}.tgz`);
const timings: Record<string, number> = {};

/** Everything this machine could leak into a generated file. */
const machinePaths = [work, projectRoot, path.dirname(projectRoot) === '/' ? projectRoot : `${path.dirname(projectRoot)}/`, `${homedir()}/`, home];

/** PATH without this checkout's node_modules/.bin or anything under its parent folder (/work). */
const cleanPath = (process.env.PATH ?? '').split(path.delimiter)
  .filter((d) => d && !d.includes('node_modules') && !machinePaths.some((m) => d.startsWith(m.replace(/\/$/, ''))))
  .join(path.delimiter);

const env: Record<string, string> = {
  PATH: cleanPath,
  HOME: home,
  MATRIX_GITOPS_CACHE: cache,
  TMPDIR: path.join(work, 'tmp'),
  LANG: 'C.UTF-8',
  // The machine's npm cache (outside any checkout) keeps `npm install` off the network when warm.
  npm_config_cache: path.join(homedir(), '.npm'),
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  GIT_CONFIG_NOSYSTEM: '1',
};

interface Run { exitCode: number; stdout: string; stderr: string; all: string }

async function inRepo(file: string, args: string[], extra: Record<string, string> = {}, cwd = repo): Promise<Run> {
  // A command waiting for input (sops edit after a bad edit) fails the test instead of hanging it.
  const r = await execa(file, args, { cwd, env: { ...env, ...extra }, extendEnv: false, reject: false, all: true, input: '', timeout: 300_000 });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr, all: r.all };
}

async function timed<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    timings[name] = Math.round(performance.now() - t0);
  }
}

/** Hard links when the cache is on the same file system (no 200 MB copy), else copies. */
function place(src: string, dest: string): void {
  mkdirSync(path.dirname(dest), { recursive: true });
  try {
    linkSync(realpathSync(src), dest);
  } catch {
    copyFileSync(src, dest);
    chmodSync(dest, 0o755);
  }
}

function seedCache(): void {
  for (const [name, pin] of Object.entries(versions().tools)) {
    const main = toolPath(pin.binaries[0] as ToolName);
    // A stale shared tools folder (MATRIX_GITOPS_TOOLS_DIR) would seed old binaries under new names.
    assert.ok(name === 'age' || isPinnedVersion(reportedVersion(main, pin.versionArgs), pin.version), `${main} is not ${name} ${pin.version}: run \`npm run setup\` (without a stale MATRIX_GITOPS_TOOLS_DIR) first`);
    for (const bin of pin.binaries) place(toolPath(bin as ToolName), path.join(cache, 'tools', `${name}-${pin.version}`, bin));
  }
  cpSync(schemaDir(), path.join(cache, 'schemas', schemaPinsKey()), { recursive: true });
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const f = path.join(dir, e);
    return statSync(f).isDirectory() ? allFiles(f) : [f];
  });
}

function snapshot(dir: string): Map<string, string> {
  return new Map(allFiles(dir).filter((f) => !/\/(\.git|node_modules)\//.test(f)).map((f) => [path.relative(dir, f), readFileSync(f, 'latin1')]));
}

/** The indented code blocks of one `## heading` section, comments removed, one command per line. */
function commands(readme: string, heading: string): string[][] {
  const start = readme.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `README has a "${heading}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  const blocks: string[][] = [];
  let current: string[] | undefined;
  for (const line of readme.slice(start, end === -1 ? undefined : end).split('\n')) {
    if (/^ {4,}\S/.test(line)) {
      current ??= [];
      current.push(line.trim().replace(/\s{2,}#\s.*$/, ''));
    } else if (line.trim() !== '') {
      if (current) blocks.push(current);
      current = undefined;
    }
  }
  if (current) blocks.push(current);
  return blocks;
}

/** Cluster commands (kubectl, flux, status) cannot run here; they are checked elsewhere. */
const needsCluster = (cmd: string): boolean => /^(kubectl|flux) |matrix-gitops status/.test(cmd);

test.before(async () => {
  mkdirSync(home, { recursive: true });
  mkdirSync(env.TMPDIR, { recursive: true });
  for (const [k, v] of Object.entries(env)) {
    if (k === 'npm_config_cache') continue;
    assert.ok(!v.includes(projectRoot) && !v.startsWith(path.dirname(projectRoot) + '/') , `${k}=${v} names this checkout`);
  }
  const packed = await timed('npm pack', () => execa('npm', ['pack', '--silent', '--pack-destination', work], { cwd: projectRoot, reject: false, all: true }));
  assert.equal(packed.exitCode, 0, packed.all);
  assert.ok(existsSync(tarball), `${tarball} written`);
  seedCache();
});

test.after(() => {
  process.stderr.write(`package.test timings (ms): ${JSON.stringify(timings)}; tarball ${existsSync(tarball) ? statSync(tarball).size : 0} bytes\n`);
  rmSync(work, { recursive: true, force: true });
});

test('a repository scaffolded with --cli-source TARBALL names it relatively and contains no path of this machine', async () => {
  const tsx = import.meta.resolve('tsx');
  const r = await timed('scaffold (checkout)', () => inRepo(process.execPath, ['--import', tsx, path.join(projectRoot, 'src', 'cli', 'main.ts'), 'init', 'repo', '--yes',
    '--server-name', 'example.org', '--environments', 'homelab,production,li', '--li-allowed-cidrs', '203.0.113.0/24',
    '--cli-source', path.basename(tarball)], {}, work));
  assert.equal(r.exitCode, 0, r.all);
  const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { devDependencies: Record<string, string>; scripts: Record<string, string> };
  assert.deepEqual(pkg.devDependencies, { 'matrix-gitops': `file:../${path.basename(tarball)}` });
  assert.equal(pkg.scripts.validate, 'matrix-gitops validate');
  const hits: string[] = [];
  for (const f of allFiles(repo)) {
    const text = readFileSync(f, 'latin1');
    for (const m of machinePaths) if (text.includes(m)) hits.push(`${path.relative(repo, f)}: ${m}`);
  }
  assert.deepEqual(hits, [], 'no file of the scaffolded repository (.git included) names a path of the machine that scaffolded it');
  assert.ok(existsSync(path.join(repo, 'renovate.json')));
});

test('the tarball installs into the repository and runs on plain Node: validate, a no-op scaffold, doctor', async () => {
  const install = await timed('npm install (tarball + deps, warm npm cache)', () => inRepo('npm', ['install', '--no-audit', '--no-fund']));
  assert.equal(install.exitCode, 0, install.all);
  const installed = path.join(repo, 'node_modules', 'matrix-gitops');
  assert.ok(existsSync(path.join(installed, 'dist', 'cli', 'main.js')));
  assert.ok(!existsSync(path.join(installed, 'src')), 'the package ships compiled JavaScript, not the TypeScript sources');
  assert.ok(!existsSync(path.join(repo, 'node_modules', 'tsx')), 'tsx is not a runtime dependency');
  for (const f of ['versions.json', 'policies/main.rego', 'dist/scaffold/config/schema.json']) assert.ok(existsSync(path.join(installed, f)), `${f} is in the package`);

  const version = await inRepo('npx', ['matrix-gitops', '--version']);
  assert.equal(version.stdout, packageVersion());
  const setup = await timed('setup (warm)', () => inRepo('npx', ['matrix-gitops', 'setup']));
  assert.equal(setup.exitCode, 0, setup.all);
  assert.match(setup.all ?? '', /tools ready/);
  assert.match(setup.all ?? '', new RegExp(`schema cache ready: .* in ${cache}/schemas/${schemaPinsKey()}`));

  const validate = await timed('validate', () => inRepo('npx', ['matrix-gitops', 'validate', '--format', 'json']));
  assert.equal(validate.exitCode, 0, validate.stderr);
  const report = JSON.parse(validate.stdout) as { ok: boolean; overlays: { name: string }[] };
  assert.equal(report.ok, true);
  const names = report.overlays.map((o) => o.name);
  for (const entry of ['homelab', 'production', 'li', 'flux/homelab', 'flux/production', 'flux/li']) assert.ok(names.includes(entry), `${entry} validated`);

  const before = snapshot(repo);
  const rescaffold = await timed('scaffold (no-op, installed)', () => inRepo('npx', ['matrix-gitops', 'scaffold', '--out', '.', '--yes']));
  assert.equal(rescaffold.exitCode, 0, rescaffold.all);
  assert.match(rescaffold.stderr, /nothing to do/);
  assert.deepEqual(snapshot(repo), before, 'the installed package renders byte for byte what the checkout rendered');

  const doctor = await inRepo('npx', ['matrix-gitops', 'doctor']);
  assert.equal(doctor.exitCode, 0, doctor.all);
  for (const item of ['node', 'go', 'kustomize', 'kubeconform', 'conftest', 'sops', 'age', 'age-keygen', 'schemas', 'age key', 'kubeconfig']) {
    assert.match(doctor.stdout, new RegExp(`^[✓!✗] ${item} `, 'm'), `doctor reports ${item}`);
  }
  assert.match(doctor.stdout, /^✓ age key +\.\/age\.key/m);
  assert.match(doctor.stdout, /^! kubeconfig +.*KUBECONFIG/m);
});

test('validate and doctor with an empty cache: one line saying to run setup', async () => {
  const empty = { MATRIX_GITOPS_CACHE: path.join(work, 'empty-cache') };
  const v = await inRepo('npx', ['matrix-gitops', 'validate'], empty);
  assert.equal(v.exitCode, 2);
  assert.equal(v.stderr.split('\n').length, 1, v.stderr);
  assert.match(v.stderr, /^validate: .*; run `npx matrix-gitops setup`$/);
  const d = await inRepo('npx', ['matrix-gitops', 'doctor'], empty);
  assert.equal(d.exitCode, 1);
  assert.match(d.stdout, /^✗ kustomize +v[\d.]+ is not installed; run `npx matrix-gitops setup`$/m);
  assert.match(d.stdout, /^✗ schemas +no schema cache at .*; run `npx matrix-gitops setup`$/m);
});

test('status without a kubeconfig: one line naming where it looked and the variable to set', async () => {
  const r = await inRepo('npx', ['matrix-gitops', 'status']);
  assert.equal(r.exitCode, 2);
  assert.equal(r.stderr, `status: no kubeconfig: ${home}/.kube/config does not exist and KUBECONFIG is not set; set KUBECONFIG to your cluster's kubeconfig file`);
});

test("the README's commands run as written: set up, sops decrypt/edit with the repository key, a new recipient with updatekeys, day 2", async () => {
  const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');
  const secret = readdirSync(path.join(repo, 'overlays/homelab/secrets')).sort()[0].replace(/\.sops\.yaml$/, '');
  const fill = (c: string) => c.replaceAll('<env>', 'homelab').replaceAll('<name>', secret);
  const ran: string[] = [];
  const runBlock = async (block: string[], extra: Record<string, string> = {}): Promise<Run> => {
    const script = block.filter((c) => !needsCluster(c)).map(fill);
    ran.push(...script);
    const r = await inRepo('sh', ['-ec', script.join('\n')], extra);
    assert.equal(r.exitCode, 0, `${script.join('\n')}\n${r.all}`);
    return r;
  };

  // .sops.yaml points at the README section that explains it.
  const pointer = /see README "([^"]+)"/.exec(readFileSync(path.join(repo, '.sops.yaml'), 'utf8'))?.[1];
  assert.ok(pointer && readme.includes(`\n## ${pointer}\n`), `.sops.yaml points at README "${pointer}", which exists`);
  assert.match(readme, /apply `flux\/production`\s+first, then `kubectl apply -k flux\/li`/);
  assert.match(readme, /`flux-system\/apps-li`/);

  for (const block of commands(readme, 'Set up (once per clone)')) await runBlock(block);

  // sops edit with a non-interactive EDITOR that adds one key.
  const editor = path.join(work, 'editor.sh');
  writeFileSync(editor, `#!/bin/sh\nexec node -e 'const fs=require("fs");const f=process.argv[1];fs.writeFileSync(f,fs.readFileSync(f,"utf8").replace(/^stringData:\\n( +)/m,"stringData:\\n$1readme-test: edited-by-sops-edit\\n$1"))' "$1"\n`, { mode: 0o755 });
  const [keyBlock, recipientBlock] = commands(readme, 'Secrets');
  const shown = await runBlock([...keyBlock, fill('npx matrix-gitops sops decrypt overlays/<env>/secrets/<name>.sops.yaml')], { EDITOR: editor });
  assert.match(shown.stdout, /kind: Secret/);
  assert.match(shown.stdout, /readme-test: edited-by-sops-edit/, 'sops edit changed the secret');

  // A second person's key: made with the bundled age-keygen, added to ageRecipients as the README says.
  const second = path.join(work, 'second.key');
  assert.equal((await inRepo('npx', ['matrix-gitops', 'age-keygen', '-o', second])).exitCode, 0);
  const recipient = /# public key: (age1\S+)/.exec(readFileSync(second, 'utf8'))?.[1] ?? '';
  const configFile = path.join(repo, 'matrix-gitops.yaml');
  const config = parseDocument(readFileSync(configFile, 'utf8'));
  const recipients = config.get('ageRecipients') as { items: unknown[] } | undefined;
  assert.ok(recipients && recipients.items.length >= 1, 'the scaffold wrote its key into ageRecipients');
  config.addIn(['ageRecipients'], recipient);
  writeFileSync(configFile, config.toString());
  await runBlock(recipientBlock);
  assert.match(readFileSync(path.join(repo, '.sops.yaml'), 'utf8'), new RegExp(recipient), '.sops.yaml lists the new recipient');
  const decrypted = await inRepo('npx', ['matrix-gitops', 'sops', 'decrypt', `overlays/production/secrets/${readdirSync(path.join(repo, 'overlays/production/secrets')).sort()[0]}`], { SOPS_AGE_KEY_FILE: second });
  assert.equal(decrypted.exitCode, 0, `the new recipient decrypts after updatekeys: ${decrypted.stderr}`);

  for (const block of commands(readme, 'Day 2')) await runBlock(block);
  // What ran: every README command that needs no cluster.
  for (const c of ['npm install', 'npx matrix-gitops setup', 'git config core.hooksPath .githooks', 'npm run validate', 'npx matrix-gitops doctor', 'npm run scaffold']) {
    assert.ok(ran.includes(c), `${c} ran`);
  }
  assert.ok(ran.some((c) => c.startsWith('npx matrix-gitops sops edit overlays/homelab/secrets/')));
  assert.ok(ran.some((c) => c.includes('sops updatekeys')));
});
