// Secret hygiene on the raw repository files: rendered output cannot show whether git holds plaintext.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import type { Finding } from './types.ts';
import { asRecord, identity } from './types.ts';

// .matrix-gitops holds the scaffolder's merge bases: copies of rendered files, not part of the deployment.
const SKIP_DIRS = new Set(['node_modules', '.git', '.cache', '.tools', 'fixtures', 'testdata', '.matrix-gitops']);

export async function yamlFiles(root: string, dir = root): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) out.push(...(await yamlFiles(root, full)));
    } else if (/\.ya?ml$/.test(e.name) && !(dir === root && e.name === '.sops.yaml')) {
      out.push(full);
    }
  }
  return out;
}

const ENCRYPTED = /^ENC\[AES256_GCM,data:.*\]$/s;

function plaintextProblem(doc: Record<string, unknown>): string | undefined {
  const sops = asRecord(doc.sops);
  if (!sops) return 'has no sops stanza (plaintext in git)';
  if (typeof sops.mac !== 'string' || sops.mac === '') return 'sops stanza has no mac';
  if (!sops.lastmodified) return 'sops stanza has no lastmodified';
  if (!sops.version) return 'sops stanza has no version';
  const recipients = ['age', 'pgp', 'kms', 'gcp_kms', 'azure_kv', 'hc_vault'].reduce(
    (n, k) => n + (Array.isArray(sops[k]) ? (sops[k] as unknown[]).length : 0),
    0,
  );
  if (recipients === 0) return 'sops stanza has no recipients';
  for (const field of ['data', 'stringData']) {
    const values = asRecord(doc[field]);
    if (!values) continue;
    for (const [key, v] of Object.entries(values)) {
      if (typeof v !== 'string' || !ENCRYPTED.test(v)) return `${field}.${key} is not encrypted`;
    }
  }
  return undefined;
}

interface CreationRule {
  path_regex?: string;
}

async function loadRules(repo: string): Promise<RegExp[] | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(repo, '.sops.yaml'), 'utf8');
  } catch {
    return undefined;
  }
  const rules = asRecord(parse(text))?.creation_rules;
  if (!Array.isArray(rules)) return [];
  // A rule without path_regex matches every file, as in sops itself.
  return (rules as CreationRule[]).map((r) => (typeof r.path_regex === 'string' ? new RegExp(r.path_regex) : /.*/));
}

export async function hygieneCheck(repo: string): Promise<Finding[]> {
  const [files, rules] = await Promise.all([yamlFiles(repo), loadRules(repo)]);
  const findings: Finding[] = [];
  await Promise.all(
    files.map(async (file) => {
      const text = await readFile(file, 'utf8');
      if (!/kind:\s*['"]?Secret\b/.test(text)) return;
      const rel = path.relative(repo, file).split(path.sep).join('/');
      for (const d of parseAllDocuments(text)) {
        if (d.errors.length > 0) continue;
        const doc = asRecord(d.toJS());
        if (!doc || doc.kind !== 'Secret') continue;
        const id = identity(doc);
        const base = { severity: 'error' as const, overlay: null, file: rel, ...id };
        const problem = plaintextProblem(doc);
        if (problem) findings.push({ ...base, rule: 'secret-plaintext', message: `Secret ${problem}` });
        if (rules === undefined) {
          findings.push({ ...base, rule: 'secret-not-covered', message: 'no .sops.yaml at the repository root' });
        } else if (!rules.some((r) => r.test(rel))) {
          findings.push({ ...base, rule: 'secret-not-covered', message: `no .sops.yaml creation_rules path_regex matches ${rel}` });
        }
      }
    }),
  );
  return findings.sort((a, b) => (a.file ?? '').localeCompare(b.file ?? ''));
}
