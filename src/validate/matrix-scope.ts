// Where the bundled rules apply on a repository that did not bring its own gate: the Matrix workloads
// and the namespaces they run in. The bundled hardening and reliability rules were written for the
// Matrix stack this tool scaffolds; on someone else's cluster repository they are not a verdict on
// podinfo, cert-manager or the CNI (issue #17 point 2).
import { readYaml } from '../lib/yaml-read.ts';
import type { Built } from './build.ts';
import type { Finding } from './types.ts';
import { asRecord, identity } from './types.ts';

// Images and names of the Matrix ecosystem: homeservers, clients, bridges, calls, push, auth.
const MATRIX = /synapse|matrix|element-?(web|call|admin)|livekit|lk-jwt|coturn|mautrix|hookshot|sygnal|heisenbridge|dendrite|conduit|tuwunel|sliding-sync|\bmas\b|authentication-service|ketesa|jitsi|mjolnir|draupnir|maubot/i;

export interface MatrixScope {
  namespaces: Set<string>;
  objects: Set<string>;
}

export function matrixScope(b: Built): MatrixScope {
  const scope: MatrixScope = { namespaces: new Set(), objects: new Set() };
  for (const text of b.docs) {
    if (!MATRIX.test(text)) continue;
    let doc: Record<string, unknown> | undefined;
    try {
      doc = asRecord(readYaml(text, { uniqueKeys: false }));
    } catch {
      continue;
    }
    if (!doc) continue;
    const id = identity(doc);
    const labels = asRecord(asRecord(doc.metadata)?.labels) ?? {};
    const images = JSON.stringify(asRecord(doc.spec) ?? {}).match(/"image":"[^"]*"/g) ?? [];
    const data = asRecord(doc.data) ?? {};
    const isMatrix =
      MATRIX.test(id.name ?? '') ||
      MATRIX.test(String(labels['app.kubernetes.io/name'] ?? '')) ||
      MATRIX.test(String(labels['app.kubernetes.io/part-of'] ?? '')) ||
      images.some((i) => MATRIX.test(i)) ||
      Object.keys(data).includes('homeserver.yaml');
    if (!isMatrix) continue;
    scope.objects.add(`${id.kind}|${id.namespace ?? ''}|${id.name}`);
    if (id.namespace) scope.namespaces.add(id.namespace);
  }
  return scope;
}

export function inScope(f: Finding, scope: MatrixScope): boolean {
  if (!f.kind || !f.name) return true;
  if (f.kind === 'Namespace') return scope.namespaces.has(f.name);
  if (f.namespace) return scope.namespaces.has(f.namespace);
  return scope.objects.has(`${f.kind}|${f.namespace ?? ''}|${f.name}`) || MATRIX.test(f.name);
}
