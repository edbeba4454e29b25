// The one table of worker routes (element-hq/synapse docs/workers.md, v1.157.x). The homeserver
// config (instance_map, stream_writers), the worker Deployments and the routing Ingress are all
// derived from it, so a route can never point at a worker that is not deployed or cannot serve it.

export type ListenerResource = 'client' | 'federation' | 'media';

export interface WorkerDef {
  app: 'synapse.app.generic_worker' | 'synapse.app.media_repository';
  /** HTTP resources its public listener serves; empty = takes no HTTP traffic. */
  resources: ListenerResource[];
  /** Streams it writes, which puts it in instance_map. */
  streams: string[];
}

export const WORKERS = {
  synchrotron: { app: 'synapse.app.generic_worker', resources: ['client'], streams: [] },
  client_reader: { app: 'synapse.app.generic_worker', resources: ['client'], streams: [] },
  federation_reader: { app: 'synapse.app.generic_worker', resources: ['federation'], streams: [] },
  event_persister: { app: 'synapse.app.generic_worker', resources: [], streams: ['events'] },
  stream_writer: {
    app: 'synapse.app.generic_worker',
    resources: ['client'],
    streams: ['typing', 'to_device', 'account_data', 'receipts', 'presence', 'push_rules', 'device_lists'],
  },
  media_repository: { app: 'synapse.app.media_repository', resources: ['media'], streams: [] },
  federation_sender: { app: 'synapse.app.generic_worker', resources: [], streams: [] },
  pusher: { app: 'synapse.app.generic_worker', resources: [], streams: [] },
  background_worker: { app: 'synapse.app.generic_worker', resources: [], streams: [] },
} as const satisfies Record<string, WorkerDef>;

export type WorkerType = keyof typeof WORKERS;

export interface Route {
  /** Anchored regex as in the Synapse docs. */
  pattern: string;
  worker: WorkerType;
  /** The listener resource a process needs to answer this path. */
  needs: ListenerResource;
  /** Admin API routes are routed only inside the cluster, never through a public Ingress. */
  public: boolean;
}

const C = '(api/v1|r0|v3|unstable)';
const R = '(r0|v3|unstable)';

const sync = [
  '^/_matrix/client/(r0|v3)/sync$',
  '^/_matrix/client/(api/v1|r0|v3)/events$',
  '^/_matrix/client/(api/v1|r0|v3)/initialSync$',
  '^/_matrix/client/(api/v1|r0|v3)/rooms/[^/]+/initialSync$',
];

const federation = [
  '^/_matrix/federation/v1/version$',
  '^/_matrix/federation/v1/event/',
  '^/_matrix/federation/v1/state/',
  '^/_matrix/federation/v1/state_ids/',
  '^/_matrix/federation/v1/backfill/',
  '^/_matrix/federation/v1/get_missing_events/',
  '^/_matrix/federation/v1/publicRooms',
  '^/_matrix/federation/v1/query/',
  '^/_matrix/federation/v1/make_join/',
  '^/_matrix/federation/v1/make_leave/',
  '^/_matrix/federation/(v1|v2)/send_join/',
  '^/_matrix/federation/(v1|v2)/send_leave/',
  '^/_matrix/federation/v1/make_knock/',
  '^/_matrix/federation/v1/send_knock/',
  '^/_matrix/federation/(v1|v2)/invite/',
  '^/_matrix/federation/v1/event_auth/',
  '^/_matrix/federation/v1/timestamp_to_event/',
  '^/_matrix/federation/v1/exchange_third_party_invite/',
  '^/_matrix/federation/v1/user/devices/',
  '^/_matrix/key/v2/query',
  '^/_matrix/federation/v1/hierarchy/',
  '^/_matrix/federation/v1/send/',
];

// device_lists endpoints are absent here on purpose: they go to the stream writer below.
const clientReader = [
  `^/_matrix/client/${C}/createRoom$`,
  `^/_matrix/client/${C}/publicRooms$`,
  `^/_matrix/client/${C}/rooms/.*/joined_members$`,
  `^/_matrix/client/${C}/rooms/.*/context/.*$`,
  `^/_matrix/client/${C}/rooms/.*/members$`,
  `^/_matrix/client/${C}/rooms/.*/state$`,
  '^/_matrix/client/v1/rooms/.*/hierarchy$',
  '^/_matrix/client/(v1|unstable)/rooms/.*/relations/',
  '^/_matrix/client/v1/rooms/.*/threads$',
  '^/_matrix/client/unstable/im.nheko.summary/summary/.*$',
  '^/_matrix/client/v1/room_summary/.*$',
  `^/_matrix/client/${R}/account/3pid$`,
  `^/_matrix/client/${R}/account/whoami$`,
  `^/_matrix/client/${R}/account/deactivate$`,
  '^/_matrix/client/versions$',
  `^/_matrix/client/${C}/voip/turnServer$`,
  `^/_matrix/client/${C}/rooms/.*/event/`,
  `^/_matrix/client/${C}/joined_rooms$`,
  '^/_matrix/client/v1/rooms/.*/timestamp_to_event$',
  '^/_matrix/client/(api/v1|r0|v3|unstable/.*)/rooms/.*/aliases',
  `^/_matrix/client/${C}/search$`,
  `^/_matrix/client/${R}/user/.*/filter(/|$)`,
  `^/_matrix/client/${C}/directory/room/.*$`,
  `^/_matrix/client/${R}/capabilities$`,
  `^/_matrix/client/${R}/notifications$`,
  `^/_matrix/client/${R}/keys/query$`,
  `^/_matrix/client/${R}/keys/changes$`,
  `^/_matrix/client/${R}/keys/claim$`,
  `^/_matrix/client/${R}/room_keys/`,
  `^/_matrix/client/${C}/login$`,
  `^/_matrix/client/${R}/register$`,
  `^/_matrix/client/${R}/register/available$`,
  '^/_matrix/client/v1/register/m.login.registration_token/validity$',
  `^/_matrix/client/${R}/password_policy$`,
  `^/_matrix/client/${C}/rooms/.*/redact`,
  `^/_matrix/client/${C}/rooms/.*/send`,
  `^/_matrix/client/${C}/rooms/.*/state/`,
  `^/_matrix/client/${C}/rooms/.*/(join|invite|leave|ban|unban|kick)$`,
  `^/_matrix/client/${C}/join/`,
  `^/_matrix/client/${C}/knock/`,
  `^/_matrix/client/${C}/profile/`,
  `^/_matrix/client/${R}/user_directory/search$`,
  '^/_matrix/client/unstable/org.matrix.msc4140/delayed_events(/.*/restart)?$',
  // One instance only, so all pagination of a room lands on the same process.
  `^/_matrix/client/${C}/rooms/.*/messages$`,
];

const streamWriter = [
  `^/_matrix/client/${C}/rooms/.*/typing`,
  `^/_matrix/client/${R}/sendToDevice/`,
  `^/_matrix/client/${R}/.*/tags`,
  `^/_matrix/client/${R}/.*/account_data`,
  `^/_matrix/client/${R}/rooms/.*/receipt`,
  `^/_matrix/client/${R}/rooms/.*/read_markers`,
  `^/_matrix/client/${C}/presence/`,
  `^/_matrix/client/${C}/pushrules/`,
  '^/_matrix/client/(r0|v3)/delete_devices$',
  `^/_matrix/client/${C}/devices(/|$)`,
  `^/_matrix/client/${R}/keys/upload`,
  `^/_matrix/client/${C}/keys/device_signing/upload$`,
  `^/_matrix/client/${C}/keys/signatures/upload$`,
];

const media = ['^/_matrix/media/', '^/_matrix/client/v1/media/', '^/_matrix/federation/v1/media/'];

const adminInternal: Array<[string, WorkerType, ListenerResource]> = [
  ['^/_synapse/admin/v1/rooms/[^/]+$', 'client_reader', 'client'],
  ['^/_synapse/admin/v1/(purge_media_cache|room/.*/media.*|user/.*/media.*|media/.*|quarantine_media/.*|users/.*/media)$', 'media_repository', 'media'],
];

export const ROUTES: readonly Route[] = [
  ...sync.map((pattern): Route => ({ pattern, worker: 'synchrotron', needs: 'client', public: true })),
  ...federation.map((pattern): Route => ({ pattern, worker: 'federation_reader', needs: 'federation', public: true })),
  ...streamWriter.map((pattern): Route => ({ pattern, worker: 'stream_writer', needs: 'client', public: true })),
  ...clientReader.map((pattern): Route => ({ pattern, worker: 'client_reader', needs: 'client', public: true })),
  ...media.map((pattern): Route => ({ pattern, worker: 'media_repository', needs: 'media', public: true })),
  ...adminInternal.map(([pattern, worker, needs]): Route => ({ pattern, worker, needs, public: false })),
];

/** Routes whose worker is deployed; the rest stay on the main process. */
export function routesFor(workers: readonly WorkerType[]): Route[] {
  return ROUTES.filter((r) => workers.includes(r.worker));
}

/** Kubernetes-safe name of a worker's resources. */
export function workerResourceName(w: WorkerType): string {
  return `synapse-${w.replaceAll('_', '-')}`;
}
