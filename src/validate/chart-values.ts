// The homeserver configuration the widely used Matrix charts write from their values, so the Synapse
// rules run on a HelmRelease whose chart is not available offline. Facts: flux-semantics.md §6
// (ESS matrix-stack 26.8.1, ananace matrix-synapse 3.12.30).
import { readYaml } from '../lib/yaml-read.ts';
import { asRecord, str } from './types.ts';

export interface MappedHomeserver {
  homeserver?: Record<string, unknown>;
  errors: string[];
  notes: string[];
}

/** matrix-tools' renderer merge (ESS): maps deep, scalars later-wins, arrays concatenated. */
export function essMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const av = out[k];
    if (asRecord(av) && asRecord(v)) out[k] = essMerge(av as Record<string, unknown>, v as Record<string, unknown>);
    else if (Array.isArray(av) && Array.isArray(v)) out[k] = [...av, ...v];
    else out[k] = v;
  }
  return out;
}

// The outbound deny list ESS's 01-shared-underrides sets (Synapse's documented private ranges), so a
// release that enables URL previews without its own list is not reported for a gap the chart closes.
const ESS_PREVIEW_BLACKLIST = [
  '127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '192.0.0.0/24', '169.254.0.0/16',
  '192.88.99.0/24', '198.18.0.0/15', '192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/4', '::1/128',
  'fe80::/10', 'fc00::/7', '2001:db8::/32', 'ff00::/8', 'fec0::/10',
];

// Keys ESS keeps out of the ConfigMap: additional config is stored in the chart's Secret and the
// chart's own credentials are *_path files or ${ENV} filled in inside the pod.
const ESS_SECRET_KEYS = ['registration_shared_secret', 'macaroon_secret_key', 'form_secret', 'turn_shared_secret', 'worker_replication_secret', 'recaptcha_private_key'];

export function essHomeserver(values: Record<string, unknown>): MappedHomeserver {
  const res: MappedHomeserver = { errors: [], notes: [] };
  const synapse = asRecord(values.synapse) ?? {};
  if (synapse.enabled === false) return res;
  let hs: Record<string, unknown> = { report_stats: false, url_preview_ip_range_blacklist: ESS_PREVIEW_BLACKLIST };
  const additional = asRecord(synapse.additional) ?? {};
  // sortAlpha: string order of the names, as the chart iterates them.
  for (const key of Object.keys(additional).sort()) {
    const item = asRecord(additional[key]) ?? {};
    if (typeof item.config === 'string') {
      let doc: Record<string, unknown> | undefined;
      try {
        doc = asRecord(readYaml(item.config, { uniqueKeys: false }));
      } catch (err) {
        res.errors.push(`synapse.additional['${key}'] is invalid: ${(err as Error).message.split('\n')[0]}; the matrix-stack chart refuses to render`);
        continue;
      }
      if (doc) hs = essMerge(hs, doc);
    } else if (item.configSecret) {
      res.notes.push(`synapse.additional['${key}'] comes from Secret ${String(item.configSecret)}; that part of the homeserver configuration is not checked`);
    }
  }
  // 04-homeserver-overrides: chart-owned, always wins.
  if (str(values.serverName)) hs.server_name = values.serverName;
  const host = str(asRecord(synapse.ingress)?.host);
  if (host) hs.public_baseurl = `https://${host}/`;
  const upload = asRecord(synapse.media)?.maxUploadSize;
  if (upload !== undefined) hs.max_upload_size = upload;
  delete hs.database;
  for (const k of ESS_SECRET_KEYS) delete hs[k];
  res.homeserver = hs;
  return res;
}

/**
 * ananace matrix-synapse: the chart's ConfigMap homeserver.yaml from `serverName` and `config.*`, then
 * `extraConfig` appended verbatim; a repeated key resolves to its last occurrence (PyYAML), so each
 * extraConfig key replaces the chart's whole top-level key.
 */
export function ananaceHomeserver(values: Record<string, unknown>): MappedHomeserver {
  const res: MappedHomeserver = { errors: [], notes: [] };
  const config = asRecord(values.config) ?? {};
  const serverName = str(values.serverName);
  if (!serverName) {
    res.errors.push('serverName is required by the matrix-synapse chart (top-level serverName, not config.serverName)');
    return res;
  }
  const hs: Record<string, unknown> = {
    server_name: serverName,
    public_baseurl: str(config.publicBaseurl) ?? `https://${str(values.publicServerName) ?? serverName}`,
    report_stats: config.reportStats,
    enable_registration: config.enableRegistration ?? false,
  };
  if (config.trustedKeyServers !== undefined) hs.trusted_key_servers = config.trustedKeyServers;
  if (config.turnUris !== undefined) hs.turn_uris = config.turnUris;
  const recaptcha = asRecord(config.recaptcha);
  if (str(recaptcha?.publicKey)) {
    hs.recaptcha_public_key = recaptcha?.publicKey;
    hs.enable_registration_captcha = true;
  }
  const extra = asRecord(values.extraConfig) ?? {};
  for (const [k, v] of Object.entries(extra)) hs[k] = v;
  for (const k of Object.keys(hs)) if (hs[k] === undefined) delete hs[k];
  res.homeserver = hs;
  return res;
}
