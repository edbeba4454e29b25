// One environment's traffic objects from the neutral route table, by the configured provider.
import type { EnvModel } from '../../model/index.ts';
import type { Obj } from '../lib.ts';
import { gatewayObjects } from './gateway-api.ts';
import { nginxObjects } from './ingress-nginx.ts';
import type { HostRoute } from './routes.ts';
import { traefikObjects } from './traefik.ts';

export function trafficObjects(env: EnvModel, routes: readonly HostRoute[]): Obj[] {
  switch (env.ingress.provider) {
    case 'gateway-api': return gatewayObjects(env, routes);
    case 'traefik': return traefikObjects(env, routes);
    case 'ingress-nginx': return nginxObjects(env, routes);
  }
}

/** Namespace the provider's proxies run in: the NetworkPolicies admit web traffic from it. */
export function controllerNamespace(env: EnvModel): string {
  switch (env.ingress.provider) {
    // Envoy Gateway runs the Envoy proxies of every Gateway in its own namespace by default.
    case 'gateway-api': return 'envoy-gateway-system';
    // k3s installs Traefik into kube-system.
    case 'traefik': return 'kube-system';
    case 'ingress-nginx': return 'ingress-nginx';
  }
}
