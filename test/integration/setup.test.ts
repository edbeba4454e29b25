// `npm run setup` against the real Go toolchain and tools: warm run, missing Go, failed install.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { toolDir } from '../../src/lib/paths.ts';
import { schemaDir } from '../../src/validate/schema.ts';
import { projectRoot, versions } from '../../src/lib/versions.ts';

const setup = path.join(projectRoot, 'src', 'cli', 'setup.ts');
const tsxFlags = ['--import', 'tsx'];

function which(bin: string): string | undefined {
  for (const d of (process.env.PATH ?? '').split(path.delimiter)) if (d && existsSync(path.join(d, bin))) return path.join(d, bin);
  return undefined;
}

/** A PATH holding only node (and optionally kubectl): no Go toolchain. */
function pathWithout(dir: string, extra: string[] = []): string {
  const bin = path.join(dir, 'path');
  rmSync(bin, { recursive: true, force: true });
  mkdirSync(bin, { recursive: true });
  symlinkSync(process.execPath, path.join(bin, 'node'));
  for (const e of extra) {
    const found = which(e);
    if (found) symlinkSync(found, path.join(bin, e));
  }
  return bin;
}

test('a warm run checks the pinned tools and the schema cache and exits 0', async () => {
  const r = await execa(process.execPath, [...tsxFlags, setup], { cwd: projectRoot, reject: false });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout + r.stderr, /tools ready/);
  assert.match(r.stdout + r.stderr, /schema cache ready/);
});

test('no Go toolchain and tools missing: one line naming Go, exit 2', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mx-setup-'));
  try {
    const r = await execa(process.execPath, [...tsxFlags, setup, '--tools-only'], {
      cwd: projectRoot,
      reject: false,
      env: { PATH: pathWithout(dir), MATRIX_GITOPS_TOOLS_DIR: path.join(dir, 'tools') },
      extendEnv: false,
    });
    assert.equal(r.exitCode, 2);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /Go toolchain is not on PATH.*install Go/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no Go but kubectl present and only kustomize missing: kubectl kustomize stands in, and validate uses it', async () => {
  // No silent skip: the fallback is only meaningful with a kubectl to fall back to.
  assert.ok(which('kubectl'), 'kubectl must be on PATH for this test (it is preinstalled on the CI machine)');
  const dir = mkdtempSync(path.join(tmpdir(), 'mx-setup-'));
  try {
    const tools = path.join(dir, 'tools');
    mkdirSync(tools);
    for (const [name, pin] of Object.entries(versions().tools)) {
      for (const f of pin.binaries) if (f !== 'kustomize') symlinkSync(path.join(toolDir(name, pin), f), path.join(tools, f));
    }
    const env = { PATH: pathWithout(dir, ['kubectl']), MATRIX_GITOPS_TOOLS_DIR: tools, MATRIX_GITOPS_SCHEMA_DIR: schemaDir(), HOME: dir };
    const r = await execa(process.execPath, [...tsxFlags, setup, '--tools-only'], { cwd: projectRoot, reject: false, env, extendEnv: false });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /kubectl kustomize/);
    const v = await execa(process.execPath, [...tsxFlags, path.join(projectRoot, 'src', 'cli', 'validate.ts'),
      path.join(projectRoot, 'test/integration/fixtures/validate/clean'), '--format', 'json'], { cwd: projectRoot, reject: false, env, extendEnv: false });
    assert.equal(v.exitCode, 0, v.stderr);
    assert.equal((JSON.parse(v.stdout) as { ok: boolean }).ok, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failed go install: one line naming the tool, exit 2', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mx-setup-'));
  try {
    // An empty module cache with the proxy switched off makes every install fail fast, offline.
    const r = await execa(process.execPath, [...tsxFlags, setup, '--tools-only'], {
      cwd: projectRoot,
      reject: false,
      env: { MATRIX_GITOPS_TOOLS_DIR: path.join(dir, 'tools'), GOMODCACHE: path.join(dir, 'mod'), GOPROXY: 'off', GOFLAGS: '-modcacherw' },
    });
    assert.equal(r.exitCode, 2, r.stderr);
    const errors = r.stderr.trim().split('\n').filter((l) => l.startsWith('setup:'));
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0], /go install of \w+ v[\d.]+ failed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
