// `status` and `doctor` without a kubeconfig: one line saying where it looked and what to set.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { kubeconfigProblem } from '../../../src/lib/kubeconfig.ts';

test('kubeconfigProblem names the file it looked for and the variable to set', () => {
  const home = mkdtempSync(path.join(tmpdir(), 'mx-kube-'));
  try {
    assert.equal(kubeconfigProblem({ HOME: home }), `no kubeconfig: ${home}/.kube/config does not exist and KUBECONFIG is not set; set KUBECONFIG to your cluster's kubeconfig file`);
    assert.equal(kubeconfigProblem({ HOME: home, KUBECONFIG: '/nope/a:/nope/b' }), "no kubeconfig: KUBECONFIG names /nope/a:/nope/b, which does not exist; point KUBECONFIG at your cluster's kubeconfig file");
    mkdirSync(path.join(home, '.kube'));
    writeFileSync(path.join(home, '.kube', 'config'), 'apiVersion: v1\nkind: Config\n');
    assert.equal(kubeconfigProblem({ HOME: home }), undefined);
    assert.equal(kubeconfigProblem({ HOME: '/nowhere', KUBECONFIG: `/nope:${path.join(home, '.kube', 'config')}` }), undefined, 'one existing file in KUBECONFIG is enough');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
