// e2e tier: a scaffolded homelab repository deployed by real Flux controllers (source-controller,
// kustomize-controller) into a real kube-apiserver, through the deployment gate. See test/e2e/README.md.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync, readdirSync, rmSync, cpSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import {
  AppsV1Api, CoreV1Api,
  type V1Deployment, type V1Service, type V1ConfigMap,
} from '@kubernetes/client-node';
import { projectRoot } from '../../src/lib/versions.ts';
import { toolPath, kustomizeBuild } from '../../src/lib/tools.ts';
import { freePort, type Cluster } from './lib/cluster.ts';
import { gateDecisions, type GitServer } from './lib/git-server.ts';
import { applyPinnedCrds, compareOverlays, refusesBadCluster } from './lib/dry-run.ts';
import { Flux, KS, SOURCE, gitEnv, run, ok, runAsync, push, docs, ready, decryptedSecrets, type K8sObject } from './lib/harness.ts';
import { installCliShim } from '../lib/cli-shim.ts';
import { startE2e, type E2eEnv } from './lib/environment.ts';

interface StatusJson { kustomizations: { name: string; ready: string; reason: string; lastAppliedRevision: string; lastAttemptedRevision: string; lastError: string }[] }

describe('e2e: scaffold → git → gate → Flux → kube-apiserver', { timeout: 30 * 60_000 }, () => {
  let work: string;
  let repo: string;
  let ageKey: string;
  let cluster: Cluster;
  let git: GitServer;
  let flux: Flux;
  let apps: AppsV1Api;
  let core: CoreV1Api;
  let deployed = '';

  // The first run reads work/config.yaml; later runs the repository's own matrix-gitops.yaml.
  // The generated pre-push hook runs the repository's matrix-gitops devDependency: this checkout stands in.
  const scaffold = (...flags: string[]) => {
    const out = ok(process.execPath, ['--import', 'tsx', 'src/cli/scaffold.ts', '--out', repo, '--yes', '--age-key', ageKey, ...flags], projectRoot);
    installCliShim(repo);
    return out;
  };
  const commitAll = (msg: string) => {
    ok('git', ['add', '-A'], repo);
    ok('git', ['commit', '-q', '-m', msg], repo);
    return ok('git', ['rev-parse', 'HEAD'], repo).trim();
  };
  const waitApplied = async (sha: string) => {
    await flux.waitApplied(sha);
    deployed = sha;
  };
  const statusJson = () => {
    const r = run(process.execPath, ['--import', 'tsx', 'src/cli/status.ts', '--format', 'json'], projectRoot, cluster.env);
    return { status: r.status, stderr: r.stderr, out: JSON.parse(r.stdout || '{}') as StatusJson };
  };
  const buildText = (dir: string): string => {
    const b = kustomizeBuild(path.join(dir, 'overlays', 'homelab'));
    return ok(b.file, b.args, dir);
  };
  const build = (dir: string): K8sObject[] => docs(buildText(dir));
  const validate = (dir: string) => run(process.execPath, ['--import', 'tsx', 'src/cli/validate.ts', dir, '--format', 'json'], projectRoot);
  const status404 = async (p: Promise<unknown>) => {
    try { await p; return false; } catch (e) { return (e as { code?: number }).code === 404; }
  };

  let env: E2eEnv | undefined;
  before(async () => {
    env = await startE2e('mgo-e2e-');
    ({ work, repo, ageKey, git, cluster, flux } = env);
    apps = cluster.kc.makeApiClient(AppsV1Api);
    core = cluster.kc.makeApiClient(CoreV1Api);
  });

  after(async () => {
    await env?.stop();
  });

  it('server-side dry-run of every overlay and Flux entry point of the project\'s own render agrees with validate', () => {
    // First, on the fresh cluster: every environment renders into namespace matrix, and a dry-run
    // against the homelab objects deployed later would compare with live objects (immutable PVC
    // access modes), not with the schema.
    // production and li carry CNPG, cert-manager, prometheus-operator and HelmRelease objects, whose
    // schemas and CEL rules only the API server evaluates; this needs their pinned CRDs.
    applyPinnedCrds(cluster);
    const rows = compareOverlays(cluster, projectRoot, projectRoot);
    assert.ok(rows.some((r) => r.overlay === 'production') && rows.some((r) => r.overlay === 'flux/production/infrastructure'), rows.map((r) => r.overlay).join(', '));
    const gaps = rows.filter((r) => r.validateOk && !r.serverOk).map((r) => `${r.overlay}: ${r.serverErrors.join('; ')}`);
    assert.deepEqual(gaps, [], 'the API server refuses what validate passes (a gap in validate)');
    assert.ok(refusesBadCluster(cluster, 'matrix').refused, 'negative control: the server refuses a CNPG Cluster with an unknown field');
  });

  it('scaffolds, pushes through the gate and Flux applies the homelab overlay', async () => {
    const config = (env as E2eEnv).writeConfig('homelab');
    scaffold('--config', config, '--environments', 'homelab');
    const first = ok('git', ['rev-parse', 'HEAD'], repo).trim();
    assert.equal(ok('git', ['config', 'core.hooksPath'], repo).trim(), '.githooks');
    ok('git', ['remote', 'add', 'origin', git.url], repo);
    await push(repo, '-q');
    assert.equal(git.rev('refs/heads/main'), first);
    assert.equal(git.rev('refs/heads/deploy'), first, `gate did not advance deploy: ${gateDecisions(git.gateLog).join(', ')}`);

    // The decryption key, as `flux bootstrap` users create it.
    await core.createNamespacedSecret({ namespace: 'flux-system', body: {
      metadata: { name: 'sops-age', namespace: 'flux-system' }, stringData: { 'age.agekey': readFileSync(ageKey, 'utf8') },
    } });
    // The entry point as generated (kustomize build flux/homelab: its GitRepository and the three
    // Kustomizations), with one change: wait:false, since without kubelet/controller-manager no
    // Deployment ever becomes Ready (README "Deviations").
    const b = kustomizeBuild(path.join(repo, 'flux', 'homelab'));
    const entry = docs(ok(b.file, b.args, repo));
    const gitRepository = entry.find((o) => o.kind === 'GitRepository') as unknown as { metadata: { name: string }; spec: { url: string; ref: { branch: string } } };
    assert.equal(gitRepository.metadata.name, SOURCE);
    assert.deepEqual([gitRepository.spec.url, gitRepository.spec.ref], [git.url, { branch: 'deploy' }]);
    assert.deepEqual(entry.map((o) => `${o.kind}/${o.metadata.name}`).sort(), ['GitRepository/matrix-gitops', ...KS.map((k) => `Kustomization/${k}`)].sort());
    for (const o of entry) {
      if (o.kind !== 'Kustomization') continue;
      assert.deepEqual(o.spec?.sourceRef, { kind: 'GitRepository', name: SOURCE });
      assert.equal(o.spec?.wait, true);
      o.spec!.wait = false;
    }
    const r = cluster.kubectl(['apply', '-f', '-'], entry.map((o) => stringify(o)).join('---\n'));
    assert.equal(r.status, 0, r.stderr);
    await waitApplied(first);
    // source-controller cloned deploy over smart HTTP and serves the artifact kustomize-controller applied.
    const source = await flux.gitRepository();
    assert.equal(ready(source)?.status, 'True', JSON.stringify(ready(source)));
    assert.equal(source.status?.artifact?.revision, `deploy@sha1:${first}`);
    assert.match(source.status?.artifact?.digest ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.match(source.status?.artifact?.url ?? '', /^http:\/\/127\.0\.0\.1:\d+\/gitrepository\/flux-system\/matrix-gitops\//);
  });

  it('the cluster holds the rendered Deployments, Services and ConfigMaps, and the decrypted Secrets', async () => {
    const rendered = build(repo);
    const ns = 'matrix';
    const deployments = rendered.filter((o) => o.kind === 'Deployment') as unknown as V1Deployment[];
    assert.ok(deployments.length >= 4, 'the homelab overlay renders Deployments');
    for (const d of deployments) {
      const live = await apps.readNamespacedDeployment({ name: d.metadata!.name!, namespace: ns });
      assert.deepEqual(live.spec?.template.spec?.containers.map((c) => [c.name, c.image, c.args ?? [], c.command ?? []]),
        d.spec?.template.spec?.containers.map((c) => [c.name, c.image, c.args ?? [], c.command ?? []]), d.metadata?.name);
      assert.deepEqual(live.spec?.selector.matchLabels, d.spec?.selector.matchLabels);
    }
    for (const s of rendered.filter((o) => o.kind === 'Service') as unknown as V1Service[]) {
      const live = await core.readNamespacedService({ name: s.metadata!.name!, namespace: ns });
      assert.deepEqual(live.spec?.ports?.map((p) => [p.name, p.port, p.protocol ?? 'TCP']), s.spec?.ports?.map((p) => [p.name, p.port, p.protocol ?? 'TCP']));
      assert.deepEqual(live.spec?.selector, s.spec?.selector);
    }
    const configMaps = rendered.filter((o) => o.kind === 'ConfigMap') as unknown as V1ConfigMap[];
    assert.ok(configMaps.some((c) => c.metadata?.name?.startsWith('synapse-config-')), 'hashed synapse-config');
    for (const c of configMaps) {
      const live = await core.readNamespacedConfigMap({ name: c.metadata!.name!, namespace: ns });
      assert.deepEqual(live.data, c.data, c.metadata?.name);
    }
    const homeserver = configMaps.find((c) => c.metadata?.name?.startsWith('synapse-config-'))?.data?.['homeserver.yaml'];
    assert.equal(homeserver, readFileSync(path.join(repo, 'overlays/homelab/synapse/homeserver.yaml'), 'utf8'));

    const secrets = decryptedSecrets(repo, 'homelab', toolPath('sops'), ageKey);
    assert.ok(secrets.length > 0);
    for (const s of secrets) {
      const live = await core.readNamespacedSecret({ name: s.name, namespace: ns });
      const got = Object.fromEntries(Object.entries(live.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
      assert.deepEqual(got, s.values, `Secret ${s.name} equals sops decrypt of ${s.file}`);
      assert.ok(!Object.values(got).some((v) => v.includes('ENC[')), 'no ciphertext in the cluster');
    }
  });

  it('npm run status reports every Kustomization Ready at the deployed revision', () => {
    const r = run(process.execPath, ['--import', 'tsx', 'src/cli/status.ts', '--format', 'json'], projectRoot, cluster.env);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const out = JSON.parse(r.stdout) as { kustomizations: { name: string; ready: string; lastAppliedRevision: string; lastError: string }[] };
    assert.deepEqual(out.kustomizations.map((k) => k.name).sort(), [...KS].sort());
    for (const k of out.kustomizations) {
      assert.equal(k.ready, 'True');
      assert.equal(k.lastAppliedRevision, `deploy@sha1:${deployed}`);
      assert.equal(k.lastError, '');
    }
    // The default text table, and --help.
    const text = run(process.execPath, ['--import', 'tsx', 'src/cli/status.ts'], projectRoot, cluster.env);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^NAMESPACE\s+NAME\s+READY\s+REVISION\s+LAST ERROR$/m);
    for (const name of KS) assert.match(text.stdout, new RegExp(`^flux-system\\s+${name}\\s+True\\s+deploy@sha1:${deployed}`, 'm'));
    const help = run(process.execPath, ['--import', 'tsx', 'src/cli/status.ts', '--help'], projectRoot, cluster.env);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--format text\|json/);
  });

  it('npm run status exits 2 with one line when no cluster is reachable', async () => {
    const dead = path.join(work, 'dead.kubeconfig');
    const port = await freePort();
    writeFileSync(dead, readFileSync(cluster.kubeconfig, 'utf8').replace(/server: .*/, `server: https://127.0.0.1:${port}`));
    const r = run(process.execPath, ['--import', 'tsx', 'src/cli/status.ts'], projectRoot, { ...process.env, KUBECONFIG: dead });
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^status: no cluster reachable/);
  });

  it('server-side dry-run of the homelab build agrees with validate', () => {
    // Flux decrypts before applying; the dry-run gets the same decrypted build.
    const copy = path.join(work, 'dry-run');
    rmSync(copy, { recursive: true, force: true });
    cpSync(repo, copy, { recursive: true, filter: (s) => !s.includes(`${path.sep}.git`) });
    const secretsDir = path.join(copy, 'overlays', 'homelab', 'secrets');
    for (const f of readdirSync(secretsDir)) {
      const file = path.join(secretsDir, f);
      writeFileSync(file, ok(toolPath('sops'), ['decrypt', file], copy, { ...gitEnv, SOPS_AGE_KEY_FILE: ageKey }));
    }
    // A dry-run Namespace is not persisted, so the namespaced objects need it for real (Flux made it).
    cluster.kubectl(['create', 'namespace', 'matrix']);
    const dry = cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], buildText(copy));
    const v = validate(repo);
    assert.equal(v.status, 0, `validate: ${v.stdout.slice(0, 2000)}`);
    assert.equal(dry.status, 0, `validate passes but the API server refuses the build:\n${dry.stderr}`);
  });

  it('a changed value is pushed through the gate and applied', async () => {
    scaffold('--host-element', 'element2.example.test');
    const sha = commitAll('e2e: move Element');
    await push(repo, '-q');
    assert.equal(git.rev('refs/heads/deploy'), sha);
    await waitApplied(sha);
    // homelab routes through Traefik (ingress.homelab.provider: traefik): an IngressRoute per component.
    const got = cluster.kubectl(['get', 'ingressroutes.traefik.io', 'element', '-n', 'matrix', '-o', 'json']);
    assert.equal(got.status, 0, got.stderr);
    const route = JSON.parse(got.stdout) as { spec: { routes: { match: string }[] } };
    assert.deepEqual([...new Set(route.spec.routes.map((r) => /Host\(`([^`]+)`\)/.exec(r.match)?.[1]))], ['element2.example.test']);
  });

  it('a removed component is pruned from the cluster', async () => {
    assert.equal(await status404(apps.readNamespacedDeployment({ name: 'coturn', namespace: 'matrix' })), false, 'coturn runs before');
    scaffold('--components', 'no-coturn');
    const sha = commitAll('e2e: drop coturn');
    await push(repo, '-q');
    await waitApplied(sha);
    assert.ok(await status404(apps.readNamespacedDeployment({ name: 'coturn', namespace: 'matrix' })), 'coturn Deployment pruned');
    assert.ok(await status404(core.readNamespacedService({ name: 'coturn', namespace: 'matrix' })), 'coturn Service pruned');
  });

  it('a commit validate passes but the API server refuses (immutable PVC spec): apps not Ready with the server\'s message, status shows it and the last good revision, a revert recovers', async () => {
    const good = deployed;
    const pvc = path.join(repo, 'base', 'synapse', 'pvc.yaml');
    writeFileSync(pvc, readFileSync(pvc, 'utf8').replace('- ReadWriteOnce', '- ReadWriteMany'));
    const bad = commitAll('e2e: media PVC ReadWriteMany');
    await push(repo, '-q');
    assert.equal(git.rev('refs/heads/deploy'), bad, `validate passes the change, so the gate moves deploy: ${gateDecisions(git.gateLog).at(-1)}`);
    assert.equal(await flux.reconcileSource(), `deploy@sha1:${bad}`);
    const [failed] = await flux.waitKs('apps to fail at the refused commit', ['apps'],
      (k) => ready(k)?.status === 'False' && k.status?.lastAttemptedRevision === `deploy@sha1:${bad}`);
    const message = ready(failed)?.message ?? '';
    // The API server's own words, passed on by kustomize-controller.
    assert.match(message, /PersistentVolumeClaim\/matrix\/synapse-media/, message);
    assert.match(message, /spec is immutable after creation/, message);
    assert.equal(failed.status?.lastAppliedRevision, `deploy@sha1:${good}`, 'the last good revision stays applied');
    const live = await core.readNamespacedPersistentVolumeClaim({ name: 'synapse-media', namespace: 'matrix' });
    assert.deepEqual(live.spec?.accessModes, ['ReadWriteOnce'], 'the cluster keeps the last good spec');

    const st = statusJson();
    assert.equal(st.status, 1, 'status exits 1 when a Kustomization is not Ready');
    const apps = st.out.kustomizations.find((k) => k.name === 'apps');
    assert.deepEqual(apps && [apps.ready, apps.lastAppliedRevision, apps.lastAttemptedRevision, apps.lastError],
      ['False', `deploy@sha1:${good}`, `deploy@sha1:${bad}`, message]);
    const text = run(process.execPath, ['--import', 'tsx', 'src/cli/status.ts'], projectRoot, cluster.env);
    assert.equal(text.status, 1);
    assert.match(text.stdout, new RegExp(`^flux-system\\s+apps\\s+False\\s+deploy@sha1:${good}\\s+.*synapse-media.*immutable`, 'm'), text.stdout);

    ok('git', ['revert', '--no-edit', 'HEAD'], repo, gitEnv);
    const revert = ok('git', ['rev-parse', 'HEAD'], repo).trim();
    await push(repo, '-q');
    await waitApplied(revert);
    assert.equal(statusJson().status, 0);
  });

  it('a failed dependency: infrastructure refuses an immutable ConfigMap change, infrastructure-config and apps report the dependency, and recover with it', async () => {
    // A user's own object in the (for homelab empty) infrastructure layer.
    const infra = path.join(repo, 'flux', 'homelab', 'infrastructure');
    const cm = (release: string) => stringify({
      apiVersion: 'v1', kind: 'ConfigMap', immutable: true,
      metadata: { name: 'platform-release', namespace: 'flux-system' }, data: { release },
    });
    writeFileSync(path.join(infra, 'platform-release.yaml'), cm('1'));
    const kf = path.join(infra, 'kustomization.yaml');
    writeFileSync(kf, readFileSync(kf, 'utf8').replace(/^resources: \[\]$/m, 'resources:\n  - platform-release.yaml'));
    const first = commitAll('e2e: platform-release ConfigMap');
    await push(repo, '-q');
    await waitApplied(first);
    const good = deployed;

    writeFileSync(path.join(infra, 'platform-release.yaml'), cm('2'));
    const bad = commitAll('e2e: bump the immutable platform-release');
    await push(repo, '-q');
    assert.equal(git.rev('refs/heads/deploy'), bad, 'validate passes the change');
    assert.equal(await flux.reconcileSource(), `deploy@sha1:${bad}`);
    const expected: Record<string, RegExp> = {
      infrastructure: /ConfigMap\/flux-system\/platform-release.*field is immutable/s,
      'infrastructure-config': /^dependency 'flux-system\/infrastructure' is not ready$/,
      apps: /^dependency 'flux-system\/infrastructure-config' is not ready$/,
    };
    const [infraKs, configKs, appsKs] = await flux.waitKs('the failure to reach every dependent', KS,
      (k) => ready(k)?.status === 'False' && expected[k.metadata.name].test(ready(k)?.message ?? ''));
    assert.equal(ready(infraKs)?.reason, 'ReconciliationFailed');
    assert.equal(ready(configKs)?.reason, 'DependencyNotReady');
    assert.equal(ready(appsKs)?.reason, 'DependencyNotReady');
    for (const k of [infraKs, configKs, appsKs]) assert.equal(k.status?.lastAppliedRevision, `deploy@sha1:${good}`, k.metadata.name);

    const st = statusJson();
    assert.equal(st.status, 1);
    assert.deepEqual(st.out.kustomizations.map((k) => [k.name, k.ready, k.reason, k.lastAppliedRevision]).sort(),
      [['apps', 'False', 'DependencyNotReady', `deploy@sha1:${good}`], ['infrastructure', 'False', 'ReconciliationFailed', `deploy@sha1:${good}`],
        ['infrastructure-config', 'False', 'DependencyNotReady', `deploy@sha1:${good}`]]);

    ok('git', ['revert', '--no-edit', 'HEAD'], repo, gitEnv);
    const revert = ok('git', ['rev-parse', 'HEAD'], repo).trim();
    await push(repo, '-q');
    await waitApplied(revert);
  });

  it('the gate: a plaintext Secret is refused by pre-push and, pushed with --no-verify, never reaches deploy or the cluster', async () => {
    const before = deployed;
    writeFileSync(path.join(repo, 'overlays', 'homelab', 'leaked.yaml'), stringify({
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'leaked' }, stringData: { password: 'hunter2' },
    }));
    const kf = path.join(repo, 'overlays', 'homelab', 'kustomization.yaml');
    writeFileSync(kf, readFileSync(kf, 'utf8').replace(/^resources:\n/m, 'resources:\n  - leaked.yaml\n'));
    const bad = commitAll('e2e: leak a plaintext Secret');
    assert.notEqual(validate(repo).status, 0, 'validate refuses the plaintext Secret');

    const refused = await runAsync('git', ['push', 'origin', 'main'], repo);
    assert.notEqual(refused.status, 0, 'pre-push hook refuses the push');
    assert.notEqual(git.rev('refs/heads/main'), bad);

    await push(repo, '-q', '--no-verify');
    assert.equal(git.rev('refs/heads/main'), bad, 'the server took the push');
    assert.equal(git.rev('refs/heads/deploy'), before, 'deploy did not move');
    assert.equal(gateDecisions(git.gateLog).at(-1), `fail ${bad}`);

    assert.equal(await flux.reconcileSource(), `deploy@sha1:${before}`, 'source-controller still serves the last validated commit');
    await new Promise((r) => setTimeout(r, 5000));
    assert.equal((await flux.ks('apps')).status?.lastAppliedRevision, `deploy@sha1:${before}`);
    assert.ok(await status404(core.readNamespacedSecret({ name: 'leaked', namespace: 'matrix' })), 'no leaked Secret in the cluster');

    // What the API server alone would have said: it accepts the plaintext Secret (policy, not schema).
    const dry = cluster.kubectl(['apply', '--dry-run=server', '-f', path.join(repo, 'overlays', 'homelab', 'leaked.yaml'), '-n', 'matrix']);
    assert.equal(dry.status, 0, dry.stderr);
  });
});
