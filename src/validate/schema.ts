// kubeconform over one rendered overlay, against the offline cache only (never fetches at validate time).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { parse, stringify } from 'yaml';
import { toolPath } from '../lib/tools.ts';
import { schemaCacheDir } from '../lib/paths.ts';
import { EnvironmentError } from '../lib/errors.ts';
import type { Built } from './build.ts';
import type { Finding, Manifest } from './types.ts';
import { asRecord, identity, str } from './types.ts';

export function schemaDir(): string {
  return schemaCacheDir();
}

export function checkSchemaCache(dir = schemaDir()): void {
  if (!existsSync(dir) || !existsSync(path.join(dir, '.stamp.json'))) {
    throw new EnvironmentError(`schema cache missing at ${dir}; run \`npx matrix-gitops setup\``);
  }
}

/** Secrets are validated too, but the sops stanza is not part of the Secret schema. */
export function withoutSops(doc: Manifest): Manifest {
  if (doc.kind !== 'Secret' || !('sops' in doc)) return doc;
  const { sops: _sops, ...rest } = doc;
  return rest;
}

function parseDoc(text: string): Manifest | undefined {
  try {
    return asRecord(parse(text));
  } catch {
    return undefined;
  }
}

/** Re-serialises only encrypted Secrets; every other document goes to kubeconform byte-for-byte. */
function stripSopsText(text: string): string {
  if (!/^sops:/m.test(text) || !/^kind:\s*['"]?Secret['"]?\s*$/m.test(text)) return text;
  const doc = parseDoc(text);
  return doc ? stringify(withoutSops(doc)) : text;
}

export interface KubeconformResource {
  kind?: string;
  name?: string;
  version?: string;
  status?: string;
  msg?: string;
  validationErrors?: { path?: string; msg?: string }[];
}

/**
 * kubeconform flattens only the first level of causes: an error inside a `$ref`'d definition comes
 * out as "validation failed", while its summary line carries every leaf. Prefer the leaves.
 */
export function validationMessages(res: KubeconformResource): string[] {
  const errors = res.validationErrors ?? [];
  if (!errors.some((e) => e.msg === 'validation failed')) return errors.map((e) => `${e.path || '/'}: ${e.msg}`);
  const leaves = [...(res.msg ?? '').matchAll(/ - at '([^']*)': (.*?)(?= - at '|$)/g)].map((m) => `${m[1] || '/'}: ${m[2]}`);
  return leaves.length > 0 ? leaves : errors.map((e) => `${e.path || '/'}: ${e.msg}`);
}

export async function schemaCheck(built: Built, dir = schemaDir()): Promise<Finding[]> {
  if (built.docs.length === 0) return [];
  const input = built.docs.map(stripSopsText).join('\n---\n');
  const r = await execa(
    toolPath('kubeconform'),
    ['-strict', '-output', 'json', '-schema-location', path.join(dir, '{{ .ResourceKind }}{{ .KindSuffix }}.json'), '-n', '4', '-'],
    { input, reject: false },
  );
  let parsed: { resources?: KubeconformResource[] };
  try {
    parsed = JSON.parse(r.stdout) as { resources?: KubeconformResource[] };
  } catch {
    throw new EnvironmentError(`kubeconform failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
  }
  const bad = (parsed.resources ?? []).filter((res) => res.status === 'statusInvalid' || res.status === 'statusError');
  // kubeconform does not report namespaces, so recover them from the rendered documents (only when needed).
  const ns = new Map<string, string | null>();
  if (bad.length > 0) {
    for (const text of built.docs) {
      const d = parseDoc(text);
      if (!d) continue;
      const id = identity(d);
      ns.set(`${str(d.apiVersion)}|${id.kind}|${id.name}`, id.namespace);
    }
  }
  const findings: Finding[] = [];
  for (const res of bad) {
    const base = {
      severity: 'error' as const,
      overlay: built.entry.name,
      file: built.entry.path,
      kind: res.kind ?? null,
      name: res.name ?? null,
      namespace: ns.get(`${res.version}|${res.kind}|${res.name}`) ?? null,
    };
    if (res.status === 'statusError' && /could not find schema/.test(res.msg ?? '')) {
      findings.push({ ...base, rule: 'schema-missing', message: `no schema for ${res.version}/${res.kind}: ${res.msg}` });
    } else if (res.validationErrors && res.validationErrors.length > 0) {
      for (const message of validationMessages(res)) findings.push({ ...base, rule: 'schema', message });
    } else {
      findings.push({ ...base, rule: 'schema', message: res.msg ?? 'invalid' });
    }
  }
  return findings;
}

