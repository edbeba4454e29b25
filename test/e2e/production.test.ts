// e2e tier, production: the generated flux/production entry point (infrastructure → infrastructure-config
// → apps) reconciled by the real source-controller and kustomize-controller, on a cluster of its own
// (every environment renders into namespace matrix). Its infrastructure layer installs CloudNativePG,
// cert-manager and prometheus-operator from Helm charts on the internet, which this machine cannot
// reach, and there is no helm-controller: the test installs the CRDs those charts carry from the
// pinned modules of the same versions instead (what each HelmRelease's `install.crds: CreateReplace`
// would do); the HelmRepository and HelmRelease objects themselves are applied as generated and stay
// unreconciled (test/e2e/README.md "What is not real").
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { AppsV1Api, CoreV1Api, type V1Deployment } from '@kubernetes/client-node';
import { projectRoot, versions } from '../../src/lib/versions.ts';
import { toolPath, kustomizeBuild } from '../../src/lib/tools.ts';
import type { Cluster } from './lib/cluster.ts';
import { gateDecisions, type GitServer } from './lib/git-server.ts';
import { applyPinnedCrds } from './lib/dry-run.ts';
import { installCliShim } from '../lib/cli-shim.ts';
import { startE2e, type E2eEnv } from './lib/environment.ts';
import { Flux, KS, SOURCE, run, ok, push, docs, decryptedSecrets, liveObjects, ids, type K8sObject } from './lib/harness.ts';

describe('e2e: production entry point → Flux → kube-apiserver (operators\' CRDs from the pinned versions)', { timeout: 30 * 60_000 }, () => {
  let work: string;
  let repo: string;
  let ageKey: string;
  let cluster: Cluster;
  let git: GitServer;
  let flux: Flux;
  let deployed = '';

  const build = (rel: string): K8sObject[] => {
    const b = kustomizeBuild(path.join(repo, rel));
    return docs(ok(b.file, b.args, repo));
  };

  let env: E2eEnv | undefined;
  before(async () => {
    env = await startE2e('mgo-e2e-prod-');
    ({ work, repo, ageKey, git, cluster, flux } = env);
  });

  after(async () => {
    await env?.stop();
  });

  it('scaffolds production, the gate passes it, and Flux applies infrastructure, infrastructure-config and apps', async () => {
    const config = (env as E2eEnv).writeConfig('production');
    ok(process.execPath, ['--import', 'tsx', 'src/cli/scaffold.ts', '--out', repo, '--yes', '--age-key', ageKey, '--config', config, '--environments', 'production'], projectRoot);
    installCliShim(repo);
    const first = ok('git', ['rev-parse', 'HEAD'], repo).trim();
    ok('git', ['remote', 'add', 'origin', git.url], repo);
    await push(repo, '-q');
    assert.equal(git.rev('refs/heads/deploy'), first, `gate did not advance deploy: ${gateDecisions(git.gateLog).join(', ')}`);

    await cluster.kc.makeApiClient(CoreV1Api).createNamespacedSecret({ namespace: 'flux-system', body: {
      metadata: { name: 'sops-age', namespace: 'flux-system' }, stringData: { 'age.agekey': readFileSync(ageKey, 'utf8') },
    } });

    // What the test does in place of helm-controller and the chart downloads: the CRDs of the charts'
    // versions (versions.json "charts" ↔ "schemas.crds"), so infrastructure-config (ClusterIssuer) and
    // apps (CNPG Cluster and ScheduledBackup, PodMonitor, PrometheusRule) are applied as in a real cluster.
    const releases = build('flux/production/infrastructure').filter((o) => o.kind === 'HelmRelease');
    const charts = versions().charts as Record<string, { version: string }>;
    assert.deepEqual(releases.map((r) => r.metadata.name).sort(), Object.keys(charts).sort(), 'the HelmReleases whose CRDs the test installs');
    applyPinnedCrds(cluster);

    // The entry point as generated, with wait:false as for homelab (no kubelet, README).
    const entry = build('flux/production');
    assert.deepEqual(entry.map((o) => `${o.kind}/${o.metadata.name}`).sort(), ['GitRepository/matrix-gitops', ...KS.map((k) => `Kustomization/${k}`)].sort());
    for (const o of entry) {
      if (o.kind === 'GitRepository') assert.deepEqual(o.spec?.url, git.url);
      if (o.kind !== 'Kustomization') continue;
      assert.deepEqual(o.spec?.sourceRef, { kind: 'GitRepository', name: SOURCE });
      o.spec!.wait = false;
    }
    const applied = cluster.kubectl(['apply', '-f', '-'], entry.map((o) => stringify(o)).join('---\n'));
    assert.equal(applied.status, 0, applied.stderr);
    await flux.waitApplied(first);
    deployed = first;

    // Every object of each layer is in the cluster.
    for (const rel of ['flux/production/infrastructure', 'flux/production/infrastructure-config', 'overlays/production']) {
      const rendered = build(rel);
      assert.ok(rendered.length > 0, rel);
      assert.deepEqual(liveObjects(cluster, rendered), ids(rendered), `every object of ${rel} exists`);
    }
    // The HelmReleases are stored as generated (chart versions = versions.json) and nothing reconciles them.
    for (const r of releases) {
      const live = JSON.parse(ok('kubectl', ['-n', 'flux-system', 'get', 'helmrelease', r.metadata.name, '-o', 'json'], work, cluster.env)) as K8sObject & { status?: { conditions?: unknown[] } };
      const chart = (live.spec as { chart: { spec: { version: string } } }).chart.spec.version;
      assert.equal(chart, charts[r.metadata.name].version, r.metadata.name);
      assert.equal(live.status?.conditions, undefined, `${r.metadata.name}: no helm-controller here`);
    }
    // The production workloads with their rendered containers, and the decrypted Secrets.
    const apps = cluster.kc.makeApiClient(AppsV1Api);
    const deployments = build('overlays/production').filter((o) => o.kind === 'Deployment') as unknown as V1Deployment[];
    assert.ok(deployments.some((d) => d.metadata?.name?.startsWith('synapse-')), 'production renders Synapse workers');
    for (const d of deployments) {
      const live = await apps.readNamespacedDeployment({ name: d.metadata!.name!, namespace: 'matrix' });
      assert.deepEqual(live.spec?.template.spec?.containers.map((c) => [c.name, c.image]), d.spec?.template.spec?.containers.map((c) => [c.name, c.image]), d.metadata?.name);
    }
    const core = cluster.kc.makeApiClient(CoreV1Api);
    for (const s of decryptedSecrets(repo, 'production', toolPath('sops'), ageKey)) {
      const live = await core.readNamespacedSecret({ name: s.name, namespace: 'matrix' });
      const got = Object.fromEntries(Object.entries(live.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
      assert.deepEqual(got, s.values, `Secret ${s.name} equals sops decrypt of ${s.file}`);
    }
  });

  it('npm run status reports the production Kustomizations Ready at the deployed revision', () => {
    const r = run(process.execPath, ['--import', 'tsx', 'src/cli/status.ts', '--format', 'json'], projectRoot, cluster.env);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const out = JSON.parse(r.stdout) as { kustomizations: { name: string; ready: string; lastAppliedRevision: string }[] };
    assert.deepEqual(out.kustomizations.map((k) => [k.name, k.ready, k.lastAppliedRevision]).sort(),
      KS.map((k) => [k, 'True', `deploy@sha1:${deployed}`]).sort());
  });
});
