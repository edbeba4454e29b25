// Switching the traffic provider of an existing repository is a config change: the real scaffold
// warns about ingress-nginx, and a re-run with gateway-api replaces every Ingress by Gateway API
// objects (Flux prunes the Ingresses it no longer finds), keeping every secret byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parseAllDocuments } from 'yaml';
import { projectRoot } from '../../src/lib/versions.ts';
import { userCacheDir } from '../../src/lib/paths.ts';

const cli = path.join(projectRoot, 'src', 'cli', 'scaffold.ts');
const fixture = (f: string): string => path.join(import.meta.dirname, 'fixtures', 'traffic', f);
const work = mkdtempSync(path.join(tmpdir(), 'mx-traffic-'));
const repo = path.join(work, 'repo');
// An empty HOME (no age key of the user's may leak in); the pinned tools stay in the caller's per-user cache.
const env = { HOME: path.join(work, 'home'), SOPS_AGE_KEY_FILE: '', MATRIX_GITOPS_CACHE: userCacheDir() };
test.after(() => rmSync(work, { recursive: true, force: true }));

const scaffold = (config: string) => execa(process.execPath, ['--import', 'tsx', cli, '--config', config, '--out', repo, '--yes'], { cwd: projectRoot, reject: false, env, input: '' });

function kinds(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const f = path.join(d, e);
      if (e === '.git' || e === 'secrets') continue;
      if (statSync(f).isDirectory()) walk(f);
      else if (e.endsWith('.yaml')) {
        for (const doc of parseAllDocuments(readFileSync(f, 'utf8'))) {
          const k = (doc.toJSON() as { kind?: string } | null)?.kind;
          if (k) out.set(k, [...(out.get(k) ?? []), path.relative(repo, f)]);
        }
      }
    }
  };
  for (const top of ['base', 'overlays', 'flux']) walk(path.join(repo, top));
  return out;
}

const secrets = (): Map<string, string> => new Map(['production', 'li'].flatMap((e) => {
  const dir = path.join(repo, 'overlays', e, 'secrets');
  return readdirSync(dir).map((f) => [`${e}/${f}`, readFileSync(path.join(dir, f), 'utf8')] as [string, string]);
}));

test('ingress-nginx → gateway-api: warned, then every Ingress replaced, secrets kept', async () => {
  const first = await scaffold(fixture('ingress-nginx.yaml'));
  assert.equal(first.exitCode, 0, first.stderr);
  assert.match(first.stderr, /ingress\.production\.provider: ingress-nginx reached end of maintenance on 2026-03-24 \(no releases or security fixes since\); switch to gateway-api \(production\) or traefik \(homelab\), see README "Traffic"/);
  const before = kinds();
  assert.ok((before.get('Ingress') ?? []).length > 5);
  assert.equal(before.get('HTTPRoute'), undefined);
  const kept = secrets();

  const second = await scaffold(fixture('gateway-api.yaml'));
  assert.equal(second.exitCode, 0, second.stderr);
  assert.doesNotMatch(second.stderr, /end of maintenance/);
  const after = kinds();
  assert.equal(after.get('Ingress'), undefined, 'no Ingress left in the repository');
  assert.ok((after.get('HTTPRoute') ?? []).length > 5);
  assert.deepEqual(after.get('Gateway'), ['overlays/li/copy/routes.yaml', 'overlays/production/routes.yaml']);
  assert.ok((after.get('SecurityPolicy') ?? []).every((f) => f === 'overlays/li/copy/routes.yaml'));
  assert.ok(readFileSync(path.join(repo, 'flux/production/infrastructure/operators.yaml'), 'utf8').includes('gateway-helm'));
  assert.deepEqual(secrets(), kept);
});
