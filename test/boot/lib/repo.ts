// A freshly generated repository in a temp dir, its rendered overlays and its decrypted Secrets.
// Generation prefers the scaffold CLI; until it exists, renderRepository(buildModel(config)) plus
// src/scaffold/secrets' writeSecretFiles with a fresh age key. Secrets are never generated here.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { parseAllDocuments, parse, parseDocument, type Document } from 'yaml';
import { projectRoot } from '../../../src/lib/versions.ts';
import { kustomizeBuild, toolPath } from '../../../src/lib/tools.ts';
import { buildModel } from '../../../src/scaffold/model/index.ts';
import { renderRepository, type SecretSpec } from '../../../src/scaffold/render/index.ts';
import type { MatrixConfig } from '../../../src/scaffold/config/types.ts';
import { exampleConfig } from '../../unit/render/example.ts';
import { log } from './procs.ts';

export type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface RepoOptions {
  /** Render the media scanner (ClamAV + matrix-content-scanner); off by default (see generateRepo). */
  antivirus?: boolean;
  /** Further edits of the copied matrix-gitops.yaml (another server name, for federation). */
  edit?: (config: Document) => void;
}

export interface GeneratedRepo {
  dir: string;
  ageKeyFile: string;
  recipient: string;
  via: 'cli' | 'render';
}

const CONFIG_FILE = path.join(projectRoot, 'matrix-gitops.yaml');

/** The project's matrix-gitops.yaml through src/scaffold/config's loadConfig (the render tests' example
 *  config if the loader is not there), with the fresh age key as the only recipient. */
async function configFor(recipient: string, opts: RepoOptions): Promise<MatrixConfig> {
  if (opts.edit) throw new Error('RepoOptions.edit needs the scaffold CLI path (BOOT_REPO_VIA=render cannot edit the config)');
  const loader = path.join(projectRoot, 'src', 'scaffold', 'config', 'load.ts');
  if (existsSync(loader)) {
    const mod = (await import(pathToFileURL(loader).href)) as {
      loadConfig?: (opts: { file?: string; overrides?: Partial<MatrixConfig> }) => MatrixConfig;
    };
    if (typeof mod.loadConfig === 'function') {
      const c = mod.loadConfig({ file: CONFIG_FILE, overrides: { ageRecipients: [recipient] } });
      return { ...c, components: { ...c.components, antivirus: opts.antivirus ?? false } };
    }
  }
  log('src/scaffold/config loadConfig not found; using the render tests\' example config');
  return { ...exampleConfig(), ageRecipients: [recipient] };
}

export async function generateRepo(workDir: string, opts: RepoOptions = {}): Promise<GeneratedRepo> {
  const dir = path.join(workDir, 'repo');
  const ageKeyFile = path.join(workDir, 'age.key');
  execFileSync(toolPath('age-keygen'), ['-o', ageKeyFile], { stdio: 'pipe' });
  const recipient = execFileSync(toolPath('age-keygen'), ['-y', ageKeyFile], { encoding: 'utf8' }).trim();
  const cli = path.join(projectRoot, 'src', 'cli', 'scaffold.ts');
  if (existsSync(cli) && process.env.BOOT_REPO_VIA !== 'render') {
    log(`generating a repository with the scaffold CLI into ${dir}`);
    // The project's config, encrypted to the fresh key only (its own ageRecipients are the project's).
    const config = path.join(workDir, 'matrix-gitops.yaml');
    const doc = parseDocument(readFileSync(CONFIG_FILE, 'utf8'));
    doc.set('ageRecipients', [recipient]);
    // The media scanner (ClamAV + matrix-content-scanner) is not booted here; with it on, the ingress
    // sends downloads to it (pinned by test/unit/render/components.test.ts). Off, they reach the media worker.
    doc.setIn(['components', 'antivirus'], opts.antivirus ?? false);
    opts.edit?.(doc);
    writeFileSync(config, doc.toString());
    execFileSync(process.execPath, ['--import', 'tsx', cli, '--config', config, '--out', dir, '--yes', '--age-key', ageKeyFile, '--no-git'], {
      cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SOPS_AGE_KEY_FILE: ageKeyFile },
    });
    return { dir, ageKeyFile, recipient, via: 'cli' };
  }
  const secretsModule = path.join(projectRoot, 'src', 'scaffold', 'secrets', 'index.ts');
  if (!existsSync(secretsModule)) throw new Error('neither src/cli/scaffold.ts nor src/scaffold/secrets/index.ts exists: no way to generate the Secrets');
  const mod = (await import(pathToFileURL(secretsModule).href)) as {
    writeSecretFiles?: (specs: SecretSpec[], outDir: string, recipients: string[]) => unknown;
  };
  if (typeof mod.writeSecretFiles !== 'function') throw new Error('src/scaffold/secrets has no writeSecretFiles');
  log(`generating a repository with renderRepository + writeSecretFiles into ${dir}`);
  const { files, secrets } = renderRepository(buildModel(await configFor(recipient, opts)));
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
    writeFileSync(path.join(dir, f.path), f.content);
  }
  await mod.writeSecretFiles(secrets, dir, [recipient]);
  return { dir, ageKeyFile, recipient, via: 'render' };
}

/** `kustomize build --load-restrictor LoadRestrictionsNone overlays/<env>` of the repository. */
export function buildOverlay(repo: GeneratedRepo, env: string): Doc[] {
  const { file, args } = kustomizeBuild(path.join(repo.dir, 'overlays', env));
  const out = execFileSync(file, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return parseAllDocuments(out).map((d) => d.toJSON() as Doc).filter((d) => d && typeof d === 'object');
}

export function find(docs: Doc[], kind: string, name: string): Doc {
  const d = docs.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!d) throw new Error(`rendered output has no ${kind}/${name}`);
  return d;
}

/** Decrypts every SOPS Secret file the overlay lists, with the real sops and the repo's age key. */
/** One decrypted value; a missing one fails loudly (a test must never run with an empty secret). */
export function secretValue(secrets: Map<string, Record<string, string>>, name: string, key: string): string {
  const v = secrets.get(name)?.[key];
  if (v === undefined) throw new Error(`no decrypted ${name}/${key}`);
  return v;
}

export function decryptSecrets(repo: GeneratedRepo, env: string): Map<string, Record<string, string>> {
  const overlay = path.join(repo.dir, 'overlays', env);
  const kust = parse(readFileSync(path.join(overlay, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
  const result = new Map<string, Record<string, string>>();
  for (const res of kust.resources.filter((r) => r.endsWith('.sops.yaml'))) {
    const file = path.join(overlay, res);
    const raw = readFileSync(file, 'utf8');
    if (!/^sops:/m.test(raw)) throw new Error(`${res} is not SOPS-encrypted`);
    const plain = execFileSync(toolPath('sops'), ['--decrypt', '--input-type', 'yaml', '--output-type', 'yaml', file], {
      encoding: 'utf8', env: { ...process.env, SOPS_AGE_KEY_FILE: repo.ageKeyFile, SOPS_DISABLE_VERSION_CHECK: '1' },
    });
    const doc = parse(plain) as Doc;
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries((doc.data ?? {}) as Record<string, string>)) data[k] = Buffer.from(v, 'base64').toString('utf8');
    for (const [k, v] of Object.entries((doc.stringData ?? {}) as Record<string, string>)) data[k] = String(v);
    result.set(doc.metadata.name as string, data);
  }
  return result;
}
