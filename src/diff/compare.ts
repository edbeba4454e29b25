// The object-level difference of two renders: per entry point, what was added, removed or changed.
import { unifiedDiff } from '../scaffold/write/diff.ts';
import type { EntryRender, RenderedObject } from './objects.ts';

export interface ObjectRef {
  kind: string;
  namespace: string;
  name: string;
}

export interface ChangedObject extends ObjectRef {
  /** unified diff of the normalised YAML; absent for a Secret, whose content is never shown */
  diff?: string;
  secret: boolean;
}

export interface EntryDiff {
  entry: string;
  added: ObjectRef[];
  removed: ObjectRef[];
  changed: ChangedObject[];
  /** the entry point failed to build at one side: "base: …" or "head: …" */
  errors: string[];
}

export interface DiffResult {
  base: string;
  head: string;
  entries: EntryDiff[];
}

const ref = (o: RenderedObject): ObjectRef => ({ kind: o.kind, namespace: o.namespace, name: o.name });

export function compare(base: Map<string, EntryRender>, head: Map<string, EntryRender>, labels: { base: string; head: string }): DiffResult {
  const names = [...new Set([...base.keys(), ...head.keys()])].sort();
  const entries: EntryDiff[] = [];
  const empty: EntryRender = { objects: new Map() };
  for (const entry of names) {
    const a = base.get(entry) ?? empty;
    const b = head.get(entry) ?? empty;
    const errors = [...(a.error ? [`base: ${a.error}`] : []), ...(b.error ? [`head: ${b.error}`] : [])];
    const keys = [...new Set([...a.objects.keys(), ...b.objects.keys()])].sort();
    const d: EntryDiff = { entry, added: [], removed: [], changed: [], errors };
    for (const k of keys) {
      const x = a.objects.get(k);
      const y = b.objects.get(k);
      if (!x && y) d.added.push(ref(y));
      else if (x && !y) d.removed.push(ref(x));
      else if (x && y && x.text !== y.text) {
        const secret = x.secret || y.secret;
        d.changed.push({ ...ref(y), secret, ...(secret ? {} : { diff: unifiedDiff(k, x.text, y.text, [labels.base, labels.head]) }) });
      }
    }
    if (d.added.length || d.removed.length || d.changed.length || d.errors.length) entries.push(d);
  }
  return { base: labels.base, head: labels.head, entries };
}

export const isEmpty = (r: DiffResult): boolean => r.entries.length === 0;
