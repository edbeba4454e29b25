# Network exposure per document: Services, Ingresses, database/Redis NetworkPolicies, Element config.
# Cross-resource checks (default-deny per namespace, pods covered, Synapse listener ports) live in mx.combined.
package mx.network

import data.mx.lib

# ---------------------------------------------------------------- MX-NET-003

# METADATA
# title: Postgres and Redis admit only Synapse
# description: NetworkPolicies selecting CNPG pods (cnpg.io/cluster) or Redis admit ingress only from Synapse pods (app.kubernetes.io/component synapse), other CNPG instances and the cnpg-system operator namespace; an ingress rule without from admits everyone. Redis runs with --requirepass.
# custom:
#   id: MX-NET-003
#   kinds: [NetworkPolicy, pod]
#   severity: deny
#   overlays: [production, li]
#   anchors: [Synapse workers.md, Kyverno require-netpol]
deny_mx_net_003 contains r if some r in lib.denied(net_003)

# METADATA
# title: Postgres and Redis admit only Synapse (excepted)
# custom:
#   id: MX-NET-003
#   companion: true
warn_mx_net_003 contains r if some r in lib.warned(net_003)

guards_data_store if {
	input.kind == "NetworkPolicy"
	input.spec.podSelector.matchLabels["cnpg.io/cluster"]
}

guards_data_store if {
	input.kind == "NetworkPolicy"
	contains(object.get(input.spec.podSelector, ["matchLabels", "app.kubernetes.io/name"], ""), "redis")
}

allowed_peer(p) if p.podSelector.matchLabels["app.kubernetes.io/component"] == "synapse"

allowed_peer(p) if p.podSelector.matchLabels["cnpg.io/cluster"]

# The LI Synapse is labelled by name only; admin UIs, Redis and Postgres are not Synapse.
allowed_peer(p) if {
	n := p.podSelector.matchLabels["app.kubernetes.io/name"]
	startswith(n, "synapse")
	not regex.match(`admin|redis|pg`, n)
}

allowed_peer(p) if {
	not p.podSelector
	p.namespaceSelector.matchLabels["kubernetes.io/metadata.name"] == "cnpg-system"
}

net_003 contains lib.v("MX-NET-003", "deny", input, msg) if {
	lib.production
	guards_data_store
	some i, rule in object.get(input.spec, "ingress", [])
	count(object.get(rule, "from", [])) == 0
	msg := sprintf("NetworkPolicy %s ingress[%d]: add a from list (Synapse pods only); an empty from admits every pod", [lib.in_name, i])
}

net_003 contains lib.v("MX-NET-003", "deny", input, msg) if {
	lib.production
	guards_data_store
	some i, rule in object.get(input.spec, "ingress", [])
	some peer in object.get(rule, "from", [])
	not allowed_peer(peer)
	msg := sprintf("NetworkPolicy %s ingress[%d]: peer %v may not reach the database/Redis; admit only Synapse pods (app.kubernetes.io/component: synapse) and the CNPG operator", [lib.in_name, i, peer])
}

redis_deployment if {
	input.kind in {"Deployment", "StatefulSet"}
	some c in lib.in_main_containers
	regex.match(`(^|/)redis[:@]`, c.image)
}

net_003 contains lib.v("MX-NET-003", "deny", input, msg) if {
	lib.production
	redis_deployment
	not redis_auth
	msg := sprintf("%s: start Redis with --requirepass from a Secret (Synapse reads redis.password_path)", [lib.in_describe])
}

redis_auth if {
	some c in lib.in_main_containers
	some a in array.concat(object.get(c, "command", []), object.get(c, "args", []))
	contains(a, "requirepass")
}

# ---------------------------------------------------------------- MX-NET-004

# METADATA
# title: No NodePort; LoadBalancer only for ingress controller, coturn and LiveKit
# description: Service spec.type is never NodePort (warning in homelab); LoadBalancer only selects pods named ingress-nginx, traefik, coturn or livekit.
# custom:
#   id: MX-NET-004
#   kinds: [Service]
#   severity: deny
#   home: warn (NodePort)
#   overlays: [all]
#   anchors: [Kyverno restrict-node-port, restrict-loadbalancer, kube-score service-type]
deny_mx_net_004 contains r if some r in lib.denied(net_004)

# METADATA
# title: No NodePort; LoadBalancer only for edge pods (downgraded or excepted)
# custom:
#   id: MX-NET-004
#   companion: true
warn_mx_net_004 contains r if some r in lib.warned(net_004)

edge_apps := {"ingress-nginx", "traefik", "coturn", "livekit"}

net_004 contains lib.v("MX-NET-004", "home", input, msg) if {
	input.kind == "Service"
	input.spec.type == "NodePort"
	msg := sprintf("Service %s: type NodePort opens a port on every node; use ClusterIP behind the Ingress", [lib.in_name])
}

net_004 contains lib.v("MX-NET-004", "deny", input, msg) if {
	input.kind == "Service"
	input.spec.type == "LoadBalancer"
	not object.get(input.spec, ["selector", "app.kubernetes.io/name"], "") in edge_apps
	msg := sprintf("Service %s: type LoadBalancer is only for the ingress controller, coturn and LiveKit; use ClusterIP behind the Ingress", [lib.in_name])
}

# ---------------------------------------------------------------- MX-NET-005

# METADATA
# title: No Service externalIPs
# description: Service spec.externalIPs is absent (CVE-2020-8554).
# custom:
#   id: MX-NET-005
#   kinds: [Service]
#   severity: deny
#   overlays: [all]
#   anchors: [KSV108 (HIGH), Kyverno restrict-service-external-ips]
deny_mx_net_005 contains r if some r in lib.denied(net_005)

# METADATA
# title: No Service externalIPs (excepted)
# custom:
#   id: MX-NET-005
#   companion: true
warn_mx_net_005 contains r if some r in lib.warned(net_005)

net_005 contains lib.v("MX-NET-005", "deny", input, msg) if {
	input.kind == "Service"
	count(object.get(input.spec, "externalIPs", [])) > 0
	msg := sprintf("Service %s: remove spec.externalIPs (CVE-2020-8554); use a LoadBalancer or Ingress", [lib.in_name])
}

# ---------------------------------------------------------------- MX-NET-006

# METADATA
# title: Ingress TLS for every host, no wildcard, no default backend
# description: Ingress spec.tls is set and every rules[].host is listed in tls[].hosts (warning in homelab); hosts are never empty or wildcards; spec.defaultBackend is absent.
# custom:
#   id: MX-NET-006
#   kinds: [Ingress]
#   severity: deny
#   home: warn (TLS)
#   overlays: [all]
#   anchors: [Polaris tlsSettingsMissing, Kyverno ingress-host-match-tls, restrict-ingress-wildcard, disallow-empty-ingress-host, restrict-ingress-defaultbackend]
deny_mx_net_006 contains r if some r in lib.denied(net_006)

# METADATA
# title: Ingress TLS for every host (downgraded or excepted)
# custom:
#   id: MX-NET-006
#   companion: true
warn_mx_net_006 contains r if some r in lib.warned(net_006)

tls_hosts := {h | some t in object.get(input.spec, "tls", []); some h in object.get(t, "hosts", [])}

net_006 contains lib.v("MX-NET-006", "home", input, msg) if {
	input.kind == "Ingress"
	some rule in object.get(input.spec, "rules", [])
	h := object.get(rule, "host", "")
	h != ""
	not h in tls_hosts
	msg := sprintf("Ingress %s: host %s has no TLS; list it in spec.tls[].hosts with a certificate secret", [lib.in_name, h])
}

net_006 contains lib.v("MX-NET-006", "deny", input, msg) if {
	input.kind == "Ingress"
	some i, rule in object.get(input.spec, "rules", [])
	h := object.get(rule, "host", "")
	bad_host(h)
	msg := sprintf("Ingress %s rules[%d]: set an explicit host (is %q); empty and wildcard hosts catch foreign traffic", [lib.in_name, i, h])
}

bad_host("")

bad_host(h) if contains(h, "*")

net_006 contains lib.v("MX-NET-006", "deny", input, msg) if {
	input.kind == "Ingress"
	input.spec.defaultBackend
	msg := sprintf("Ingress %s: remove spec.defaultBackend; route explicit hosts and paths", [lib.in_name])
}

# ---------------------------------------------------------------- MX-NET-007

# METADATA
# title: No ingress-nginx snippets or injectable annotations
# description: No nginx.ingress.kubernetes.io/*-snippet annotations; auth-url, auth-tls-match-cn and mirror-* values are free of CR/LF and the characters { } ; |.
# custom:
#   id: MX-NET-007
#   kinds: [Ingress]
#   severity: deny
#   overlays: [all]
#   anchors: [Kyverno disallow-ingress-nginx-custom-snippets, Trivy KCV0093 (CRITICAL)]
deny_mx_net_007 contains r if some r in lib.denied(net_007)

# METADATA
# title: No ingress-nginx snippets (excepted)
# custom:
#   id: MX-NET-007
#   companion: true
warn_mx_net_007 contains r if some r in lib.warned(net_007)

net_007 contains lib.v("MX-NET-007", "deny", input, msg) if {
	input.kind == "Ingress"
	some k, _ in lib.annotations(input)
	startswith(k, "nginx.ingress.kubernetes.io/")
	endswith(k, "-snippet")
	msg := sprintf("Ingress %s: remove annotation %s (snippets run arbitrary nginx config)", [lib.in_name, k])
}

net_007 contains lib.v("MX-NET-007", "deny", input, msg) if {
	input.kind == "Ingress"
	some k, val in lib.annotations(input)
	injectable(k)
	regex.match(`[\r\n{};|]`, val)
	msg := sprintf("Ingress %s: annotation %s contains CR/LF or one of { } ; | — remove them", [lib.in_name, k])
}

injectable(k) if k in {"nginx.ingress.kubernetes.io/auth-url", "nginx.ingress.kubernetes.io/auth-tls-match-cn"}

injectable(k) if startswith(k, "nginx.ingress.kubernetes.io/mirror-")

# ---------------------------------------------------------------- MX-NET-008

# METADATA
# title: Public Synapse paths only
# description: Ingress paths to Synapse services are limited to /_matrix, /_synapse/client and /.well-known/matrix; never /_synapse/admin, /_synapse/replication or /_synapse/metrics. /_synapse/admin is allowed only on an Ingress with a source-range allow-list (the LI overlay, checked by MX-LI-001).
# custom:
#   id: MX-NET-008
#   kinds: [Ingress]
#   severity: deny
#   overlays: [all]
#   anchors: [Synapse reverse_proxy.md (administration endpoints)]
deny_mx_net_008 contains r if some r in lib.denied(net_008)

# METADATA
# title: Public Synapse paths only (excepted)
# custom:
#   id: MX-NET-008
#   companion: true
warn_mx_net_008 contains r if some r in lib.warned(net_008)

synapse_backends contains {"path": object.get(p, "path", "/"), "service": p.backend.service.name} if {
	input.kind == "Ingress"
	some rule in object.get(input.spec, "rules", [])
	some p in object.get(rule, ["http", "paths"], [])
	regex.match(`^synapse($|-)`, p.backend.service.name)
	not startswith(p.backend.service.name, "synapse-admin")
}

public_prefixes := ["/_matrix", "/_synapse/client", "/.well-known/matrix"]

allow_listed if lib.annotations(input)["nginx.ingress.kubernetes.io/allowlist-source-range"]

allow_listed if lib.annotations(input)["nginx.ingress.kubernetes.io/whitelist-source-range"]

net_008 contains lib.v("MX-NET-008", "deny", input, msg) if {
	some b in synapse_backends
	not public_path(b.path)
	not admin_on_allow_list(b.path)
	msg := sprintf("Ingress %s: path %s to %s is not a public Synapse path; expose only /_matrix, /_synapse/client and /.well-known/matrix", [lib.in_name, b.path, b.service])
}

public_path(p) if {
	some pre in public_prefixes
	startswith(p, pre)
}

admin_on_allow_list(p) if {
	startswith(p, "/_synapse/admin")
	allow_listed
}

# ---------------------------------------------------------------- MX-NET-010

# METADATA
# title: Element on its own host, pointed at Synapse over https
# description: Element's config.json default_server_config m.homeserver.base_url is https and its host differs from the host Element is served on (checked in combined pass against the Ingress). The combined pass also checks Synapse Ingress proxy-body-size >= max_upload_size.
# custom:
#   id: MX-NET-010
#   severity: warn
#   overlays: [all]
#   anchors: [Element Web README security note, Synapse reverse_proxy.md]
warn_mx_net_010 contains r if some r in lib.warned(net_010)

element_config(obj) := {k: doc |
	obj.kind == "ConfigMap"
	some k, raw in object.get(obj, "data", {})
	k == "config.json"
	doc := json.unmarshal(raw)
	doc.default_server_config
}

net_010 contains lib.v("MX-NET-010", "warn", input, msg) if {
	some _, cfg in element_config(input)
	url := object.get(cfg.default_server_config, ["m.homeserver", "base_url"], "")
	not startswith(url, "https://")
	msg := sprintf("ConfigMap %s config.json: default_server_config.m.homeserver.base_url must be an https URL (is %q)", [lib.in_name, url])
}
