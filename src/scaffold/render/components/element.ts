// Element Web: unprivileged nginx on 8080 with config.json from a ConfigMap.
import type { EnvModel, Model } from '../../model/index.ts';
import { mergeExtra } from '../../config/extra-config.ts';
import { image, nginxStaticVolumes, ingress, resources, restrictedContainer, service, workload, type BaseComponent, type Obj } from '../lib.ts';

export const ELEMENT_PORT = 8080;

/** `ownEnvironment`: this environment's element.extraConfigByEnvironment too (an overlay's own config.json). */
export function elementConfig(model: Model, env: EnvModel, ownEnvironment = false): Obj {
  const e = model.element;
  // Registration in Element follows Synapse's (the li copy never registers).
  const registers = model.synapse.registration.mode !== 'off' && !env.readOnly;
  const branding: Obj = {
    ...(e.logoUrl ? { auth_header_logo_url: e.logoUrl } : {}),
    ...(e.backgroundUrl ? { welcome_background_url: e.backgroundUrl } : {}),
  };
  const pages: Obj = { ...(e.welcomeUrl ? { welcome_url: e.welcomeUrl } : {}), ...(e.homeUrl ? { home_url: e.homeUrl } : {}) };
  const cfg: Obj = {
    default_server_config: { 'm.homeserver': { base_url: `https://${env.hosts.synapse}`, server_name: model.serverName } },
    disable_custom_urls: true,
    brand: e.brand,
    permalink_prefix: `https://${env.hosts.element}`,
    room_directory: { servers: [model.serverName] },
    default_theme: e.defaultTheme,
    setting_defaults: { 'UIFeature.registration': registers },
    ...(Object.keys(branding).length ? { branding } : {}),
    ...(Object.keys(pages).length ? { embedded_pages: pages } : {}),
    ...(e.defaultCountryCode ? { default_country_code: e.defaultCountryCode } : {}),
  };
  if (env.components.jitsi) {
    // Conference calls and the Jitsi widget use the deployed Jitsi, never meet.element.io.
    cfg.jitsi = { preferred_domain: env.hosts.jitsi };
    cfg.jitsi_widget = { skip_built_in_welcome_screen: true };
  }
  if (env.components.livekit) {
    // With a Jitsi of our own, Element Call must not be the only call option.
    cfg.element_call = { use_exclusively: !env.components.jitsi };
    cfg.features = { feature_video_rooms: true, feature_new_room_decoration_ui: true, feature_element_call_video_rooms: true };
  }
  return mergeExtra(cfg, e.extraConfig, ownEnvironment ? e.extraConfigByEnvironment : {}, env.name);
}

export function elementBase(model: Model, env: EnvModel, name = 'element'): BaseComponent {
  const web = nginxStaticVolumes(name, { confD: true });
  const deployment: Obj = workload(name, 101, {
    containers: [{
      name: 'element', image: image('element-web'),
      env: [{ name: 'ELEMENT_WEB_PORT', value: String(ELEMENT_PORT) }],
      ports: [{ name: 'http', containerPort: ELEMENT_PORT, protocol: 'TCP' }],
      // nginx rewrites its config and pid at start, so those paths get emptyDirs.
      volumeMounts: web.volumeMounts,
      securityContext: restrictedContainer(true),
      resources: resources('50m', '64Mi', '128Mi'),
      readinessProbe: { httpGet: { path: '/config.json', port: 'http' }, periodSeconds: 10 },
      livenessProbe: { httpGet: { path: '/config.json', port: 'http' }, periodSeconds: 20 },
    }],
    volumes: web.volumes,
  });
  return {
    name,
    files: {
      'deployment.yaml': [deployment],
      'service.yaml': [service(name, name, [['http', ELEMENT_PORT]])],
      'ingress.yaml': [ingress(name, name, env.hosts.element, [{ path: '/', service: name, port: ELEMENT_PORT }])],
      'config.json': JSON.stringify(elementConfig(model, env), null, 2) + '\n',
    },
    kustomization: { configMapGenerator: [{ name: `${name}-config`, files: ['config.json'] }] },
  };
}
