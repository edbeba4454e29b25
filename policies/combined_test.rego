package mx.combined

import data.mx.fixtures as fx

wrap(objs) := [{"path": "rendered.yaml", "contents": o} | some o in objs]

deploy(n) := fx.set(fx.deployment, "/spec/replicas", n)

pdb(spec) := {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web", "namespace": "matrix"}, "spec": object.union({"selector": {"matchLabels": {"app.kubernetes.io/name": "web"}}}, spec)}

netpol(name, selector, spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name, "namespace": "matrix"}, "spec": object.union({"podSelector": selector}, spec)}

deny_all := netpol("default-deny", {}, {"policyTypes": ["Ingress", "Egress"]})

dns := netpol("allow-dns", {"matchLabels": {"app.kubernetes.io/part-of": "matrix"}}, {"policyTypes": ["Egress"], "egress": [{"ports": [{"port": 53, "protocol": "UDP"}]}]})

web_np := netpol("web", {"matchLabels": {"app.kubernetes.io/name": "web"}}, {"policyTypes": ["Ingress"], "ingress": [{}]})

# MX-REL-003
test_rel_003 if {
	count(deny_mx_rel_003) == 0 with input as wrap([deploy(1)])
	count(deny_mx_rel_003) == 1 with input as wrap([deploy(2)])
	count(deny_mx_rel_003) == 0 with input as wrap([deploy(2), pdb({"maxUnavailable": 1})])
	count(deny_mx_rel_003) == 1 with input as wrap([deploy(2), fx.set(pdb({"maxUnavailable": 1}), "/metadata/namespace", "other")])
	count(deny_mx_rel_003) == 0 with input as wrap([deploy(2)]) with data.mx.overlay as "homelab"
	count(deny_mx_rel_003) == 0 with input as wrap([fx.except(deploy(2), "MX-REL-003")])
}

# MX-REL-004 (combined)
test_rel_004 if {
	count(deny_mx_rel_004) == 0 with input as wrap([deploy(3), pdb({"minAvailable": 2})])
	count(deny_mx_rel_004) == 1 with input as wrap([deploy(2), pdb({"minAvailable": 2})])
	count(deny_mx_rel_004) == 0 with input as wrap([deploy(2), fx.except(pdb({"minAvailable": 2}), "MX-REL-004")])
}

# MX-NET-001
test_net_001 if {
	count(deny_mx_net_001) == 0 with input as wrap([fx.deployment, deny_all, dns, web_np])
	count(deny_mx_net_001) == 1 with input as wrap([fx.deployment, dns, web_np])
	count(deny_mx_net_001) == 1 with input as wrap([fx.deployment, deny_all, web_np])
	count(deny_mx_net_001) == 1 with input as wrap([fx.deployment, fx.set(deny_all, "/spec/policyTypes", ["Ingress"]), dns])
	count(warn_mx_net_001) == 2 with input as wrap([fx.deployment]) with data.mx.overlay as "homelab"
	ns := fx.except({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "matrix"}}, "MX-NET-001")
	count(deny_mx_net_001) == 0 with input as wrap([ns, fx.deployment])
	count(fx.excepted(warn_mx_net_001)) == 1 with input as wrap([ns, fx.deployment])
}

# MX-NET-002
test_net_002 if {
	count(deny_mx_net_002) == 0 with input as wrap([fx.deployment, deny_all, dns, web_np])
	count(deny_mx_net_002) == 1 with input as wrap([fx.deployment, deny_all])
	count(deny_mx_net_002) == 1 with input as wrap([fx.deployment, deny_all, dns, web_np, netpol("ghost", {"matchLabels": {"app.kubernetes.io/name": "ghost"}}, {})])
	count(deny_mx_net_002) == 1 with input as wrap([fx.deployment, deny_all, dns, web_np, netpol("open", {}, {"ingress": [{}]})])
	expr := netpol("expr", {"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "In", "values": ["web"]}]}, {})
	count(deny_mx_net_002) == 0 with input as wrap([fx.deployment, deny_all, expr])
	pg := netpol("pg", {"matchLabels": {"cnpg.io/cluster": "synapse-pg"}}, {})
	cluster := {"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster", "metadata": {"name": "synapse-pg", "namespace": "matrix"}, "spec": {}}
	count(deny_mx_net_002) == 0 with input as wrap([fx.deployment, web_np, pg, cluster])
	count(warn_mx_net_002) == 1 with input as wrap([fx.deployment, deny_all]) with data.mx.overlay as "homelab"
	count(deny_mx_net_002) == 0 with input as wrap([fx.except(fx.deployment, "MX-NET-002"), deny_all])
}

# MX-NET-009
synapse_pod := fx.set(fx.set(fx.deployment, sprintf("%s/image", [fx.c0]), "ghcr.io/element-hq/synapse:v1.140.0"), "/spec/template/metadata/labels/app.kubernetes.io~1name", "synapse")

hs_cm := fx.configmap({"homeserver.yaml": json.marshal({"server_name": "example.com", "listeners": [
	{"port": 8008, "type": "http", "resources": [{"names": ["client"]}]},
	{"port": 9093, "type": "http", "resources": [{"names": ["replication"]}]},
	{"port": 9000, "type": "metrics"},
]})})

svc(port) := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "synapse", "namespace": "matrix"}, "spec": {"selector": {"app.kubernetes.io/name": "synapse"}, "ports": [{"port": port}]}}

test_net_009 if {
	count(deny_mx_net_009) == 0 with input as wrap([synapse_pod, hs_cm, svc(8008)])
	count(deny_mx_net_009) == 1 with input as wrap([synapse_pod, hs_cm, svc(9093)])
	count(deny_mx_net_009) == 1 with input as wrap([synapse_pod, hs_cm, svc(9000)])
	ing := {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i", "namespace": "matrix"}, "spec": {"rules": [{"host": "m", "http": {"paths": [{"path": "/", "backend": {"service": {"name": "synapse", "port": {"number": 9093}}}}]}}]}}
	count(deny_mx_net_009) == 2 with input as wrap([synapse_pod, hs_cm, svc(9093), ing])
	count(deny_mx_net_009) == 0 with input as wrap([synapse_pod, hs_cm, fx.except(svc(9093), "MX-NET-009")])
}

# MX-NET-010 (combined)
element_cm(url) := fx.configmap({"config.json": json.marshal({"default_server_config": {"m.homeserver": {"base_url": url}}})})

ingress(name, host, service, annotations) := {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": name, "namespace": "matrix", "annotations": annotations}, "spec": {"ingressClassName": "nginx", "rules": [{"host": host, "http": {"paths": [{"path": "/_matrix", "backend": {"service": {"name": service, "port": {"number": 8080}}}}]}}]}}

test_net_010 if {
	count(warn_mx_net_010) == 0 with input as wrap([element_cm("https://matrix.example.com"), ingress("element", "chat.example.com", "element", {})])
	count(warn_mx_net_010) == 1 with input as wrap([element_cm("https://matrix.example.com"), ingress("element", "matrix.example.com", "element", {})])
	hs := fx.configmap({"homeserver.yaml": json.marshal({"server_name": "example.com", "max_upload_size": "100M"})})
	count(warn_mx_net_010) == 0 with input as wrap([hs, ingress("synapse", "matrix.example.com", "synapse", {"nginx.ingress.kubernetes.io/proxy-body-size": "100m"})])
	count(warn_mx_net_010) == 1 with input as wrap([hs, ingress("synapse", "matrix.example.com", "synapse", {"nginx.ingress.kubernetes.io/proxy-body-size": "10m"})])
	count(warn_mx_net_010) == 1 with input as wrap([hs, ingress("synapse", "matrix.example.com", "synapse", {})])
	count(fx.plain(warn_mx_net_010)) == 0 with input as wrap([hs, fx.except(ingress("synapse", "matrix.example.com", "synapse", {}), "MX-NET-010")])
}

# MX-DB-001 (combined)
test_db_001 if {
	cluster := {"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster", "metadata": {"name": "pg", "namespace": "matrix"}, "spec": {}}
	backup := {"apiVersion": "postgresql.cnpg.io/v1", "kind": "ScheduledBackup", "metadata": {"name": "b", "namespace": "matrix"}, "spec": {"cluster": {"name": "pg"}}}
	count(warn_mx_db_001) == 0 with input as wrap([cluster, backup])
	count(warn_mx_db_001) == 1 with input as wrap([cluster])
	count(warn_mx_db_001) == 0 with input as wrap([cluster]) with data.mx.overlay as "homelab"
	count(fx.plain(warn_mx_db_001)) == 0 with input as wrap([fx.except(cluster, "MX-DB-001")])
}

# MX-SYN-005 (combined)
test_syn_005 if {
	workers := fx.set(fx.configmap({"w.yaml": "worker_app: synapse.app.generic_worker\n"}), "/metadata/name", "workers")
	main_ok := fx.configmap({"homeserver.yaml": "server_name: x\nredis:\n  enabled: true\n"})
	main_bad := fx.configmap({"homeserver.yaml": "server_name: x\n"})
	count(deny_mx_syn_005) == 0 with input as wrap([workers, main_ok])
	count(deny_mx_syn_005) == 1 with input as wrap([workers, main_bad])
	count(deny_mx_syn_005) == 0 with input as wrap([fx.except(workers, "MX-SYN-005"), main_bad])
}

# MX-SYN-007
mounted(vol) := fx.set(fx.set(synapse_pod, sprintf("%s/volumeMounts/0", [fx.c0]), {"name": "sk", "mountPath": "/secrets/signing"}), sprintf("%s/volumes/0", [fx.podspec]), object.union({"name": "sk"}, vol))

test_syn_007 if {
	hs := fx.configmap({"homeserver.yaml": "server_name: x\nsigning_key_path: /secrets/signing/signing.key\n"})
	count(deny_mx_syn_007) == 0 with input as wrap([hs, mounted({"secret": {"secretName": "synapse-signing-key"}})])
	count(deny_mx_syn_007) == 1 with input as wrap([hs, mounted({"configMap": {"name": "keys"}})])
	count(deny_mx_syn_007) == 1 with input as wrap([hs, synapse_pod])
	count(warn_mx_syn_007) == 1 with input as wrap([hs, synapse_pod]) with data.mx.overlay as "homelab"
	count(deny_mx_syn_007) == 0 with input as wrap([fx.except(hs, "MX-SYN-007"), synapse_pod])
}

# MX-LI-001 (combined)
test_li_001 if {
	pub := ingress("element", "chat.example.com", "element", {})
	li := fx.set(ingress("element-li", "chat.example.com", "element-li", {}), "/metadata/namespace", "matrix-li")
	count(deny_mx_li_001) == 1 with input as wrap([pub, li]) with data.mx.overlay as "li"
	count(deny_mx_li_001) == 0 with input as wrap([pub, fx.set(li, "/spec/rules/0/host", "li-chat.example.com")]) with data.mx.overlay as "li"
	count(deny_mx_li_001) == 0 with input as wrap([pub, fx.except(li, "MX-LI-001")]) with data.mx.overlay as "li"
}

# MX-REL-005 (combined): no spec.replicas is fine only when an HPA keeps at least two
hpa(name, min) := {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": name, "namespace": "matrix"}, "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}, "minReplicas": min, "maxReplicas": 4}}

test_rel_005_autoscaled if {
	el := fx.unset(fx.set(fx.deployment, "/spec/template/metadata/labels/app.kubernetes.io~1name", "element"), "/spec/replicas")
	count(warn_mx_rel_005) == 1 with input as wrap([el])
	count(warn_mx_rel_005) == 0 with input as wrap([el, hpa("web", 2)])
	count(warn_mx_rel_005) == 1 with input as wrap([el, hpa("web", 1)])
	count(warn_mx_rel_005) == 1 with input as wrap([el, fx.set(hpa("web", 2), "/metadata/namespace", "other")])
	count(warn_mx_rel_005) == 1 with input as wrap([el, hpa("other", 3)])
	# An explicit spec.replicas is the per-document rule's case.
	count(warn_mx_rel_005) == 0 with input as wrap([fx.set(el, "/spec/replicas", 1)])
	count(warn_mx_rel_005) == 0 with input as wrap([el]) with data.mx.overlay as "homelab"
	count(fx.plain(warn_mx_rel_005)) == 0 with input as wrap([fx.except(el, "MX-REL-005")])
}
