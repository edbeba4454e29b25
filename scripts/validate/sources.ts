// Maps rendered resources back to the raw file that defines them, so SARIF and GitHub annotations
// point at a line-addressable file instead of an overlay directory whenever the match is unambiguous.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Finding } from './types.ts';
import { asRecord, identity } from './types.ts';
import { yamlFiles } from './hygiene.ts';

export type SourceIndex = Map<string, string[]>;

const key = (kind: string | null, name: string | null) => `${kind}|${name}`;

export async function indexSources(repo: string): Promise<SourceIndex> {
  const index: SourceIndex = new Map();
  const files = await yamlFiles(repo);
  await Promise.all(
    files.map(async (file) => {
      const text = await readFile(file, 'utf8');
      if (!/^kind:/m.test(text)) return;
      const rel = path.relative(repo, file).split(path.sep).join('/');
      for (const d of parseAllDocuments(text)) {
        if (d.errors.length > 0) continue;
        const doc = asRecord(d.toJS());
        if (!doc) continue;
        const id = identity(doc);
        if (!id.kind || !id.name) continue;
        const k = key(id.kind, id.name);
        const list = index.get(k) ?? [];
        if (!list.includes(rel)) list.push(rel);
        index.set(k, list);
      }
    }),
  );
  return index;
}

/** Replaces the overlay path by the one source file that defines the resource, within that overlay's reach. */
export function attribute(findings: Finding[], index: SourceIndex): Finding[] {
  return findings.map((f) => {
    if (!f.kind || !f.name || f.overlay === null) return f;
    const hits = index.get(key(f.kind, f.name)) ?? [];
    // Prefer a file inside the overlay itself, then a single candidate anywhere (usually base/).
    const inOverlay = f.file ? hits.filter((h) => h.startsWith(`${f.file}/`)) : [];
    const pick = inOverlay.length === 1 ? inOverlay[0] : hits.length === 1 ? hits[0] : undefined;
    return pick ? { ...f, file: pick } : f;
  });
}
