// `matrix-gitops status`: the Flux Kustomizations of the current kubeconfig's cluster, with Ready,
// the last applied revision and the last error. Exit 0 when all are Ready, 1 when one is not,
// 2 (one line on stderr) when no cluster is reachable or the Flux CRDs are missing.
import { KubeConfig, CustomObjectsApi } from '@kubernetes/client-node';
import { execute, isEntryPoint } from './command.ts';
import { helpHint } from '../lib/args.ts';
import { kubeconfigProblem } from '../lib/kubeconfig.ts';

const HELP = `Usage: matrix-gitops status [--format text|json] [--namespace NS] [--help]

Prints each Flux Kustomization (kustomize.toolkit.fluxcd.io/v1) of the cluster in the current
kubeconfig ($KUBECONFIG or ~/.kube/config): Ready, last applied revision, last error.

  --format text|json   output (default text)
  --namespace NS       only this namespace (default: all)
  -h, --help           this text

Exit codes: 0 all Ready, 1 at least one not Ready (or none found), 2 no cluster reachable.`;

interface Condition { type: string; status: string; reason?: string; message?: string }
interface FluxKustomization {
  metadata: { name: string; namespace: string };
  spec?: { path?: string; suspend?: boolean };
  status?: { conditions?: Condition[]; lastAppliedRevision?: string; lastAttemptedRevision?: string };
}

export interface KustomizationStatus {
  namespace: string;
  name: string;
  path: string;
  ready: 'True' | 'False' | 'Unknown';
  reason: string;
  lastAppliedRevision: string;
  lastAttemptedRevision: string;
  lastError: string;
  suspended: boolean;
}

export function summarise(k: FluxKustomization): KustomizationStatus {
  const ready = k.status?.conditions?.find((c) => c.type === 'Ready');
  const status = ready?.status === 'True' || ready?.status === 'False' ? ready.status : 'Unknown';
  return {
    namespace: k.metadata.namespace,
    name: k.metadata.name,
    path: k.spec?.path ?? '',
    ready: status,
    reason: ready?.reason ?? '',
    lastAppliedRevision: k.status?.lastAppliedRevision ?? '',
    lastAttemptedRevision: k.status?.lastAttemptedRevision ?? '',
    lastError: status === 'True' ? '' : (ready?.message ?? ''),
    suspended: k.spec?.suspend === true,
  };
}

export async function readStatus(kc: KubeConfig, namespace?: string): Promise<KustomizationStatus[]> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const base = { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations' };
  const list = (namespace
    ? await api.listNamespacedCustomObject({ ...base, namespace })
    : await api.listClusterCustomObject(base)) as { items: FluxKustomization[] };
  return list.items.map(summarise).sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

function table(rows: KustomizationStatus[]): string {
  if (rows.length === 0) return 'no Flux Kustomizations found\n';
  const head = ['NAMESPACE', 'NAME', 'READY', 'REVISION', 'LAST ERROR'];
  const body = rows.map((r) => [r.namespace, r.name, r.suspended ? `${r.ready} (suspended)` : r.ready, r.lastAppliedRevision || '-', r.lastError.replace(/\s+/g, ' ') || '-']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.slice().map((b) => (i < 4 ? b[i].length : 0))));
  return [head, ...body].map((cols) => cols.map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c)).join('  ').trimEnd()).join('\n') + '\n';
}

function errorLine(e: unknown): string {
  const err = e as { code?: number | string; message?: string; cause?: { code?: string } };
  const code = err.cause?.code ?? err.code;
  if (code === 404) return 'the Flux Kustomization CRD (kustomize.toolkit.fluxcd.io/v1) is not installed in this cluster';
  return `no cluster reachable: ${(err.message ?? String(e)).split('\n')[0]}`;
}

export async function run(argv: string[]): Promise<number> {
  let format = 'text';
  let namespace: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') { process.stdout.write(`${HELP}\n`); return 0; }
    if (a === '--format' || a.startsWith('--format=')) format = a.includes('=') ? a.split('=')[1] : (argv[++i] ?? '');
    else if (a === '--namespace' || a === '-n') namespace = argv[++i];
    else { process.stderr.write(`status: unknown ${a.startsWith('-') ? 'option' : 'argument'} ${a}; ${helpHint('status')}\n`); return 2; }
  }
  if (format !== 'text' && format !== 'json') { process.stderr.write(`status: --format must be text or json\n`); return 2; }
  const missing = kubeconfigProblem();
  if (missing) { process.stderr.write(`status: ${missing}\n`); return 2; }
  const kc = new KubeConfig();
  let rows: KustomizationStatus[];
  try {
    kc.loadFromDefault();
    if (!kc.getCurrentCluster()) throw new Error('the kubeconfig has no current cluster');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_r, reject) => { timer = setTimeout(() => reject(new Error(`${kc.getCurrentCluster()?.server} did not answer within 10s`)), 10_000); });
    rows = await Promise.race([readStatus(kc, namespace), timeout]).finally(() => clearTimeout(timer));
  } catch (e) {
    process.stderr.write(`status: ${errorLine(e)}\n`);
    return 2;
  }
  if (format === 'json') process.stdout.write(`${JSON.stringify({ cluster: kc.getCurrentCluster()?.server ?? '', kustomizations: rows }, null, 2)}\n`);
  else process.stdout.write(table(rows));
  return rows.length > 0 && rows.every((r) => r.ready === 'True') ? 0 : 1;
}

if (isEntryPoint(import.meta.url)) await execute('status', { run }, process.argv.slice(2));
