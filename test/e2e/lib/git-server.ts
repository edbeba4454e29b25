// A bare git repository served over smart HTTP on loopback: `git http-backend` (CGI) behind a
// tiny node:http server. Its post-receive hook is the deployment gate of docs/architecture.md:
// a push to the push branch advances the deploy branch only when validate passes on that commit
// (what the scaffolded repository's CI workflow does on a real forge).
import { createServer, type Server } from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync, chmodSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

export interface GitServer {
  url: string;
  bare: string;
  gateLog: string;
  rev(ref: string): string;
  close(): Promise<void>;
}

function git(args: string[], cwd: string): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

export interface GateOptions { projectRoot: string; branch: string; deployBranch: string }

export async function startGitServer(root: string, name: string, gate: GateOptions): Promise<GitServer> {
  const bare = path.join(root, `${name}.git`);
  git(['init', '-q', '--bare', '-b', gate.branch, bare], root);
  git(['config', 'http.receivepack', 'true'], bare);
  const gateLog = path.join(root, 'gate.log');
  writeFileSync(gateLog, '');
  const hook = path.join(bare, 'hooks', 'post-receive');
  writeFileSync(hook, `#!/bin/sh
# e2e deployment gate: ${gate.branch} advances ${gate.deployBranch} only when validate passes.
while read old new ref; do
  [ "$ref" = "refs/heads/${gate.branch}" ] || continue
  work=$(mktemp -d)
  git archive "$new" | tar -x -C "$work"
  if ( unset GIT_DIR GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
       cd '${gate.projectRoot}' && '${process.execPath}' --import tsx src/cli/validate.ts "$work" --format json > "$work.json" 2>/dev/null ); then
    git update-ref refs/heads/${gate.deployBranch} "$new"
    echo "pass $new" >> '${gateLog}'
    echo "gate: $new passed validation; ${gate.deployBranch} advanced"
  else
    echo "fail $new" >> '${gateLog}'
    echo "gate: $new failed validation; ${gate.deployBranch} stays"
  fi
  rm -rf "$work" "$work.json"
done
`);
  chmodSync(hook, 0o755);

  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH, HOME: process.env.HOME,
      // The gate's validate must find the same tools and schema cache as the test (MATRIX_GITOPS_TOOLS_DIR, ...).
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('MATRIX_GITOPS_'))),
      GIT_PROJECT_ROOT: root, GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: decodeURIComponent(u.pathname), QUERY_STRING: u.search.slice(1),
      REQUEST_METHOD: req.method ?? 'GET', CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: 'e2e', REMOTE_ADDR: '127.0.0.1', SERVER_PROTOCOL: 'HTTP/1.1', GATEWAY_INTERFACE: 'CGI/1.1',
    };
    if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') env[`HTTP_${k.toUpperCase().replaceAll('-', '_')}`] = v;
    const cgi = spawn('git', ['http-backend'], { env });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) { res.write(chunk); return; }
      head = Buffer.concat([head, chunk]);
      let end = head.indexOf('\r\n\r\n');
      let sepLen = 4;
      if (end === -1) { end = head.indexOf('\n\n'); sepLen = 2; }
      if (end === -1) return;
      headersDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString('utf8').split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = Number.parseInt(v, 10);
        else res.setHeader(k, v);
      }
      res.writeHead(status);
      res.write(head.subarray(end + sepLen));
    });
    cgi.stderr.on('data', () => undefined);
    cgi.on('close', () => {
      if (!headersDone) res.writeHead(502);
      res.end();
    });
  });
  server.requestTimeout = 0;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/${name}.git`,
    bare,
    gateLog,
    rev: (ref: string) => {
      const r = spawnSync('git', ['rev-parse', '--verify', '-q', ref], { cwd: bare, encoding: 'utf8' });
      return r.status === 0 ? r.stdout.trim() : '';
    },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

export function gateDecisions(log: string): string[] {
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
}
