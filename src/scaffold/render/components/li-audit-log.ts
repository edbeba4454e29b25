// Audit logging for the li copy: every request the LI Synapse serves is logged at INFO to stdout
// as one structured (JSON) line by Synapse's access logger (synapse.access.http.<port>: client
// IP, user, method, path, status, timings), separate from the human-readable log of the rest.
// The cluster's log pipeline keeps stdout; nothing here writes to the pod's filesystem.
export const LI_LOG_CONFIG_PATH = '/config/log.yaml';

export function liLogConfig(): Record<string, unknown> {
  const context = ['context'];
  return {
    version: 1,
    formatters: {
      precise: { format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s' },
      structured: { class: 'synapse.logging.TerseJsonFormatter' },
    },
    filters: { context: { '()': 'synapse.logging.context.LoggingContextFilter', request: '' } },
    handlers: {
      console: { class: 'logging.StreamHandler', formatter: 'precise', filters: context, stream: 'ext://sys.stdout' },
      access: { class: 'logging.StreamHandler', formatter: 'structured', filters: context, stream: 'ext://sys.stdout' },
    },
    loggers: {
      // The client listener on 8008 is the only one the copy serves.
      'synapse.access.http.8008': { level: 'INFO', handlers: ['access'], propagate: false },
      'synapse.storage.SQL': { level: 'WARNING' },
    },
    root: { level: 'INFO', handlers: ['console'] },
    disable_existing_loggers: false,
  };
}
