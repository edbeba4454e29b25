// What both e2e environments share: processes, git pushes through the gate, and the Flux objects of
// the test cluster read with @kubernetes/client-node. The source is the real source-controller: a
// reconcile request is the `reconcile.fluxcd.io/requestedAt` annotation `flux reconcile` sets.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { waitFor, type Cluster } from './cluster.ts';

export interface Condition { type: string; status: string; reason?: string; message?: string }
export interface FluxObject {
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: {
    conditions?: Condition[]; lastAppliedRevision?: string; lastAttemptedRevision?: string;
    lastHandledReconcileAt?: string; artifact?: { revision?: string; digest?: string; url?: string };
  };
}
export interface K8sObject {
  apiVersion: string; kind: string; metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>; data?: Record<string, string>; stringData?: Record<string, string>;
}

export const KS = ['infrastructure', 'infrastructure-config', 'apps'];
export const SOURCE = 'matrix-gitops';
export const gitEnv: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'e2e', GIT_AUTHOR_EMAIL: 'e2e@localhost', GIT_COMMITTER_NAME: 'e2e', GIT_COMMITTER_EMAIL: 'e2e@localhost',
};

export interface RunResult { status: number; stdout: string; stderr: string }
export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = gitEnv, input?: string): RunResult {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
export function ok(cmd: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv, input?: string): string {
  const r = run(cmd, args, cwd, env, input);
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}
// The git server runs in this process: anything that talks to it must not block the event loop.
export function runAsync(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = gitEnv): Promise<RunResult> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('close', (code) => resolve({ status: code ?? 1, stdout, stderr }));
  });
}
export async function push(cwd: string, ...args: string[]): Promise<string> {
  const r = await runAsync('git', ['push', ...args, 'origin', 'main'], cwd);
  assert.equal(r.status, 0, `git push ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`);
  return r.stderr;
}
export const docs = (text: string): K8sObject[] =>
  parseAllDocuments(text).map((d) => d.toJS() as K8sObject).filter((d) => d && d.kind);
export const ready = (o: FluxObject | undefined) => o?.status?.conditions?.find((c) => c.type === 'Ready');

/** The Flux objects of flux-system in the test cluster, and the waits the tests need on them. */
export class Flux {
  private readonly custom: CustomObjectsApi;
  constructor(private readonly cluster: Cluster) {
    this.custom = cluster.kc.makeApiClient(CustomObjectsApi);
  }

  ks(name: string): Promise<FluxObject> {
    return this.custom.getNamespacedCustomObject({ group: 'kustomize.toolkit.fluxcd.io', version: 'v1', namespace: 'flux-system', plural: 'kustomizations', name }) as Promise<FluxObject>;
  }

  gitRepository(name = SOURCE): Promise<FluxObject> {
    return this.custom.getNamespacedCustomObject({ group: 'source.toolkit.fluxcd.io', version: 'v1', namespace: 'flux-system', plural: 'gitrepositories', name }) as Promise<FluxObject>;
  }

  /**
   * `flux reconcile source git`: source-controller fetches the deploy branch now instead of at the
   * next 1m interval; resolves with the artifact revision once it handled this request.
   */
  async reconcileSource(): Promise<string> {
    const token = new Date().toISOString() + Math.random().toString(36).slice(2, 6);
    const r = this.cluster.kubectl(['-n', 'flux-system', 'annotate', '--overwrite', `gitrepository/${SOURCE}`, `reconcile.fluxcd.io/requestedAt=${token}`]);
    assert.equal(r.status, 0, r.stderr);
    const repo = await waitFor(`GitRepository ${SOURCE} to handle reconcile request ${token}`, async () => {
      const g = await this.gitRepository();
      return g.status?.lastHandledReconcileAt === token ? g : undefined;
    }, 120_000, 500).catch((e: Error) => { throw new Error(`${e.message}\n--- source-controller\n${this.cluster.tail('source-controller')}`); });
    return repo.status?.artifact?.revision ?? '';
  }

  async summary(names = KS): Promise<string> {
    const all = await Promise.all(names.map((n) => this.ks(n).catch(() => undefined)));
    return all.map((k) => k && `${k.metadata.name}: ${JSON.stringify(ready(k))} applied=${k.status?.lastAppliedRevision} attempted=${k.status?.lastAttemptedRevision}`).join('\n');
  }

  /** Every Kustomization Ready with `deploy@sha1:<sha>` applied. */
  async waitApplied(sha: string, names = KS): Promise<void> {
    const want = `deploy@sha1:${sha}`;
    assert.equal(await this.reconcileSource(), want, 'source-controller serves the deploy commit');
    await this.waitKs(`Kustomizations Ready at ${want}`, names, (k) => ready(k)?.status === 'True' && k.status?.lastAppliedRevision === want);
  }

  /** Waits until PREDICATE holds for every Kustomization in NAMES; the error shows their state and the controller log. */
  async waitKs(what: string, names: string[], predicate: (k: FluxObject) => boolean, timeoutMs = 180_000): Promise<FluxObject[]> {
    try {
      return await waitFor(what, async () => {
        const all = await Promise.all(names.map((n) => this.ks(n)));
        return all.every(predicate) ? all : undefined;
      }, timeoutMs, 1000);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${await this.summary()}\n--- kustomize-controller\n${this.cluster.tail('kustomize-controller')}`);
    }
  }
}

/** Each `*.sops.yaml` Secret of overlays/ENV/secrets as `sops decrypt` gives it: name and string values. */
export function decryptedSecrets(repo: string, env: string, sops: string, ageKey: string): { file: string; name: string; values: Record<string, string> }[] {
  const dir = path.join(repo, 'overlays', env, 'secrets');
  return readdirSync(dir).filter((f) => f.endsWith('.sops.yaml')).map((f) => {
    const plain = docs(ok(sops, ['decrypt', path.join(dir, f)], repo, { ...gitEnv, SOPS_AGE_KEY_FILE: ageKey }))[0];
    const values = {
      ...Object.fromEntries(Object.entries(plain.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])),
      ...(plain.stringData ?? {}),
    };
    return { file: f, name: plain.metadata.name, values };
  });
}

/** The live objects of a rendered build, one `kubectl get -f -` call: `Kind/namespace/name` of each that exists. */
export function liveObjects(cluster: Cluster, objects: K8sObject[]): string[] {
  const r = cluster.kubectl(['get', '--ignore-not-found', '-o', 'json', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  assert.equal(r.status, 0, r.stderr);
  const list = JSON.parse(r.stdout || '{"items":[]}') as { items?: K8sObject[] } & K8sObject;
  return (list.items ?? [list]).map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();
}
export const ids = (objects: K8sObject[]) => objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();
