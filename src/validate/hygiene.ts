// Secret hygiene on the raw repository files: rendered output cannot show whether git holds plaintext.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { readYaml, readYamlStream } from '../lib/yaml-read.ts';
import type { Finding } from './types.ts';
import { SKIP_DIRS, readRepoYaml, type RepoFile } from './repo-files.ts';
import { asRecord, identity } from './types.ts';

const ENCRYPTED = /^ENC\[AES256_GCM,data:.*\]$/s;

// Values filled in elsewhere: Flux postBuild (${…}), templating ({{…}}), 1Password (op://), Vault
// (vault:…) and argocd-vault-plugin (<path:…>) references are not secrets in git.
const PLACEHOLDER = /^\s*(\$\{[^}]+\}|\{\{.*\}\}|op:\/\/\S+|vault:\S+|<path:[^>]+>)\s*$/s;

/** True when the Secret holds nothing that could be a secret: no values, or only placeholders. */
export function holdsNoSecret(doc: Record<string, unknown>): boolean {
  const values = ['data', 'stringData'].flatMap((f) => Object.values(asRecord(doc[f]) ?? {}));
  return values.every((v) => v === null || v === '' || (typeof v === 'string' && PLACEHOLDER.test(v)));
}

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

interface SopsConfig {
  /** Repo-relative folder of the .sops.yaml ('' for the root). */
  dir: string;
  rules: RegExp[];
}

async function loadRules(file: string): Promise<RegExp[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  const rules = asRecord(readYaml(text))?.creation_rules;
  if (!Array.isArray(rules)) return [];
  // A rule without path_regex matches every file, as in sops itself.
  return (rules as CreationRule[]).map((r) => (typeof r.path_regex === 'string' ? new RegExp(r.path_regex) : /.*/));
}

/**
 * The .sops.yaml that covers a file: the nearest one up the tree from the file's folder (what sops
 * finds when run from there), whose path_regex is matched against the path relative to its folder.
 */
function nearestConfig(rel: string, configs: Map<string, SopsConfig>): SopsConfig | undefined {
  let dir = path.posix.dirname(rel);
  for (;;) {
    const hit = configs.get(dir === '.' ? '' : dir);
    if (hit) return hit;
    if (dir === '.' || dir === '') return undefined;
    dir = path.posix.dirname(dir);
  }
}

async function sopsConfigs(repo: string, dir = repo, out = new Map<string, SopsConfig>()): Promise<Map<string, SopsConfig>> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory() && !SKIP_DIRS.has(e.name)) await sopsConfigs(repo, full, out);
    else if (e.name === '.sops.yaml') {
      const d = path.relative(repo, dir).split(path.sep).join('/');
      out.set(d, { dir: d, rules: await loadRules(full) });
    }
  }
  return out;
}

/** `files`: the repository's YAML files when the caller has read them already (src/validate/repo-files.ts). */
export async function hygieneCheck(repo: string, files: Promise<RepoFile[]> = readRepoYaml(repo)): Promise<Finding[]> {
  const [read, configs] = await Promise.all([files, sopsConfigs(repo)]);
  const findings: Finding[] = [];
  await Promise.all(
    read.map(async ({ file, text }) => {
      if (!/kind:\s*['"]?Secret\b/.test(text)) return;
      const rel = path.relative(repo, file).split(path.sep).join('/');
      for (const d of readYamlStream(text).docs) {
        const doc = asRecord(d);
        if (!doc || doc.kind !== 'Secret') continue;
        // A service-account token Secret is filled by the cluster; placeholders are filled at deploy time.
        if (holdsNoSecret(doc)) continue;
        const id = identity(doc);
        const base = { severity: 'error' as const, overlay: null, file: rel, ...id };
        const problem = plaintextProblem(doc);
        if (problem) findings.push({ ...base, rule: 'secret-plaintext', message: `Secret ${problem}` });
        const config = nearestConfig(rel, configs);
        const relToConfig = config && config.dir ? rel.slice(config.dir.length + 1) : rel;
        if (config === undefined) {
          findings.push({ ...base, rule: 'secret-not-covered', message: 'no .sops.yaml in its folder or any folder above it' });
        } else if (!config.rules.some((r) => r.test(relToConfig))) {
          findings.push({ ...base, rule: 'secret-not-covered', message: `no creation_rules path_regex of ${config.dir ? `${config.dir}/` : ''}.sops.yaml matches ${relToConfig}` });
        }
      }
    }),
  );
  return findings.sort((a, b) => (a.file ?? '').localeCompare(b.file ?? ''));
}
