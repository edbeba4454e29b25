// The li Flux entry point is an addition to production's (both are applied to one cluster, README
// step 4): built with the real kustomize, the two share no object, and li's references (its
// GitRepository, the Kustomization it waits for) are objects of production's entry point.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execa } from 'execa';
import { parseAllDocuments } from 'yaml';
import { projectRoot } from '../../src/lib/versions.ts';
import { kustomizeBuild } from '../../src/lib/tools.ts';

interface Doc { kind: string; metadata: { name: string; namespace?: string }; spec?: { sourceRef?: { kind: string; name: string }; dependsOn?: { name: string }[]; path?: string } }

async function build(entry: string): Promise<Doc[]> {
  const { file, args } = kustomizeBuild(path.join(projectRoot, 'flux', entry));
  const r = await execa(file, args);
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as Doc).filter(Boolean);
}

const id = (d: Doc) => `${d.kind}/${d.metadata.namespace ?? ''}/${d.metadata.name}`;

test('flux/li redefines none of flux/production objects, so applying one never replaces or prunes the other', async () => {
  const [production, li] = await Promise.all([build('production'), build('li')]);
  const ours = new Set(production.map(id));
  assert.deepEqual(li.filter((d) => ours.has(id(d))).map(id), []);
  assert.deepEqual(li.map(id), ['Kustomization/flux-system/apps-li']);
  const [apps] = li;
  assert.equal(apps.spec?.path, './overlays/li');
  // What li points at is there once production is applied.
  assert.ok(ours.has(`GitRepository/flux-system/${apps.spec?.sourceRef?.name}`), 'li uses production GitRepository');
  for (const dep of apps.spec?.dependsOn ?? []) assert.ok(ours.has(`Kustomization/flux-system/${dep.name}`), `li waits for production's ${dep.name}`);
});
