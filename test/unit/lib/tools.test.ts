import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPinnedVersion } from '../../../src/lib/tools.ts';

test('isPinnedVersion matches the pinned version with or without a v prefix', () => {
  assert.equal(isPinnedVersion('Conftest: 0.69.0\nOPA: 1.19.0', 'v0.69.0'), true);
  assert.equal(isPinnedVersion('v5.8.1', 'v5.8.1'), true);
  assert.equal(isPinnedVersion('sops 3.13.2 (latest)', 'v3.13.2'), true);
});

test('isPinnedVersion rejects other versions and dev builds', () => {
  assert.equal(isPinnedVersion('development', 'v0.7.0'), false);
  assert.equal(isPinnedVersion('v5.8.10', 'v5.8.1'), false);
  assert.equal(isPinnedVersion('v15.8.1', 'v5.8.1'), false);
  assert.equal(isPinnedVersion(undefined, 'v1.0.0'), false);
});
