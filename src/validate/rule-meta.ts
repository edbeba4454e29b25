// What the report says about each rule: title, the fix (help) and where it is documented. Policy
// rules describe themselves in their METADATA blocks (the same source docs/policies.md is generated
// from); the gate's own checks (build, schema, hygiene) are described here.
import { readFileSync } from 'node:fs';
import { readYaml } from '../lib/yaml-read.ts';

export interface RuleInfo {
  title: string;
  help: string;
  /** Anchor in docs/policies.md (the SARIF helpUri). */
  anchor: string;
}

export type RuleCatalog = Record<string, RuleInfo>;

export const DOCS_URI = 'https://github.com/matrix-gitops/matrix-gitops/blob/main/docs/policies.md';

/** The gate's own checks, documented in the hand-written part of docs/policies.md. */
export const GATE_RULES: RuleCatalog = {
  'kustomize-build': {
    title: 'The entry point builds with kustomize',
    help: 'Run `kustomize build --load-restrictor LoadRestrictionsNone <dir>` and fix the file it names.',
    anchor: 'gate-checks',
  },
  schema: {
    title: 'Every document matches its schema (kubeconform -strict)',
    help: 'Fix or remove the field the message names; strict mode rejects unknown fields, which usually are typos.',
    anchor: 'gate-checks',
  },
  'schema-missing': {
    title: 'Every kind has a schema',
    help: 'Add the CRD to versions.json schemas.crds (or the repository) and run `npm run setup`; a kind without a schema is not checked at all.',
    anchor: 'gate-checks',
  },
  'secret-plaintext': {
    title: 'Secrets are SOPS-encrypted in git',
    help: 'Move the file under a path .sops.yaml covers (overlays/<env>/secrets/<name>.sops.yaml) and run `sops --encrypt --in-place <file>`; rotate the value if it was ever pushed.',
    anchor: 'gate-checks',
  },
  'secret-not-covered': {
    title: '.sops.yaml covers every Secret file',
    help: 'Add a creation_rules entry whose path_regex matches the file, or move the file to a covered path.',
    anchor: 'gate-checks',
  },
};

/**
 * Rule files with the cross-resource package (mx.combined) last: an id implemented in both places
 * takes its title from the per-document rule, which states the whole promise; the combined part
 * only covers what one document cannot show.
 */
export function primaryFirst(ruleFiles: string[]): string[] {
  return primaryFirstTexts(ruleFiles.map((file) => ({ file, text: readText(file) }))).map((r) => r.file);
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

const COMBINED_PACKAGE = /^package\s+mx\.combined\b/m;

function primaryFirstTexts<T extends { text: string | undefined }>(files: T[]): T[] {
  const last = (r: T) => r.text !== undefined && COMBINED_PACKAGE.test(r.text);
  return [...files.filter((r) => !last(r)), ...files.filter(last)];
}

/**
 * id → info from the METADATA of the given rule files (companion blocks add nothing); with `only`,
 * just those ids (each block is YAML, and a report names a few of the many rules).
 */
export function readCatalog(ruleFiles: string[], only?: Set<string>): RuleCatalog {
  const out: RuleCatalog = { ...GATE_RULES };
  // Each file is read once: its package decides the order, its METADATA the entries.
  for (const { text } of primaryFirstTexts(ruleFiles.map((file) => ({ file, text: readText(file) })))) {
    if (text === undefined) continue;
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].trim() !== '# METADATA') continue;
      const block: string[] = [];
      let j = i + 1;
      for (; j < lines.length && lines[j].startsWith('#'); j++) block.push(lines[j].replace(/^# ?/, ''));
      i = j;
      const blockId = block.map((l) => /^\s+id:\s*(\S+)\s*$/.exec(l)?.[1]).find(Boolean);
      if (only && blockId && !only.has(blockId)) continue;
      let meta: { title?: unknown; description?: unknown; custom?: { id?: unknown; companion?: unknown } } | null;
      try {
        meta = readYaml(block.join('\n')) as typeof meta;
      } catch {
        continue;
      }
      const id = meta?.custom?.id;
      if (typeof id !== 'string' || typeof meta?.title !== 'string' || meta.custom?.companion === true) continue;
      const help = typeof meta.description === 'string' ? meta.description : meta.title;
      // An id implemented in two places (a per-document and a cross-resource part) keeps the first
      // title, as docs/policies.md does, and the help of both.
      const seen = out[id];
      out[id] = seen && !GATE_RULES[id] ? { ...seen, help: `${seen.help} ${help}` } : { title: meta.title, help, anchor: id.toLowerCase() };
    }
  }
  return out;
}

export function helpUri(info: RuleInfo): string {
  return `${DOCS_URI}#${info.anchor}`;
}
