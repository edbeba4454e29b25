// Stand-in for source-controller, which cannot be built from the Go proxy reachable here (versions.json
// "e2e"): it follows the deploy branch of the bare repository, publishes `git archive` of each new
// deploy commit as a tar.gz on a loopback HTTP server, and records it in the status of an
// ExternalArtifact (source.toolkit.fluxcd.io/v1) exactly as source-controller records a
// GitRepository's artifact (revision `<branch>@sha1:<commit>`, sha256 digest). kustomize-controller
// (--feature-gates=ExternalArtifact=true) watches it and downloads the tarball as it would from
// source-controller. Like source-controller, it never looks at any branch but the deploy branch.
import { createServer, type Server } from 'node:http';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { Cluster } from './cluster.ts';

export interface ArtifactSource {
  name: string;
  namespace: string;
  /** The deploy commit currently published ('' before the first). */
  published(): string;
  /** Publishes the deploy branch now when it moved (the reconcile request of `flux reconcile source`). */
  sync(): string;
  close(): Promise<void>;
}

export async function startArtifactSource(opts: {
  cluster: Cluster; bare: string; branch: string; dir: string; name: string; namespace: string; intervalMs?: number;
}): Promise<ArtifactSource> {
  const { cluster, bare, branch, dir, name, namespace } = opts;
  mkdirSync(dir, { recursive: true });
  const server: Server = createServer((req, res) => {
    const file = path.join(dir, path.basename(new URL(req.url ?? '/', 'http://x').pathname));
    if (!existsSync(file)) { res.writeHead(404); res.end(); return; }
    const body = readFileSync(file);
    res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;

  const created = cluster.kubectl(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'ExternalArtifact',
    metadata: { name, namespace },
    spec: { sourceRef: { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', name, namespace } },
  }));
  if (created.status !== 0) throw new Error(`ExternalArtifact: ${created.stderr}`);

  let current = '';
  const sync = (): string => {
    const r = spawnSync('git', ['rev-parse', '--verify', '-q', `refs/heads/${branch}`], { cwd: bare, encoding: 'utf8' });
    const sha = r.status === 0 ? r.stdout.trim() : '';
    if (!sha || sha === current) return current;
    const tgz = spawnSync('git', ['archive', '--format=tar.gz', sha], { cwd: bare, maxBuffer: 256 * 1024 * 1024 });
    if (tgz.status !== 0) throw new Error(`git archive ${sha}: ${tgz.stderr.toString()}`);
    const file = `${sha}.tar.gz`;
    writeFileSync(path.join(dir, file), tgz.stdout);
    const revision = `${branch}@sha1:${sha}`;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const status = {
      status: {
        artifact: {
          path: `externalartifact/${namespace}/${name}/${file}`,
          url: `http://127.0.0.1:${port}/${file}`,
          revision,
          digest: `sha256:${createHash('sha256').update(tgz.stdout).digest('hex')}`,
          lastUpdateTime: now,
          size: tgz.stdout.length,
        },
        conditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded', message: `stored artifact for revision '${revision}'`, lastTransitionTime: now }],
      },
    };
    const p = cluster.kubectl(['-n', namespace, 'patch', `externalartifact/${name}`, '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
    if (p.status !== 0) throw new Error(`ExternalArtifact status: ${p.stderr}`);
    current = sha;
    return current;
  };
  const timer = setInterval(() => { try { sync(); } catch { /* next tick retries */ } }, opts.intervalMs ?? 2000);
  return {
    name, namespace,
    published: () => current,
    sync,
    close: () => new Promise<void>((r) => { clearInterval(timer); server.closeAllConnections(); server.close(() => r()); }),
  };
}
