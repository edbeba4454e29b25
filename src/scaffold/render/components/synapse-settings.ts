// The operator's homeserver.yaml settings (config `synapse:`): registration, e-mail, retention,
// media limits, previews, auto-join, server notices, federation, presence, stats, log level and
// the room directory. homeserverConfig lays these over its fixed base and extraConfig over both.
import type { EnvModel, Model } from '../../model/index.ts';
import type { EmailSettings, SynapseSettings } from '../../config/types.ts';
import type { Obj } from '../lib.ts';

export const SYNAPSE_LOG_CONFIG_PATH = '/config/log.yaml';

/** Synapse `email:` keys for the settings; `smtp_pass` only where the caller puts the secret in. */
export function emailBlock(e: EmailSettings, clientBaseUrl: string): Obj {
  return {
    smtp_host: e.smtpHost,
    smtp_port: e.smtpPort,
    ...(e.user !== undefined ? { smtp_user: e.user } : {}),
    // force_tls: TLS from the first byte (SMTPS); require_transport_security: STARTTLS or fail.
    force_tls: e.tls === 'implicit',
    require_transport_security: e.tls === 'starttls',
    enable_tls: e.tls !== 'none',
    notif_from: e.from,
    app_name: e.appName,
    enable_notifs: e.notifications,
    notif_for_new_users: e.notifications,
    client_base_url: clientBaseUrl,
  };
}

/** An authenticated SMTP server needs a password, which Synapse only reads inline: the whole
 *  `email:` block then lives in a SOPS Secret loaded as a second config file (see synapseSecretSpecs). */
export function emailInSecret(s: SynapseSettings): boolean {
  return s.email?.user !== undefined;
}

function registration(s: SynapseSettings): Obj {
  const r = s.registration;
  if (r.mode === 'off') return { enable_registration: false };
  if (r.mode === 'token') {
    // Tokens are made with the admin API (POST /_synapse/admin/v1/registration_tokens/new; README).
    return { enable_registration: true, registration_requires_token: true };
  }
  return {
    enable_registration: true,
    ...(r.requireEmail ? { registrations_require_3pid: ['email'] } : {}),
    ...(r.recaptcha ? {
      enable_registration_captcha: true,
      recaptcha_public_key_path: '/secrets/synapse-recaptcha-public-key/recaptcha_public_key',
      recaptcha_private_key_path: '/secrets/synapse-recaptcha-private-key/recaptcha_private_key',
    } : {}),
  };
}

function federation(s: SynapseSettings): Obj {
  if (s.federation === 'open') return {};
  // An explicit list (empty = nobody) is Synapse's own federation allow-list.
  return { federation_domain_whitelist: s.federation === 'off' ? [] : [...s.federationAllowList], ...(s.federation === 'off' ? { trusted_key_servers: [] } : {}) };
}

/** Root log level through a log config (Synapse has no plain log-level option). */
export function synapseLogConfig(level: SynapseSettings['logLevel']): Obj {
  return {
    version: 1,
    formatters: { precise: { format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s' } },
    filters: { context: { '()': 'synapse.logging.context.LoggingContextFilter', request: '' } },
    handlers: { console: { class: 'logging.StreamHandler', formatter: 'precise', filters: ['context'], stream: 'ext://sys.stdout' } },
    loggers: { 'synapse.storage.SQL': { level: level === 'DEBUG' ? 'DEBUG' : 'WARNING' } },
    root: { level, handlers: ['console'] },
    disable_existing_loggers: false,
  };
}

export function synapseSettings(model: Model, env: EnvModel): Obj {
  const s = model.synapse;
  const cfg: Obj = {
    report_stats: s.reportStats,
    max_upload_size: s.maxUploadSize,
    max_image_pixels: s.maxImagePixels,
    ...registration(s),
    presence: { enabled: s.presence },
    room_list_publication_rules: [{ action: s.roomDirectory.publish === 'users' ? 'allow' : 'deny' }],
    allow_public_rooms_over_federation: s.roomDirectory.overFederation,
    allow_public_rooms_without_auth: !s.roomDirectory.requireAuth,
    ...federation(s),
  };
  // A per-user quota next to the per-file limit: one account cannot fill the media store (MX-SYN-009).
  if (s.mediaUploadLimits.length) cfg.media_upload_limits = s.mediaUploadLimits.map((l) => ({ time_period: l.timePeriod, max_size: l.maxSize }));
  if (!s.urlPreviews) cfg.url_preview_enabled = false;
  if (s.autoJoinRooms.length) cfg.auto_join_rooms = [...s.autoJoinRooms];
  if (s.serverNotices) {
    cfg.server_notices = { system_mxid_localpart: 'server', system_mxid_display_name: 'Server Notices', room_name: 'Server Notices' };
  }
  if (s.retention) {
    cfg.retention = {
      enabled: true,
      ...(s.retention.maxLifetime ? { default_policy: { max_lifetime: s.retention.maxLifetime } } : {}),
      allowed_lifetime_min: s.retention.allowedLifetimeMin ?? '1d',
      ...(s.retention.allowedLifetimeMax ? { allowed_lifetime_max: s.retention.allowedLifetimeMax } : {}),
    };
  }
  if (s.email && !emailInSecret(s)) cfg.email = emailBlock(s.email, `https://${env.hosts.element}`);
  if (s.logLevel !== 'INFO') cfg.log_config = SYNAPSE_LOG_CONFIG_PATH;
  return cfg;
}
