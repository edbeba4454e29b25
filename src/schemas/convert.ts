// Kubernetes OpenAPI v2 (swagger.json) and CRD openAPIV3Schema → strict JSON Schema (draft-4) files
// named the way kubeconform's `{{ .ResourceKind }}{{ .KindSuffix }}.json` template looks them up.
//
// Strict means every object that declares its properties rejects unknown ones, so a typo in a field
// name is a finding. The conversions below exist to keep that strictness free of false findings:
// IntOrString and Quantity accept both JSON types, `x-kubernetes-preserve-unknown-fields` and maps stay
// open, `nullable` and optional fields accept null, and formats the API server does not enforce are dropped.

export type JsonSchema = { [key: string]: unknown };

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** kubeconform's file name for a kind: lower(kind) + "-" + first label of the group + "-" + version. */
export function schemaFileName({ group, version, kind }: GroupVersionKind): string {
  const suffix = group ? `-${group.split('.')[0].toLowerCase()}-${version.toLowerCase()}` : `-${version.toLowerCase()}`;
  return `${kind.toLowerCase()}${suffix}.json`;
}

function apiVersionOf({ group, version }: GroupVersionKind): string {
  return group ? `${group}/${version}` : version;
}

function isObject(v: unknown): v is JsonSchema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const INT_OR_STRING = { oneOf: [{ type: 'string' }, { type: 'integer' }] };
const QUANTITY = { oneOf: [{ type: 'string' }, { type: 'number' }] };

/** Keys that only document or drive server-side behaviour; dropping them keeps the cache small. */
const DROP = new Set(['description', 'format', 'x-kubernetes-list-map-keys', 'x-kubernetes-list-type',
  'x-kubernetes-map-type', 'x-kubernetes-patch-merge-key', 'x-kubernetes-patch-strategy',
  'x-kubernetes-validations', 'x-kubernetes-group-version-kind', 'x-kubernetes-unions', 'default', 'example']);

function withNull(type: unknown): unknown {
  if (typeof type === 'string') return type === 'null' ? type : [type, 'null'];
  if (Array.isArray(type)) return type.includes('null') ? type : [...type, 'null'];
  return type;
}

interface Walk {
  /** true for CRD (structural v3) schemas, false for swagger v2 definitions */
  crd: boolean;
}

/**
 * Rewrites one schema node and everything below it. `optional` is true when the node is a property
 * its parent does not list as required: such a property may be null (kubectl and kustomize write
 * `creationTimestamp: null`), as in the upstream kubernetes-json-schema conversion.
 */
function convertNode(node: unknown, optional: boolean, w: Walk): unknown {
  if (!isObject(node)) return node;
  if (w.crd && node['x-kubernetes-int-or-string'] === true) {
    return optional ? { oneOf: [...INT_OR_STRING.oneOf, { type: 'null' }] } : structuredClone(INT_OR_STRING);
  }
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROP.has(key)) continue;
    if (key === 'properties' && isObject(value)) {
      const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
      const props: JsonSchema = {};
      for (const [name, sub] of Object.entries(value)) props[name] = convertNode(sub, !required.has(name), w);
      out.properties = props;
    } else if (key === 'items' || key === 'additionalProperties' || key === 'not') {
      out[key] = isObject(value) ? convertNode(value, false, w) : value;
    } else if ((key === 'allOf' || key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) {
      out[key] = value.map((v) => convertNode(v, false, w));
    } else if (key === 'definitions' && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convertNode(v, false, w)]));
    } else {
      out[key] = value;
    }
  }
  const preserveUnknown = out['x-kubernetes-preserve-unknown-fields'] === true || out['x-kubernetes-embedded-resource'] === true;
  // Strictness: an object that lists its properties rejects others, unless the API keeps unknown fields.
  if (isObject(out.properties) && out.additionalProperties === undefined && !preserveUnknown) {
    out.additionalProperties = false;
  }
  // In v3 CRD schemas `nullable` is the only way null is allowed; draft-4 spells it as a type.
  if (out.nullable === true || (optional && out.type !== undefined)) {
    out.type = withNull(out.type);
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  delete out.nullable;
  for (const k of Object.keys(out)) if (k.startsWith('x-kubernetes-')) delete out[k];
  return out;
}

/** Pins apiVersion and kind of the root to the one GVK this file validates. */
function pinIdentity(root: JsonSchema, gvk: GroupVersionKind): JsonSchema {
  const props = isObject(root.properties) ? { ...root.properties } : {};
  props.apiVersion = { type: 'string', enum: [apiVersionOf(gvk)] };
  props.kind = { type: 'string', enum: [gvk.kind] };
  return { ...root, properties: props };
}

// ---- built-in kinds (swagger.json) -------------------------------------------------------------

interface Swagger {
  definitions: Record<string, JsonSchema>;
}

const REF_PREFIX = '#/definitions/';

/** Special definitions whose wire form is wider than their declared type. */
function specialDefinition(name: string): JsonSchema | undefined {
  if (name.endsWith('.util.intstr.IntOrString')) return { oneOf: [...INT_OR_STRING.oneOf, { type: 'null' }] };
  if (name.endsWith('.api.resource.Quantity')) return { oneOf: [...QUANTITY.oneOf, { type: 'null' }] };
  if (name.endsWith('.apis.meta.v1.Time') || name.endsWith('.apis.meta.v1.MicroTime')) return { type: ['string', 'null'] };
  // Arbitrary JSON by definition.
  if (name.endsWith('.runtime.RawExtension') || name.endsWith('.apiextensions.v1.JSON')) return {};
  return undefined;
}

function refsIn(node: unknown, found: Set<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) refsIn(n, found);
  } else if (isObject(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(REF_PREFIX)) found.add(v.slice(REF_PREFIX.length));
      else refsIn(v, found);
    }
  }
}

/** The definitions reachable from `start` (recursive types such as JSONSchemaProps terminate here). */
function reachable(defs: Record<string, JsonSchema>, start: string): string[] {
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length) {
    const name = queue.pop() as string;
    const refs = new Set<string>();
    refsIn(defs[name], refs);
    for (const r of refs) {
      if (!seen.has(r) && defs[r]) {
        seen.add(r);
        queue.push(r);
      }
    }
  }
  return [...seen];
}

function gvksOf(def: JsonSchema): GroupVersionKind[] {
  const raw = def['x-kubernetes-group-version-kind'];
  if (!Array.isArray(raw)) return [];
  return raw.filter(isObject).map((g) => ({ group: String(g.group ?? ''), version: String(g.version), kind: String(g.kind) }));
}

/** Kinds that only exist as API verbs' bodies or lists; nobody writes them in a repository. */
function isManifestKind(def: JsonSchema, gvk: GroupVersionKind): boolean {
  if (gvk.kind.endsWith('List') || gvk.kind === 'WatchEvent' || gvk.kind === 'Status') return false;
  const props = isObject(def.properties) ? def.properties : {};
  return 'apiVersion' in props && 'kind' in props && 'metadata' in props;
}

/**
 * One strict schema per built-in kind, each self-contained: the definitions it reaches travel with it,
 * so kubeconform never resolves a reference outside the file.
 */
export function convertSwagger(swagger: Swagger): Map<string, JsonSchema> {
  const converted: Record<string, JsonSchema> = {};
  const convertDef = (name: string): JsonSchema => {
    converted[name] ??= specialDefinition(name) ?? (convertNode(swagger.definitions[name], false, { crd: false }) as JsonSchema);
    return converted[name];
  };
  const out = new Map<string, JsonSchema>();
  for (const [name, def] of Object.entries(swagger.definitions)) {
    for (const gvk of gvksOf(def)) {
      if (!isManifestKind(def, gvk)) continue;
      const definitions: JsonSchema = {};
      for (const dep of reachable(swagger.definitions, name)) definitions[dep] = convertDef(dep);
      const root = pinIdentity(convertDef(name), gvk);
      const file = schemaFileName(gvk);
      // The same GVK can appear twice only through aliases; the first one wins deterministically.
      if (!out.has(file)) out.set(file, { $schema: 'http://json-schema.org/draft-04/schema#', ...root, definitions });
    }
  }
  return out;
}

/** The strict ObjectMeta of the built-in kinds, to put into CRD schemas whose metadata is untyped. */
export function objectMetaFrom(swagger: Swagger): JsonSchema {
  const name = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
  const definitions: JsonSchema = {};
  for (const dep of reachable(swagger.definitions, name)) {
    definitions[dep] = specialDefinition(dep) ?? (convertNode(swagger.definitions[dep], false, { crd: false }) as JsonSchema);
  }
  return { $ref: REF_PREFIX + name, definitions };
}

// ---- custom resources (CRD openAPIV3Schema) -----------------------------------------------------

export interface Crd {
  kind?: string;
  spec?: {
    group?: string;
    names?: { kind?: string };
    versions?: { name: string; served?: boolean; schema?: { openAPIV3Schema?: JsonSchema } }[];
  };
}

export function isCrd(doc: unknown): doc is Crd {
  return isObject(doc) && doc.kind === 'CustomResourceDefinition' && isObject(doc.spec);
}

/** One strict schema per served version of a CRD. */
export function convertCrd(crd: Crd, objectMeta?: JsonSchema): Map<string, JsonSchema> {
  const out = new Map<string, JsonSchema>();
  const group = crd.spec?.group ?? '';
  const kind = crd.spec?.names?.kind;
  if (!kind) return out;
  for (const v of crd.spec?.versions ?? []) {
    if (v.served === false || !v.schema?.openAPIV3Schema) continue;
    const gvk = { group, version: v.name, kind };
    let root = convertNode(v.schema.openAPIV3Schema, false, { crd: true }) as JsonSchema;
    // The API server accepts exactly these three at the top level besides the schema's own fields.
    root = pinIdentity(root, gvk);
    const props = root.properties as JsonSchema;
    const meta = props.metadata;
    const untypedMeta = meta === undefined || (isObject(meta) && !isObject(meta.properties));
    let definitions: JsonSchema | undefined;
    if (objectMeta && untypedMeta) {
      props.metadata = { $ref: objectMeta.$ref };
      definitions = objectMeta.definitions as JsonSchema;
    }
    if (root.additionalProperties === undefined) root.additionalProperties = false;
    out.set(schemaFileName(gvk), {
      $schema: 'http://json-schema.org/draft-04/schema#',
      ...root,
      ...(definitions ? { definitions } : {}),
    });
  }
  return out;
}
