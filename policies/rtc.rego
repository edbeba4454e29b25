# Real-time communication: coturn turnserver.conf (read line by line), LiveKit YAML, host exposure.
package mx.rtc

import data.mx.lib

turn contains {"key": k, "lines": lib.turn_lines(raw)} if {
	input.kind == "ConfigMap"
	some k, raw in object.get(input, "data", {})
	endswith(k, "turnserver.conf")
}

where(t) := sprintf("ConfigMap %s %s", [lib.in_name, t.key])

# ---------------------------------------------------------------- MX-RTC-001

# METADATA
# title: TURN relays cannot reach private networks
# description: denied-peer-ip covers 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.0.0/24, 192.0.2/24, 192.88.99/24, 192.168/16, 198.18/15, 198.51.100/24, 203.0.113/24, 240/4, the IPv6 loopback, NAT64, mapped, ULA and link-local ranges and data.mx.cluster_cidrs; allowed-peer-ip lists single addresses only (the TURN's own IP).
# custom:
#   id: MX-RTC-001
#   kinds: [ConfigMap]
#   severity: deny
#   home: warn
#   overlays: [all]
#   anchors: [Synapse docs/setup/turn/coturn.md]
deny_mx_rtc_001 contains r if some r in lib.denied(rtc_001)

# METADATA
# title: TURN relays cannot reach private networks (downgraded or excepted)
# custom:
#   id: MX-RTC-001
#   companion: true
warn_mx_rtc_001 contains r if some r in lib.warned(rtc_001)

required_v4 := [
	"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
	"192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
	"198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4",
]

# IPv6 ranges are matched by their first address as written in coturn's range syntax.
required_v6_starts := ["::1", "64:ff9b::", "::ffff:0", "fc00::", "fe80::"]

ip4(s) := n if {
	regex.match(`^[0-9]{1,3}(\.[0-9]{1,3}){3}$`, s)
	o := [to_number(x) | some x in split(s, ".")]
	count(o) == 4
	n := ((o[0] * 256 + o[1]) * 256 + o[2]) * 256 + o[3]
}

# A denied-peer-ip value as [first, last] IPv4 integers ("a-b", "a/len" or "a").
v4_range(val) := [ip4(a), ip4(b)] if [a, b] := split(val, "-")

v4_range(val) := [ip4(val), ip4(val)] if {
	not contains(val, "-")
	not contains(val, "/")
}

v4_range(val) := cidr_range(val) if contains(val, "/")

cidr_range(c) := [first, first + size - 1] if {
	[a, len] := split(c, "/")
	size := bits.lsh(1, 32 - to_number(len))
	first := ip4(a)
}

covered_v4(denied, c) if {
	need := cidr_range(c)
	some d in denied
	have := v4_range(d)
	have[0] <= need[0]
	have[1] >= need[1]
}

rtc_001 contains lib.v("MX-RTC-001", "home", input, msg) if {
	some t in turn
	denied := lib.turn_value(t.lines, "denied-peer-ip")
	v4_needed := array.concat(required_v4, [c | some c in lib.cluster_cidrs; not contains(c, ":")])
	missing := [c | some c in v4_needed; not covered_v4(denied, c)]
	count(missing) > 0
	msg := sprintf("%s: add denied-peer-ip lines for %v (TURN would relay into private networks)", [where(t), missing])
}

rtc_001 contains lib.v("MX-RTC-001", "home", input, msg) if {
	some t in turn
	denied := lib.turn_value(t.lines, "denied-peer-ip")
	missing := [s | some s in required_v6_starts; not v6_present(denied, s)]
	count(missing) > 0
	msg := sprintf("%s: add denied-peer-ip lines for the IPv6 ranges starting %v", [where(t), missing])
}

v6_present(denied, s) if {
	some d in denied
	startswith(lower(d), s)
}

rtc_001 contains lib.v("MX-RTC-001", "home", input, msg) if {
	some t in turn
	some a in lib.turn_value(t.lines, "allowed-peer-ip")
	regex.match(`[-/]`, a)
	msg := sprintf("%s: allowed-peer-ip %s is a range; allow only the TURN server's own address", [where(t), a])
}

# ---------------------------------------------------------------- MX-RTC-002

# METADATA
# title: coturn hardening
# description: no-multicast-peers present, no allow-loopback-peers, no CLI without cli-password (no-cli), no web-admin, TLS 1.0/1.1 disabled when TLS is on (deny); no-tcp-relay and positive user-quota/total-quota (warnings).
# custom:
#   id: MX-RTC-002
#   kinds: [ConfigMap]
#   severity: deny
#   overlays: [all]
#   anchors: [coturn turnserver.conf, Synapse coturn.md]
deny_mx_rtc_002 contains r if some r in lib.denied(rtc_002)

# METADATA
# title: coturn hardening (warnings, excepted)
# custom:
#   id: MX-RTC-002
#   companion: true
warn_mx_rtc_002 contains r if some r in lib.warned(rtc_002)

rtc_002 contains lib.v("MX-RTC-002", "deny", input, msg) if {
	some t in turn
	not lib.turn_has(t.lines, "no-multicast-peers")
	msg := sprintf("%s: add no-multicast-peers", [where(t)])
}

rtc_002 contains lib.v("MX-RTC-002", "deny", input, msg) if {
	some t in turn
	some k in ["allow-loopback-peers", "web-admin"]
	lib.turn_has(t.lines, k)
	msg := sprintf("%s: remove %s", [where(t), k])
}

rtc_002 contains lib.v("MX-RTC-002", "deny", input, msg) if {
	some t in turn
	not lib.turn_has(t.lines, "no-cli")
	not lib.turn_has(t.lines, "cli-password")
	msg := sprintf("%s: add no-cli (the telnet CLI is on by default) or set cli-password", [where(t)])
}

rtc_002 contains lib.v("MX-RTC-002", "deny", input, msg) if {
	some t in turn
	not lib.turn_has(t.lines, "no-tls")
	some k in ["no-tlsv1", "no-tlsv1_1"]
	not lib.turn_has(t.lines, k)
	msg := sprintf("%s: add %s (TLS is enabled)", [where(t), k])
}

rtc_002 contains lib.v("MX-RTC-002", "warn", input, msg) if {
	some t in turn
	not lib.turn_has(t.lines, "no-tcp-relay")
	msg := sprintf("%s: add no-tcp-relay (Matrix calls relay UDP only)", [where(t)])
}

rtc_002 contains lib.v("MX-RTC-002", "warn", input, msg) if {
	some t in turn
	some k in ["user-quota", "total-quota"]
	not positive(lib.turn_value(t.lines, k))
	msg := sprintf("%s: set %s to a positive number of sessions", [where(t), k])
}

positive(vals) if {
	some v in vals
	to_number(v) > 0
}

# ---------------------------------------------------------------- MX-RTC-003

# METADATA
# title: TURN uses a shared secret kept in a Secret
# description: turnserver.conf sets use-auth-secret and static-auth-secret; in a ConfigMap the secret is only a placeholder filled from the turn-shared-secret Secret at start (Synapse reads the same Secret through turn_shared_secret_path).
# custom:
#   id: MX-RTC-003
#   kinds: [ConfigMap]
#   severity: deny
#   overlays: [all]
#   anchors: [Synapse coturn.md, turn_shared_secret_path]
deny_mx_rtc_003 contains r if some r in lib.denied(rtc_003)

# METADATA
# title: TURN uses a shared secret kept in a Secret (excepted)
# custom:
#   id: MX-RTC-003
#   companion: true
warn_mx_rtc_003 contains r if some r in lib.warned(rtc_003)

rtc_003 contains lib.v("MX-RTC-003", "deny", input, msg) if {
	some t in turn
	some k in ["use-auth-secret", "static-auth-secret"]
	not lib.turn_has(t.lines, k)
	msg := sprintf("%s: add %s (TURN REST credentials shared with Synapse)", [where(t), k])
}

rtc_003 contains lib.v("MX-RTC-003", "deny", input, msg) if {
	some t in turn
	some val in lib.turn_value(t.lines, "static-auth-secret")
	not regex.match(`^\$\{?[A-Za-z_]+\}?$`, val)
	msg := sprintf("%s: static-auth-secret is a literal in a ConfigMap; use a ${TURN_SECRET} placeholder filled from the turn-shared-secret Secret", [where(t)])
}

# ---------------------------------------------------------------- MX-RTC-004

# METADATA
# title: LiveKit keys stay out of ConfigMaps
# description: A LiveKit config in a ConfigMap has no keys map and no redis.password; keys come from LIVEKIT_KEYS (secretKeyRef) or key_file on a mounted Secret.
# custom:
#   id: MX-RTC-004
#   kinds: [ConfigMap]
#   severity: deny
#   overlays: [all]
#   anchors: [livekit config-sample.yaml]
deny_mx_rtc_004 contains r if some r in lib.denied(rtc_004)

# METADATA
# title: LiveKit keys stay out of ConfigMaps (excepted)
# custom:
#   id: MX-RTC-004
#   companion: true
warn_mx_rtc_004 contains r if some r in lib.warned(rtc_004)

livekit contains {"key": k, "cfg": cfg} if {
	some k, cfg in lib.in_yaml
	livekit_like(k, cfg)
}

livekit_like(k, _) if contains(k, "livekit")

livekit_like(_, cfg) if cfg.rtc

rtc_004 contains lib.v("MX-RTC-004", "deny", input, msg) if {
	some l in livekit
	count(object.get(l.cfg, "keys", {})) > 0
	msg := sprintf("ConfigMap %s %s: remove keys; pass LIVEKIT_KEYS from a Secret or set key_file to a mounted Secret", [lib.in_name, l.key])
}

rtc_004 contains lib.v("MX-RTC-004", "deny", input, msg) if {
	some l in livekit
	object.get(l.cfg, ["redis", "password"], "") != ""
	msg := sprintf("ConfigMap %s %s: remove redis.password; pass it from a Secret (REDIS_PASSWORD env)", [lib.in_name, l.key])
}

# ---------------------------------------------------------------- MX-RTC-005

# METADATA
# title: Host exposure only for coturn and LiveKit, documented
# description: hostNetwork, hostPort and UDP LoadBalancer Services are only for app.kubernetes.io/name coturn or livekit, and such workloads carry policy.mx/exceptions naming MX-PSS-002 with a policy.mx/reason; a coturn config declares its relay port range (min-port/max-port).
# custom:
#   id: MX-RTC-005
#   kinds: [ConfigMap, Service, pod]
#   severity: deny
#   overlays: [all]
#   anchors: [PSS baseline (documented exception path)]
deny_mx_rtc_005 contains r if some r in lib.denied(rtc_005)

# METADATA
# title: Host exposure only for coturn and LiveKit (excepted)
# custom:
#   id: MX-RTC-005
#   companion: true
warn_mx_rtc_005 contains r if some r in lib.warned(rtc_005)

rtc_apps := {"coturn", "livekit"}

host_exposed if lib.in_pod_spec.hostNetwork == true

host_exposed if {
	some e in lib.in_containers
	some p in object.get(e.c, "ports", [])
	object.get(p, "hostPort", 0) != 0
}

rtc_005 contains lib.v("MX-RTC-005", "deny", input, msg) if {
	host_exposed
	not lib.in_app_name in rtc_apps
	msg := sprintf("%s: only coturn and LiveKit may use hostNetwork/hostPort; expose %s through a Service", [lib.in_describe, lib.in_app_name])
}

rtc_005 contains lib.v("MX-RTC-005", "deny", input, msg) if {
	host_exposed
	lib.in_app_name in rtc_apps
	not lib.excepted(input, "MX-PSS-002")
	msg := sprintf("%s: host networking needs annotations policy.mx/exceptions: MX-PSS-002 and policy.mx/reason", [lib.in_describe])
}

rtc_005 contains lib.v("MX-RTC-005", "deny", input, msg) if {
	input.kind == "Service"
	input.spec.type == "LoadBalancer"
	some p in object.get(input.spec, "ports", [])
	object.get(p, "protocol", "TCP") == "UDP"
	not object.get(input.spec, ["selector", "app.kubernetes.io/name"], "") in rtc_apps
	msg := sprintf("Service %s: UDP LoadBalancer is only for coturn and LiveKit", [lib.in_name])
}

rtc_005 contains lib.v("MX-RTC-005", "deny", input, msg) if {
	some t in turn
	some k in ["min-port", "max-port"]
	not lib.turn_has(t.lines, k)
	msg := sprintf("%s: declare the relay port range (%s) so Service and firewall match it", [where(t), k])
}
