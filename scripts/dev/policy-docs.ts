// Builds docs/policies.md from the METADATA blocks of policies/*.rego, so the rule reference never drifts.
// Usage: tsx scripts/dev/policy-docs.ts          (rewrite docs/policies.md)
//        tsx scripts/dev/policy-docs.ts --check  (exit 1 when the committed file differs)
// Everything below the HAND_WRITTEN marker in docs/policies.md is kept verbatim: deviations from the
// catalogue and the list of intended homelab warnings are written there by people.
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { projectRoot } from '../../src/lib/versions.ts';
import { ruleFiles } from '../../src/validate/policy.ts';
import { primaryFirst } from '../../src/validate/rule-meta.ts';
import { dispatchRules, renderMain } from '../../src/validate/dispatch.ts';

export const HAND_WRITTEN = '<!-- hand-written below this line: kept verbatim by scripts/dev/policy-docs.ts -->';

export interface RuleMeta {
  rule: string;
  file: string;
  title: string;
  description?: string;
  custom: Record<string, unknown>;
}

export interface RuleDoc {
  id: string;
  title: string;
  severity: string;
  home?: string;
  li?: string;
  overlays: string[];
  anchors: string[];
  parts: Array<{ file: string; title: string; description: string }>;
  rules: string[];
}

const AREAS = ['PSS', 'IMG', 'REL', 'DB', 'NET', 'SEC', 'RBAC', 'SYN', 'RTC', 'LI', 'EXC'];

function regoFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return regoFiles(full);
      return e.name.endsWith('.rego') && !e.name.endsWith('_test.rego') ? [full] : [];
    })
    .sort();
}

function strings(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  return v === undefined || v === null ? [] : [String(v)];
}

/** Every `# METADATA` block with the rule it annotates. Throws on a block that is not valid YAML. */
export function readMetadata(policiesDir: string): RuleMeta[] {
  const out: RuleMeta[] = [];
  for (const file of primaryFirst(regoFiles(policiesDir))) {
    const lines = readFileSync(file, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].trim() !== '# METADATA') continue;
      const block: string[] = [];
      let j = i + 1;
      for (; j < lines.length && lines[j].startsWith('#'); j++) block.push(lines[j].replace(/^# ?/, ''));
      const rule = (lines[j] ?? '').trim().split(/\s+/)[0] ?? '';
      const rel = path.relative(policiesDir, file).split(path.sep).join('/');
      const meta = parse(block.join('\n')) as { title?: unknown; description?: unknown; custom?: Record<string, unknown> } | null;
      if (!meta || typeof meta.title !== 'string') throw new Error(`${rel}:${i + 1}: METADATA without a title`);
      out.push({ rule, file: rel, title: meta.title, description: typeof meta.description === 'string' ? meta.description : undefined, custom: meta.custom ?? {} });
      i = j;
    }
  }
  return out;
}

function areaIndex(id: string): number {
  const area = id.split('-')[1] ?? '';
  const i = AREAS.indexOf(area);
  return i === -1 ? AREAS.length : i;
}

/** One entry per rule id; companion rules (the warn_ side of a deny rule) only add their rule name. */
export function collectRules(policiesDir: string): RuleDoc[] {
  const byId = new Map<string, RuleDoc>();
  const metas = readMetadata(policiesDir);
  for (const m of metas) {
    const id = String(m.custom.id ?? '');
    if (!/^MX-[A-Z]+-\d{3}$/.test(id)) throw new Error(`${m.file}: rule ${m.rule} has no custom.id`);
    if (m.custom.companion === true) continue;
    for (const key of ['severity', 'overlays', 'anchors']) {
      if (m.custom[key] === undefined) throw new Error(`${m.file}: rule ${m.rule} (${id}) lacks custom.${key}`);
    }
    if (!m.description) throw new Error(`${m.file}: rule ${m.rule} (${id}) lacks a description`);
    const doc = byId.get(id) ?? {
      id,
      title: m.title,
      severity: String(m.custom.severity),
      home: m.custom.home === undefined ? undefined : String(m.custom.home),
      li: m.custom.li === undefined ? undefined : String(m.custom.li),
      overlays: strings(m.custom.overlays),
      anchors: [],
      parts: [],
      rules: [],
    };
    doc.parts.push({ file: m.file, title: m.title, description: m.description });
    for (const a of strings(m.custom.anchors)) if (!doc.anchors.includes(a)) doc.anchors.push(a);
    byId.set(id, doc);
  }
  for (const m of metas) {
    const doc = byId.get(String(m.custom.id));
    if (!doc) throw new Error(`${m.file}: companion rule ${m.rule} has no primary rule with id ${String(m.custom.id)}`);
    const name = `${m.rule} (${m.file})`;
    if (!doc.rules.includes(name)) doc.rules.push(name);
  }
  return [...byId.values()].sort((a, b) => areaIndex(a.id) - areaIndex(b.id) || a.id.localeCompare(b.id));
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function severityText(r: RuleDoc): string {
  const parts = [r.severity];
  if (r.home) parts.push(`homelab: ${r.home}`);
  if (r.li) parts.push(`li: ${r.li}`);
  return parts.join('; ');
}

export function renderDocs(rules: RuleDoc[], handWritten: string): string {
  const lines: string[] = [
    '# Policy reference',
    '',
    '<!-- Generated by `npx tsx scripts/dev/policy-docs.ts` from the METADATA blocks in policies/*.rego. Do not edit above the hand-written marker. -->',
    '',
    `${rules.length} rule ids. Every id has a \`deny_mx_…\` rule and/or a \`warn_mx_…\` rule of the same name;`,
    'the warn side carries downgraded findings (homelab) and counted exceptions (`exception: true`).',
    'Exceptions: annotate the resource with `policy.mx/exceptions: "MX-…,MX-…"` and `policy.mx/reason: "…"`;',
    'an exception without a reason is ignored and reported as MX-EXC-001.',
    '',
    '| ID | Title | Severity | Overlays |',
    '|---|---|---|---|',
  ];
  for (const r of rules) lines.push(`| [${r.id}](#${r.id.toLowerCase()}) | ${cell(r.title)} | ${cell(severityText(r))} | ${cell(r.overlays.join(', '))} |`);
  lines.push('');
  for (const r of rules) {
    lines.push(`## ${r.id}`, '', `**${r.title}**. Severity: ${severityText(r)}. Overlays: ${r.overlays.join(', ')}.`, '');
    for (const p of r.parts) lines.push(`- ${r.parts.length > 1 ? `${p.title} (\`${p.file}\`): ` : ''}${p.description}`);
    lines.push(`- Rules: ${r.rules.map((n) => `\`${n}\``).join(', ')}`);
    if (r.anchors.length) lines.push(`- Anchors: ${r.anchors.join('; ')}`);
    lines.push('');
  }
  lines.push(HAND_WRITTEN, handWritten.replace(/^\n+/, '\n'));
  return lines.join('\n').replace(/\n*$/, '\n');
}

export function docsPath(root = projectRoot): string {
  return path.join(root, 'docs', 'policies.md');
}

/** The hand-written tail of an existing docs/policies.md (empty when the file or marker is missing). */
export function handWrittenPart(existing: string | undefined): string {
  if (!existing) return '';
  const at = existing.indexOf(HAND_WRITTEN);
  return at === -1 ? '' : existing.slice(at + HAND_WRITTEN.length);
}

export function generate(root = projectRoot): { expected: string; current: string | undefined } {
  const file = docsPath(root);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  return { expected: renderDocs(collectRules(path.join(root, 'policies')), handWrittenPart(current)), current };
}

/** policies/main.rego as the rules' METADATA `kinds:` make it (src/validate/dispatch.ts). */
export function generateMain(root = projectRoot): { expected: string; current: string | undefined } {
  const file = path.join(root, 'policies', 'main.rego');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  return { expected: renderMain(dispatchRules(ruleFiles(root))), current };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const docs = generate();
  const main = generateMain();
  if (process.argv.includes('--check')) {
    if (docs.expected !== docs.current || main.expected !== main.current) {
      process.stderr.write('docs/policies.md or policies/main.rego is out of date; run `npx tsx scripts/dev/policy-docs.ts`\n');
      process.exit(1);
    }
  } else {
    writeFileSync(docsPath(), docs.expected);
    writeFileSync(path.join(projectRoot, 'policies', 'main.rego'), main.expected);
    process.stdout.write(`wrote docs/policies.md and policies/main.rego\n`);
  }
}
