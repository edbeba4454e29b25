// The set-up both e2e suites share: a work folder with an age key, the loopback git server with its
// deployment gate (main → deploy), and a kube-apiserver with the Flux controllers.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { projectRoot } from '../../../src/lib/versions.ts';
import { toolPath } from '../../../src/lib/tools.ts';
import { startCluster, type Cluster } from './cluster.ts';
import { startGitServer, type GitServer } from './git-server.ts';
import { Flux, ok } from './harness.ts';

export interface E2eEnv {
  work: string;
  /** where the suite scaffolds its repository (not created here) */
  repo: string;
  ageKey: string;
  git: GitServer;
  cluster: Cluster;
  flux: Flux;
  /** Writes the scaffold config both suites use, for one environment; returns its path. */
  writeConfig: (environment: string) => string;
  /** Stops the cluster and the git server and removes the work folder (kept with E2E_KEEP=1). */
  stop: () => Promise<void>;
}

export async function startE2e(prefix: string): Promise<E2eEnv> {
  const work = mkdtempSync(path.join(tmpdir(), prefix));
  const ageKey = path.join(work, 'age.key');
  let git: GitServer | undefined;
  let cluster: Cluster | undefined;
  const stop = async () => {
    await cluster?.stop();
    await git?.close();
    if (process.env.E2E_KEEP !== '1') rmSync(work, { recursive: true, force: true });
  };
  try {
    ok(toolPath('age-keygen'), ['-o', ageKey], work);
    mkdirSync(path.join(work, 'git'));
    git = await startGitServer(path.join(work, 'git'), 'matrix', { projectRoot, branch: 'main', deployBranch: 'deploy' });
    cluster = await startCluster(path.join(work, 'cluster'));
    const url = git.url;
    const writeConfig = (environment: string) => {
      const file = path.join(work, 'config.yaml');
      writeFileSync(file, stringify({
        serverName: 'example.test',
        environments: [environment],
        hosts: { synapse: 'matrix.example.test', element: 'chat.example.test', turn: 'turn.example.test', rtc: 'rtc.example.test' },
        git: { url, branch: 'main', deployBranch: 'deploy' },
        acme: { email: 'ops@example.test' },
      }));
      return file;
    };
    return { work, repo: path.join(work, 'repo'), ageKey, git, cluster, flux: new Flux(cluster), writeConfig, stop };
  } catch (err) {
    // A half-started environment would leave processes behind that the suite's after() never sees.
    await stop();
    throw err;
  }
}
