package mx.rtc

import data.mx.fixtures as fx

denied := [
	"0.0.0.0-0.255.255.255", "10.0.0.0-10.255.255.255", "100.64.0.0-100.127.255.255",
	"127.0.0.0-127.255.255.255", "169.254.0.0-169.254.255.255", "172.16.0.0-172.31.255.255",
	"192.0.0.0-192.0.0.255", "192.0.2.0-192.0.2.255", "192.88.99.0-192.88.99.255",
	"192.168.0.0-192.168.255.255", "198.18.0.0-198.19.255.255", "198.51.100.0-198.51.100.255",
	"203.0.113.0-203.0.113.255", "240.0.0.0-255.255.255.255", "::1", "64:ff9b::-64:ff9b::ffff:ffff",
	"::ffff:0.0.0.0-::ffff:255.255.255.255", "fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	"fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
]

good_lines := array.concat(
	[
		"use-auth-secret", "static-auth-secret=${TURN_SECRET}", "realm=turn.example.com",
		"min-port=49152", "max-port=49201", "no-cli", "no-tls", "no-dtls", "no-tcp-relay",
		"no-multicast-peers", "user-quota=12", "total-quota=1200",
	],
	[sprintf("denied-peer-ip=%s", [d]) | some d in array.concat(denied, ["10.42.0.0/16", "10.43.0.0-10.43.255.255"])],
)

conf(lines) := fx.configmap({"turnserver.conf": concat("\n", lines)})

without(lines, drop) := [l | some l in lines; not startswith(l, drop)]

all_deny := (((deny_mx_rtc_001 | deny_mx_rtc_002) | deny_mx_rtc_003) | deny_mx_rtc_004) | deny_mx_rtc_005

test_good_turnserver_passes if {
	count(all_deny) == 0 with input as conf(good_lines)
	count(fx.plain(warn_mx_rtc_002)) == 0 with input as conf(good_lines)
}

test_ranges if {
	ip4("10.0.0.1") == 167772161
	v4_range("10.0.0.0-10.255.255.255") == cidr_range("10.0.0.0/8")
	covered_v4(["10.0.0.0/8"], "10.42.0.0/16")
	not covered_v4(["10.0.0.0-10.0.255.255"], "10.0.0.0/8")
}

# MX-RTC-001
test_rtc_001_ipv4_missing if count(deny_mx_rtc_001) == 1 with input as conf(without(good_lines, "denied-peer-ip=172.16"))

test_rtc_001_ipv6_missing if count(deny_mx_rtc_001) == 1 with input as conf(without(good_lines, "denied-peer-ip=fe80"))

test_rtc_001_cluster_cidr if count(deny_mx_rtc_001) == 1 with input as conf(good_lines) with data.mx.cluster_cidrs as ["11.0.0.0/16"]

test_rtc_001_allowed_peer_range if count(deny_mx_rtc_001) == 1 with input as conf(array.concat(good_lines, ["allowed-peer-ip=10.0.0.0-10.0.0.255"]))

test_rtc_001_allowed_peer_single if count(deny_mx_rtc_001) == 0 with input as conf(array.concat(good_lines, ["allowed-peer-ip=203.0.113.7"]))

test_rtc_001_homelab_warns if count(warn_mx_rtc_001) == 1 with input as conf(without(good_lines, "denied-peer-ip=172.16")) with data.mx.overlay as "homelab"

test_rtc_001_exception if count(deny_mx_rtc_001) == 0 with input as fx.except(conf(without(good_lines, "denied-peer-ip=172.16")), "MX-RTC-001")

# MX-RTC-002
test_rtc_002_multicast if count(deny_mx_rtc_002) == 1 with input as conf(without(good_lines, "no-multicast-peers"))

test_rtc_002_loopback_and_web_admin if {
	count(deny_mx_rtc_002) == 1 with input as conf(array.concat(good_lines, ["allow-loopback-peers"]))
	count(deny_mx_rtc_002) == 1 with input as conf(array.concat(good_lines, ["web-admin"]))
}

test_rtc_002_cli if {
	count(deny_mx_rtc_002) == 1 with input as conf(without(good_lines, "no-cli"))
	count(deny_mx_rtc_002) == 0 with input as conf(array.concat(without(good_lines, "no-cli"), ["cli-password=x"]))
}

test_rtc_002_tls_versions if {
	count(deny_mx_rtc_002) == 2 with input as conf(without(good_lines, "no-tls"))
	count(deny_mx_rtc_002) == 0 with input as conf(array.concat(without(good_lines, "no-tls"), ["no-tlsv1", "no-tlsv1_1"]))
}

test_rtc_002_warnings if {
	count(warn_mx_rtc_002) == 1 with input as conf(without(good_lines, "no-tcp-relay"))
	count(warn_mx_rtc_002) == 1 with input as conf(array.concat(without(good_lines, "user-quota"), ["user-quota=0"]))
	count(warn_mx_rtc_002) == 1 with input as conf(without(good_lines, "total-quota"))
}

test_rtc_002_exception if count(deny_mx_rtc_002) == 0 with input as fx.except(conf(without(good_lines, "no-multicast-peers")), "MX-RTC-002")

# MX-RTC-003
test_rtc_003 if {
	count(deny_mx_rtc_003) == 1 with input as conf(without(good_lines, "use-auth-secret"))
	count(deny_mx_rtc_003) == 1 with input as conf(without(good_lines, "static-auth-secret"))
	count(deny_mx_rtc_003) == 1 with input as conf(array.concat(without(good_lines, "static-auth-secret"), ["static-auth-secret=hunter2hunter2"]))
	count(deny_mx_rtc_003) == 0 with input as fx.except(conf(without(good_lines, "use-auth-secret")), "MX-RTC-003")
}

# MX-RTC-004
test_rtc_004 if {
	good := fx.configmap({"livekit.yaml": "port: 7880\nrtc:\n  udp_port: 30002\nkey_file: /secrets/livekit/keys.yaml\n"})
	count(deny_mx_rtc_004) == 0 with input as good
	keys := fx.configmap({"livekit.yaml": "port: 7880\nkeys:\n  APIabc: secretsecret\n"})
	count(deny_mx_rtc_004) == 1 with input as keys
	count(deny_mx_rtc_004) == 1 with input as fx.configmap({"config.yaml": "rtc: {udp_port: 1}\nredis:\n  address: r:6379\n  password: x\n"})
	count(deny_mx_rtc_004) == 0 with input as fx.except(keys, "MX-RTC-004")
}

# MX-RTC-005
test_rtc_005 if {
	host := fx.set(fx.deployment, sprintf("%s/hostNetwork", [fx.podspec]), true)
	count(deny_mx_rtc_005) == 1 with input as host
	coturn := fx.set(host, "/spec/template/metadata/labels/app.kubernetes.io~1name", "coturn")
	count(deny_mx_rtc_005) == 1 with input as coturn
	count(deny_mx_rtc_005) == 0 with input as fx.except(coturn, "MX-PSS-002")
	count(deny_mx_rtc_005) == 1 with input as fx.set(fx.deployment, sprintf("%s/ports/0/hostPort", [fx.c0]), 8080)
	udp := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "matrix"}, "spec": {"type": "LoadBalancer", "selector": {"app.kubernetes.io/name": "web"}, "ports": [{"port": 1, "protocol": "UDP"}]}}
	count(deny_mx_rtc_005) == 1 with input as udp
	count(deny_mx_rtc_005) == 0 with input as fx.set(udp, "/spec/selector/app.kubernetes.io~1name", "livekit")
	count(deny_mx_rtc_005) == 1 with input as conf(without(good_lines, "max-port"))
	count(deny_mx_rtc_005) == 0 with input as fx.except(host, "MX-RTC-005")
}
