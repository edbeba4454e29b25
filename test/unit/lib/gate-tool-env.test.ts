// The gate's Go tools run without GC up to a memory limit; a user's own GOGC/GOMEMLIMIT wins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { totalmem } from 'node:os';
import { gateToolEnv } from '../../../src/lib/tools.ts';

function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(before)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
}

test('gateToolEnv: GC off, memory limit an eighth of RAM within 256 MiB..2 GiB', () => {
  const env = withEnv({ GOGC: undefined, GOMEMLIMIT: undefined }, gateToolEnv);
  assert.equal(env.GOGC, 'off');
  const mib = Number(/^(\d+)MiB$/.exec(env.GOMEMLIMIT)?.[1]);
  assert.equal(mib, Math.min(2048, Math.max(256, Math.floor(totalmem() / 1024 / 1024 / 8))));
});

test('gateToolEnv: the user\'s GOGC and GOMEMLIMIT win', () => {
  assert.deepEqual(withEnv({ GOGC: '200', GOMEMLIMIT: '512MiB' }, gateToolEnv), { GOGC: '200', GOMEMLIMIT: '512MiB' });
});
