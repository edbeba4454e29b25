// Flux's substitution, generator and lenient parsing, and the Matrix chart value mappings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { substitute, SubstituteError, typedPlaceholder } from '../../../src/validate/substitute.ts';
import { generateKustomization, mergeFluxSpec, parseLenient } from '../../../src/validate/kustomization-file.ts';
import { essHomeserver, ananaceHomeserver } from '../../../src/validate/chart-values.ts';
import { policyDirs, BUNDLED_POLICIES } from '../../../src/validate/policy-set.ts';
import { EnvironmentError } from '../../../src/lib/errors.ts';

const vars = new Map([['DOMAIN', 'example.org'], ['EMPTY', '']]);

test('substitution follows fluxcd/pkg envsubst, not bash', () => {
  assert.equal(substitute('host: matrix.${DOMAIN}', vars), 'host: matrix.example.org');
  assert.equal(substitute('a: $DOMAIN $(DOMAIN)', vars), 'a: $DOMAIN $(DOMAIN)', 'only ${…} is a variable');
  assert.equal(substitute('p: $${SMTP} p$$w', vars), 'p: ${SMTP} p$w', '$$ becomes $ everywhere');
  assert.equal(substitute('a: ${MISSING:=d} ${MISSING:-e} ${EMPTY:-f} ${EMPTY=g}', vars), 'a: d e f ');
  assert.throws(() => substitute('a: ${MISSING}', vars), (e: Error) => e instanceof SubstituteError && e.message === 'variable not set (strict mode): "MISSING"');
  assert.throws(() => substitute('a: ${a.b}', vars), /missing closing brace/);
  assert.throws(() => substitute('a: ${ A }', vars), /unable to parse variable name/);
  assert.equal(substitute('a: ${MISSING}', vars, false), 'a: ');
});

test('typed placeholders look like what the name says', () => {
  assert.equal(typedPlaceholder('SECRET_DOMAIN'), 'example.com');
  assert.equal(typedPlaceholder('LB_IP'), '192.0.2.10');
  assert.equal(typedPlaceholder('CLUSTER_CIDR'), '192.0.2.0/24');
  assert.equal(typedPlaceholder('API_TOKEN'), 'placeholder-api-token');
});

test('lenient parsing drops unknown top-level keys and spots a build of nothing', () => {
  const ok = parseLenient('resources: [a.yaml]\ndependsOn: [x]\n');
  assert.deepEqual(ok.dropped, ['dependsOn']);
  assert.equal(ok.empty, false);
  const typo = parseLenient('resource: [a.yaml]\n');
  assert.deepEqual(typo.dropped, ['resource']);
  assert.equal(typo.empty, true);
});

test('the generated kustomization: yaml files recursively, folders with a kustomization as resources, no .json, no .sops.yaml', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mx-gen-'));
  try {
    await mkdir(path.join(dir, 'sub/withks'), { recursive: true });
    await mkdir(path.join(dir, '.hidden'), { recursive: true });
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n';
    await writeFile(path.join(dir, 'a.yaml'), cm);
    await writeFile(path.join(dir, 'b.json'), '{}');
    await writeFile(path.join(dir, '.sops.yaml'), 'creation_rules: []\n');
    await writeFile(path.join(dir, '.hidden/h.yml'), cm);
    await writeFile(path.join(dir, 'sub/withks/kustomization.yaml'), 'resources: []\n');
    await writeFile(path.join(dir, 'sub/withks/ignored.yaml'), cm);
    await writeFile(path.join(dir, 'sub/comment-only.yaml'), '# nothing\n');
    const g = await generateKustomization(dir);
    assert.deepEqual(g.doc.resources, ['./.hidden/h.yml', './a.yaml', './sub/comment-only.yaml', './sub/withks']);
    assert.deepEqual(g.undecodable, []);
    await writeFile(path.join(dir, 'values.yaml'), 'replicaCount: 2\n');
    assert.deepEqual((await generateKustomization(dir)).undecodable, ['values.yaml']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('Flux spec fields merge the way the generator merges them', () => {
  const merged = mergeFluxSpec(
    { namespace: 'orig', patches: [{ path: 'p1.yaml' }], images: [{ name: 'app', newTag: '1' }] },
    { targetNamespace: 'tgt', patches: [{ patch: 'x' }], components: ['../c'], images: [{ name: 'app', newName: 'reg/app' }] },
  );
  assert.equal(merged.namespace, 'tgt', 'targetNamespace replaces the file namespace');
  assert.deepEqual(merged.patches, [{ path: 'p1.yaml' }, { patch: 'x' }], 'Flux patches come after the file patches');
  assert.deepEqual(merged.components, ['../c']);
  assert.deepEqual(merged.images, [{ name: 'app', newTag: '1', newName: 'reg/app' }]);
});

test('ESS matrix-stack values: additional merged in name order with arrays concatenated, chart overrides win', () => {
  const m = essHomeserver({
    serverName: 'example.org',
    synapse: {
      ingress: { host: 'matrix.example.org' },
      additional: {
        'b-second': { config: 'report_stats: true\nurl_preview_ip_range_blacklist: [203.0.113.0/24]\nserver_name: wrong\n' },
        'a-first': { config: 'enable_registration: false\nmacaroon_secret_key: in-a-secret\n' },
        'c-bad': { config: 'a: [' },
      },
    },
  });
  assert.equal(m.homeserver?.server_name, 'example.org');
  assert.equal(m.homeserver?.public_baseurl, 'https://matrix.example.org/');
  assert.equal(m.homeserver?.report_stats, true);
  assert.ok((m.homeserver?.url_preview_ip_range_blacklist as string[]).includes('169.254.0.0/16'), 'the chart underride stays');
  assert.ok((m.homeserver?.url_preview_ip_range_blacklist as string[]).includes('203.0.113.0/24'), 'arrays concatenate');
  assert.equal(m.homeserver?.macaroon_secret_key, undefined, 'additional config lives in a Secret');
  assert.equal(m.errors.length, 1);
  assert.match(m.errors[0], /^synapse\.additional\['c-bad'\] is invalid: /);
});

test('ananace matrix-synapse values: serverName required, extraConfig replaces whole keys', () => {
  assert.deepEqual(ananaceHomeserver({ config: {} }).errors, ['serverName is required by the matrix-synapse chart (top-level serverName, not config.serverName)']);
  const m = ananaceHomeserver({ serverName: 'example.org', config: { reportStats: false }, extraConfig: { enable_registration: true, report_stats: true } });
  assert.equal(m.homeserver?.public_baseurl, 'https://example.org');
  assert.equal(m.homeserver?.enable_registration, true);
  assert.equal(m.homeserver?.report_stats, true);
});

test('policy folders: bundled by default, a partial set adds, a complete set replaces, --policies must hold rules', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mx-pol-'));
  try {
    assert.deepEqual(policyDirs(dir), [BUNDLED_POLICIES]);
    await mkdir(path.join(dir, 'policies'));
    await writeFile(path.join(dir, 'policies/extra.rego'), 'package extra\n');
    assert.deepEqual(policyDirs(dir), [BUNDLED_POLICIES, path.join(dir, 'policies')]);
    await writeFile(path.join(dir, 'policies/main.rego'), 'package main\n');
    assert.deepEqual(policyDirs(dir), [path.join(dir, 'policies')]);
    assert.throws(() => policyDirs(dir, path.join(dir, 'nope')), (e: Error) => e instanceof EnvironmentError && e.message === `--policies ${path.join(dir, 'nope')}: no .rego rule files there`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
