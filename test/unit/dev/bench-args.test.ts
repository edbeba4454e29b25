// scripts/dev/bench.ts: bad flags and a missing tree are one line and exit 2, before anything is built or timed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { projectRoot } from '../../../src/lib/versions.ts';

const bench = path.join(projectRoot, 'scripts', 'dev', 'bench.ts');

test('bench: --rounds, --scales and DIR are checked first; one line, exit 2, nothing built', async () => {
  const dist = path.join(projectRoot, 'dist');
  const before = existsSync(dist) ? statSync(dist).mtimeMs : undefined;
  const cases: Array<[string[], string]> = [
    [['--rounds', '0'], 'bench: --rounds must be a positive integer, got 0'],
    [['--rounds', '2.5'], 'bench: --rounds must be a positive integer, got 2.5'],
    [['--scales', '1,x'], 'bench: --scales must list positive integers (1,5,10), got 1,x'],
    [['--scales', '0'], 'bench: --scales must list positive integers (1,5,10), got 0'],
    [[path.join(projectRoot, 'no-such-tree')], `bench: cannot read directory ${path.join(projectRoot, 'no-such-tree')}: ENOENT`],
  ];
  for (const [args, line] of cases) {
    const r = await execa(process.execPath, ['--import', 'tsx', bench, ...args], { reject: false, cwd: projectRoot });
    assert.equal(r.exitCode, 2, args.join(' '));
    assert.equal(r.stderr.trim(), line);
    assert.equal(r.stdout, '');
  }
  assert.equal(existsSync(dist) ? statSync(dist).mtimeMs : undefined, before, 'dist/ was not rebuilt');
});
