// Is there a kubeconfig at all? Checked before the Kubernetes client loads one, because without it
// the client falls back to http://localhost:8080 and the user sees a connection error instead.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** undefined when a kubeconfig (or in-cluster service account) exists, else one line: where it looked, what to set. */
export function kubeconfigProblem(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const inCluster = env.KUBERNETES_SERVICE_HOST && existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token');
  if (inCluster) return undefined;
  if (env.KUBECONFIG) {
    const files = env.KUBECONFIG.split(path.delimiter).filter(Boolean);
    if (files.some((f) => existsSync(f))) return undefined;
    return `no kubeconfig: KUBECONFIG names ${files.join(path.delimiter)}, which does not exist; point KUBECONFIG at your cluster's kubeconfig file`;
  }
  const home = path.join(env.HOME || homedir(), '.kube', 'config');
  if (existsSync(home)) return undefined;
  return `no kubeconfig: ${home} does not exist and KUBECONFIG is not set; set KUBECONFIG to your cluster's kubeconfig file`;
}

