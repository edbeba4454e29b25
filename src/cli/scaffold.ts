// `matrix-gitops scaffold`: config (+ flags, + prompts on a TTY) → a Flux-ready repository, written
// atomically; re-runs keep secrets and user edits, and never change serverName.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { $ } from 'zx';
import { deepMerge, loadConfig, readConfigFile, validateConfig, type DeepPartial } from '../scaffold/config/load.ts';
import { migrateWrittenConfig } from '../scaffold/config/migrate.ts';
import { ingressWarnings } from '../scaffold/config/ingress.ts';
import type { Components, Environment, MatrixConfig } from '../scaffold/config/types.ts';
import { buildModel } from '../scaffold/model/index.ts';
import { renderRepository } from '../scaffold/render/index.ts';
import { GENERATED_KEY_FILE, generateAgeKey, renderSopsConfig, resolveAgeKey, sopsRecipients, writeSecretFiles } from '../scaffold/secrets/index.ts';
import { CONFIG_FILE, SCHEMA_FILE, configFile, repoExtras } from '../scaffold/repo-extras/index.ts';
import { cliDependencySpec, existingCliSpec } from '../scaffold/repo-extras/package-json.ts';
import { plan, type Action, type Desired } from '../scaffold/write/plan.ts';
import { resolveEdits } from '../scaffold/write/resolve.ts';
import { conflictHunks } from '../scaffold/write/merge.ts';
import { BASE_DIR, basePath, storedBase, storedBasePaths } from '../scaffold/write/base.ts';
import { changedFiles, pending, planText, summarize } from '../scaffold/write/report.ts';
import { applyAtomically, recoverInterrupted } from '../scaffold/write/apply.ts';
import { colourDiff, unifiedDiff } from '../scaffold/write/diff.ts';
import { STATE_FILE, readState, renderState, sha256, type State } from '../scaffold/write/state.ts';
import { Prompter, promptMissing, type Known } from '../scaffold/prompts.ts';
import { EnvironmentError, UsageError } from '../lib/errors.ts';
import { usageLine } from '../lib/args.ts';
import { execute, isEntryPoint } from './command.ts';
import { done, step, style, warn } from '../lib/progress.ts';

const HELP = `Usage: matrix-gitops scaffold --out DIR [--config FILE] [options]

Writes (or updates) a Flux-ready Kustomize repository for a Matrix stack in DIR.

  --config FILE            matrix-gitops.yaml to read (default: DIR/${CONFIG_FILE} when it exists)
  --out DIR                target repository (created if missing)
  --server-name NAME       serverName (immutable once scaffolded)
  --environments LIST      comma list of homelab,production,li
  --components LIST        comma list; prefix no- to turn one off (e.g. jitsi,no-coturn)
  --host-synapse HOST      (also --host-element, --host-turn, --host-rtc, --host-admin, --host-jitsi,
                           --host-sygnal)
  --li-allowed-cidrs LIST  comma list of CIDRs allowed to reach the li ingress
  --namespace NAME         Kubernetes namespace of the stack
  --git-url URL            where Flux pulls the repository from
  --acme-email ADDRESS     cert-manager ACME account (production TLS)
  --age-key FILE           age identity to encrypt to (else SOPS_AGE_KEY_FILE, ~/.config/sops/age/keys.txt,
                           else a new DIR/${GENERATED_KEY_FILE}, git-ignored)
  --yes                    never prompt (CI); a missing required value is an error, others take defaults
  --plan, --dry-run        write nothing: print each file that would be created, updated, merged or
                           removed with a unified diff, the secrets that would be added (names only),
                           and the summary the real run would print
  --force                  on a conflict, take ours (overwrite your edit of those files)
  --no-git                 do not git init / commit
  --cli-source SPEC        the matrix-gitops the repository's package.json depends on: a version, a
                           tarball or folder path (written relative to DIR) or a git URL (default:
                           the version already there, else this one's)
  -h, --help               this text

On a terminal (and without --yes) the main values neither the config nor a flag gives are asked
for, with defaults. Secret files are written once and then never changed or deleted.

A file you edited since the last scaffold is merged with the new render (three-way, as git
merge-file does; the base is what the tool wrote last time, kept in .matrix-gitops/base/): a clean
merge keeps your edit and is listed as merged; overlapping changes are a conflict.

Exit codes: 0 written or nothing to do; 1 conflicts (the conflicting hunks are printed, nothing is
written, --force takes ours); 2 usage or environment error (nothing written); with --plan, 3 when
changes are pending (0 when none).`;

interface Options {
  config?: string;
  out: string;
  yes: boolean;
  force: boolean;
  plan: boolean;
  git: boolean;
  ageKey?: string;
  cliSource?: string;
  overrides: DeepPartial<MatrixConfig>;
}

const list = (v: string | undefined): string[] | undefined => v?.split(',').map((s) => s.trim()).filter(Boolean);
const HOST_FLAGS = ['synapse', 'element', 'turn', 'rtc', 'admin', 'jitsi', 'sygnal'] as const;

export function parseOptions(argv: string[]): Options | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string' }, out: { type: 'string' }, yes: { type: 'boolean', short: 'y' }, force: { type: 'boolean' },
        plan: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, 'no-git': { type: 'boolean' }, 'age-key': { type: 'string' }, 'server-name': { type: 'string' },
        environments: { type: 'string' }, components: { type: 'string' },
        ...Object.fromEntries(HOST_FLAGS.map((h) => [`host-${h}`, { type: 'string' as const }])),
        'li-allowed-cidrs': { type: 'string' }, namespace: { type: 'string' }, 'git-url': { type: 'string' },
        'acme-email': { type: 'string' }, 'cli-source': { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError(usageLine(err, 'scaffold'));
  }
  if (values.help) return 'help';
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? values[k] : undefined);
  const out = str('out');
  if (out === undefined || out === '') throw new UsageError('--out: missing; name the repository directory to write, e.g. --out ../my-matrix');
  const o: DeepPartial<MatrixConfig> = {};
  if (str('server-name') !== undefined) o.serverName = str('server-name');
  const envs = list(str('environments'));
  if (envs) o.environments = envs as Environment[];
  const hosts: Record<string, string> = {};
  for (const h of HOST_FLAGS) {
    const v = str(`host-${h}`);
    if (v !== undefined) hosts[h] = v;
  }
  if (Object.keys(hosts).length) o.hosts = hosts;
  const comps = list(str('components'));
  if (comps) {
    o.components = Object.fromEntries(comps.map((c) => {
      const off = /^(-|no-)/.exec(c);
      return off ? [c.slice(off[0].length), false] : [c, true];
    })) as Partial<Components>;
  }
  const cidrs = list(str('li-allowed-cidrs'));
  if (cidrs) o.li = { allowedCidrs: cidrs };
  if (str('namespace') !== undefined) o.namespace = str('namespace');
  if (str('git-url') !== undefined) o.git = { url: str('git-url') };
  if (str('acme-email') !== undefined) o.acme = { email: str('acme-email') };
  return {
    config: str('config'),
    out,
    yes: values.yes === true,
    force: values.force === true,
    plan: values.plan === true || values['dry-run'] === true,
    git: values['no-git'] !== true,
    ageKey: str('age-key'),
    cliSource: str('cli-source'),
    overrides: o,
  };
}

/** The config file's content with the flags over it; prompts on a TTY for main values still missing. */
async function completeConfig(opts: Options, out: string, state: State | undefined): Promise<{ config: MatrixConfig; file?: string }> {
  const file = opts.config ?? (existsSync(path.join(out, CONFIG_FILE)) ? path.join(out, CONFIG_FILE) : undefined);
  const raw = file ? readConfigFile(file) : {};
  const overrides = { ...opts.overrides };
  // serverName cannot change once scaffolded, so the state's is as good as any answer.
  const isObject = typeof raw === 'object' && raw !== null && !Array.isArray(raw);
  if (state && overrides.serverName === undefined && !(isObject && 'serverName' in raw)) overrides.serverName = state.serverName;
  // A value that is not an object is left to loadConfig, which names the problem.
  const known = (isObject ? deepMerge(raw, overrides) : overrides) as Known;
  if (!opts.yes && process.stdin.isTTY) {
    const prompter = new Prompter();
    try {
      Object.assign(overrides, deepMerge(overrides, await promptMissing(known, prompter)));
    } finally {
      prompter.close();
    }
  } else if (known.serverName === undefined) {
    throw new UsageError(`serverName: missing; pass --server-name example.org or set serverName in the config${opts.yes ? ' (--yes never prompts)' : ' (no terminal to ask on)'}`);
  }
  // The repository's own config exactly as the tool last wrote it: migrate values an earlier version wrote.
  const ownFile = file !== undefined && path.resolve(file) === path.join(out, CONFIG_FILE);
  if (ownFile && state?.files[CONFIG_FILE] === sha256(readFileSync(file))) {
    const migrated = migrateWrittenConfig(raw);
    for (const n of migrated.notes) warn(n);
    if (migrated.notes.length) return { config: validateConfig(deepMerge(migrated.raw as DeepPartial<MatrixConfig>, overrides), file), file };
  }
  return { config: loadConfig({ file, overrides }), file };
}

async function gitFirstCommit(dir: string): Promise<void> {
  try {
    await gitInitAndCommit(dir);
  } catch (err) {
    const detail = (err as { stderr?: string }).stderr?.trim().split('\n')[0] ?? (err as Error).message;
    throw new EnvironmentError(`git: cannot create the first commit in ${dir}: ${detail}; fix git (or pass --no-git) and re-run`);
  }
}

async function gitInitAndCommit(dir: string): Promise<void> {
  const q = $({ cwd: dir, quiet: true });
  await q`git init -q -b main`;
  // The pre-push hook lives in the repository (.githooks) so it is versioned with it.
  await q`git config core.hooksPath .githooks`;
  const hasIdentity = (await q`git config user.email`.nothrow()).exitCode === 0;
  const who = hasIdentity ? [] : ['-c', 'user.name=matrix-gitops', '-c', 'user.email=matrix-gitops@localhost'];
  await q`git add -A`;
  await q`git ${who} commit -q --no-verify -m ${'Scaffold the Matrix stack with matrix-gitops'}`;
}

/** The repository's own matrix-gitops.yaml as last scaffolded, when it is there and valid. */
function repoConfig(out: string): MatrixConfig | undefined {
  const file = path.join(out, CONFIG_FILE);
  if (!existsSync(file)) return undefined;
  try {
    return loadConfig({ file });
  } catch {
    return undefined;
  }
}

/** The config file to write: the existing bytes when they already mean the same config (comments kept). */
function configContent(out: string, effective: MatrixConfig): string {
  const existing = path.join(out, CONFIG_FILE);
  if (existsSync(existing)) {
    try {
      if (isDeepStrictEqual(loadConfig({ file: existing }), effective)) return readFileSync(existing, 'utf8');
    } catch {
      // unreadable or invalid: ours replaces it (through the conflict check like any edited file)
    }
  }
  return configFile(effective);
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseOptions(argv);
  if (parsed === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const opts = parsed;
  const out = path.resolve(opts.out);
  if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out: ${out} is not a directory`);
  // A plan writes nothing, not even the roll-back of an interrupted run (the real run does that first).
  if (!opts.plan) for (const r of recoverInterrupted(out)) warn(`an interrupted run (${path.basename(r)}) was rolled back; ${out} is as it was before it`);

  step('reading the configuration');
  const state = readState(out);
  const loaded = await completeConfig(opts, out, state);
  const previous = repoConfig(out);
  // The lock holds even without the state file (deleted, or a repository from before it existed).
  const lockedName = state?.serverName ?? previous?.serverName;
  if (lockedName !== undefined && lockedName !== loaded.config.serverName) {
    throw new UsageError(`serverName: ${out} was scaffolded for "${lockedName}"; refusing to change it to "${loaded.config.serverName}" (user IDs, rooms and the signing key belong to it); use a new repository for a new server name`);
  }
  // A config from elsewhere without ageRecipients keeps the repository's: one repository's secrets
  // stay encrypted to one set of keys unless the config says otherwise.
  const config: MatrixConfig = loaded.config.ageRecipients.length === 0 && previous?.ageRecipients.length
    ? { ...loaded.config, ageRecipients: previous.ageRecipients }
    : loaded.config;
  for (const w of ingressWarnings(config)) warn(w);

  step('resolving the age key');
  const age = await resolveAgeKey({ ageKeyFile: opts.ageKey, repoDir: out });
  if (opts.ageKey && config.ageRecipients.length && !age.recipients.some((r) => config.ageRecipients.includes(r))) {
    warn(`--age-key ${opts.ageKey} is not one of ageRecipients in the config: new secrets are encrypted to the config's recipients only`);
  }
  const needKey = age.generated && config.ageRecipients.length === 0;
  const recipientsNow = config.ageRecipients.length ? config.ageRecipients : age.recipients;

  // The matrix-gitops the repository runs: as told, else as its package.json already says (a
  // Renovate bump or an earlier --cli-source survives a re-run), else this version.
  const packageFile = path.join(out, 'package.json');
  const cliSpec = opts.cliSource !== undefined
    ? cliDependencySpec(opts.cliSource, out)
    : existingCliSpec(existsSync(packageFile) ? readFileSync(packageFile, 'utf8') : undefined);

  step(`rendering ${config.environments.join(', ')} for ${config.serverName}`);
  const schema = readFileSync(new URL('../scaffold/config/schema.json', import.meta.url), 'utf8');
  const render = (recipients: string[]) => {
    const effective: MatrixConfig = { ...config, ageRecipients: recipients };
    const { files, secrets } = renderRepository(buildModel(effective));
    const desired: (Desired & { mode?: number })[] = [
      ...files,
      ...repoExtras(effective, schema, files, { cliSpec }).filter((e) => e.path !== CONFIG_FILE),
      { path: CONFIG_FILE, content: configContent(out, effective) },
      // Per-environment recipients (ageRecipientsByEnvironment) win over the default ones.
      { path: '.sops.yaml', content: renderSopsConfig(effective.environments, sopsRecipients(effective)) },
    ];
    return { effective, desired, secrets };
  };
  // A brand-new key's recipient is known only once the key exists in the staged tree; until then
  // the plan uses a placeholder (the files it affects are new in that case anyway; --plan shows it).
  const first = render(needKey ? ['<the new age key the real run generates>'] : recipientsNow);
  const actions = await resolveEdits(out, plan(out, first.desired, state), state);
  const conflicts = actions.filter((a): a is Extract<Action, { kind: 'conflict' }> => a.kind === 'conflict');
  const missingSecrets = first.secrets.filter((s) => !existsSync(path.join(out, s.path)));
  const writes = new Map(actions.flatMap((a) => (a.kind === 'create' || a.kind === 'update' || a.kind === 'merge' || a.kind === 'conflict' ? [[a.path, a.kind] as const] : [])));
  const deletes = actions.filter((a) => a.kind === 'delete').map((a) => a.path);
  const staleBases = storedBasePaths(out).filter((p) => !first.desired.some((d) => d.path === p)).map(basePath);

  const stateFor = (desired: Desired[], secretsDir: string): string => {
    const secrets: Record<string, string> = { ...state?.secrets };
    for (const s of first.secrets) {
      const staged = path.join(secretsDir, s.path);
      // A secret generated now (also one the user deleted) records its new hash; a kept one keeps its first.
      if (secretsDir !== out && existsSync(staged)) secrets[s.path] = sha256(readFileSync(staged));
      else if (existsSync(path.join(out, s.path))) secrets[s.path] ??= sha256(readFileSync(path.join(out, s.path)));
    }
    return renderState({ serverName: config.serverName, files: Object.fromEntries(desired.map((d) => [d.path, sha256(d.content)])), secrets });
  };
  const currentState = existsSync(path.join(out, STATE_FILE)) ? readFileSync(path.join(out, STATE_FILE), 'utf8') : undefined;
  const bookkeeping = stateFor(first.desired, out) !== currentState || staleBases.length > 0
    || first.desired.some((d) => storedBase(out, d.path) !== d.content);

  if (opts.plan) {
    process.stdout.write(planText(actions, (p) => readFileSync(path.join(out, p), 'utf8'), missingSecrets.map((s) => s.path), process.stdout.isTTY === true, opts.force));
    const changes = pending(actions, missingSecrets.map((s) => s.path));
    if (needKey) warn(`the real run generates a NEW age key at ${path.join(out, GENERATED_KEY_FILE)} (git-ignored) and encrypts the secrets to it`);
    // Only the tool's bookkeeping would change (e.g. a repository from before the merge bases): say so.
    const summary = `${summarize(actions, missingSecrets.length)}${bookkeeping && !changes ? `; ${STATE_FILE} and the merge bases in ${BASE_DIR}/ would be recorded` : ''}`;
    if (conflicts.length && !opts.force) {
      process.stderr.write(`${style.err('✗')} plan: ${conflicts.length} conflict(s) (${conflicts.map((c) => c.path).join(', ')}); a real run would write nothing; ${summary}\n`);
      return 1;
    }
    if (!changes && !bookkeeping) {
      done(`plan: nothing to do: ${out} is up to date (${summary})`);
      return 0;
    }
    done(`plan: ${summary}; nothing written (run without --plan to apply)`);
    return 3;
  }

  if (conflicts.length && !opts.force) {
    for (const c of conflicts) process.stdout.write(c.merged !== undefined ? conflictHunks(c.path, c.merged) : colourDiff(unifiedDiff(c.path, c.current, c.content)));
    warn(`${conflicts.length} file(s) you edited since the last scaffold conflict with the new render: ${conflicts.map((c) => c.path).join(', ')}`);
    process.stderr.write(`${style.err('✗')} nothing written; move your change into ${CONFIG_FILE} (or drop it), or re-run with --force to take ours\n`);
    return 1;
  }
  for (const c of conflicts) warn(`--force: overwriting your edit of ${c.path}`);
  for (const k of actions.filter((a) => a.kind === 'keep')) warn(`${k.path} is no longer rendered but you edited it: left in place`);

  if (writes.size === 0 && deletes.length === 0 && missingSecrets.length === 0 && !bookkeeping) {
    done(`nothing to do: ${out} is up to date (${summarize(actions, 0)})`);
    return 0;
  }

  step(`writing ${summarize(actions, missingSecrets.length)}`);
  const merged = new Map(actions.flatMap((a) => (a.kind === 'merge' ? [[a.path, a.content] as const] : [])));
  const firstScaffold = !state && !existsSync(path.join(out, '.git'));
  const applied = await applyAtomically(out, {
    deletes: [...deletes, ...staleBases],
    stage: async (dir, fresh) => {
      let final = first;
      if (needKey) final = render(await generateAgeKey(path.join(dir, GENERATED_KEY_FILE)));
      for (const d of final.desired) {
        if (writes.has(d.path)) {
          await mkdir(path.dirname(path.join(dir, d.path)), { recursive: true });
          await writeFile(path.join(dir, d.path), merged.get(d.path) ?? d.content, { mode: d.mode ?? 0o644 });
        }
        // The merge base is always the pure render, also when the user's file got a merge.
        if (storedBase(out, d.path) !== d.content) {
          await mkdir(path.dirname(path.join(dir, basePath(d.path))), { recursive: true });
          await writeFile(path.join(dir, basePath(d.path)), d.content);
        }
      }
      if (missingSecrets.length) {
        step(`generating and encrypting ${missingSecrets.length} secret(s) with sops`);
        const { default: recipients, ...byEnvironment } = sopsRecipients(final.effective);
        await writeSecretFiles(missingSecrets, dir, recipients, byEnvironment);
      }
      const newState = stateFor(final.desired, dir);
      if (newState !== currentState) {
        await mkdir(path.join(dir, path.dirname(STATE_FILE)), { recursive: true });
        await writeFile(path.join(dir, STATE_FILE), newState);
      }
      // A new directory is committed before it appears, so it appears complete.
      if (fresh && opts.git) {
        step('git init and first commit');
        await gitFirstCommit(dir);
      }
    },
  });
  if (!applied.fresh && firstScaffold && opts.git) {
    step('git init and first commit');
    await gitFirstCommit(out);
  }
  if (needKey) {
    warn(`generated a NEW age key at ${path.join(out, GENERATED_KEY_FILE)} (git-ignored). Back it up now: without it nobody can decrypt this repository's secrets.`);
  }
  const committed = opts.git && firstScaffold ? ' (git repository with a first commit)' : '';
  const written = new Set(applied.written);
  const userDeleted = applied.deleted.filter((p) => !p.startsWith(`${BASE_DIR}/`));
  done(`scaffolded ${out}${committed}: ${summarize(actions, missingSecrets.length)}; next: cd ${opts.out} && npm install && npx matrix-gitops setup && npm run validate`);
  // A fresh repository is all new; after that, every changed file is named so the commit can be reviewed.
  if (!applied.fresh && !firstScaffold) {
    const names = changedFiles(actions, written, userDeleted);
    const secretNames = missingSecrets.map((s) => `  new secret ${s.path}`);
    if (names.length || secretNames.length) process.stderr.write(`${[...names, ...secretNames].join('\n')}\n`);
  }
  return 0;
}

if (isEntryPoint(import.meta.url)) await execute('scaffold', { run }, process.argv.slice(2));

export { SCHEMA_FILE };
