# Synapse homeserver.yaml, parsed out of its ConfigMap with yaml.unmarshal.
package mx.synapse

import data.mx.lib

hs contains {"key": k, "cfg": cfg} if some k, cfg in lib.in_homeserver

where(h) := sprintf("ConfigMap %s %s", [lib.in_name, h.key])

# ---------------------------------------------------------------- MX-SYN-001

# METADATA
# title: Open registration needs a gate
# description: If enable_registration is true, at least one of enable_registration_captcha, registrations_require_3pid or registration_requires_token is set; enable_registration_without_verification is never true.
# custom:
#   id: MX-SYN-001
#   kinds: [ConfigMap]
#   severity: deny
#   overlays: [all]
#   anchors: [Synapse config docs (open registration is a known vector for spam and abuse)]
deny_mx_syn_001 contains r if some r in lib.denied(syn_001)

# METADATA
# title: Open registration needs a gate (excepted)
# custom:
#   id: MX-SYN-001
#   companion: true
warn_mx_syn_001 contains r if some r in lib.warned(syn_001)

gated(cfg) if cfg.enable_registration_captcha == true

gated(cfg) if count(object.get(cfg, "registrations_require_3pid", [])) > 0

gated(cfg) if cfg.registration_requires_token == true

syn_001 contains lib.v("MX-SYN-001", "deny", input, msg) if {
	some h in hs
	h.cfg.enable_registration == true
	not gated(h.cfg)
	msg := sprintf("%s: enable_registration needs registration_requires_token, enable_registration_captcha or registrations_require_3pid", [where(h)])
}

syn_001 contains lib.v("MX-SYN-001", "deny", input, msg) if {
	some h in hs
	h.cfg.enable_registration_without_verification == true
	msg := sprintf("%s: remove enable_registration_without_verification", [where(h)])
}

# ---------------------------------------------------------------- MX-SYN-002

# METADATA
# title: URL previews cannot reach private networks
# description: If url_preview_enabled, url_preview_ip_range_blacklist covers loopback, RFC1918, CGNAT, link-local, benchmark, multicast and IPv6 private ranges plus data.mx.cluster_cidrs.
# custom:
#   id: MX-SYN-002
#   kinds: [ConfigMap]
#   severity: deny
#   overlays: [all]
#   anchors: [Synapse url_preview_ip_range_blacklist]
deny_mx_syn_002 contains r if some r in lib.denied(syn_002)

# METADATA
# title: URL previews cannot reach private networks (excepted)
# custom:
#   id: MX-SYN-002
#   companion: true
warn_mx_syn_002 contains r if some r in lib.warned(syn_002)

private_ranges := [
	"127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "192.0.0.0/24",
	"169.254.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "::1/128", "fe80::/10", "fc00::/7",
]

syn_002 contains lib.v("MX-SYN-002", "deny", input, msg) if {
	some h in hs
	h.cfg.url_preview_enabled == true
	missing := lib.missing_cidrs(object.get(h.cfg, "url_preview_ip_range_blacklist", []), array.concat(private_ranges, lib.cluster_cidrs))
	count(missing) > 0
	msg := sprintf("%s: add %v to url_preview_ip_range_blacklist (previews would fetch internal addresses)", [where(h), missing])
}

# ---------------------------------------------------------------- MX-SYN-003

# METADATA
# title: Outbound IP blacklist kept, no whitelists
# description: An overridden ip_range_blacklist still covers the private defaults; ip_range_whitelist and url_preview_ip_range_whitelist stay empty unless excepted.
# custom:
#   id: MX-SYN-003
#   kinds: [ConfigMap]
#   severity: warn
#   overlays: [all]
#   anchors: [Synapse ip_range_blacklist]
warn_mx_syn_003 contains r if some r in lib.warned(syn_003)

syn_003 contains lib.v("MX-SYN-003", "warn", input, msg) if {
	some h in hs
	bl := h.cfg.ip_range_blacklist
	missing := lib.missing_cidrs(bl, private_ranges)
	count(missing) > 0
	msg := sprintf("%s: ip_range_blacklist overrides the defaults without %v", [where(h), missing])
}

syn_003 contains lib.v("MX-SYN-003", "warn", input, msg) if {
	some h in hs
	some f in ["ip_range_whitelist", "url_preview_ip_range_whitelist"]
	count(object.get(h.cfg, f, [])) > 0
	msg := sprintf("%s: %s opens holes in the outbound blacklist; remove it or add an exception with a reason", [where(h), f])
}

# ---------------------------------------------------------------- MX-SYN-004

# METADATA
# title: No secrets in homeserver.yaml
# description: registration_shared_secret, macaroon_secret_key, form_secret, turn_shared_secret, worker_replication_secret, database.args.password, redis.password, oidc_providers[*].client_secret, matrix_authentication_service.secret, email.smtp_pass and recaptcha_private_key never appear literally in a ConfigMap; use the *_path variants or an extra SOPS Secret passed with --config-path.
# custom:
#   id: MX-SYN-004
#   kinds: [ConfigMap]
#   severity: deny
#   overlays: [all]
#   anchors: [Synapse *_path options, KSV109]
deny_mx_syn_004 contains r if some r in lib.denied(syn_004)

# METADATA
# title: No secrets in homeserver.yaml (excepted)
# custom:
#   id: MX-SYN-004
#   companion: true
warn_mx_syn_004 contains r if some r in lib.warned(syn_004)

secret_paths := [
	["registration_shared_secret"], ["macaroon_secret_key"], ["form_secret"], ["turn_shared_secret"],
	["worker_replication_secret"], ["database", "args", "password"], ["redis", "password"],
	["matrix_authentication_service", "secret"], ["email", "smtp_pass"], ["recaptcha_private_key"],
]

syn_004 contains lib.v("MX-SYN-004", "deny", input, msg) if {
	some h in hs
	some p in secret_paths
	object.get(h.cfg, p, "") != ""
	not runtime_templated(object.get(h.cfg, p, ""))
	msg := sprintf("%s: %s is a literal secret in a ConfigMap; use %s_path pointing at a mounted Secret", [where(h), concat(".", p), concat(".", p)])
}

syn_004 contains lib.v("MX-SYN-004", "deny", input, msg) if {
	some h in hs
	some i, p in object.get(h.cfg, "oidc_providers", [])
	object.get(p, "client_secret", "") != ""
	not runtime_templated(p.client_secret)
	msg := sprintf("%s: oidc_providers[%d].client_secret is a literal; use client_secret_path", [where(h), i])
}

# A value the container fills in at start (ESS's renderer substitutes ${NAME} from the environment,
# the ananace chart's start script replaces @@NAME@@): a reference, not a literal secret.
runtime_templated(v) if regex.match(`^\s*(\$\{[A-Za-z_][A-Za-z0-9_]*\}|@@[A-Za-z_][A-Za-z0-9_]*@@)\s*$`, v)

# ---------------------------------------------------------------- MX-SYN-005

# METADATA
# title: Workers need Redis and a replication secret
# description: If the homeserver declares workers (instance_map, stream_writers, *_instances), redis.enabled is true and worker_replication_secret(_path) is set. The combined pass also checks worker ConfigMaps against the main homeserver.
# custom:
#   id: MX-SYN-005
#   kinds: [ConfigMap]
#   severity: deny
#   overlays: [production, li]
#   anchors: [Synapse workers.md, worker_replication_secret]
deny_mx_syn_005 contains r if some r in lib.denied(syn_005)

# METADATA
# title: Workers need Redis and a replication secret (excepted)
# custom:
#   id: MX-SYN-005
#   companion: true
warn_mx_syn_005 contains r if some r in lib.warned(syn_005)

has_workers(cfg) if count(object.get(cfg, "instance_map", {})) > 1

has_workers(cfg) if count(object.get(cfg, "stream_writers", {})) > 0

syn_005 contains lib.v("MX-SYN-005", "deny", input, msg) if {
	lib.production
	some h in hs
	has_workers(h.cfg)
	object.get(h.cfg, ["redis", "enabled"], false) != true
	msg := sprintf("%s: workers are configured; set redis.enabled: true", [where(h)])
}

syn_005 contains lib.v("MX-SYN-005", "deny", input, msg) if {
	lib.production
	some h in hs
	has_workers(h.cfg)
	not h.cfg.worker_replication_secret_path
	not h.cfg.worker_replication_secret
	msg := sprintf("%s: workers are configured; set worker_replication_secret_path (replication traffic is unauthenticated otherwise)", [where(h)])
}

# ---------------------------------------------------------------- MX-SYN-006

# METADATA
# title: No manhole; metrics on a dedicated listener; client listener trusts the proxy
# description: No listener of type manhole (deny). metrics only on its own listener and the client listener sets x_forwarded true behind the Ingress (warnings).
# custom:
#   id: MX-SYN-006
#   kinds: [ConfigMap]
#   severity: deny
#   overlays: [all]
#   anchors: [Synapse manhole.md, metrics-howto.md, reverse_proxy.md]
deny_mx_syn_006 contains r if some r in lib.denied(syn_006)

# METADATA
# title: Synapse listener hygiene (warnings, excepted)
# custom:
#   id: MX-SYN-006
#   companion: true
warn_mx_syn_006 contains r if some r in lib.warned(syn_006)

listeners(cfg) := object.get(cfg, "listeners", []) if not cfg.worker_app

listeners(cfg) := object.get(cfg, "worker_listeners", []) if cfg.worker_app

configs contains {"key": k, "cfg": cfg} if some k, cfg in lib.in_homeserver

configs contains {"key": k, "cfg": cfg} if some k, cfg in lib.in_worker_config

resource_names(l) := {n | some r in object.get(l, "resources", []); some n in object.get(r, "names", [])}

syn_006 contains lib.v("MX-SYN-006", "deny", input, msg) if {
	some h in configs
	some l in listeners(h.cfg)
	l.type == "manhole"
	msg := sprintf("%s: remove the manhole listener on port %v (a Python shell into Synapse)", [where(h), l.port])
}

syn_006 contains lib.v("MX-SYN-006", "warn", input, msg) if {
	some h in configs
	some l in listeners(h.cfg)
	"metrics" in resource_names(l)
	count(resource_names(l)) > 1
	msg := sprintf("%s: serve metrics on a dedicated listener (type: metrics), not next to %v on port %v", [where(h), resource_names(l) - {"metrics"}, l.port])
}

syn_006 contains lib.v("MX-SYN-006", "warn", input, msg) if {
	some h in configs
	some l in listeners(h.cfg)
	"client" in resource_names(l)
	object.get(l, "x_forwarded", false) != true
	msg := sprintf("%s: client listener on port %v sits behind the Ingress; set x_forwarded: true", [where(h), l.port])
}

# ---------------------------------------------------------------- MX-SYN-008

# METADATA
# title: No guest access, authenticated profiles
# description: allow_guest_access false, turn_allow_guests false when turn_uris are set (Synapse defaults to true), allow_public_rooms_without_auth false, require_auth_for_profile_requests true. Warning in production, deny for the lawful-intercept instance.
# custom:
#   id: MX-SYN-008
#   kinds: [ConfigMap]
#   severity: warn
#   li: deny
#   overlays: [production, li]
#   anchors: [Synapse config docs]
deny_mx_syn_008 contains r if some r in lib.denied(syn_008)

# METADATA
# title: No guest access, authenticated profiles (warnings, excepted)
# custom:
#   id: MX-SYN-008
#   companion: true
warn_mx_syn_008 contains r if some r in lib.warned(syn_008)

syn_008_level := "deny" if lib.li_resource(input)

syn_008_level := "warn" if not lib.li_resource(input)

# key → [value required, Synapse default]
guest_settings := {
	"allow_guest_access": [false, false],
	"turn_allow_guests": [false, true],
	"allow_public_rooms_without_auth": [false, false],
	"require_auth_for_profile_requests": [true, false],
}

# turn_allow_guests only matters when Synapse hands out TURN credentials.
applies(k, _) if k != "turn_allow_guests"

applies("turn_allow_guests", cfg) if count(object.get(cfg, "turn_uris", [])) > 0

syn_008 contains lib.v("MX-SYN-008", syn_008_level, input, msg) if {
	lib.production
	some h in hs
	some k, want in guest_settings
	applies(k, h.cfg)
	object.get(h.cfg, k, want[1]) != want[0]
	msg := sprintf("%s: set %s: %v", [where(h), k, want[0]])
}

# ---------------------------------------------------------------- MX-SYN-009

# METADATA
# title: Media limits
# description: max_upload_size is set, max_image_pixels is at most 32M, media_upload_limits is non-empty.
# custom:
#   id: MX-SYN-009
#   kinds: [ConfigMap]
#   severity: warn
#   overlays: [all]
#   anchors: [Synapse media options]
warn_mx_syn_009 contains r if some r in lib.warned(syn_009)

syn_009 contains lib.v("MX-SYN-009", "warn", input, msg) if {
	some h in hs
	not h.cfg.max_upload_size
	msg := sprintf("%s: set max_upload_size explicitly (and match the Ingress proxy-body-size)", [where(h)])
}

syn_009 contains lib.v("MX-SYN-009", "warn", input, msg) if {
	some h in hs
	px := units.parse(sprintf("%v", [h.cfg.max_image_pixels]))
	px > 32000000
	msg := sprintf("%s: max_image_pixels %v exceeds 32M (thumbnailing large images exhausts memory)", [where(h), h.cfg.max_image_pixels])
}

syn_009 contains lib.v("MX-SYN-009", "warn", input, msg) if {
	some h in hs
	count(object.get(h.cfg, "media_upload_limits", [])) == 0
	msg := sprintf("%s: set media_upload_limits (per-user upload volume per time period)", [where(h)])
}

# ---------------------------------------------------------------- MX-SYN-010

# METADATA
# title: Explicit federation trust and public URL
# description: trusted_key_servers is explicit (or suppress_key_server_warning), public_baseurl is https, report_stats is explicit. federation_domain_whitelist is not checked (whether federation is private is a deployment choice).
# custom:
#   id: MX-SYN-010
#   kinds: [ConfigMap]
#   severity: warn
#   overlays: [all]
#   anchors: [Synapse config docs]
warn_mx_syn_010 contains r if some r in lib.warned(syn_010)

syn_010 contains lib.v("MX-SYN-010", "warn", input, msg) if {
	some h in hs
	not "trusted_key_servers" in object.keys(h.cfg)
	not h.cfg.suppress_key_server_warning
	msg := sprintf("%s: set trusted_key_servers explicitly", [where(h)])
}

syn_010 contains lib.v("MX-SYN-010", "warn", input, msg) if {
	some h in hs
	not startswith(object.get(h.cfg, "public_baseurl", ""), "https://")
	msg := sprintf("%s: set public_baseurl to the https URL clients use", [where(h)])
}

syn_010 contains lib.v("MX-SYN-010", "warn", input, msg) if {
	some h in hs
	not "report_stats" in object.keys(h.cfg)
	msg := sprintf("%s: set report_stats explicitly (true or false)", [where(h)])
}
