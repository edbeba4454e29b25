// A schema checker that misbehaves is an environment error (exit 2, one line), never a silent pass:
// kubeconform's report is read back per file, and a report that cannot be read or that names a file
// validate did not hand it would otherwise drop findings. The stand-ins in fixtures/broken-kubeconform/
// replace only kubeconform; kustomize and conftest are the pinned ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { projectRoot } from '../../src/lib/versions.ts';
import { toolPath } from '../../src/lib/tools.ts';
import { ensureSchemaCache } from '../../src/schemas/cache.ts';
import { schemaDir } from '../../src/validate/schema.ts';

const cli = path.join(projectRoot, 'src/cli/validate.ts');
const repo = path.join(projectRoot, 'test/integration/fixtures/validate/clean');

async function withKubeconform(standIn: string): Promise<{ code: number | undefined; stderr: string }> {
  await ensureSchemaCache();
  const tools = await mkdtemp(path.join(tmpdir(), 'mx-tools-'));
  try {
    for (const t of ['kustomize', 'conftest', 'helm', 'sops'] as const) await symlink(toolPath(t), path.join(tools, t));
    await copyFile(path.join(projectRoot, 'test/integration/fixtures/broken-kubeconform', standIn), path.join(tools, 'kubeconform'));
    const r = await execa(process.execPath, ['--import', 'tsx', cli, repo, '--no-cache'], {
      reject: false, cwd: projectRoot, env: { NO_COLOR: '1', MATRIX_GITOPS_TOOLS_DIR: tools, MATRIX_GITOPS_SCHEMA_DIR: schemaDir() },
    });
    return { code: r.exitCode, stderr: String(r.stderr).trim() };
  } finally {
    await rm(tools, { recursive: true, force: true });
  }
}

test('kubeconform reporting a file it was not given: exit 2, one line naming it', async () => {
  const r = await withKubeconform('stray');
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.split('\n').at(-1), 'validate: kubeconform reported Deployment ghost in /nowhere/entry-9.yaml, which is none of the rendered entry points; check the kubeconform version (versions.json)');
});

test('kubeconform dying without its report: exit 2, one line with its exit code and first words', async () => {
  const r = await withKubeconform('garbled');
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.split('\n').at(-1), 'validate: kubeconform failed (exit 3): panic: runtime error: invalid memory address');
});
