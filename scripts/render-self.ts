// `npm run render:self`: renders matrix-gitops.yaml into the project's own base/, overlays/, flux/
// (dogfooding: the tree the validate gate and the e2e test run against).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildModel } from '../scaffold/model/index.ts';
import { renderRepository, type SecretSpec } from '../scaffold/render/index.ts';
import { exampleConfig } from '../test/unit/render/example.ts';
import { projectRoot } from './lib/versions.ts';

type WriteSecretFiles = (specs: SecretSpec[], outDir: string, recipients: string[]) => Promise<unknown> | unknown;

const DIRS = ['base', 'overlays', 'flux'];

async function main(): Promise<void> {
  const config = exampleConfig();
  const { files, secrets } = renderRepository(buildModel(config));
  // Same filesystem as the project, so the final rename is atomic per directory.
  const tmp = mkdtempSync(path.join(projectRoot, '.render-'));
  try {
    for (const f of files) {
      const target = path.join(tmp, f.path);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, f.content);
    }
    // Secret files are written once and kept byte-for-byte; carry the existing ones over.
    for (const s of secrets) {
      const existing = path.join(projectRoot, s.path);
      if (existsSync(existing)) {
        mkdirSync(path.dirname(path.join(tmp, s.path)), { recursive: true });
        cpSync(existing, path.join(tmp, s.path));
      }
    }
    const missing = secrets.filter((s) => !existsSync(path.join(tmp, s.path)));
    const secretsModule = path.join(projectRoot, 'scaffold', 'secrets', 'index.ts');
    let wrote = false;
    if (missing.length && existsSync(secretsModule)) {
      const mod = (await import(pathToFileURL(secretsModule).href)) as { writeSecretFiles?: WriteSecretFiles };
      if (typeof mod.writeSecretFiles === 'function') {
        await mod.writeSecretFiles(missing, tmp, config.ageRecipients);
        wrote = true;
      }
    }
    for (const d of DIRS) {
      const old = path.join(projectRoot, d);
      if (existsSync(old)) rmSync(old, { recursive: true, force: true });
      if (existsSync(path.join(tmp, d))) renameSync(path.join(tmp, d), old);
      else mkdirSync(old);
    }
    const left = secrets.filter((s) => !existsSync(path.join(projectRoot, s.path)));
    console.log(`rendered ${files.length} files into ${DIRS.join('/, ')}/`);
    if (left.length) {
      console.warn(`${left.length} secret file(s) not written${wrote ? '' : ' (scaffold/secrets writeSecretFiles not available)'}:`);
      for (const s of left) console.warn(`  ${s.path}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
