// Boot tier, traffic: the loopback front proxy applied to the li overlay's rendered Gateway API
// objects (kustomize build overlays/li of a fresh repository). A client outside li.allowedCidrs
// (this test's loopback address is not in 203.0.113.0/24) is refused by the SecurityPolicy of the
// route it asked for, before any backend is touched; the same request for the public host is not.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Cluster } from './lib/cluster.ts';
import { tempDir } from './lib/procs.ts';
import { IngressTable, getVia, inCidrs, startIngressProxy, type Proxy } from './lib/proxy.ts';
import { buildOverlay, generateRepo, type Doc } from './lib/repo.ts';

let docs: Doc[];
let proxy: Proxy;
let li: IngressTable;
let pub: IngressTable;

before(async () => {
  const work = tempDir('mx-boot-traffic-');
  const repo = await generateRepo(work);
  docs = buildOverlay(repo, 'li');
  li = new IngressTable(docs, 'li-matrix.example.com');
  pub = new IngressTable(docs, 'matrix.example.com');
  // No pods: a request that passes the allow-list ends at backend resolution (503), which is enough
  // to tell it from a refusal.
  proxy = await startIngressProxy(new Cluster(docs, new Map(), path.join(work, 'cluster')), [li, pub]);
}, { timeout: 300_000 });

after(async () => { await proxy?.close(); });

test('the li copy is served through Gateway API routes that carry the allow-list', () => {
  assert.equal(li.provider, 'gateway-api');
  assert.equal(pub.provider, 'gateway-api');
  const hit = li.match('/_matrix/client/v3/sync');
  assert.equal(hit?.service, 'synapse-li');
  assert.deepEqual(hit?.allowList, ['203.0.113.0/24']);
  assert.equal(pub.match('/_matrix/client/v3/sync')?.allowList, undefined);
  assert.ok(inCidrs('203.0.113.7', ['203.0.113.0/24']) && !inCidrs('::ffff:127.0.0.1', ['203.0.113.0/24']));
});

test('a client outside li.allowedCidrs is refused; the public host is not allow-listed', async () => {
  const refused = await getVia(proxy, 'li-matrix.example.com', '/_matrix/client/versions');
  assert.equal(refused.status, 403, refused.body);
  assert.match(refused.body, /is not in the allow-list of synapse-li/);
  const admin = await getVia(proxy, 'li-matrix.example.com', '/_synapse/admin/v1/server_version');
  assert.equal(admin.status, 403, 'the admin API of the copy is behind the same allow-list');
  const open = await getVia(proxy, 'matrix.example.com', '/_matrix/client/versions');
  assert.notEqual(open.status, 403, open.body);
  assert.deepEqual(proxy.decisions.map((d) => d.service), [
    'refused by the allow-list of synapse-li', 'refused by the allow-list of synapse-li', 'synapse-client-reader',
  ]);
});
