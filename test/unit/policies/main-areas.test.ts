// policies/main.rego lists the per-document packages by hand (enumerating data.mx would evaluate
// every package for every document); this keeps the list and the files in step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../../src/lib/versions.ts';
import { regoFiles } from '../../../src/validate/policy.ts';

test('main.rego gathers exactly the mx.<area> packages that hold per-document rules', () => {
  const dir = path.join(projectRoot, 'policies');
  const packages = new Set<string>();
  for (const f of regoFiles(dir).filter((x) => !x.endsWith('_test.rego'))) {
    const pkg = /^package mx\.(\w+)$/m.exec(readFileSync(f, 'utf8'))?.[1];
    if (pkg && pkg !== 'combined' && pkg !== 'lib') packages.add(pkg);
  }
  const main = readFileSync(path.join(dir, 'main.rego'), 'utf8');
  const listed = new Set([.../^areas := \{([^}]*)\}/m.exec(main)?.[1].matchAll(/"(\w+)"/g) ?? []].map((m) => m[1]));
  assert.deepEqual([...listed].sort(), [...packages].sort());
});
