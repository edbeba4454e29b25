// `opa eval --profile` over the per-document entry point (policies/main.rego) with every rendered
// document of a tree as input, summed per rule: which rules the gate's time goes to. opa is the
// engine conftest embeds (same version, versions.json tools.opa).
import { mkdtemp, writeFile, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parseAllDocuments } from 'yaml';
import { toolPath } from '../../../src/lib/tools.ts';
import { ruleFiles, loadPolicyData } from '../../../src/validate/policy.ts';
import type { Built } from '../../../src/validate/build.ts';

interface ProfileRow {
  total_time_ns: number;
  num_eval: number;
  location: { file: string; row: number };
}

/** The rule (or function) a line of a Rego file belongs to: the nearest rule head above it. */
function ruleAt(lines: string[], row: number): string {
  for (let i = row - 1; i >= 0; i--) {
    const m = /^([a-z_][A-Za-z0-9_]*)\b/.exec(lines[i]);
    if (m && !['package', 'import', 'default'].includes(m[1])) return m[1];
  }
  return '?';
}

export async function profileRules(repo: string, builts: Built[], top = 5): Promise<Array<{ rule: string; ms: number; evals: number }>> {
  const tmp = await mkdtemp(path.join(tmpdir(), 'mx-profile-'));
  try {
    const docs = builts.flatMap((b) => parseAllDocuments(b.yaml).map((d) => d.toJS() as unknown).filter((d) => d !== null && typeof d === 'object'));
    const overlays = Object.fromEntries(builts.map((b) => [b.entry.name, b.entry.name]));
    await writeFile(path.join(tmp, 'input.json'), JSON.stringify(docs));
    await writeFile(path.join(tmp, 'data.json'), JSON.stringify({ mx: { overlay: 'production', overlays, ...(await loadPolicyData(repo)) } }));
    const files = ruleFiles(repo);
    const r = await execa(toolPath('opa'), [
      'eval', '--profile', '--profile-limit', '100000', '--format', 'json',
      ...files.flatMap((f) => ['-d', f]), '-d', path.join(tmp, 'data.json'), '-i', path.join(tmp, 'input.json'),
      'r := [x | some d in input; x := data.main.deny with input as d]',
    ]);
    const rows = (JSON.parse(r.stdout) as { profile: ProfileRow[] }).profile;
    const text = new Map<string, string[]>();
    for (const f of new Set(rows.map((x) => x.location.file))) text.set(f, f ? (await readFile(f, 'utf8')).split('\n') : []);
    const byRule = new Map<string, { ms: number; evals: number }>();
    for (const row of rows) {
      const lines = text.get(row.location.file) ?? [];
      // main.rego is the dispatcher: its time is the rules it calls, already counted there.
      if (!row.location.file || row.location.file.endsWith('/main.rego')) continue;
      const key = `${path.basename(row.location.file, '.rego')}.${ruleAt(lines, row.location.row)}`;
      const acc = byRule.get(key) ?? { ms: 0, evals: 0 };
      acc.ms += row.total_time_ns / 1e6;
      acc.evals += row.num_eval;
      byRule.set(key, acc);
    }
    return [...byRule.entries()].map(([rule, v]) => ({ rule, ...v })).sort((a, b) => b.ms - a.ms).slice(0, top);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
