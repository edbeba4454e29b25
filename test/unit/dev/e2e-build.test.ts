// scripts/dev/e2e-build.ts: where the e2e binaries are cached, and the one line a failed build prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../../src/lib/versions.ts';
import { binDir, causeLine, e2ePins } from '../../../scripts/dev/e2e-build.ts';

test('binaries are cached per user outside the clone, keyed by everything that changes them', () => {
  const pin = e2ePins().binaries['source-controller'];
  const prev = { xdg: process.env.XDG_CACHE_HOME, e2e: process.env.E2E_CACHE_DIR, cache: process.env.MATRIX_GITOPS_CACHE };
  try {
    // MATRIX_GITOPS_CACHE would win over XDG_CACHE_HOME (src/lib/paths.ts): a run with it set tests that rule instead.
    delete process.env.E2E_CACHE_DIR;
    delete process.env.MATRIX_GITOPS_CACHE;
    process.env.XDG_CACHE_HOME = '/var/cache/someone';
    const dir = binDir('source-controller', pin);
    assert.match(dir, /^\/var\/cache\/someone\/matrix-gitops\/e2e\/source-controller-v1\.9\.6-[0-9a-f]{12}$/);
    assert.ok(!dir.startsWith(projectRoot));
    assert.notEqual(binDir('source-controller', { ...pin, extraReplaces: [] }), dir, 'another replace is another binary');
    assert.notEqual(binDir('source-controller', { ...pin, version: 'v1.9.7' }), dir);
    process.env.E2E_CACHE_DIR = '/tmp/elsewhere';
    assert.equal(path.dirname(binDir('source-controller', pin)), '/tmp/elsewhere');
  } finally {
    for (const [k, v] of [['XDG_CACHE_HOME', prev.xdg], ['E2E_CACHE_DIR', prev.e2e], ['MATRIX_GITOPS_CACHE', prev.cache]] as const) {
      if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
  }
});

test('causeLine picks go\'s reason: the JSON Error of go mod download, else the first go: line', () => {
  assert.equal(causeLine('{\n\t"Path": "github.com/fluxcd/pkg/artifact",\n\t"Version": "v0.18.3",\n\t"Error": "github.com/fluxcd/pkg/artifact@v0.18.3: reading https://proxy.golang.org/...: 403 Forbidden"\n}\n'),
    'github.com/fluxcd/pkg/artifact@v0.18.3: reading https://proxy.golang.org/...: 403 Forbidden');
  assert.equal(causeLine('go: downloading k8s.io/api v0.33.13\ngo: k8s.io/api@v0.33.13: Get "https://proxy.golang.org/k8s.io/api/@v/v0.33.13.zip": dial tcp: lookup proxy.golang.org: no such host\n'),
    'go: k8s.io/api@v0.33.13: Get "https://proxy.golang.org/k8s.io/api/@v/v0.33.13.zip": dial tcp: lookup proxy.golang.org: no such host');
  assert.equal(causeLine('# pkg\n./x.go:1:1: undefined: y\n'), './x.go:1:1: undefined: y');
});

test('a build the module proxy cannot serve fails with one line naming the module, exit 2, full output in a log', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'mgo-e2e-build-'));
  try {
    const cache = path.join(tmp, 'cache');
    // An empty module cache and no proxy: what a machine sees when the Go module proxy is down.
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/dev/e2e-build.ts'], {
      cwd: projectRoot, encoding: 'utf8',
      env: { ...process.env, E2E_CACHE_DIR: cache, GOMODCACHE: path.join(tmp, 'mod'), GOPROXY: 'off' },
    });
    assert.equal(r.status, 2, r.stderr);
    const log = path.join(cache, 'logs', 'kube-apiserver_go_build_k8s.io_kubernetes@v1.33.13.log');
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('•') && !l.startsWith('✓'));
    assert.deepEqual(lines, [`e2e-build: kube-apiserver: go build k8s.io/kubernetes@v1.33.13 failed: module lookup disabled by GOPROXY=off (is the Go module proxy reachable? full output: ${log})`]);
    assert.deepEqual(readdirSync(path.join(cache, 'logs')), [path.basename(log)]);
    assert.match(readFileSync(log, 'utf8'), /^\$ go build -mod=mod .* k8s\.io\/kubernetes\/cmd\/kube-apiserver/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
