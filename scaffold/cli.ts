// `npm run scaffold`: config (+ flags, + prompts on a TTY) → a Flux-ready repository, written
// atomically; re-runs keep secrets and user edits, and never change serverName.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { $ } from 'zx';
import { loadConfig, readConfigFile, type DeepPartial } from './config/load.ts';
import type { Components, Environment, MatrixConfig } from './config/types.ts';
import { buildModel } from './model/index.ts';
import { renderRepository } from './render/index.ts';
import { GENERATED_KEY_FILE, generateAgeKey, renderSopsConfig, resolveAgeKey, writeSecretFiles } from './secrets/index.ts';
import { CONFIG_FILE, SCHEMA_FILE, repoExtras } from './repo-extras/index.ts';
import { plan, type Action } from './write/plan.ts';
import { applyAtomically } from './write/apply.ts';
import { unifiedDiff } from './write/diff.ts';
import { STATE_FILE, readState, renderState, sha256, type State } from './write/state.ts';
import { SERVER_NAME_QUESTION, ask } from './prompts.ts';
import { UsageError, exitOnKnownError } from '../scripts/lib/errors.ts';
import { done, step, style, warn } from '../scripts/lib/progress.ts';

const HELP = `Usage: npm run scaffold -- --out DIR [--config FILE] [options]

Writes (or updates) a Flux-ready Kustomize repository for a Matrix stack in DIR.

  --config FILE           matrix-gitops.yaml to read (default: DIR/${CONFIG_FILE} when it exists)
  --out DIR               target repository (created if missing)
  --server-name NAME      serverName (immutable once scaffolded)
  --environments LIST     comma list of homelab,production,li
  --components LIST       comma list; prefix no- to turn one off (e.g. jitsi,no-coturn)
  --host-synapse HOST     (also --host-element, --host-turn, --host-rtc)
  --li-allowed-cidrs LIST comma list of CIDRs for the li ingress
  --age-key FILE          age identity to encrypt to (else SOPS_AGE_KEY_FILE, ~/.config/sops/age/keys.txt,
                          else a new DIR/${GENERATED_KEY_FILE}, git-ignored)
  --yes                   never prompt (CI); a missing value is an error
  --force                 overwrite files you edited since the last scaffold
  --no-git                do not git init / commit
  -h, --help              this text

Exit codes: 0 written or nothing to do, 1 conflicts (files you edited; nothing written),
2 usage or environment error (nothing written).`;

interface Options {
  config?: string;
  out: string;
  yes: boolean;
  force: boolean;
  git: boolean;
  ageKey?: string;
  overrides: DeepPartial<MatrixConfig>;
}

const list = (v: string | undefined): string[] | undefined => v?.split(',').map((s) => s.trim()).filter(Boolean);

export function parseOptions(argv: string[]): Options | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        config: { type: 'string' }, out: { type: 'string' }, yes: { type: 'boolean' }, force: { type: 'boolean' },
        'no-git': { type: 'boolean' }, 'age-key': { type: 'string' }, 'server-name': { type: 'string' },
        environments: { type: 'string' }, components: { type: 'string' }, 'host-synapse': { type: 'string' },
        'host-element': { type: 'string' }, 'host-turn': { type: 'string' }, 'host-rtc': { type: 'string' },
        'li-allowed-cidrs': { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]}; see \`npm run scaffold -- --help\``);
  }
  if (values.help) return 'help';
  if (typeof values.out !== 'string') throw new UsageError('--out: missing; name the repository directory to write, e.g. --out ../my-matrix');
  const o: DeepPartial<MatrixConfig> = {};
  if (typeof values['server-name'] === 'string') o.serverName = values['server-name'];
  const envs = list(values.environments as string | undefined);
  if (envs) o.environments = envs as Environment[];
  const hosts: Record<string, string> = {};
  for (const h of ['synapse', 'element', 'turn', 'rtc']) if (typeof values[`host-${h}`] === 'string') hosts[h] = values[`host-${h}`] as string;
  if (Object.keys(hosts).length) o.hosts = hosts;
  const comps = list(values.components as string | undefined);
  if (comps) {
    o.components = Object.fromEntries(comps.map((c) => {
      const off = /^(-|no-)/.exec(c);
      return off ? [c.slice(off[0].length), false] : [c, true];
    })) as Partial<Components>;
  }
  const cidrs = list(values['li-allowed-cidrs'] as string | undefined);
  if (cidrs) o.li = { allowedCidrs: cidrs };
  return {
    config: values.config as string | undefined,
    out: values.out,
    yes: values.yes === true,
    force: values.force === true,
    git: values['no-git'] !== true,
    ageKey: values['age-key'] as string | undefined,
    overrides: o,
  };
}

/** Fills serverName by prompt on a TTY, or fails naming it. */
async function completeConfig(opts: Options): Promise<MatrixConfig> {
  const file = opts.config ?? (existsSync(path.join(opts.out, CONFIG_FILE)) ? path.join(opts.out, CONFIG_FILE) : undefined);
  const raw = (file ? readConfigFile(file) : {}) as { serverName?: unknown } | null;
  const hasServerName = opts.overrides.serverName !== undefined || (raw !== null && typeof raw === 'object' && raw.serverName !== undefined);
  if (!hasServerName) {
    if (opts.yes || !process.stdin.isTTY) {
      throw new UsageError('serverName: missing; pass --server-name example.org or set serverName in the config (--yes never prompts)');
    }
    Object.assign(opts.overrides, await ask([SERVER_NAME_QUESTION]));
  }
  return loadConfig({ file, overrides: opts.overrides });
}

function summarize(actions: Action[]): string {
  const n = (k: Action['kind']) => actions.filter((a) => a.kind === k).length;
  return `${n('create')} created, ${n('update')} updated, ${n('unchanged')} unchanged, ${n('delete')} removed`;
}

async function gitCommitFirst(dir: string): Promise<void> {
  const q = $({ cwd: dir, quiet: true });
  await q`git init -q -b main`;
  await q`git config core.hooksPath .githooks`;
  const hasIdentity = (await q`git config user.email`.nothrow()).exitCode === 0;
  const who = hasIdentity ? [] : ['-c', 'user.name=matrix-gitops', '-c', 'user.email=matrix-gitops@localhost'];
  await q`git add -A`;
  await q`git ${who} commit -q -m ${'Scaffold the Matrix stack with matrix-gitops'}`;
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseOptions(argv);
  if (parsed === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const opts = parsed;
  const out = path.resolve(opts.out);
  step('reading the configuration');
  const config = await completeConfig(opts);

  const state = readState(out);
  if (state && state.serverName !== config.serverName) {
    throw new UsageError(`serverName: ${out} was scaffolded for "${state.serverName}"; refusing to change it to "${config.serverName}" (user IDs, rooms and the signing key belong to it); use a new repository for a new server name`);
  }

  step('resolving the age key');
  const age = await resolveAgeKey({ ageKeyFile: opts.ageKey, repoDir: out });
  const recipients = config.ageRecipients.length ? config.ageRecipients : age.recipients;
  const effective: MatrixConfig = { ...config, ageRecipients: recipients.length ? recipients : [] };

  step(`rendering ${effective.environments.join(', ')} for ${effective.serverName}`);
  const { files, secrets } = renderRepository(buildModel(effective));
  const schema = readFileSync(new URL('./config/schema.json', import.meta.url), 'utf8');
  // A brand-new key's recipient is known only once the key exists inside the staged tree.
  const extras = (cfg: MatrixConfig) => repoExtras(cfg, schema);
  const sopsFor = (r: string[]) => renderSopsConfig(effective.environments, { default: r });

  const missingSecrets = secrets.filter((s) => !existsSync(path.join(out, s.path)));
  const needKey = age.generated && effective.ageRecipients.length === 0;
  const recipientsFinal = needKey ? ['__GENERATED__'] : effective.ageRecipients;
  const desiredFor = (r: string[]): { path: string; content: string; mode?: number }[] => {
    const cfg = { ...effective, ageRecipients: r };
    const desired: { path: string; content: string; mode?: number }[] = [...files.map((f) => ({ path: f.path, content: f.content })), ...extras(cfg).map((e) => ({ path: e.path, content: e.content, mode: e.mode })), { path: '.sops.yaml', content: sopsFor(r) }];
    return desired;
  };
  // Plan against the final recipients when the key already exists; a brand-new key only happens in a new repo.
  const desired = desiredFor(recipientsFinal);
  const actions = plan(out, desired, state);
  const conflicts = actions.filter((a) => a.kind === 'conflict');
  if (conflicts.length && !opts.force) {
    for (const c of conflicts) if (c.kind === 'conflict') process.stdout.write(`${unifiedDiff(c.path, c.current, c.content).trimEnd()}\n`);
    warn(`${conflicts.length} file(s) changed since the last scaffold: ${conflicts.map((c) => c.path).join(', ')}`);
    process.stderr.write(`${style.err('✗')} nothing written; keep your edit by moving it into matrix-gitops.yaml, or re-run with --force to take ours\n`);
    return 1;
  }
  const writes = actions.filter((a) => a.kind === 'create' || a.kind === 'update' || a.kind === 'conflict');
  const deletes = actions.filter((a) => a.kind === 'delete').map((a) => a.path);
  const isNew = !existsSync(out);
  if (writes.length === 0 && deletes.length === 0 && missingSecrets.length === 0) {
    done(`nothing to do: ${out} is up to date (${summarize(actions)})`);
    return 0;
  }
  step(`writing ${summarize(actions)}${missingSecrets.length ? `, ${missingSecrets.length} new secret(s)` : ''}`);
  await applyAtomically(out, {
    writes: [],
    deletes,
    stage: async (dir) => {
      let r = effective.ageRecipients;
      if (needKey) {
        r = await generateAgeKey(path.join(dir, GENERATED_KEY_FILE));
      }
      const final = needKey ? desiredFor(r) : desired;
      const byPath = new Map(final.map((d) => [d.path, d]));
      for (const a of writes) {
        const d = byPath.get(a.path);
        if (!d) continue;
        const file = path.join(dir, d.path);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, d.content, { mode: d.mode ?? 0o644 });
      }
      if (missingSecrets.length) await writeSecretFiles(missingSecrets, dir, r);
      const hashes: State['files'] = {};
      for (const d of final) hashes[d.path] = sha256(readFileSync(path.join(dir, d.path)));
      const secretHashes: Record<string, string> = { ...state?.secrets };
      for (const s of secrets) if (existsSync(path.join(dir, s.path))) secretHashes[s.path] ??= sha256(readFileSync(path.join(dir, s.path)));
      mkdirSync(path.join(dir, path.dirname(STATE_FILE)), { recursive: true });
      writeFileSync(path.join(dir, STATE_FILE), renderState({ serverName: effective.serverName, files: hashes, secrets: secretHashes }));
      if (isNew && opts.git) await gitCommitFirst(dir);
    },
  });
  if (needKey) {
    warn(`generated a NEW age key at ${path.join(out, GENERATED_KEY_FILE)} (git-ignored). Back it up now: without it nobody can decrypt this repository's secrets.`);
  }
  done(`scaffolded ${out}${isNew && opts.git ? ' (git repository with a first commit)' : ''}; next: cd ${opts.out} && npm run validate`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((err) => exitOnKnownError(err, 'scaffold'));
}

export { SCHEMA_FILE };
