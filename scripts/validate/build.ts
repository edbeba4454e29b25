// Renders one entry point the way Flux would: kustomize for kustomization roots, concatenation otherwise.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { parseAllDocuments } from 'yaml';
import { toolPath } from '../lib/tools.ts';
import type { Entry, Finding, Manifest } from './types.ts';
import { asRecord } from './types.ts';

export interface Built {
  entry: Entry;
  yaml: string;
  docs: Manifest[];
  findings: Finding[];
}

async function yamlFilesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await yamlFilesUnder(full)));
    else if (/\.ya?ml$/.test(e.name)) out.push(full);
  }
  return out.sort();
}

function failure(entry: Entry, message: string): Finding {
  return { rule: 'kustomize-build', severity: 'error', overlay: entry.name, file: entry.path, kind: null, name: null, namespace: null, message };
}

export function parseStream(text: string): { docs: Manifest[]; errors: string[] } {
  const docs: Manifest[] = [];
  const errors: string[] = [];
  for (const d of parseAllDocuments(text)) {
    if (d.errors.length > 0) {
      errors.push(d.errors[0].message.split('\n')[0]);
      continue;
    }
    const obj = asRecord(d.toJS());
    if (obj) docs.push(obj);
  }
  return { docs, errors };
}

export async function build(entry: Entry): Promise<Built> {
  let yaml: string;
  if (entry.hasKustomization) {
    const r = await execa(toolPath('kustomize'), ['build', '--load-restrictor', 'LoadRestrictionsNone', entry.absPath], {
      reject: false,
      stripFinalNewline: false,
    });
    if (r.exitCode !== 0) {
      const msg = (r.stderr || r.message || '').trim().split('\n').filter(Boolean).slice(-3).join(' ');
      return { entry, yaml: '', docs: [], findings: [failure(entry, `kustomize build failed: ${msg}`)] };
    }
    yaml = r.stdout;
  } else {
    const files = await yamlFilesUnder(entry.absPath);
    const parts = await Promise.all(files.map((f) => readFile(f, 'utf8')));
    yaml = parts.map((p) => p.replace(/^---\s*\n/, '')).join('\n---\n');
  }
  const { docs, errors } = parseStream(yaml);
  return { entry, yaml, docs, findings: errors.map((e) => failure(entry, `rendered output is not valid YAML: ${e}`)) };
}
