package mx.li

import data.mx.fixtures as fx

li_ing(annotations, hosts_tls) := {
	"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
	"metadata": {"name": "synapse-li", "namespace": "matrix-li", "annotations": annotations},
	"spec": {"tls": [{"hosts": hosts_tls}], "rules": [{"host": "li.example.com"}]},
}

allow := {"nginx.ingress.kubernetes.io/allowlist-source-range": "203.0.113.0/25"}

li_hs(cfg) := fx.set(fx.configmap({"homeserver.yaml": json.marshal(object.union({"server_name": "example.com", "enable_registration": false, "send_federation": false, "url_preview_enabled": false, "report_stats": false, "listeners": [{"port": 8008, "resources": [{"names": ["client"]}]}]}, cfg))}), "/metadata/namespace", "matrix-li")

np(spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "n", "namespace": "matrix-li"}, "spec": spec}

# MX-LI-001
test_li_001 if {
	count(deny_mx_li_001) == 0 with input as li_ing(allow, ["li.example.com"]) with data.mx.overlay as "li" with data.mx.li_allowed_cidrs as ["203.0.113.0/24"]
	count(deny_mx_li_001) == 1 with input as li_ing({}, ["li.example.com"]) with data.mx.overlay as "li"
	count(deny_mx_li_001) == 1 with input as li_ing({"nginx.ingress.kubernetes.io/whitelist-source-range": "0.0.0.0/0"}, ["li.example.com"]) with data.mx.overlay as "li" with data.mx.li_allowed_cidrs as ["0.0.0.0/0"]
	count(deny_mx_li_001) == 1 with input as li_ing(allow, ["li.example.com"]) with data.mx.overlay as "li" with data.mx.li_allowed_cidrs as ["198.51.100.0/24"]
	count(deny_mx_li_001) == 1 with input as li_ing(allow, ["other.example.com"]) with data.mx.overlay as "li" with data.mx.li_allowed_cidrs as ["203.0.113.0/24"]
	# Outside the li overlay, or outside the LI namespace, the rule does not apply.
	count(deny_mx_li_001) == 0 with input as li_ing({}, ["li.example.com"])
	count(deny_mx_li_001) == 0 with input as fx.set(li_ing({}, []), "/metadata/namespace", "matrix") with data.mx.overlay as "li"
	count(deny_mx_li_001) == 0 with input as fx.except(li_ing({}, ["li.example.com"]), "MX-LI-001") with data.mx.overlay as "li"
}

# MX-LI-002
test_li_002 if {
	count(deny_mx_li_002) == 0 with input as li_hs({}) with data.mx.overlay as "li"
	every k in ["enable_registration", "url_preview_enabled", "report_stats", "allow_guest_access", "send_federation"] {
		count(deny_mx_li_002) == 1 with input as li_hs({k: true}) with data.mx.overlay as "li"
	}
	count(deny_mx_li_002) == 1 with input as fx.set(fx.configmap({"homeserver.yaml": "server_name: x\nenable_registration: false\nurl_preview_enabled: false\nreport_stats: false\n"}), "/metadata/namespace", "matrix-li") with data.mx.overlay as "li"
	count(deny_mx_li_002) == 1 with input as li_hs({"listeners": [{"port": 8008, "resources": [{"names": ["client", "federation"]}]}]}) with data.mx.overlay as "li"
	count(deny_mx_li_002) == 1 with input as li_hs({"federation_sender_instances": ["fs1"]}) with data.mx.overlay as "li"
	count(deny_mx_li_002) == 0 with input as fx.except(li_hs({"report_stats": true}), "MX-LI-002") with data.mx.overlay as "li"
}

# MX-LI-003
test_li_003 if {
	ok := np({
		"podSelector": {"matchLabels": {"cnpg.io/cluster": "synapse-li-pg"}},
		"ingress": [{"from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "synapse-li"}}}, {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "cnpg-system"}}}]}],
		"egress": [
			{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "matrix"}}, "podSelector": {"matchLabels": {"cnpg.io/cluster": "synapse-pg"}}}], "ports": [{"port": 5432}]},
			{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": 443}, {"port": 6443}]},
			{"ports": [{"port": 53, "protocol": "UDP"}]},
		],
	})
	count(deny_mx_li_003) == 0 with input as ok with data.mx.overlay as "li"
	count(deny_mx_li_003) == 1 with input as np({"podSelector": {}, "ingress": [{}]}) with data.mx.overlay as "li"
	count(deny_mx_li_003) == 1 with input as np({"podSelector": {}, "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "matrix"}}}]}]}) with data.mx.overlay as "li"
	count(deny_mx_li_003) == 1 with input as np({"podSelector": {"matchLabels": {"app.kubernetes.io/name": "synapse-li"}}, "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": 443}]}]}) with data.mx.overlay as "li"
	count(deny_mx_li_003) == 1 with input as np({"podSelector": {}, "egress": [{}]}) with data.mx.overlay as "li"
	count(deny_mx_li_003) == 0 with input as fx.except(np({"podSelector": {}, "egress": [{}]}), "MX-LI-003") with data.mx.overlay as "li"
}
