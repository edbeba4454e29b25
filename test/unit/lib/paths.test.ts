// Where the per-user cache is: MATRIX_GITOPS_CACHE, else an absolute XDG_CACHE_HOME, else ~/.cache.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { homedir } from 'node:os';
import path from 'node:path';
import { schemaPinsKey, userCacheDir } from '../../../src/lib/paths.ts';

test('userCacheDir: MATRIX_GITOPS_CACHE wins, then an absolute XDG_CACHE_HOME, then ~/.cache', () => {
  assert.equal(userCacheDir({ MATRIX_GITOPS_CACHE: '/srv/mg', XDG_CACHE_HOME: '/xdg' }), '/srv/mg');
  assert.equal(userCacheDir({ XDG_CACHE_HOME: '/xdg' }), '/xdg/matrix-gitops');
  // The XDG base directory spec: a relative value is invalid and ignored.
  assert.equal(userCacheDir({ XDG_CACHE_HOME: 'relative' }), path.join(homedir(), '.cache', 'matrix-gitops'));
  assert.equal(userCacheDir({ MATRIX_GITOPS_CACHE: '' }), path.join(homedir(), '.cache', 'matrix-gitops'));
});

test('the schema cache folder changes with any schema pin', () => {
  const pins = { kubernetesVersion: 'v1.33.6', builtin: { module: 'k8s.io/kubernetes', version: 'v1.33.6' } };
  const other = { ...pins, builtin: { ...pins.builtin, version: 'v1.33.7' } };
  assert.match(schemaPinsKey(pins), /^[0-9a-f]{16}$/);
  assert.notEqual(schemaPinsKey(pins), schemaPinsKey(other));
  assert.equal(schemaPinsKey(pins), schemaPinsKey(structuredClone(pins)));
});
