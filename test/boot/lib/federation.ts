// What two homeservers on one machine need to federate as they would on the Internet, and nothing
// that leaves the machine:
// - a throwaway CA (openssl) whose certificates the Ingress stand-ins serve on port 443, and which
//   each Synapse trusts through federation_custom_ca_list (a test-only addition: in a cluster the
//   certificates come from cert-manager/ACME and the OS trust store);
// - names that resolve to loopback only for the Synapse processes: each runs in a private mount
//   namespace (unshare --mount; needs root) where /etc/hosts maps both servers' names to their
//   127.x addresses and /etc/resolv.conf points at an address where no DNS server listens, so a
//   lookup that the test did not expect fails on this machine instead of asking the network.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Ca { dir: string; certFile: string; issue(names: string[]): { key: string; cert: string } }

export function makeCa(dir: string): Ca {
  mkdirSync(dir, { recursive: true });
  const run = (args: string[]): void => { execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' }); };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=matrix-gitops boot test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  let n = 0;
  return {
    dir,
    certFile: path.join(dir, 'ca.pem'),
    issue(names) {
      const base = `leaf${++n}`;
      writeFileSync(path.join(dir, `${base}.ext`), [
        `subjectAltName=${names.map((h) => `DNS:${h}`).join(',')}`, 'basicConstraints=CA:FALSE',
        'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth', '',
      ].join('\n'));
      run(['req', ...ec, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${names[0]}`]);
      run(['x509', '-req', '-in', `${base}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-out', `${base}.pem`, '-extfile', `${base}.ext`]);
      return { key: readFileSync(path.join(dir, `${base}.key`), 'utf8'), cert: readFileSync(path.join(dir, `${base}.pem`), 'utf8') };
    },
  };
}

/** A private /etc/hosts and /etc/resolv.conf for the processes started through the returned wrapper. */
export function privateNames(dir: string, entries: Array<{ ip: string; names: string[] }>): (file: string, args: string[]) => { file: string; args: string[] } {
  if (process.getuid?.() !== 0) throw new Error('the federation boot test needs root (unshare --mount, port 443)');
  mkdirSync(dir, { recursive: true });
  const hosts = path.join(dir, 'hosts');
  const resolv = path.join(dir, 'resolv.conf');
  writeFileSync(hosts, [
    '127.0.0.1 localhost',
    ...entries.map((e) => `${e.ip} ${e.names.join(' ')}`),
    // The generated trusted_key_servers is matrix.org: a notary lookup must fail here, not go out.
    '127.0.0.254 matrix.org',
    '',
  ].join('\n'));
  writeFileSync(resolv, 'nameserver 127.0.0.254\noptions timeout:1 attempts:1\n');
  return (file, args) => ({
    file: 'unshare',
    args: ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c',
      'mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/resolv.conf && shift 2 && exec "$@"', 'boot-names', hosts, resolv, file, ...args],
  });
}
