// A real Matrix client for the boot tests: matrix-js-sdk, the SDK Element is built on (pinned exactly,
// see package.json). Headless and unencrypted: no crypto is initialised, so no wasm is loaded.
// Discovery runs the SDK's own AutoDiscovery with a fetch that plays DNS + TLS termination: an
// https://<host>/… URL goes to the loopback ingress proxy with that Host header.
import http from 'node:http';
import * as sdk from 'matrix-js-sdk';
import { logger } from 'matrix-js-sdk/lib/logger.js';
import type { Proxy } from './proxy.ts';

// The SDK logs every request; its logger is a loglevel instance whose d.ts omits setLevel.
(logger as unknown as { setLevel(level: 'warn'): void }).setLevel('warn');

export type Client = sdk.MatrixClient;

export async function loginClient(baseUrl: string, user: string, password: string, fetchFn?: typeof fetch): Promise<Client> {
  const anon = sdk.createClient({ baseUrl, fetchFn });
  const r = await anon.loginRequest({ type: 'm.login.password', identifier: { type: 'm.id.user', user }, password, initial_device_display_name: 'boot test (matrix-js-sdk)' });
  return sdk.createClient({ baseUrl, fetchFn, accessToken: r.access_token, userId: r.user_id, deviceId: r.device_id });
}

/** Starts syncing and resolves once the first sync is PREPARED. */
export async function startSyncing(c: Client): Promise<void> {
  const prepared = new Promise<void>((resolve, reject) => {
    const onSync = (state: string, _prev: string | null, data?: { error?: Error }): void => {
      if (state === 'PREPARED') { c.off(sdk.ClientEvent.Sync, onSync); resolve(); }
      if (state === 'ERROR') { c.off(sdk.ClientEvent.Sync, onSync); reject(data?.error ?? new Error('sync error')); }
    };
    c.on(sdk.ClientEvent.Sync, onSync);
  });
  await c.startClient({ initialSyncLimit: 10 });
  await prepared;
}

/** Resolves with the first live timeline event in roomId that matches, as the client's sync delivers it. */
export function nextEvent(c: Client, roomId: string, match: (e: sdk.MatrixEvent) => boolean, timeoutMs = 60_000): Promise<sdk.MatrixEvent> {
  return new Promise((resolve, reject) => {
    const existing = c.getRoom(roomId)?.getLiveTimeline().getEvents().find(match);
    if (existing) { resolve(existing); return; }
    const timer = setTimeout(() => { c.off(sdk.RoomEvent.Timeline, onEvent); reject(new Error(`${c.getUserId()}: no matching event in ${roomId} within ${timeoutMs} ms`)); }, timeoutMs);
    const onEvent = (e: sdk.MatrixEvent, room: sdk.Room | undefined, _toStart: boolean | undefined, _removed: boolean, data: { liveEvent?: boolean }): void => {
      if (room?.roomId !== roomId || !data.liveEvent || !match(e)) return;
      clearTimeout(timer);
      c.off(sdk.RoomEvent.Timeline, onEvent);
      resolve(e);
    };
    c.on(sdk.RoomEvent.Timeline, onEvent);
  });
}

/** Resolves once the client sees itself invited to roomId. */
export function invited(c: Client, roomId: string, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (c.getRoom(roomId)?.getMyMembership() === 'invite') { resolve(); return; }
    const timer = setTimeout(() => reject(new Error(`${c.getUserId()} saw no invite to ${roomId}`)), timeoutMs);
    const onMember = (_e: sdk.MatrixEvent, m: sdk.RoomMember): void => {
      if (m.roomId === roomId && m.userId === c.getUserId() && m.membership === 'invite') {
        clearTimeout(timer);
        c.off(sdk.RoomMemberEvent.Membership, onMember);
        resolve();
      }
    };
    c.on(sdk.RoomMemberEvent.Membership, onMember);
  });
}

/** Uploads with the SDK and downloads the authenticated-media URL the SDK builds, as Element does. */
export async function roundTripMedia(c: Client, payload: string, fetchFn: typeof fetch = fetch): Promise<{ uri: string; downloadUrl: string; status: number; body: string; backend: string | null }> {
  const { content_uri: uri } = await c.uploadContent(Buffer.from(payload), { name: 'boot.txt', type: 'text/plain' });
  const downloadUrl = c.mxcUrlToHttp(uri, undefined, undefined, undefined, false, true, true);
  if (!downloadUrl) throw new Error(`no download URL for ${uri}`);
  const r = await fetchFn(downloadUrl, { headers: { authorization: `Bearer ${c.getAccessToken() as string}` } });
  return { uri, downloadUrl, status: r.status, body: await r.text(), backend: r.headers.get('x-boot-backend') };
}

/** A fetch for https://<host>/… URLs that plays DNS + TLS termination: the request goes to the
 *  loopback ingress proxy with that Host header (what the Ingress controller would see). */
export function ingressFetch(proxy: Proxy): typeof fetch {
  const port = Number(new URL(proxy.url).port);
  return ((resource: string | URL | Request, init: RequestInit = {}) => new Promise<Response>((resolve, reject) => {
    const u = new URL(resource instanceof Request ? resource.url : String(resource));
    if (u.protocol !== 'https:') { reject(new Error(`ingress fetch of ${u.href}: only the public https URLs go through the Ingress`)); return; }
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => { headers[k] = v; });
    headers.host = u.hostname;
    const req = http.request({ host: '127.0.0.1', port, path: `${u.pathname}${u.search}`, method: init.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => resolve(new Response([204, 304].includes(res.statusCode ?? 0) ? null : Buffer.concat(chunks), {
        status: res.statusCode ?? 502,
        headers: Object.entries(res.headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, Array.isArray(v) ? v.join(', ') : v] as [string, string]])),
      })));
      res.on('error', reject);
    });
    req.on('error', reject);
    const signal = init.signal;
    if (signal) {
      if (signal.aborted) { req.destroy(); reject(new DOMException('aborted', 'AbortError')); return; }
      signal.addEventListener('abort', () => { req.destroy(); reject(new DOMException('aborted', 'AbortError')); }, { once: true });
    }
    const body = init.body;
    if (body === undefined || body === null) { req.end(); return; }
    if (typeof body === 'string' || body instanceof Uint8Array) { req.end(body); return; }
    if (body instanceof Blob) { body.arrayBuffer().then((b) => req.end(Buffer.from(b)), reject); return; }
    reject(new Error('ingress fetch: unsupported body type'));
  })) as typeof fetch;
}

/** Makes the SDK's AutoDiscovery (https://<server_name>/.well-known/…, then base_url/versions) go
 *  through the Ingress. */
export function discoveryViaIngress(proxy: Proxy): void {
  sdk.AutoDiscovery.setFetchFn(ingressFetch(proxy));
}

/** Stops the clients. matrix-js-sdk 37.5 leaves timers behind after stopClient() (seen: a dozen
 *  Timeouts once federation retried sends), which would keep this test file's process alive after
 *  its last hook; so, once the hooks are done, a last unref'd timer ends it with the exit code
 *  node:test has set by then (a failure stays a failure). */
export function stopClients(clients: Client[], graceMs = 5_000): void {
  for (const c of clients) c.stopClient();
  setTimeout(() => {
    process.stderr.write(`[boot] matrix-js-sdk left ${process.getActiveResourcesInfo().length} handles; exiting\n`);
    process.exit(process.exitCode ?? 0);
  }, graceMs).unref();
}

export { sdk };
