# Lawful-intercept copy: allow-listed ingress, no federation or registration, narrow network paths.
# Only evaluated in the li overlay, on resources in the LI namespace (*-li).
package mx.li

import data.mx.lib

in_li if lib.li_resource(input)

# ---------------------------------------------------------------- MX-LI-001

# METADATA
# title: LI ingress is allow-listed and TLS-only
# description: Every Ingress of the LI copy has nginx.ingress.kubernetes.io/allowlist-source-range (or legacy whitelist-source-range) with valid CIDRs inside data.mx.li_allowed_cidrs, never 0.0.0.0/0 or ::/0, and TLS for every host. The combined pass checks LI hosts differ from public hosts.
# custom:
#   id: MX-LI-001
#   kinds: [Ingress]
#   severity: deny
#   overlays: [li]
#   anchors: [ingress-nginx annotations, Synapse admin-endpoint guidance]
deny_mx_li_001 contains r if some r in lib.denied(li_001)

# METADATA
# title: LI ingress is allow-listed and TLS-only (excepted)
# custom:
#   id: MX-LI-001
#   companion: true
warn_mx_li_001 contains r if some r in lib.warned(li_001)

allow_list := v if {
	v := lib.annotations(input)["nginx.ingress.kubernetes.io/allowlist-source-range"]
} else := v if {
	v := lib.annotations(input)["nginx.ingress.kubernetes.io/whitelist-source-range"]
}

cidrs := [trim_space(c) | some c in split(allow_list, ","); trim_space(c) != ""]

li_001 contains lib.v("MX-LI-001", "deny", input, msg) if {
	in_li
	input.kind == "Ingress"
	not allow_list
	msg := sprintf("Ingress %s: add nginx.ingress.kubernetes.io/allowlist-source-range with the LI operator CIDRs", [lib.in_name])
}

li_001 contains lib.v("MX-LI-001", "deny", input, msg) if {
	in_li
	input.kind == "Ingress"
	some c in cidrs
	not allowed_cidr(c)
	msg := sprintf("Ingress %s: source range %s is not inside li.allowedCidrs %v", [lib.in_name, c, lib.li_allowed_cidrs])
}

allowed_cidr(c) if {
	not c in {"0.0.0.0/0", "::/0"}
	some a in lib.li_allowed_cidrs
	net.cidr_contains(a, c)
}

li_001 contains lib.v("MX-LI-001", "deny", input, msg) if {
	in_li
	input.kind == "Ingress"
	some rule in object.get(input.spec, "rules", [])
	h := object.get(rule, "host", "")
	not h in {x | some t in object.get(input.spec, "tls", []); some x in object.get(t, "hosts", [])}
	msg := sprintf("Ingress %s: host %q needs TLS (spec.tls[].hosts)", [lib.in_name, h])
}

# ---------------------------------------------------------------- MX-LI-002

# METADATA
# title: LI homeserver is closed
# description: The LI homeserver sets enable_registration false, has no federation listener resource, send_federation false and no federation_sender_instances, url_preview_enabled false, report_stats false and allow_guest_access not true.
# custom:
#   id: MX-LI-002
#   kinds: [ConfigMap]
#   severity: deny
#   overlays: [li]
#   anchors: [Synapse config docs]
deny_mx_li_002 contains r if some r in lib.denied(li_002)

# METADATA
# title: LI homeserver is closed (excepted)
# custom:
#   id: MX-LI-002
#   companion: true
warn_mx_li_002 contains r if some r in lib.warned(li_002)

# key → required value and Synapse's default when absent
closed := {
	"enable_registration": [false, false],
	"send_federation": [false, true],
	"url_preview_enabled": [false, false],
	"report_stats": [false, null],
	"allow_guest_access": [false, false],
}

li_002 contains lib.v("MX-LI-002", "deny", input, msg) if {
	in_li
	some k, cfg in lib.in_homeserver
	some key, want in closed
	object.get(cfg, key, want[1]) != want[0]
	msg := sprintf("ConfigMap %s %s: set %s: %v on the LI homeserver", [lib.in_name, k, key, want[0]])
}

li_002 contains lib.v("MX-LI-002", "deny", input, msg) if {
	in_li
	some k, cfg in lib.in_homeserver
	some l in object.get(cfg, "listeners", [])
	some res in object.get(l, "resources", [])
	"federation" in object.get(res, "names", [])
	msg := sprintf("ConfigMap %s %s: remove the federation resource from the listener on port %v", [lib.in_name, k, l.port])
}

li_002 contains lib.v("MX-LI-002", "deny", input, msg) if {
	in_li
	some k, cfg in lib.in_homeserver
	count(object.get(cfg, "federation_sender_instances", [])) > 0
	msg := sprintf("ConfigMap %s %s: remove federation_sender_instances", [lib.in_name, k])
}

# ---------------------------------------------------------------- MX-LI-003

# METADATA
# title: LI network paths are narrow
# description: NetworkPolicies in the LI namespace admit ingress only from the ingress-controller namespace, the CNPG operator or pods of the LI namespace, and allow egress only to DNS (port 53), CNPG pods (cnpg.io/cluster) and, for CNPG pods, the Kubernetes API on 443/6443. Whether Synapse runs on a logical replica the LI copy may write to is documented in docs/policies.md.
# custom:
#   id: MX-LI-003
#   kinds: [NetworkPolicy]
#   severity: deny
#   overlays: [li]
#   anchors: [Kyverno netpol patterns, CNPG services]
deny_mx_li_003 contains r if some r in lib.denied(li_003)

# METADATA
# title: LI network paths are narrow (excepted)
# custom:
#   id: MX-LI-003
#   companion: true
warn_mx_li_003 contains r if some r in lib.warned(li_003)

ingress_namespaces := {"ingress-nginx", "traefik", "kube-system", "envoy-gateway-system", "cnpg-system"}

ok_from(p) if {
	not p.namespaceSelector
	p.podSelector
}

ok_from(p) if {
	not p.podSelector
	p.namespaceSelector.matchLabels["kubernetes.io/metadata.name"] in ingress_namespaces
}

li_003 contains lib.v("MX-LI-003", "deny", input, msg) if {
	in_li
	input.kind == "NetworkPolicy"
	some i, rule in object.get(input.spec, "ingress", [])
	peers := object.get(rule, "from", [])
	some p in array.concat(peers, [{"any": true} | count(peers) == 0])
	not ok_from(p)
	msg := sprintf("NetworkPolicy %s ingress[%d]: admit only the ingress-controller namespace or LI pods (peer %v)", [lib.in_name, i, p])
}

dns_rule(rule) if {
	count(object.get(rule, "ports", [])) > 0
	every port in rule.ports {
		port.port == 53
	}
}

ok_to(_, p) if p.podSelector.matchLabels["cnpg.io/cluster"]

ok_to(_, p) if p.podSelector.matchLabels["k8s-app"] == "kube-dns"

ok_to(rule, p) if {
	p.ipBlock
	input.spec.podSelector.matchLabels["cnpg.io/cluster"]
	count(object.get(rule, "ports", [])) > 0
	every port in rule.ports {
		port.port in {443, 6443}
	}
}

li_003 contains lib.v("MX-LI-003", "deny", input, msg) if {
	in_li
	input.kind == "NetworkPolicy"
	some i, rule in object.get(input.spec, "egress", [])
	not dns_rule(rule)
	peers := object.get(rule, "to", [])
	some p in array.concat(peers, [{"any": true} | count(peers) == 0])
	not ok_to(rule, p)
	msg := sprintf("NetworkPolicy %s egress[%d]: the LI copy may only reach DNS and its database (peer %v)", [lib.in_name, i, p])
}
