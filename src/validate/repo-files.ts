// The repository's YAML files with their text, read once per validate run: secret hygiene, CRD
// discovery and source tracing all look at the same tree, and walking and reading it three times
// was most of what those steps cost.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

// .matrix-gitops holds the scaffolder's merge bases: copies of rendered files, not part of the deployment.
export const SKIP_DIRS = new Set(['node_modules', '.git', '.cache', '.tools', 'fixtures', 'testdata', '.matrix-gitops']);

export async function yamlFiles(root: string, dir = root): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  // A Helm chart's templates are Go templates, not YAML; the chart is checked through helm template.
  const isChart = entries.some((e) => e.name === 'Chart.yaml');
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name) && !(isChart && e.name === 'templates')) out.push(...(await yamlFiles(root, full)));
    } else if (/\.ya?ml$/.test(e.name) && e.name !== '.sops.yaml') {
      out.push(full);
    }
  }
  return out;
}

export interface RepoFile {
  file: string;
  text: string;
}

export async function readRepoYaml(root: string): Promise<RepoFile[]> {
  const files = await yamlFiles(root);
  return Promise.all(files.map(async (file) => ({ file, text: await readFile(file, 'utf8') })));
}
