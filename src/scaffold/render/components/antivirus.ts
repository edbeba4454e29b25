// Antivirus (optional, production only, as in the production seed): clamd plus Element's
// matrix-content-scanner in front of media downloads. The scanner fetches the file from Synapse
// (the media worker when there is one), streams it to clamd with a small INSTREAM client and only
// serves it when clamd says OK.
// Routing: the scanner serves /_matrix/media_proxy/unstable/{download,thumbnail}/<server>/<id>, so
// its own Ingress on the Synapse host rewrites the client download/thumbnail paths (legacy
// /_matrix/media/* and authenticated /_matrix/client/v1/media/*) onto that prefix. ingress-nginx
// checks regex locations longest first; these paths are longer than every Synapse/worker path that
// also matches (`^/_matrix/media/`, `^/_matrix/client/v1/media/`, `/_matrix`), so downloads and
// thumbnails reach the scanner while uploads, config and preview_url stay with Synapse.
// Federation media (/_matrix/federation/v1/media) is server-to-server and is not scanned.
// ClamAV runs restricted (UID 100, its image's clamav user, read-only root); the signature
// database lives on a bounded emptyDir and is fetched by freshclam at start (startupProbe allows 10 min).
import type { EnvModel } from '../../model/index.ts';
import { yamlText } from './synapse.ts';
import { workerResourceName } from './worker-routes.ts';
import { configMap, image, labels, resources, restrictedContainer, secretSpec, service, workload, type BaseComponent, type Obj, type SecretSpec } from '../lib.ts';

export const CLAMD_PORT = 3310;
export const SCANNER_PORT = 8080;
export const SCANNER_PREFIX = '/_matrix/media_proxy/unstable';
/** ingress-nginx regex paths (ImplementationSpecific); $2 = download|thumbnail, $3 = <server>/<id>. */
export const SCANNED_PATHS = [
  '/_matrix/(media/r0|media/v3|media/v1|client/v1/media)/(download|thumbnail)/(.+)',
];
export const SCANNER_REWRITE = `${SCANNER_PREFIX}/$2/$3`;

export function antivirusSecretSpecs(env: EnvModel): SecretSpec[] {
  // The scanner's request secret (the X25519 key it decrypts encrypted scan requests with):
  // since v1.3.0 a file holding standard base64 of exactly 32 bytes (crypto.request_secret_path).
  return [secretSpec(env, 'content-scanner', { 'request-secret': { generate: 'token', bytes: 32, encoding: 'base64' } })];
}

export function clamdConf(): string {
  return [
    'Foreground yes',
    'LogTime yes',
    'LogClean no',
    `TCPSocket ${CLAMD_PORT}`,
    'TCPAddr 0.0.0.0',
    'DatabaseDirectory /var/lib/clamav',
    'TemporaryDirectory /tmp',
    'PidFile /run/clamav/clamd.pid',
    // Media uploads go up to max_upload_size (100M); clamd's default stream limit is 25M.
    'StreamMaxLength 100M',
    'MaxFileSize 100M',
    'MaxScanSize 400M',
    '',
  ].join('\n');
}

export function freshclamConf(): string {
  return ['DatabaseDirectory /var/lib/clamav', 'DatabaseMirror database.clamav.net', 'Foreground yes', 'PidFile /run/clamav/freshclam.pid', 'Checks 12', ''].join('\n');
}

/** clamd INSTREAM client: exit 0 clean, 1 infected, 2 error (not cached, retried next time). */
export const CLAMD_SCAN_SCRIPT = `#!/usr/bin/env python3
import socket
import struct
import sys


def main(path: str) -> int:
    reply = b""
    try:
        with socket.create_connection(("clamav", ${CLAMD_PORT}), timeout=120) as s, open(path, "rb") as f:
            s.sendall(b"zINSTREAM\\0")
            while True:
                chunk = f.read(65536)
                if not chunk:
                    break
                s.sendall(struct.pack("!L", len(chunk)) + chunk)
            s.sendall(struct.pack("!L", 0))
            while not reply.endswith(b"\\0"):
                data = s.recv(4096)
                if not data:
                    break
                reply += data
    except OSError as e:
        print(f"clamd unreachable: {e}", file=sys.stderr)
        return 2
    text = reply.rstrip(b"\\0").decode(errors="replace")
    if text.endswith(" OK"):
        return 0
    if text.endswith(" FOUND"):
        print(text)
        return 1
    print(text, file=sys.stderr)
    return 2


sys.exit(main(sys.argv[1]))
`;

/** matrix-content-scanner >= 1.3 config (its schema rejects unknown keys; checked by
 *  test/unit/render/content-scanner-config.test.ts). The secret is a mounted file, not in the config. */
export function scannerConfig(env: EnvModel): Obj {
  const origin = env.workers.includes('media_repository') ? workerResourceName('media_repository') : 'synapse';
  return {
    web: { host: '0.0.0.0', port: SCANNER_PORT },
    scan: { script: '/scripts/clamd-scan.py', temp_directory: '/tmp', removal_command: 'rm' },
    result_cache: { exit_codes_to_ignore: [2], max_size: 1024, ttl: '1d', max_file_size: '100MB' },
    // Authenticated media: the client's Authorization header goes along to Synapse.
    download: { base_homeserver_url: `http://${origin}:8008`, headers_to_forward: ['Authorization'] },
    crypto: { request_secret_path: '/secrets/mcs/request-secret' },
  };
}

export function antivirusBase(env: EnvModel): BaseComponent {
  const clamav: Obj = workload('clamav', 100, {
    containers: [{
      name: 'clamav', image: image('clamav'),
      ports: [{ name: 'clamd', containerPort: CLAMD_PORT, protocol: 'TCP' }],
      volumeMounts: [
        { name: 'conf', mountPath: '/etc/clamav/clamd.conf', subPath: 'clamd.conf', readOnly: true },
        { name: 'conf', mountPath: '/etc/clamav/freshclam.conf', subPath: 'freshclam.conf', readOnly: true },
        { name: 'db', mountPath: '/var/lib/clamav' },
        { name: 'run', mountPath: '/run/clamav' },
        { name: 'log', mountPath: '/var/log/clamav' },
        { name: 'tmp', mountPath: '/tmp' },
      ],
      securityContext: restrictedContainer(true),
      // clamd holds the signatures twice in memory while it reloads them.
      resources: resources('200m', '1536Mi', '3Gi'),
      startupProbe: { tcpSocket: { port: 'clamd' }, periodSeconds: 10, failureThreshold: 60 },
      readinessProbe: { tcpSocket: { port: 'clamd' }, periodSeconds: 10 },
      livenessProbe: { tcpSocket: { port: 'clamd' }, periodSeconds: 30 },
    }],
    volumes: [
      { name: 'conf', configMap: { name: 'clamav-config' } },
      { name: 'db', emptyDir: { sizeLimit: '1Gi' } },
      { name: 'run', emptyDir: { sizeLimit: '16Mi' } },
      { name: 'log', emptyDir: { sizeLimit: '64Mi' } },
      { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
    ],
  });
  const scanner: Obj = workload('content-scanner', 65534, {
    containers: [{
      name: 'content-scanner', image: image('matrix-content-scanner'),
      command: ['python', '-m', 'matrix_content_scanner.mcs', '-c', '/run/mcs/config.yaml'],
      workingDir: '/data',
      ports: [{ name: 'http', containerPort: SCANNER_PORT, protocol: 'TCP' }],
      volumeMounts: [
        { name: 'config', mountPath: '/run/mcs', readOnly: true },
        { name: 'request-secret', mountPath: '/secrets/mcs', readOnly: true },
        { name: 'scripts', mountPath: '/scripts', readOnly: true },
        { name: 'data', mountPath: '/data' },
        { name: 'tmp', mountPath: '/tmp' },
      ],
      securityContext: restrictedContainer(true),
      resources: resources('100m', '256Mi', '512Mi'),
      readinessProbe: { httpGet: { path: `${SCANNER_PREFIX}/public_key`, port: 'http' }, periodSeconds: 10 },
      livenessProbe: { httpGet: { path: `${SCANNER_PREFIX}/public_key`, port: 'http' }, periodSeconds: 20 },
    }],
    volumes: [
      { name: 'config', configMap: { name: 'content-scanner-config' } },
      { name: 'request-secret', secret: { secretName: 'content-scanner', defaultMode: 0o400, items: [{ key: 'request-secret', path: 'request-secret' }] } },
      { name: 'scripts', configMap: { name: 'content-scanner-scripts', defaultMode: 0o555 } },
      { name: 'data', emptyDir: { sizeLimit: '16Mi' } },
      // Downloaded media while it is scanned.
      { name: 'tmp', emptyDir: { sizeLimit: '2Gi' } },
    ],
  });
  const scanIngress: Obj = {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
    metadata: {
      name: 'content-scanner', labels: labels('content-scanner'),
      annotations: { 'nginx.ingress.kubernetes.io/use-regex': 'true', 'nginx.ingress.kubernetes.io/rewrite-target': SCANNER_REWRITE },
    },
    spec: {
      rules: [{
        host: env.hosts.synapse,
        http: { paths: SCANNED_PATHS.map((path) => ({ path, pathType: 'ImplementationSpecific', backend: { service: { name: 'content-scanner', port: { number: SCANNER_PORT } } } })) },
      }],
    },
  };
  return {
    name: 'antivirus',
    files: {
      'clamav.yaml': [clamav],
      'content-scanner.yaml': [scanner],
      'service.yaml': [service('clamav', 'clamav', [['clamd', CLAMD_PORT]]), service('content-scanner', 'content-scanner', [['http', SCANNER_PORT]])],
      'ingress.yaml': [scanIngress],
      'configmap.yaml': [
        configMap('clamav-config', 'clamav', { 'clamd.conf': clamdConf(), 'freshclam.conf': freshclamConf() }),
        configMap('content-scanner-config', 'content-scanner', { 'config.yaml': yamlText(scannerConfig(env)) }),
        configMap('content-scanner-scripts', 'content-scanner', { 'clamd-scan.py': CLAMD_SCAN_SCRIPT }),
      ],
    },
  };
}
