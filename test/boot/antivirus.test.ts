// Boot tier, media scanning as far as this machine allows: clamd from Debian started with the
// generated clamd configuration (production overlay, antivirus on) and a locally made EICAR-only
// signature database; the content scanner's generated scan script run the way matrix-content-scanner
// runs it (exec of scan.script with the file path as its only argument, no shell). A clean file
// passes, EICAR is refused, and a clamd outage is an error (exit 2, which the generated config keeps
// out of the result cache). matrix-content-scanner itself cannot be installed here: see README.md.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ensureBootEnvironment, type BootEnvironment } from '../../scripts/dev/boot-setup.ts';
import { Cluster } from './lib/cluster.ts';
import { EICAR, scanScript, startClamd, type Clamd } from './lib/clamav.ts';
import { Processes, tempDir } from './lib/procs.ts';
import { buildOverlay, decryptSecrets, find, generateRepo, type Doc } from './lib/repo.ts';

const procs = new Processes();
let env: BootEnvironment;
let work: string;
let docs: Doc[];
let cluster: Cluster;
let clamd: Clamd;
let scannerConfig: Doc;
let script: { file: string; generated: string };

before(async () => {
  env = ensureBootEnvironment();
  work = tempDir('mx-boot-antivirus-');
  const repo = await generateRepo(work, { antivirus: true });
  docs = buildOverlay(repo, 'production');
  cluster = new Cluster(docs, decryptSecrets(repo, 'production'), path.join(work, 'cluster'));
  const cm = docs.find((d) => d.kind === 'ConfigMap' && /^content-scanner-config/.test(d.metadata.name as string)) as Doc;
  scannerConfig = parse(cm.data['config.yaml'] as string) as Doc;
  clamd = await startClamd(env, cluster, procs);
  script = await scanScript(cluster, scannerConfig.scan.script as string);
}, { timeout: 900_000 });

after(async () => {
  await procs.stopAll();
});

/** As matrix-content-scanner does it: exec(scan.script, file), exit 0 = clean, anything else = not. */
function scan(name: string, content: string): { code: number | null; out: string } {
  const file = path.join(work, name);
  writeFileSync(file, content);
  const pod = cluster.pods.get('content-scanner');
  assert.ok(pod);
  const r = spawnSync(script.file, [file], {
    encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...cluster.env(pod.container('content-scanner')) },
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

test('clamd runs with the generated clamd.conf; only its address, port and mount paths were changed', () => {
  const keep = (conf: string): string[] => conf.split('\n').filter((l) => !/^(TCPAddr|TCPSocket|DatabaseDirectory|TemporaryDirectory|PidFile) /.test(l));
  assert.deepEqual(keep(clamd.generated), keep(spawnSync('cat', [clamd.conf], { encoding: 'utf8' }).stdout));
  assert.match(clamd.generated, /^StreamMaxLength 100M$/m);
  assert.match(clamd.generated, /^Foreground yes$/m);
  assert.equal(clamd.proc.exitCode, undefined, 'clamd is running');
});

test('the scanner config runs the generated script, mounted from content-scanner-scripts', () => {
  const scripts = docs.find((d) => d.kind === 'ConfigMap' && /^content-scanner-scripts/.test(d.metadata.name as string)) as Doc;
  assert.equal(script.generated, scripts.data[path.basename(scannerConfig.scan.script as string)]);
  assert.ok(find(docs, 'Service', 'clamav'));
});

test('a clean file passes the scan (exit 0)', () => {
  const r = scan('clean.txt', 'just a picture of a cat\n');
  assert.equal(r.code, 0, r.out);
});

test('the EICAR test file is refused (exit 1, the signature named)', () => {
  const r = scan('eicar.com', EICAR);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /stream: Eicar-Test-Signature(\.UNOFFICIAL)? FOUND/);
});

test('negative: with clamd down the scan is an error (exit 2), which the generated config does not cache', async () => {
  await procs.stop(clamd.proc);
  const r = scan('after-stop.txt', 'clean, but nobody can tell\n');
  assert.equal(r.code, 2, r.out);
  assert.match(r.out, /clamd unreachable/);
  assert.deepEqual(scannerConfig.result_cache.exit_codes_to_ignore, [2]);
});
