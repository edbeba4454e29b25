// Renders one entry point the way Flux would: kustomize for kustomization roots, concatenation otherwise.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { kustomizeBuild } from '../lib/tools.ts';
import type { Entry, Finding } from './types.ts';

export interface Built {
  entry: Entry;
  yaml: string;
  /** Raw text of each document; parsed only on demand because YAML parsing dominates CPU on big overlays. */
  docs: string[];
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

/** Splits a stream at `---` lines, dropping documents that hold only comments or whitespace. */
export function splitStream(text: string): string[] {
  return text.split(/^---[ \t]*(?:#.*)?$/m).filter((d) => /^[^#\s]/m.test(d));
}


export async function build(entry: Entry): Promise<Built> {
  let yaml: string;
  if (entry.hasKustomization) {
    const k = kustomizeBuild(entry.absPath);
    const r = await execa(k.file, k.args, {
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
  // Malformed YAML is left to kubeconform, which reports it per document.
  return { entry, yaml, docs: splitStream(yaml), findings: [] };
}
