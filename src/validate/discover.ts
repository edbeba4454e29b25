// Finds what to build: overlays/*/ with a kustomization, plus Flux entry points under flux/ and clusters/.
import { readdir, readFile, stat, access } from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';
import { EnvironmentError, UsageError } from '../lib/errors.ts';
import type { Entry } from './types.ts';

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export async function checkRepoDir(dir: string): Promise<string> {
  const abs = path.resolve(dir);
  try {
    const s = await stat(abs);
    if (!s.isDirectory()) throw new EnvironmentError(`${dir} is not a directory`);
    await access(abs, constants.R_OK | constants.X_OK);
  } catch (err) {
    if (err instanceof EnvironmentError) throw err;
    throw new EnvironmentError(`cannot read directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return abs;
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new EnvironmentError(`cannot read ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

async function hasKustomization(dir: string): Promise<boolean> {
  const names = new Set(await readdir(dir));
  return KUSTOMIZATION_FILES.some((f) => names.has(f));
}

/** A Kustomize Component (kind: Component) is built as part of what includes it, never on its own. */
async function isComponent(dir: string): Promise<boolean> {
  const names = new Set(await readdir(dir));
  const file = KUSTOMIZATION_FILES.find((f) => names.has(f));
  if (!file) return false;
  return /^kind:\s*Component\s*$/m.test(await readFile(path.join(dir, file), 'utf8'));
}

/** Relative paths of every folder below `dir` that has its own kustomization file. */
async function nestedKustomizations(dir: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const sub of await subdirs(dir)) {
    const abs = path.join(dir, sub);
    const rel = prefix ? `${prefix}/${sub}` : sub;
    if (await hasKustomization(abs) && !(await isComponent(abs))) found.push(rel);
    found.push(...(await nestedKustomizations(abs, rel)));
  }
  return found;
}

export async function discover(repo: string, only?: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  for (const sub of await subdirs(path.join(repo, 'overlays'))) {
    const abs = path.join(repo, 'overlays', sub);
    if (await hasKustomization(abs)) {
      entries.push({ name: sub, path: `overlays/${sub}`, absPath: abs, hasKustomization: true });
    }
  }
  for (const root of ['flux', 'clusters']) {
    for (const sub of await subdirs(path.join(repo, root))) {
      const abs = path.join(repo, root, sub);
      entries.push({ name: `${root}/${sub}`, path: `${root}/${sub}`, absPath: abs, hasKustomization: await hasKustomization(abs) });
      // Flux Kustomizations point at folders below the entry point (infrastructure, operators, …);
      // the cluster builds those separately, so the gate does too.
      for (const rel of await nestedKustomizations(abs)) {
        const p = `${root}/${sub}/${rel}`;
        entries.push({ name: p, path: p, absPath: path.join(abs, rel), hasKustomization: true });
      }
    }
  }
  if (only === undefined) return entries;
  const picked = entries.filter((e) => e.name === only || e.path === only.replace(/\/+$/, ''));
  if (picked.length === 0) {
    const known = entries.map((e) => e.name).join(', ') || 'none';
    throw new UsageError(`unknown overlay "${only}" (found: ${known})`);
  }
  return picked;
}
