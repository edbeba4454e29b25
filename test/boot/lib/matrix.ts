// Just enough of the Matrix client-server and Synapse admin APIs for the boot tests.
import { createHmac, randomBytes } from 'node:crypto';

export class HttpError extends Error {
  constructor(readonly status: number, readonly body: unknown, what: string) {
    super(`${what}: HTTP ${status} ${JSON.stringify(body)}`);
  }
}

export interface Call { status: number; body: any; headers: Headers } // eslint-disable-line @typescript-eslint/no-explicit-any

export async function call(base: string, method: string, p: string, opts: { token?: string; body?: unknown; host?: string } = {}): Promise<Call> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.host) headers.host = opts.host;
  const r = await fetch(`${base}${p}`, {
    method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal: AbortSignal.timeout(60_000),
  });
  const text = await r.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, body, headers: r.headers };
}

export async function ok(base: string, method: string, p: string, opts: { token?: string; body?: unknown; host?: string } = {}): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await call(base, method, p, opts);
  if (r.status !== 200) throw new HttpError(r.status, r.body, `${method} ${p}`);
  return r.body;
}

/** Shared-secret registration (GET nonce, HMAC-SHA1 over nonce\0user\0password\0admin|notadmin). */
export async function registerWithSharedSecret(base: string, secret: string, user: string, password: string, admin: boolean): Promise<{ user_id: string; access_token: string }> {
  const { nonce } = (await ok(base, 'GET', '/_synapse/admin/v1/register')) as { nonce: string };
  const mac = createHmac('sha1', secret)
    .update(nonce).update('\x00').update(user).update('\x00').update(password).update('\x00').update(admin ? 'admin' : 'notadmin')
    .digest('hex');
  return ok(base, 'POST', '/_synapse/admin/v1/register', { body: { nonce, username: user, password, admin, mac } });
}

export async function login(base: string, user: string, password: string, host?: string): Promise<{ user_id: string; access_token: string; device_id: string }> {
  return ok(base, 'POST', '/_matrix/client/v3/login', {
    host, body: { type: 'm.login.password', identifier: { type: 'm.id.user', user }, password, initial_device_display_name: 'boot test' },
  });
}

export function txnId(): string {
  return `boot-${randomBytes(6).toString('hex')}`;
}
