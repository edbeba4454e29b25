// PostgreSQL from Debian on loopback in a temp dir, initialised the way the manifests do it.
// PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user
// (Debian's package creates it), or `nobody` when that user does not exist.
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { BootEnvironment } from '../../../scripts/dev/boot-setup.ts';
import { Processes, freePort, log, waitFor, type Managed } from './procs.ts';

function systemUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':'));
  const entry = passwd.find((f) => f[0] === 'postgres') ?? passwd.find((f) => f[0] === 'nobody');
  if (!entry) throw new Error('running as root and neither a postgres nor a nobody user exists');
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

export interface PgServer {
  port: number;
  proc: Managed;
  socketDir: string;
  /** Runs SQL over the Unix socket (local connections are trusted, TCP ones need the password). */
  sql(user: string, db: string, sql: string): string;
  /** Whether each open connection of a role is encrypted (pg_stat_ssl). */
  tlsOf(user: string): boolean[];
}

export interface PgInit {
  /** Bootstrap superuser (initdb --username). */
  superuser: string;
  /** Its password (initdb --pwfile), or undefined for none. */
  password?: string;
  /** Extra initdb arguments, e.g. from POSTGRES_INITDB_ARGS. */
  initdbArgs: string[];
}

export async function startPostgres(env: BootEnvironment, procs: Processes, dir: string, init: PgInit): Promise<PgServer> {
  const owner = systemUser();
  const data = path.join(dir, 'data');
  const socketDir = path.join(dir, 'run');
  for (const d of [dir, data, socketDir]) {
    mkdirSync(d, { recursive: true, mode: 0o700 });
    if (owner) chownSync(d, owner.uid, owner.gid);
  }
  const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};
  const pwfile = path.join(dir, 'pwfile');
  const pwArgs: string[] = [];
  if (init.password !== undefined) {
    writeFileSync(pwfile, `${init.password}\n`, { mode: 0o600 });
    if (owner) chownSync(pwfile, owner.uid, owner.gid);
    pwArgs.push(`--pwfile=${pwfile}`);
  }
  log(`initdb --username=${init.superuser} ${init.initdbArgs.join(' ')}`);
  execFileSync(env.bin.initdb, ['-D', data, `--username=${init.superuser}`, ...pwArgs, '--auth-local=trust', '--auth-host=scram-sha-256', ...init.initdbArgs], {
    stdio: 'pipe', ...asOwner, env: { PATH: process.env.PATH ?? '', LANG: 'C.UTF-8' },
  });
  // Only loopback TCP, and every TCP login checks the password.
  writeFileSync(path.join(data, 'pg_hba.conf'), 'local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n');
  // TLS with a self-signed server certificate, as CloudNativePG serves it, so the sslmode the
  // manifests give Synapse (require) is what it gets here.
  const crt = path.join(data, 'server.crt');
  const key = path.join(data, 'server.key');
  execFileSync(env.bin.openssl, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-keyout', key, '-out', crt], { stdio: 'pipe' });
  chmodSync(key, 0o600);
  if (owner) for (const f of [crt, key]) chownSync(f, owner.uid, owner.gid);
  appendFileSync(path.join(data, 'postgresql.conf'), `\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\nshared_buffers = 64MB\nssl = on\nssl_cert_file = '${crt}'\nssl_key_file = '${key}'\n`);
  const port = await freePort();
  const logFile = path.join(dir, 'postgres.log');
  writeFileSync(logFile, '');
  if (owner) chownSync(logFile, owner.uid, owner.gid);
  const proc = procs.markInfra(procs.start('postgres', env.bin.postgres, ['-D', data, '-c', 'listen_addresses=127.0.0.1', '-p', String(port), '-k', socketDir], logFile, {
    ...asOwner, env: { PATH: process.env.PATH ?? '', LANG: 'C.UTF-8' },
  }));
  const psql = env.bin.psql;
  const sql = (user: string, db: string, query: string): string =>
    execFileSync(psql, ['-h', socketDir, '-p', String(port), '-U', user, '-d', db, '-v', 'ON_ERROR_STOP=1', '-tAq', '-c', query], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' },
    }).trim();
  await waitFor('PostgreSQL', async () => { sql(init.superuser, 'postgres', 'SELECT 1'); return true; }, { proc, timeoutMs: 30_000 });
  log(`PostgreSQL ${sql(init.superuser, 'postgres', 'SHOW server_version')} on 127.0.0.1:${port}`);
  const tlsOf = (user: string): boolean[] =>
    sql(init.superuser, 'postgres', `SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.usename = ${quoteLiteral(user)}`)
      .split('\n').filter(Boolean).map((v) => v === 't');
  return { port, proc, socketDir, sql, tlsOf };
}

export function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

export function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
