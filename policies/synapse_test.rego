package mx.synapse

import data.mx.fixtures as fx

base := {
	"server_name": "example.com",
	"public_baseurl": "https://matrix.example.com/",
	"report_stats": false,
	"trusted_key_servers": [{"server_name": "matrix.org"}],
	"max_upload_size": "100M",
	"media_upload_limits": [{"time_period": "1d", "max_size": "1G"}],
	"enable_registration": false,
	"require_auth_for_profile_requests": true,
	"turn_allow_guests": false,
	"listeners": [
		{"port": 8008, "type": "http", "x_forwarded": true, "resources": [{"names": ["client", "federation"]}]},
		{"port": 9000, "type": "metrics"},
	],
}

cm(cfg) := fx.configmap({"homeserver.yaml": json.marshal(cfg)})

with_cfg(extra) := cm(object.union(base, extra))

all_deny := ((((deny_mx_syn_001 | deny_mx_syn_002) | deny_mx_syn_004) | deny_mx_syn_005) | deny_mx_syn_006) | deny_mx_syn_008

all_warn := ((((warn_mx_syn_003 | warn_mx_syn_006) | warn_mx_syn_008) | warn_mx_syn_009) | warn_mx_syn_010)

test_good_homeserver_passes if {
	count(all_deny) == 0 with input as cm(base)
	count(all_warn) == 0 with input as cm(base)
}

test_yaml_homeserver_is_parsed if {
	count(deny_mx_syn_001) == 1 with input as fx.configmap({"homeserver.yaml": "server_name: example.com\nenable_registration: true\n"})
}

# MX-SYN-001
test_syn_001 if {
	count(deny_mx_syn_001) == 1 with input as with_cfg({"enable_registration": true})
	count(deny_mx_syn_001) == 0 with input as with_cfg({"enable_registration": true, "registration_requires_token": true})
	count(deny_mx_syn_001) == 0 with input as with_cfg({"enable_registration": true, "enable_registration_captcha": true})
	count(deny_mx_syn_001) == 0 with input as with_cfg({"enable_registration": true, "registrations_require_3pid": ["email"]})
	count(deny_mx_syn_001) == 1 with input as with_cfg({"enable_registration_without_verification": true})
	count(deny_mx_syn_001) == 0 with input as fx.except(with_cfg({"enable_registration": true}), "MX-SYN-001")
}

# MX-SYN-002
test_syn_002 if {
	full := array.concat(private_ranges, ["10.42.0.0/16", "10.43.0.0/16"])
	count(deny_mx_syn_002) == 0 with input as with_cfg({"url_preview_enabled": true, "url_preview_ip_range_blacklist": full})
	# Cluster CIDRs inside RFC1918 are already covered; others must be listed.
	count(deny_mx_syn_002) == 0 with input as with_cfg({"url_preview_enabled": true, "url_preview_ip_range_blacklist": private_ranges})
	count(deny_mx_syn_002) == 1 with input as with_cfg({"url_preview_enabled": true, "url_preview_ip_range_blacklist": private_ranges}) with data.mx.cluster_cidrs as ["11.0.0.0/16"]
	count(deny_mx_syn_002) == 1 with input as with_cfg({"url_preview_enabled": true, "url_preview_ip_range_blacklist": array.slice(private_ranges, 1, 12)})
	count(deny_mx_syn_002) == 1 with input as with_cfg({"url_preview_enabled": true})
	count(deny_mx_syn_002) == 0 with input as with_cfg({"url_preview_enabled": false})
	count(deny_mx_syn_002) == 0 with input as fx.except(with_cfg({"url_preview_enabled": true}), "MX-SYN-002")
}

# MX-SYN-003
test_syn_003 if {
	count(warn_mx_syn_003) == 1 with input as with_cfg({"ip_range_blacklist": ["127.0.0.0/8"]})
	count(warn_mx_syn_003) == 0 with input as with_cfg({"ip_range_blacklist": private_ranges})
	count(warn_mx_syn_003) == 1 with input as with_cfg({"ip_range_whitelist": ["10.0.0.5/32"]})
	count(warn_mx_syn_003) == 1 with input as with_cfg({"url_preview_ip_range_whitelist": ["10.0.0.5/32"]})
	count(fx.plain(warn_mx_syn_003)) == 0 with input as fx.except(with_cfg({"ip_range_whitelist": ["10.0.0.5/32"]}), "MX-SYN-003")
}

# MX-SYN-004
nest([a], v) := {a: v}

nest([a, b], v) := {a: {b: v}}

nest([a, b, c], v) := {a: {b: {c: v}}}

test_syn_004 if {
	every p in secret_paths {
		count(deny_mx_syn_004) == 1 with input as with_cfg(nest(p, "literal"))
	}
	count(deny_mx_syn_004) == 1 with input as with_cfg({"oidc_providers": [{"idp_id": "x", "client_secret": "s"}]})
	count(deny_mx_syn_004) == 0 with input as with_cfg({"oidc_providers": [{"idp_id": "x", "client_secret_path": "/secrets/s"}]})
	count(deny_mx_syn_004) == 0 with input as fx.except(with_cfg({"form_secret": "x"}), "MX-SYN-004")
	# runtime-templated: filled in inside the pod, not a literal
	count(deny_mx_syn_004) == 0 with input as with_cfg({"database": {"args": {"password": "${SYNAPSE_POSTGRES_PASSWORD}"}}})
	count(deny_mx_syn_004) == 0 with input as with_cfg({"database": {"args": {"password": "@@POSTGRES_PASSWORD@@"}}})
	count(deny_mx_syn_004) == 1 with input as with_cfg({"database": {"args": {"password": "pre${X}post"}}})
}

# MX-SYN-005
test_syn_005 if {
	workers := {"instance_map": {"main": {"host": "a", "port": 9093}, "w": {"host": "b", "port": 9093}}}
	count(deny_mx_syn_005) == 2 with input as with_cfg(workers)
	count(deny_mx_syn_005) == 1 with input as with_cfg(object.union(workers, {"redis": {"enabled": true}}))
	count(deny_mx_syn_005) == 0 with input as with_cfg(object.union(workers, {"redis": {"enabled": true}, "worker_replication_secret_path": "/s"}))
	count(deny_mx_syn_005) == 1 with input as with_cfg({"stream_writers": {"events": ["w"]}, "redis": {"enabled": true}})
	count(deny_mx_syn_005) == 0 with input as with_cfg(workers) with data.mx.overlay as "homelab"
	count(deny_mx_syn_005) == 0 with input as fx.except(with_cfg(workers), "MX-SYN-005")
}

# MX-SYN-006
test_syn_006 if {
	count(deny_mx_syn_006) == 1 with input as with_cfg({"listeners": [{"port": 9001, "type": "manhole"}]})
	count(warn_mx_syn_006) == 1 with input as with_cfg({"listeners": [{"port": 8008, "type": "http", "x_forwarded": true, "resources": [{"names": ["client", "metrics"]}]}]})
	count(warn_mx_syn_006) == 1 with input as with_cfg({"listeners": [{"port": 8008, "type": "http", "resources": [{"names": ["client"]}]}]})
	worker := fx.configmap({"w.yaml": json.marshal({"worker_app": "synapse.app.generic_worker", "worker_listeners": [{"port": 9001, "type": "manhole"}]})})
	count(deny_mx_syn_006) == 1 with input as worker
	count(deny_mx_syn_006) == 0 with input as fx.except(worker, "MX-SYN-006")
}

# MX-SYN-008
test_syn_008 if {
	count(warn_mx_syn_008) == 1 with input as with_cfg({"allow_guest_access": true})
	count(warn_mx_syn_008) == 1 with input as cm(object.remove(base, ["require_auth_for_profile_requests"]))
	count(warn_mx_syn_008) == 1 with input as with_cfg({"allow_public_rooms_without_auth": true})
	# turn_allow_guests defaults to true, but only matters with TURN configured.
	count(warn_mx_syn_008) == 0 with input as cm(object.remove(base, ["turn_allow_guests"]))
	count(warn_mx_syn_008) == 1 with input as cm(object.union(object.remove(base, ["turn_allow_guests"]), {"turn_uris": ["turn:x"]}))
	li := fx.set(with_cfg({"allow_guest_access": true}), "/metadata/namespace", "matrix-li")
	count(deny_mx_syn_008) == 1 with input as li with data.mx.overlay as "li"
	count(deny_mx_syn_008) == 0 with input as with_cfg({"allow_guest_access": true}) with data.mx.overlay as "li"
	count(warn_mx_syn_008) == 0 with input as with_cfg({"allow_guest_access": true}) with data.mx.overlay as "homelab"
	count(deny_mx_syn_008) == 0 with input as fx.except(li, "MX-SYN-008") with data.mx.overlay as "li"
}

# MX-SYN-009
test_syn_009 if {
	count(warn_mx_syn_009) == 1 with input as cm(object.remove(base, ["max_upload_size"]))
	count(warn_mx_syn_009) == 1 with input as cm(object.remove(base, ["media_upload_limits"]))
	count(warn_mx_syn_009) == 1 with input as with_cfg({"max_image_pixels": "64M"})
	count(warn_mx_syn_009) == 0 with input as with_cfg({"max_image_pixels": "32M"})
	count(fx.plain(warn_mx_syn_009)) == 0 with input as fx.except(with_cfg({"max_image_pixels": "64M"}), "MX-SYN-009")
}

# MX-SYN-010
test_syn_010 if {
	count(warn_mx_syn_010) == 1 with input as cm(object.remove(base, ["trusted_key_servers"]))
	count(warn_mx_syn_010) == 0 with input as cm(object.union(object.remove(base, ["trusted_key_servers"]), {"suppress_key_server_warning": true}))
	count(warn_mx_syn_010) == 1 with input as with_cfg({"public_baseurl": "http://matrix.example.com/"})
	count(warn_mx_syn_010) == 1 with input as cm(object.remove(base, ["report_stats"]))
	count(fx.plain(warn_mx_syn_010)) == 0 with input as fx.except(cm(object.remove(base, ["report_stats"])), "MX-SYN-010")
}
