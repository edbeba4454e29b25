// `npm run render:self`: renders matrix-gitops.yaml into the project's own base/, overlays/, flux/
// (dogfooding: the tree the validate gate and the e2e test run against).
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildModel } from '../../src/scaffold/model/index.ts';
import { renderRepository } from '../../src/scaffold/render/index.ts';
import { loadConfig } from '../../src/scaffold/config/load.ts';
import { renderSopsConfig, sopsRecipients, writeSecretFiles } from '../../src/scaffold/secrets/index.ts';
import { projectRoot } from '../../src/lib/versions.ts';

import { answerHelp } from './help.ts';

const DIRS = ['base', 'overlays', 'flux'];

async function main(): Promise<void> {
  const config = loadConfig({ file: path.join(projectRoot, 'matrix-gitops.yaml') });
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
    // Encrypted to the public keys in the config only: no private key is needed to render.
    const recipients = sopsRecipients(config);
    if (missing.length) await writeSecretFiles(missing, tmp, recipients.default, recipients);
    writeFileSync(path.join(tmp, '.sops.yaml'), renderSopsConfig(config.environments, recipients));
    renameSync(path.join(tmp, '.sops.yaml'), path.join(projectRoot, '.sops.yaml'));
    for (const d of DIRS) {
      const old = path.join(projectRoot, d);
      if (existsSync(old)) rmSync(old, { recursive: true, force: true });
      if (existsSync(path.join(tmp, d))) renameSync(path.join(tmp, d), old);
      else mkdirSync(old);
    }
    console.log(`rendered ${files.length} files into ${DIRS.join('/, ')}/; ${missing.length} new secret file(s), ${secrets.length - missing.length} kept`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

answerHelp(`Usage: npm run render:self

Re-renders this project's own base/, overlays/, flux/ and .sops.yaml from matrix-gitops.yaml
(secret files are kept byte for byte; new ones are encrypted to the config's recipients). Run it
after changing the renderer or versions.json, and commit the result.`);
if (process.argv.length > 2) {
  console.error(`render:self: unexpected argument ${process.argv[2]}; see \`npm run render:self -- --help\``);
  process.exit(2);
}
await main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
