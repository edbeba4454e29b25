// Where a request goes under each provider, computed from the RENDERED route objects with that
// provider's documented matching rules (shared reference gateway-api.md §3.3, §4.2, §7):
// - ingress-nginx: with use-regex on a host, every path is a case-insensitive `~* "^<path>"`
//   location, longest path first; otherwise longest Prefix ('/' boundaries) or Exact;
// - Traefik IngressRoute: the highest priority wins, priority = length of the rule string;
//   PathRegexp is an unanchored search, PathPrefix a string prefix;
// - Gateway API on Envoy Gateway: Exact > RegularExpression > PathPrefix, longer value first;
//   regexes match the whole path, PathPrefix matches whole path elements.
export type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed YAML of several kinds, read field by field
export interface Hit { service: string; port: number; object: string; rewritten?: string }

function nginx(docs: Doc[], host: string, path: string): Hit | undefined {
  const ings = docs.filter((d) => d.kind === 'Ingress' && d.spec.rules.some((r: Doc) => r.host === host));
  const regex = ings.some((i) => i.metadata.annotations?.['nginx.ingress.kubernetes.io/use-regex'] === 'true');
  const paths = ings.flatMap((i) => i.spec.rules.filter((r: Doc) => r.host === host).flatMap((r: Doc) => r.http.paths.map((p: Doc) => ({ p, i }))));
  paths.sort((a, b) => b.p.path.length - a.p.path.length);
  for (const { p, i } of paths) {
    const hit = regex
      ? new RegExp(`^${p.path}`, 'i').test(path)
      : p.pathType === 'Exact' ? path === p.path : path === p.path || path.startsWith(p.path.endsWith('/') ? p.path : `${p.path}/`);
    if (!hit) continue;
    const target = i.metadata.annotations?.['nginx.ingress.kubernetes.io/rewrite-target'] as string | undefined;
    const rewritten = target ? path.replace(new RegExp(`^${p.path}`, 'i'), target) : undefined;
    return { service: p.backend.service.name, port: p.backend.service.port.number, object: i.metadata.name, ...(rewritten ? { rewritten } : {}) };
  }
  return undefined;
}

function traefikMatch(rule: string, host: string, path: string): boolean {
  const m = /^Host\(`([^`]+)`\) && (PathRegexp|PathPrefix|Path)\(`(.+)`\)$/.exec(rule);
  if (!m) throw new Error(`unexpected Traefik rule ${rule}`);
  if (m[1] !== host) return false;
  if (m[2] === 'PathRegexp') return new RegExp(m[3]).test(path);
  return m[2] === 'Path' ? path === m[3] : path.startsWith(m[3]);
}

function traefik(docs: Doc[], host: string, path: string): Hit | undefined {
  const middlewares = new Map(docs.filter((d) => d.kind === 'Middleware').map((d) => [d.metadata.name as string, d]));
  const candidates = docs.filter((d) => d.kind === 'IngressRoute').flatMap((ir) => ir.spec.routes.map((r: Doc) => ({ ir, r })))
    .filter(({ r }) => traefikMatch(r.match, host, path))
    .sort((a, b) => (b.r.priority ?? b.r.match.length) - (a.r.priority ?? a.r.match.length));
  const best = candidates[0];
  if (!best) return undefined;
  let rewritten: string | undefined;
  for (const mw of best.r.middlewares ?? []) {
    const spec = middlewares.get(mw.name)?.spec.replacePathRegex;
    if (spec) rewritten = path.replace(new RegExp(spec.regex), spec.replacement);
  }
  const svc = best.r.services[0];
  return { service: svc.name, port: svc.port, object: best.ir.metadata.name, ...(rewritten ? { rewritten } : {}) };
}

const RANK: Record<string, number> = { Exact: 0, RegularExpression: 1, PathPrefix: 2 };

function gateway(docs: Doc[], host: string, path: string): Hit | undefined {
  const filters = new Map(docs.filter((d) => d.kind === 'HTTPRouteFilter').map((d) => [d.metadata.name as string, d]));
  const entries = docs.filter((d) => d.kind === 'HTTPRoute' && (d.spec.hostnames ?? []).includes(host))
    .flatMap((route) => route.spec.rules.flatMap((rule: Doc) => (rule.matches ?? [{ path: { type: 'PathPrefix', value: '/' } }]).map((m: Doc) => ({ route, rule, m: m.path }))));
  entries.sort((a, b) => RANK[a.m.type] - RANK[b.m.type] || b.m.value.length - a.m.value.length);
  for (const { route, rule, m } of entries) {
    const v = m.value as string;
    const hit = m.type === 'Exact' ? path === v
      : m.type === 'RegularExpression' ? new RegExp(`^(?:${v})$`).test(path)
        : path === v || path.startsWith(v.endsWith('/') ? v : `${v}/`);
    if (!hit) continue;
    let rewritten: string | undefined;
    for (const f of rule.filters ?? []) {
      const spec = f.type === 'ExtensionRef' ? filters.get(f.extensionRef.name)?.spec.urlRewrite?.path?.replaceRegexMatch : undefined;
      if (spec) rewritten = path.replace(new RegExp(spec.pattern), spec.substitution.replace(/\\(\d)/g, '$$$1'));
    }
    const b = rule.backendRefs[0];
    return { service: b.name, port: b.port, object: route.metadata.name, ...(rewritten ? { rewritten } : {}) };
  }
  return undefined;
}

export type Provider = 'ingress-nginx' | 'traefik' | 'gateway-api';
export const PROVIDERS: Provider[] = ['gateway-api', 'traefik', 'ingress-nginx'];

export function resolve(provider: Provider, docs: Doc[], host: string, path: string): Hit | undefined {
  return provider === 'ingress-nginx' ? nginx(docs, host, path) : provider === 'traefik' ? traefik(docs, host, path) : gateway(docs, host, path);
}

/** A concrete request path a Synapse-docs pattern matches (first alternative of each group, `x` for wildcards). */
export function samplePath(pattern: string): string {
  let s = pattern.replace(/^\^/, '').replace(/\$$/, '');
  s = s.replace(/\(\/\.\*\/restart\)\?/g, '');
  s = s.replace(/\(\/\|\$\)/g, '/');
  for (let prev = ''; prev !== s;) { prev = s; s = s.replace(/\(([^()|]+)(\|[^()]*)?\)/g, '$1'); }
  s = s.replace(/\[\^\/\]\+/g, 'x').replace(/\.\*/g, 'x').replace(/\.\+/g, 'x');
  s = s.replace(/\\\./g, '.');
  if (s.endsWith('/')) s += 'x';
  return s;
}
