// A loopback SMTP server (aiosmtpd from the boot venv) that Synapse's mail goes to: STARTTLS with a
// throw-away CA (Synapse verifies the server certificate against SSL_CERT_FILE), AUTH with one
// user, every message kept as a file to read back.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BootEnvironment } from '../../../scripts/dev/boot-setup.ts';
import { Processes, freePort, log, tcpOpen, waitFor, type Managed } from './procs.ts';

export interface SmtpSink {
  port: number;
  /** PEM of the CA that signed the sink's certificate (for SSL_CERT_FILE). */
  caFile: string;
  proc: Managed;
  /** Raw messages received so far. */
  messages(): string[];
  /** One line per AUTH attempt: "<mechanism> ok|refused tls=True|False". */
  auths(): string[];
}

/** A CA and a certificate for localhost (and 127.0.0.1) signed by it, with the openssl CLI. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const f = (n: string) => path.join(dir, n);
  const ssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=boot test CA', '-keyout', f('ca.key'), '-out', f('ca.pem'),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', f('smtp.key'), '-out', f('smtp.csr')]);
  writeFileSync(f('san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  ssl(['x509', '-req', '-in', f('smtp.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '1', '-out', f('smtp.pem'), '-extfile', f('san.ext')]);
  return { ca: f('ca.pem'), cert: f('smtp.pem'), key: f('smtp.key') };
}

export async function startSmtpSink(env: BootEnvironment, procs: Processes, dir: string, user: string, password: string, port?: number): Promise<SmtpSink> {
  mkdirSync(path.join(dir, 'mail'), { recursive: true });
  const { ca, cert, key } = makeCertificates(dir);
  const p = port ?? (await freePort());
  const proc = procs.start('smtp-sink', env.python, [path.join(import.meta.dirname, 'smtp-sink.py'), '127.0.0.1', String(p), cert, key, path.join(dir, 'mail')],
    path.join(dir, 'smtp.log'), { env: { PATH: process.env.PATH ?? '', SINK_USER: user, SINK_PASSWORD: password } });
  await waitFor(`smtp sink on ${p}`, () => tcpOpen(p), { proc, timeoutMs: 30_000 });
  log(`smtp sink on 127.0.0.1:${p} (STARTTLS + AUTH)`);
  const mail = path.join(dir, 'mail');
  return {
    port: p, caFile: ca, proc,
    messages: () => readdirSync(mail).filter((f) => f.endsWith('.eml')).sort().map((f) => readFileSync(path.join(mail, f), 'utf8')),
    auths: () => (existsSync(path.join(mail, 'auth.log')) ? readFileSync(path.join(mail, 'auth.log'), 'utf8').trim().split('\n') : []),
  };
}
