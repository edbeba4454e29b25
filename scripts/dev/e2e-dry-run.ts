// `npx tsx scripts/dev/e2e-dry-run.ts [--keep]`: compares validate's verdict with a server-side dry-run
// (`kubectl apply --dry-run=server`) of the decrypted homelab overlay build, against the e2e tier's
// kube-apiserver with every CRD of versions.json schemas.crds installed, for a few scaffold variants,
// and of every overlay and Flux entry point of this project's own render (all environments).
// Prints one line per variant; exit 1 when validate passes and the server refuses (a gap in validate).
// "policy" lines (validate refuses, the server accepts) are expected: policies go beyond the API schema.
import '../../test/e2e/lib/cluster.ts';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { startCluster } from '../../test/e2e/lib/cluster.ts';
import { projectRoot } from '../../src/lib/versions.ts';
import { toolPath, kustomizeBuild } from '../../src/lib/tools.ts';
import { applyPinnedCrds, compareOverlays, refusesBadCluster } from '../../test/e2e/lib/dry-run.ts';

interface Variant { name: string; flags: string[]; edit?: (repo: string) => void }
const VARIANTS: Variant[] = [
  { name: 'homelab defaults', flags: [] },
  // workers, monitoring and synapseAdmin need production / li, so the scaffold refuses them for homelab.
  { name: 'homelab all components', flags: ['--components', 'coturn,livekit,jitsi,antivirus,sygnal,backups'] },
  { name: 'homelab minimal', flags: ['--components', 'no-coturn,no-livekit,no-jitsi,no-workers,no-monitoring,no-antivirus,no-sygnal,no-synapseAdmin,no-backups'] },
  {
    name: 'homelab + plaintext Secret', flags: [], edit: (repo) => {
      writeFileSync(path.join(repo, 'overlays/homelab/leaked.yaml'), stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'leaked' }, stringData: { p: 'x' } }));
      const k = path.join(repo, 'overlays/homelab/kustomization.yaml');
      const r = spawnSync('sed', ['-i', 's/^resources:$/resources:\\n  - leaked.yaml/', k]);
      if (r.status !== 0) throw new Error('sed');
    },
  },
];

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}) {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? projectRoot, env: opts.env ?? process.env, input: opts.input, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status ?? 1, out: `${r.stdout ?? ''}`, err: `${r.stderr ?? ''}` };
}

const work = mkdtempSync(path.join(tmpdir(), 'mgo-dry-'));
const cluster = await startCluster(path.join(work, 'cluster'));
let mismatches = 0;
try {
  process.stdout.write(`${applyPinnedCrds(cluster)}\n`);
  cluster.kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);
  cluster.kubectl(['create', 'namespace', 'matrix']);
  const ageKey = path.join(work, 'age.key');
  run(toolPath('age-keygen'), ['-o', ageKey]);
  const config = path.join(work, 'config.yaml');
  writeFileSync(config, stringify({
    serverName: 'example.test', environments: ['homelab'],
    hosts: { synapse: 'matrix.example.test', element: 'chat.example.test', turn: 'turn.example.test', rtc: 'rtc.example.test' },
    git: { url: 'http://127.0.0.1:1/matrix.git', branch: 'main', deployBranch: 'deploy' }, acme: { email: 'ops@example.test' },
  }));
  for (const v of VARIANTS) {
    const repo = path.join(work, v.name.replace(/\W+/g, '-'));
    const s = run(process.execPath, ['--import', 'tsx', 'src/cli/scaffold.ts', '--config', config, '--out', repo, '--yes', '--no-git', '--age-key', ageKey, '--environments', 'homelab', ...v.flags]);
    if (s.status !== 0) { process.stdout.write(`${v.name}: scaffold failed: ${s.err.trim().split('\n').pop()}\n`); continue; }
    v.edit?.(repo);
    const val = run(process.execPath, ['--import', 'tsx', 'src/cli/validate.ts', repo, '--format', 'json']);
    const validateOk = val.status === 0;
    const secrets = path.join(repo, 'overlays/homelab/secrets');
    if (existsSync(secrets)) for (const f of readdirSync(secrets)) {
      const d = run(toolPath('sops'), ['decrypt', path.join(secrets, f)], { env: { ...process.env, SOPS_AGE_KEY_FILE: ageKey } });
      writeFileSync(path.join(secrets, f), d.out);
    }
    const b = kustomizeBuild(path.join(repo, 'overlays/homelab'));
    const built = run(b.file, b.args, { cwd: repo });
    const dry = cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], built.out);
    const serverOk = dry.status === 0;
    // validate fail + server accepts is the policy layer doing its job; validate pass + server refuses is a gap.
    const agree = validateOk === serverOk;
    if (validateOk && !serverOk) mismatches++;
    process.stdout.write(`${agree ? 'agree   ' : validateOk ? 'MISMATCH' : 'policy  '}  ${v.name}: validate ${validateOk ? 'pass' : 'fail'}, server dry-run ${serverOk ? 'accepts' : 'refuses'} (${built.out.split(/^---$/m).length} objects)\n`);
    if (!serverOk) process.stdout.write(`          server: ${[...new Set(dry.stderr.trim().split('\n'))].slice(0, 6).join('\n          server: ')}\n`);
    if (!validateOk) {
      const findings = (JSON.parse(val.out || '{"findings":[]}') as { findings: { rule: string; severity: string }[] }).findings.filter((f) => f.severity === 'error');
      process.stdout.write(`          validate errors: ${[...new Set(findings.map((f) => f.rule))].join(', ')}\n`);
    }
  }
  // This project's own render (matrix-gitops.yaml: every environment and component): the overlays
  // and Flux entry points of production and li carry the operator CRs (CNPG Cluster, cert-manager,
  // prometheus-operator, HelmRelease) whose schemas and CEL rules only the API server evaluates.
  for (const c of compareOverlays(cluster, projectRoot, projectRoot)) {
    if (c.validateOk && !c.serverOk) mismatches++;
    const tag = c.validateOk === c.serverOk ? 'agree   ' : c.validateOk ? 'MISMATCH' : 'policy  ';
    process.stdout.write(`${tag}  project ${c.overlay}: validate ${c.validateOk ? 'pass' : 'fail'}, server dry-run ${c.serverOk ? 'accepts' : 'refuses'} (${c.objects} objects)\n`);
    if (!c.serverOk) process.stdout.write(`          server: ${c.serverErrors.slice(0, 8).join('\n          server: ')}\n`);
    if (!c.validateOk) process.stdout.write(`          validate errors: ${c.validateRules.join(', ')}\n`);
  }
  const control = refusesBadCluster(cluster, 'matrix');
  if (!control.refused) { mismatches++; process.stdout.write('CONTROL   the server accepted a CNPG Cluster with an unknown field\n'); }
  else process.stdout.write(`control   the server refuses a bad CNPG Cluster: ${control.error.slice(0, 160)}\n`);
} finally {
  await cluster.stop();
  if (!process.argv.includes('--keep')) rmSync(work, { recursive: true, force: true });
}
process.stdout.write(`${mismatches} mismatch(es) where validate passes and the API server refuses\n`);
process.exitCode = mismatches ? 1 : 0;
