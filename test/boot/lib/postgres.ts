// PostgreSQL from Debian on loopback in a temp dir, initialised the way the manifests do it.
// PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user
// (Debian's package creates it), or `nobody` when that user does not exist.
import { chownSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
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
  appendFileSync(path.join(data, 'postgresql.conf'), "\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\nshared_buffers = 64MB\n");
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
  return { port, proc, socketDir, sql };
}

export function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

export function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
