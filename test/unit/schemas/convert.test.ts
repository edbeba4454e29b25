import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { convertCrd, convertSwagger, objectMetaFrom, schemaFileName, type Crd } from '../../../src/schemas/convert.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const swagger = JSON.parse(fixture('swagger.json')) as Parameters<typeof convertSwagger>[0];
const crd = parse(fixture('widgets-crd.yaml')) as Crd;

/** Reads a dotted path out of a converted schema (definition names contain dots, so they go in [brackets]). */
function at(root: unknown, p: string): unknown {
  const keys = [...p.matchAll(/\[([^\]]+)\]|([^.[\]]+)/g)].map((m) => m[1] ?? m[2]);
  return keys.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), root);
}
const types = (v: unknown): unknown[] => (v as { type: unknown }[]).map((o) => o.type);

test('file names follow kubeconform {{ .ResourceKind }}{{ .KindSuffix }}', () => {
  assert.equal(schemaFileName({ group: 'apps', version: 'v1', kind: 'Deployment' }), 'deployment-apps-v1.json');
  assert.equal(schemaFileName({ group: '', version: 'v1', kind: 'ConfigMap' }), 'configmap-v1.json');
  assert.equal(schemaFileName({ group: 'kustomize.toolkit.fluxcd.io', version: 'v1', kind: 'Kustomization' }), 'kustomization-kustomize-v1.json');
});

test('built-in kinds: one self-contained strict file per manifest kind, lists skipped', () => {
  const out = convertSwagger(swagger);
  assert.deepEqual([...out.keys()].sort(), ['gadget-demo-v1.json', 'thing-v1.json']);
  const g = out.get('gadget-demo-v1.json');
  assert.equal(at(g, 'additionalProperties'), false);
  assert.deepEqual(at(g, 'properties.apiVersion.enum'), ['demo.example.dev/v1']);
  assert.deepEqual(at(g, 'properties.kind.enum'), ['Gadget']);
  assert.equal(at(g, 'description'), undefined, 'descriptions are dropped to keep the cache small');
    // the recursive GadgetSpec.child reference terminates and resolves inside the file
  assert.equal(at(g, 'definitions[io.k8s.api.demo.v1.GadgetSpec].properties.child.$ref'), '#/definitions/io.k8s.api.demo.v1.GadgetSpec');
  assert.equal(at(g, 'definitions[io.k8s.api.demo.v1.GadgetSpec].additionalProperties'), false);
  assert.deepEqual(types(at(g, 'definitions[io.k8s.apimachinery.pkg.util.intstr.IntOrString].oneOf')), ['string', 'integer', 'null']);
  assert.deepEqual(types(at(g, 'definitions[io.k8s.apimachinery.pkg.api.resource.Quantity].oneOf')), ['string', 'number', 'null']);
  assert.deepEqual(at(g, 'definitions[io.k8s.apimachinery.pkg.apis.meta.v1.Time].type'), ['string', 'null']);
  // optional fields accept null; format (int32) is not enforced
  assert.deepEqual(at(g, 'definitions[io.k8s.api.demo.v1.GadgetSpec].properties.replicas'), { type: ['integer', 'null'] });
  // maps stay maps
  assert.deepEqual(at(g, 'definitions[io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta].properties.labels.additionalProperties'), { type: 'string' });
});

test('CRDs: strict objects, int-or-string, preserve-unknown-fields, nullable, served versions only', () => {
  const out = convertCrd(crd, objectMetaFrom(swagger));
  assert.deepEqual([...out.keys()], ['widget-example-v1.json']);
  const w = out.get('widget-example-v1.json');
  assert.equal(at(w, 'additionalProperties'), false);
  assert.equal(at(w, 'properties.spec.additionalProperties'), false);
  assert.deepEqual(at(w, 'properties.spec.required'), ['size']);
  assert.deepEqual(at(w, 'properties.spec.properties.size'), { oneOf: [{ type: 'string' }, { type: 'integer' }] });
  assert.deepEqual(types(at(w, 'properties.spec.properties.port.oneOf')), ['string', 'integer', 'null']);
  assert.equal(at(w, 'properties.spec.properties.values.additionalProperties'), undefined, 'preserve-unknown-fields stays open');
  assert.equal(at(w, 'properties.spec.properties.options.additionalProperties'), undefined, 'known fields plus unknown ones stay open');
  assert.equal(at(w, 'properties.spec.properties.template.additionalProperties'), undefined);
  assert.deepEqual(at(w, 'properties.spec.properties.suspend.type'), ['boolean', 'null']);
  assert.deepEqual(at(w, 'properties.spec.properties.mode.enum'), ['fast', 'slow', null]);
  assert.equal(at(w, 'properties.spec.properties.url.format'), undefined);
  assert.equal(at(w, 'properties.spec.properties.labels.additionalProperties.type'), 'string');
  assert.doesNotMatch(JSON.stringify(w), /x-kubernetes/);
  // untyped CRD metadata gets the strict built-in ObjectMeta
  assert.equal(at(w, 'properties.metadata.$ref'), '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  assert.ok(at(w, 'definitions[io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta]'));
});

test('a CRD without a kind yields nothing instead of a broken file', () => {
  assert.equal(convertCrd({ kind: 'CustomResourceDefinition', spec: { group: 'x' } }).size, 0);
});
