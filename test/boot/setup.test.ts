// Boot set-up: idempotent, fast when warm, and the Synapse PyPI pin follows the image tag.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { bootPins, ensureBootEnvironment, type BootEnvironment } from '../../scripts/dev/boot-setup.ts';
import { projectRoot, versions } from '../../src/lib/versions.ts';

let env: BootEnvironment;

before(() => {
  env = ensureBootEnvironment(); // installs on a cold machine, so the run below is the warm one
}, { timeout: 900_000 });

test('a warm boot-setup run only checks, and says so quickly', () => {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'scripts', 'dev', 'boot-setup.ts')], { cwd: projectRoot, encoding: 'utf8' });
  const seconds = (Date.now() - t0) / 1000;
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /boot environment ready/);
  assert.doesNotMatch(r.stderr, /apt-get|pip install|go install/);
  assert.ok(seconds < 10, `warm set-up took ${seconds}s`);
});

test('the venv holds the Synapse version of the image tag', () => {
  const tag = versions().images.synapse.split(':').pop()?.replace(/^v/, '');
  assert.equal(bootPins().synapse.version, tag);
  const r = spawnSync(env.python, ['-c', 'import synapse; print(synapse.__version__.split()[0])'], { encoding: 'utf8' });
  assert.equal(r.stdout.trim(), tag);
});

test('livekit-server is the pinned image version, built into the per-user cache outside the clone', () => {
  const tag = versions().images.livekit.split(':').pop() as string;
  assert.equal(bootPins().livekit.version, tag);
  assert.ok(path.relative(projectRoot, env.livekit).startsWith('..'), `${env.livekit} must be outside ${projectRoot}`);
  assert.ok(env.livekit.includes(`livekit-${tag}`), env.livekit);
  const r = spawnSync(env.livekit, ['--version'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`version ${tag.replace(/^v/, '').replaceAll('.', '\\.')}\\b`));
});
