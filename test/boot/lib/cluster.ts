// A minimal stand-in for the kubelet and cluster DNS, driven only by the rendered manifests:
// - a "pod" gets a root folder; each of its volumes is materialised under <root>/volumes/<name>
//   (ConfigMap keys and decrypted Secret keys as files, emptyDir/PVC as empty folders), and a
//   container's mount paths map to those folders, so a path in a config file is rewritten by
//   replacing its mount-point prefix and nothing else;
// - env is what the kubelet gives a container: the service-link variables of every Service in the
//   pod's namespace (unless the pod sets enableServiceLinks: false; KUBERNETES_* always), then
//   `envFrom` (ConfigMap/Secret), then `env` (`value`, `secretKeyRef`, `configMapKeyRef`), later wins;
// - every port a pod listens on is mapped to a free loopback port, and a Service name + port
//   resolves (selector → pod, targetPort → containerPort → mapped port) to 127.0.0.1:<mapped>.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { find, type Doc } from './repo.ts';
import { freePort } from './procs.ts';

export interface Mount { mountPath: string; hostPath: string }

export class Pod {
  readonly portMap = new Map<number, number>();
  constructor(
    readonly name: string,
    readonly root: string,
    readonly spec: Doc,
    readonly labels: Record<string, string>,
    private readonly volumeDirs: Map<string, string>,
    readonly namespace = '',
  ) {}

  container(name?: string, init = false): Doc {
    const list = (init ? this.spec.initContainers : this.spec.containers) as Doc[];
    const c = name ? list.find((x) => x.name === name) : list[0];
    if (!c) throw new Error(`${this.name} has no ${init ? 'init ' : ''}container ${name ?? ''}`);
    return c;
  }

  /** Mount table of a container, longest mount path first. */
  mounts(container: Doc): Mount[] {
    return ((container.volumeMounts ?? []) as Doc[]).map((m) => {
      const dir = this.volumeDirs.get(m.name as string);
      if (!dir) throw new Error(`${this.name}: volumeMount ${m.name} has no volume`);
      return { mountPath: (m.mountPath as string).replace(/\/$/, ''), hostPath: m.subPath ? path.join(dir, m.subPath as string) : dir };
    }).sort((a, b) => b.mountPath.length - a.mountPath.length);
  }

  /** Replaces the mount-point prefix of an in-container path with the folder standing in for it. */
  hostPath(container: Doc, p: string): string {
    for (const m of this.mounts(container)) {
      if (p === m.mountPath) return m.hostPath;
      if (p.startsWith(`${m.mountPath}/`)) return m.hostPath + p.slice(m.mountPath.length);
    }
    return p;
  }

  /** Same, for every in-container path inside a free-form string (a shell command, an nginx config);
   *  one pass, so a replaced path is never rewritten again by a shorter mount such as /tmp. */
  rewriteText(container: Doc, text: string): string {
    const mounts = this.mounts(container);
    if (!mounts.length) return text;
    const alt = mounts.map((m) => m.mountPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    return text.replace(new RegExp(`(^|[\\s"'=])(${alt})(?=/|[\\s"';]|$)`, 'g'), (_m, pre: string, mp: string) => {
      const hit = mounts.find((m) => m.mountPath === mp) as Mount;
      return `${pre}${hit.hostPath}`;
    });
  }

  /** Deep rewrite of every string value that is an in-container path. */
  rewriteValues<T>(container: Doc, value: T): T {
    if (typeof value === 'string') return this.hostPath(container, value) as T;
    if (Array.isArray(value)) return value.map((v) => this.rewriteValues(container, v)) as T;
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.rewriteValues(container, v)])) as T;
    }
    return value;
  }

  containerPort(nameOrNumber: string | number): number {
    if (typeof nameOrNumber === 'number') return nameOrNumber;
    if (/^\d+$/.test(nameOrNumber)) return Number(nameOrNumber);
    for (const c of this.spec.containers as Doc[]) {
      const p = ((c.ports ?? []) as Doc[]).find((x) => x.name === nameOrNumber);
      if (p) return p.containerPort as number;
    }
    throw new Error(`${this.name} has no container port named ${nameOrNumber}`);
  }

  async mapPort(port: number): Promise<number> {
    let mapped = this.portMap.get(port);
    if (mapped === undefined) {
      mapped = await freePort();
      this.portMap.set(port, mapped);
    }
    return mapped;
  }
}

export class Cluster {
  readonly pods = new Map<string, Pod>();
  private readonly extraServices: Doc[] = [];

  constructor(readonly docs: Doc[], readonly secrets: Map<string, Record<string, string>>, readonly root: string) {}

  /** Materialises the pod template of a Deployment/StatefulSet (or a bare pod spec) under root/<name>. */
  pod(kind: string, name: string, podName = name): Pod {
    const workload = find(this.docs, kind, name);
    const template = workload.spec.template as Doc;
    const podRoot = path.join(this.root, podName);
    const dirs = new Map<string, string>();
    for (const v of (template.spec.volumes ?? []) as Doc[]) {
      const dir = path.join(podRoot, 'volumes', v.name as string);
      mkdirSync(dir, { recursive: true });
      dirs.set(v.name as string, dir);
      if (v.configMap) {
        const cm = find(this.docs, 'ConfigMap', v.configMap.name as string);
        this.fill(dir, (cm.data ?? {}) as Record<string, string>, v.configMap.items as Doc[] | undefined, v.configMap.defaultMode as number | undefined);
      } else if (v.secret) {
        const data = this.secrets.get(v.secret.secretName as string);
        if (!data) {
          if (v.secret.optional) continue;
          throw new Error(`${name}: Secret ${v.secret.secretName} is not among the decrypted Secrets`);
        }
        this.fill(dir, data, v.secret.items as Doc[] | undefined, v.secret.defaultMode as number | undefined);
      } else if (!v.emptyDir && !v.persistentVolumeClaim) {
        throw new Error(`${name}: volume ${v.name} has a type the boot harness does not emulate`);
      }
    }
    const pod = new Pod(podName, podRoot, template.spec as Doc, (template.metadata?.labels ?? {}) as Record<string, string>, dirs, (workload.metadata?.namespace ?? '') as string);
    this.pods.set(podName, pod);
    return pod;
  }

  /** A pod the harness runs itself with no rendered workload (what an operator would create). */
  externalPod(name: string, labels: Record<string, string>): Pod {
    const pod = new Pod(name, path.join(this.root, name), { containers: [] }, labels, new Map());
    this.pods.set(name, pod);
    return pod;
  }

  private fill(dir: string, data: Record<string, string>, items: Doc[] | undefined, mode: number | undefined): void {
    const entries = items ? items.map((i) => [i.path as string, data[i.key as string]] as const) : Object.entries(data);
    for (const [file, value] of entries) {
      if (value === undefined) throw new Error(`missing key for ${file} in ${dir}`);
      const target = path.join(dir, file);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, value);
      // 0440 would lock out a non-root reader; the harness runs Synapse as itself, so keep owner read.
      if (mode !== undefined) chmodSync(target, mode | 0o400);
    }
  }

  /** env of a container as the kubelet would set it: service links, then envFrom, then env. */
  env(container: Doc): Record<string, string> {
    const pod = [...this.pods.values()].find((p) => [...((p.spec.containers ?? []) as Doc[]), ...((p.spec.initContainers ?? []) as Doc[])].includes(container));
    if (!pod) throw new Error(`env: container ${container.name} belongs to no pod the harness materialised`);
    const env: Record<string, string> = { ...this.serviceLinks(pod) };
    for (const from of (container.envFrom ?? []) as Doc[]) {
      const ref = (from.configMapRef ?? from.secretRef) as Doc;
      const data = from.configMapRef
        ? (this.docs.find((d) => d.kind === 'ConfigMap' && d.metadata?.name === ref.name)?.data as Record<string, string> | undefined)
        : this.secrets.get(ref.name as string);
      if (!data) {
        if (ref.optional) continue;
        throw new Error(`envFrom: ${from.configMapRef ? 'ConfigMap' : 'Secret'} ${ref.name} not found`);
      }
      for (const [k, v] of Object.entries(data)) env[`${(from.prefix as string | undefined) ?? ''}${k}`] = String(v);
    }
    for (const e of (container.env ?? []) as Doc[]) {
      if (e.value !== undefined) env[e.name as string] = String(e.value);
      else if (e.valueFrom?.secretKeyRef || e.valueFrom?.configMapKeyRef) {
        const ref = (e.valueFrom.secretKeyRef ?? e.valueFrom.configMapKeyRef) as Doc;
        const v = e.valueFrom.secretKeyRef
          ? this.secrets.get(ref.name as string)?.[ref.key as string]
          : (this.docs.find((d) => d.kind === 'ConfigMap' && d.metadata?.name === ref.name)?.data as Record<string, string> | undefined)?.[ref.key as string];
        if (v === undefined) {
          if (ref.optional) continue;
          throw new Error(`env ${e.name}: ${ref.name}/${ref.key} not found`);
        }
        env[e.name as string] = v;
      } else {
        throw new Error(`env ${e.name}: source not emulated`);
      }
    }
    return env;
  }

  /** The kubelet's service-link variables (pkg/kubelet/envvars): for every Service with a cluster IP
   *  in the pod's namespace, <NAME>_SERVICE_HOST, <NAME>_SERVICE_PORT[_<PORTNAME>], <NAME>_PORT and
   *  <NAME>_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR]; the `kubernetes` Service's are always there.
   *  The address is 127.0.0.1 (a real cluster IP would point off this machine); the names and the
   *  tcp://… shape are what matters to a process reading them. */
  serviceLinks(pod: Pod): Record<string, string> {
    const out: Record<string, string> = {};
    const add = (name: string, ports: Doc[]): void => {
      const n = name.toUpperCase().replaceAll('-', '_');
      const host = '127.0.0.1';
      out[`${n}_SERVICE_HOST`] = host;
      ports.forEach((p, i) => {
        const proto = String(p.protocol ?? 'TCP');
        const url = `${proto.toLowerCase()}://${host}:${p.port as number}`;
        if (i === 0) { out[`${n}_SERVICE_PORT`] = String(p.port); out[`${n}_PORT`] = url; }
        if (p.name) out[`${n}_SERVICE_PORT_${String(p.name).toUpperCase().replaceAll('-', '_')}`] = String(p.port);
        const pre = `${n}_PORT_${p.port as number}_${proto}`;
        Object.assign(out, { [pre]: url, [`${pre}_PROTO`]: proto.toLowerCase(), [`${pre}_PORT`]: String(p.port), [`${pre}_ADDR`]: host });
      });
    };
    if (pod.spec.enableServiceLinks !== false) {
      for (const svc of [...this.docs, ...this.extraServices]) {
        if (svc.kind !== 'Service' || (svc.metadata?.namespace ?? '') !== pod.namespace) continue;
        if (svc.spec?.clusterIP === 'None' || svc.spec?.type === 'ExternalName') continue;
        add(svc.metadata.name as string, (svc.spec?.ports ?? []) as Doc[]);
      }
    }
    add('kubernetes', [{ name: 'https', port: 443, protocol: 'TCP' }]);
    return out;
  }

  /** A Service that an operator would create (CNPG's <cluster>-rw), pointing at a harness pod. */
  addService(name: string, selector: Record<string, string>, ports: Array<{ port: number; targetPort: number | string }>): void {
    this.extraServices.push({ kind: 'Service', metadata: { name }, spec: { selector, ports } });
  }

  service(name: string): Doc {
    const s = [...this.docs, ...this.extraServices].find((d) => d.kind === 'Service' && d.metadata?.name === name);
    if (!s) throw new Error(`no Service ${name} in the rendered output`);
    return s;
  }

  /** Cluster DNS + kube-proxy: Service name and port → 127.0.0.1 and the mapped port of the selected pod. */
  async resolve(host: string, port: number): Promise<{ host: string; port: number; pod: Pod }> {
    const svc = this.service(host);
    const selector = (svc.spec.selector ?? {}) as Record<string, string>;
    const pod = [...this.pods.values()].find((p) => Object.entries(selector).every(([k, v]) => p.labels[k] === v));
    if (!pod) throw new Error(`Service ${host} selects no pod started by the harness`);
    const ports = (svc.spec.ports ?? []) as Doc[];
    let target = port;
    if (ports.length) {
      const sp = ports.find((p) => p.port === port);
      if (!sp) throw new Error(`Service ${host} has no port ${port}`);
      target = pod.containerPort((sp.targetPort ?? sp.port) as string | number);
    }
    // A port-less headless Service (replication) resolves to the pod IP: the port is the pod's own.
    return { host: '127.0.0.1', port: await pod.mapPort(target), pod };
  }
}
