# Cross-resource rules, run with `conftest test --combine --namespace mx.combined` over one entry
# point's documents: input is an array of {path, contents}, one entry per YAML document.
# policies/gate_combined.rego evaluates the package once per entry point of a multi-entry run, with
# that entry's documents as input.
package mx.combined

import data.mx.lib

docs := [d.contents | some d in input; is_object(d.contents); d.contents.kind]

of_kind(k) := [d | some d in docs; d.kind == k]

pods := [d | some d in docs; lib.is_pod(d)]

# ---------------------------------------------------------------- label selectors

selects(sel, labels) if {
	every k, v in object.get(sel, "matchLabels", {}) {
		labels[k] == v
	}
	every e in object.get(sel, "matchExpressions", []) {
		expr(e, labels)
	}
}

expr(e, labels) if {
	e.operator == "In"
	labels[e.key] in e.values
}

expr(e, labels) if {
	e.operator == "NotIn"
	not labels[e.key] in e.values
}

expr(e, labels) if {
	e.operator == "Exists"
	labels[e.key]
}

expr(e, labels) if {
	e.operator == "DoesNotExist"
	not labels[e.key]
}

empty_selector(sel) if {
	count(object.get(sel, "matchLabels", {})) == 0
	count(object.get(sel, "matchExpressions", [])) == 0
}

# Pods a CNPG Cluster will create carry cnpg.io/cluster=<name>.
pod_label_sets contains {"ns": lib.namespace_of(p), "labels": lib.pod_labels(p), "obj": p} if some p in pods

pod_label_sets contains {"ns": lib.namespace_of(c), "labels": {"cnpg.io/cluster": c.metadata.name}, "obj": c} if {
	some c in of_kind("Cluster")
	startswith(c.apiVersion, "postgresql.cnpg.io/")
}

replicas(w) := object.get(w.spec, "replicas", 1)

# ---------------------------------------------------------------- MX-REL-003

# METADATA
# title: Replicated workloads have a PodDisruptionBudget
# description: Every Deployment or StatefulSet with replicas >= 2 is matched by a PodDisruptionBudget in its namespace (selector.matchLabels subset of the template labels).
# custom:
#   id: MX-REL-003
#   severity: deny
#   overlays: [production, li]
#   anchors: [kube-score has-poddisruptionbudget, Polaris missingPodDisruptionBudget, Kyverno require-pdb]
deny_mx_rel_003 contains r if some r in lib.denied(rel_003)

# METADATA
# title: Replicated workloads have a PodDisruptionBudget (excepted)
# custom:
#   id: MX-REL-003
#   companion: true
warn_mx_rel_003 contains r if some r in lib.warned(rel_003)

pdbs_for(w) := [p |
	some p in of_kind("PodDisruptionBudget")
	lib.namespace_of(p) == lib.namespace_of(w)
	not empty_selector(object.get(p.spec, "selector", {}))
	selects(p.spec.selector, lib.pod_labels(w))
]

rel_003 contains lib.v("MX-REL-003", "deny", w, msg) if {
	lib.production
	some w in docs
	w.kind in {"Deployment", "StatefulSet"}
	replicas(w) >= 2
	count(pdbs_for(w)) == 0
	msg := sprintf("%s runs %d replicas without a PodDisruptionBudget; add one (maxUnavailable: 1)", [lib.describe(w), replicas(w)])
}

# ---------------------------------------------------------------- MX-REL-004 (combined part)

# METADATA
# title: PDB minAvailable below replicas
# description: A PodDisruptionBudget's integer minAvailable is lower than the replicas of every workload it selects, otherwise no pod can ever be evicted.
# custom:
#   id: MX-REL-004
#   severity: deny
#   overlays: [all]
#   anchors: [Kyverno pdb-minavailable]
deny_mx_rel_004 contains r if some r in lib.denied(rel_004)

# METADATA
# title: PDB minAvailable below replicas (excepted)
# custom:
#   id: MX-REL-004
#   companion: true
warn_mx_rel_004 contains r if some r in lib.warned(rel_004)

rel_004 contains lib.v("MX-REL-004", "deny", p, msg) if {
	some w in docs
	w.kind in {"Deployment", "StatefulSet"}
	some p in pdbs_for(w)
	is_number(p.spec.minAvailable)
	p.spec.minAvailable >= replicas(w)
	msg := sprintf("PodDisruptionBudget %s: minAvailable %d >= %s replicas %d blocks every drain", [lib.name_of(p), p.spec.minAvailable, lib.describe(w), replicas(w)])
}

# ---------------------------------------------------------------- MX-NET-001

# METADATA
# title: Default-deny and DNS egress per app namespace
# description: Every namespace that runs pods has a NetworkPolicy with podSelector {} and policyTypes [Ingress, Egress] and no rules, plus a policy allowing DNS egress (port 53).
# custom:
#   id: MX-NET-001
#   severity: deny
#   home: warn
#   overlays: [all]
#   anchors: [Kyverno add-network-policy(-dns), KSV038]
deny_mx_net_001 contains r if some r in lib.denied(net_001)

# METADATA
# title: Default-deny and DNS egress per app namespace (downgraded or excepted)
# custom:
#   id: MX-NET-001
#   companion: true
warn_mx_net_001 contains r if some r in lib.warned(net_001)

app_namespaces := {lib.namespace_of(p) | some p in pods}

# The object that stands for a namespace in findings: its Namespace document if rendered.
ns_obj(ns) := o if {
	some o in of_kind("Namespace")
	o.metadata.name == ns
} else := {"kind": "Namespace", "metadata": {"name": ns}}

default_deny(np) if {
	empty_selector(np.spec.podSelector)
	{"Ingress", "Egress"} == {t | some t in object.get(np.spec, "policyTypes", [])}
	count(object.get(np.spec, "ingress", [])) == 0
	count(object.get(np.spec, "egress", [])) == 0
}

netpols(ns) := [np | some np in of_kind("NetworkPolicy"); lib.namespace_of(np) == ns]

net_001 contains lib.v("MX-NET-001", "home", ns_obj(ns), msg) if {
	some ns in app_namespaces
	not any_default_deny(ns)
	msg := sprintf("namespace %s: add a default-deny NetworkPolicy (podSelector: {}, policyTypes: [Ingress, Egress])", [ns])
}

any_default_deny(ns) if {
	some np in netpols(ns)
	default_deny(np)
}

net_001 contains lib.v("MX-NET-001", "home", ns_obj(ns), msg) if {
	some ns in app_namespaces
	not dns_egress(ns)
	msg := sprintf("namespace %s: add a NetworkPolicy allowing egress to DNS on port 53", [ns])
}

dns_egress(ns) if {
	some np in netpols(ns)
	some rule in object.get(np.spec, "egress", [])
	some port in object.get(rule, "ports", [])
	port.port == 53
}

# ---------------------------------------------------------------- MX-NET-002

# METADATA
# title: NetworkPolicies match real pods
# description: Every pod template is selected by at least one NetworkPolicy besides the default-deny; every NetworkPolicy with a selector selects at least one pod (CNPG Clusters count by cnpg.io/cluster); apart from the default-deny no policy has an empty podSelector.
# custom:
#   id: MX-NET-002
#   severity: deny
#   home: warn
#   overlays: [all]
#   anchors: [kube-score pod-networkpolicy, networkpolicy-targets-pod, Polaris missingNetworkPolicy, Kyverno restrict-networkpolicy-empty-podselector]
deny_mx_net_002 contains r if some r in lib.denied(net_002)

# METADATA
# title: NetworkPolicies match real pods (downgraded or excepted)
# custom:
#   id: MX-NET-002
#   companion: true
warn_mx_net_002 contains r if some r in lib.warned(net_002)

net_002 contains lib.v("MX-NET-002", "home", p, msg) if {
	some p in pods
	not allowed_somewhere(p)
	msg := sprintf("%s: no NetworkPolicy other than a default-deny selects its pods; add one that allows exactly the traffic it needs", [lib.describe(p)])
}

allowed_somewhere(p) if {
	some np in netpols(lib.namespace_of(p))
	not empty_selector(np.spec.podSelector)
	selects(np.spec.podSelector, lib.pod_labels(p))
}

net_002 contains lib.v("MX-NET-002", "home", np, msg) if {
	some np in of_kind("NetworkPolicy")
	not empty_selector(np.spec.podSelector)
	not selects_any(np)
	msg := sprintf("NetworkPolicy %s selects no pod in namespace %s; fix its podSelector or remove it", [lib.name_of(np), lib.namespace_of(np)])
}

selects_any(np) if {
	some s in pod_label_sets
	s.ns == lib.namespace_of(np)
	selects(np.spec.podSelector, s.labels)
}

net_002 contains lib.v("MX-NET-002", "home", np, msg) if {
	some np in of_kind("NetworkPolicy")
	empty_selector(np.spec.podSelector)
	not default_deny(np)
	msg := sprintf("NetworkPolicy %s: an empty podSelector opens traffic for every pod; select the pods that need it", [lib.name_of(np)])
}

# ---------------------------------------------------------------- MX-NET-009

# METADATA
# title: Replication, metrics and manhole listeners are never exposed
# description: No Service port and no Ingress backend targets a Synapse listener port whose resources include replication or metrics, or whose type is metrics or manhole (read from homeserver.yaml and worker configs).
# custom:
#   id: MX-NET-009
#   severity: deny
#   overlays: [all]
#   anchors: [Synapse workers.md (replication is unauthenticated), manhole.md]
deny_mx_net_009 contains r if some r in lib.denied(net_009)

# METADATA
# title: Replication, metrics and manhole listeners are never exposed (excepted)
# custom:
#   id: MX-NET-009
#   companion: true
warn_mx_net_009 contains r if some r in lib.warned(net_009)

synapse_configs contains cfg if {
	some cm in of_kind("ConfigMap")
	some _, cfg in lib.homeserver(cm)
}

synapse_configs contains cfg if {
	some cm in of_kind("ConfigMap")
	some _, cfg in lib.worker_config(cm)
}

internal_listener(l) if l.type in {"manhole", "metrics"}

internal_listener(l) if {
	some r in object.get(l, "resources", [])
	some n in object.get(r, "names", [])
	n in {"replication", "metrics"}
}

internal_ports contains l.port if {
	some cfg in synapse_configs
	some l in array.concat(object.get(cfg, "listeners", []), object.get(cfg, "worker_listeners", []))
	internal_listener(l)
}

synapse_service(svc) if {
	sel := object.get(svc.spec, "selector", {})
	count(sel) > 0
	some p in pods
	lib.namespace_of(p) == lib.namespace_of(svc)
	selects({"matchLabels": sel}, lib.pod_labels(p))
	some c in lib.main_containers(p)
	regex.match(`(^|/)(matrixdotorg|element-hq)/synapse([:@]|$)`, c.image)
}

net_009 contains lib.v("MX-NET-009", "deny", svc, msg) if {
	some svc in of_kind("Service")
	synapse_service(svc)
	some p in object.get(svc.spec, "ports", [])
	some port in {p.port, object.get(p, "targetPort", p.port)}
	port in internal_ports
	msg := sprintf("Service %s: port %v reaches a Synapse replication/metrics/manhole listener; use a port-less headless Service (instance_map) or a PodMonitor", [lib.name_of(svc), port])
}

net_009 contains lib.v("MX-NET-009", "deny", ing, msg) if {
	some ing in of_kind("Ingress")
	some rule in object.get(ing.spec, "rules", [])
	some path in object.get(rule, ["http", "paths"], [])
	port := path.backend.service.port.number
	port in internal_ports
	some svc in of_kind("Service")
	svc.metadata.name == path.backend.service.name
	synapse_service(svc)
	msg := sprintf("Ingress %s: backend %s:%v is a Synapse replication/metrics/manhole listener", [lib.name_of(ing), svc.metadata.name, port])
}

# ---------------------------------------------------------------- MX-NET-010 (combined part)

# METADATA
# title: Element host differs from Synapse; body size fits uploads
# description: The host Element is served on differs from the homeserver host in its config.json, and every Synapse Ingress sets nginx.ingress.kubernetes.io/proxy-body-size at least max_upload_size.
# custom:
#   id: MX-NET-010
#   severity: warn
#   overlays: [all]
#   anchors: [Element Web README security note, Synapse reverse_proxy.md]
warn_mx_net_010 contains r if some r in lib.warned(net_010)

element_hosts contains {"host": rule.host, "ing": ing, "svc": path.backend.service.name} if {
	some ing in of_kind("Ingress")
	some rule in object.get(ing.spec, "rules", [])
	some path in object.get(rule, ["http", "paths"], [])
	startswith(path.backend.service.name, "element")
}

element_base_urls contains {"url": url, "ns": lib.namespace_of(cm)} if {
	some cm in of_kind("ConfigMap")
	raw := cm.data["config.json"]
	cfg := json.unmarshal(raw)
	url := cfg.default_server_config["m.homeserver"].base_url
}

net_010 contains lib.v("MX-NET-010", "warn", e.ing, msg) if {
	some e in element_hosts
	some b in element_base_urls
	b.ns == lib.namespace_of(e.ing)
	parsed := regex.find_all_string_submatch_n(`^https?://([^/:]+)`, b.url, 1)
	parsed[0][1] == e.host
	msg := sprintf("Ingress %s: Element is served on %s, the homeserver's own host; give Element its own host (XSS isolation)", [lib.name_of(e.ing), e.host])
}

max_upload := units.parse_bytes(sprintf("%v", [cfg.max_upload_size])) if {
	some cfg in synapse_configs
	cfg.server_name
	cfg.max_upload_size
} else := 52428800

net_010 contains lib.v("MX-NET-010", "warn", ing, msg) if {
	some ing in of_kind("Ingress")
	some rule in object.get(ing.spec, "rules", [])
	some path in object.get(rule, ["http", "paths"], [])
	startswith(path.backend.service.name, "synapse")
	not startswith(path.backend.service.name, "synapse-admin")
	startswith(object.get(path, "path", "/"), "/_matrix")
	body := body_size(ing)
	body < max_upload
	msg := sprintf("Ingress %s: proxy-body-size (%d bytes) is below Synapse max_upload_size (%d bytes); raise nginx.ingress.kubernetes.io/proxy-body-size", [lib.name_of(ing), body, max_upload])
}

# ingress-nginx defaults to 1m; "0" means unlimited.
body_size(ing) := n if {
	raw := lib.annotations(ing)["nginx.ingress.kubernetes.io/proxy-body-size"]
	raw != "0"
	n := units.parse_bytes(upper(raw))
} else := 1048576 if {
	not lib.annotations(ing)["nginx.ingress.kubernetes.io/proxy-body-size"]
	ing.spec.ingressClassName == "nginx"
}

# ---------------------------------------------------------------- MX-DB-001 (combined part)

# METADATA
# title: Every CNPG Cluster has a ScheduledBackup
# description: In production-like overlays every CloudNativePG Cluster is referenced by a ScheduledBackup (spec.cluster.name).
# custom:
#   id: MX-DB-001
#   severity: warn
#   overlays: [production, li]
#   anchors: [CNPG backup docs]
warn_mx_db_001 contains r if some r in lib.warned(db_001)

db_001 contains lib.v("MX-DB-001", "warn", c, msg) if {
	lib.production
	some c in of_kind("Cluster")
	startswith(c.apiVersion, "postgresql.cnpg.io/")
	not scheduled(c)
	msg := sprintf("Cluster %s: add a ScheduledBackup for it", [lib.name_of(c)])
}

scheduled(c) if {
	some b in of_kind("ScheduledBackup")
	b.spec.cluster.name == c.metadata.name
	lib.namespace_of(b) == lib.namespace_of(c)
}

# ---------------------------------------------------------------- MX-SYN-005 (combined part)

# METADATA
# title: Worker configs need Redis on the main process
# description: If worker configs (worker_app) are rendered, the main homeserver.yaml enables Redis and sets worker_replication_secret(_path).
# custom:
#   id: MX-SYN-005
#   severity: deny
#   overlays: [production, li]
#   anchors: [Synapse workers.md]
deny_mx_syn_005 contains r if some r in lib.denied(syn_005)

# METADATA
# title: Worker configs need Redis on the main process (excepted)
# custom:
#   id: MX-SYN-005
#   companion: true
warn_mx_syn_005 contains r if some r in lib.warned(syn_005)

syn_005 contains lib.v("MX-SYN-005", "deny", cm, msg) if {
	lib.production
	some cm in of_kind("ConfigMap")
	count(lib.worker_config(cm)) > 0
	some other in of_kind("ConfigMap")
	lib.namespace_of(other) == lib.namespace_of(cm)
	some _, hs in lib.homeserver(other)
	object.get(hs, ["redis", "enabled"], false) != true
	msg := sprintf("ConfigMap %s defines workers but %s does not set redis.enabled: true", [lib.name_of(cm), lib.name_of(other)])
}

# ---------------------------------------------------------------- MX-SYN-007

# METADATA
# title: Signing key comes from a Secret volume
# description: The homeserver's signing_key_path lies under a volumeMount of a Synapse container whose volume is a secret (or a projected volume of secrets), never a ConfigMap.
# custom:
#   id: MX-SYN-007
#   severity: deny
#   home: warn
#   overlays: [all]
#   anchors: [Synapse signing_key_path]
deny_mx_syn_007 contains r if some r in lib.denied(syn_007)

# METADATA
# title: Signing key comes from a Secret volume (downgraded or excepted)
# custom:
#   id: MX-SYN-007
#   companion: true
warn_mx_syn_007 contains r if some r in lib.warned(syn_007)

secret_volume(vol) if vol.secret

secret_volume(vol) if {
	srcs := vol.projected.sources
	count(srcs) > 0
	every s in srcs {
		s.secret
	}
}

from_secret(ns, keypath) if {
	some p in pods
	lib.namespace_of(p) == ns
	some c in lib.main_containers(p)
	some m in object.get(c, "volumeMounts", [])
	startswith(keypath, sprintf("%s/", [trim_suffix(m.mountPath, "/")]))
	some vol in object.get(lib.pod_spec(p), "volumes", [])
	vol.name == m.name
	secret_volume(vol)
}

syn_007 contains lib.v("MX-SYN-007", "home", cm, msg) if {
	some cm in of_kind("ConfigMap")
	some k, hs in lib.homeserver(cm)
	keypath := object.get(hs, "signing_key_path", "")
	not from_secret(lib.namespace_of(cm), keypath)
	msg := sprintf("ConfigMap %s %s: signing_key_path %q is not on a Secret volume of a Synapse pod; mount the synapse-signing-key Secret there", [lib.name_of(cm), k, keypath])
}

# ---------------------------------------------------------------- MX-LI-001 (combined part)

# METADATA
# title: LI hosts differ from public hosts
# description: No host served by an Ingress in the LI namespace is also served by a public Ingress.
# custom:
#   id: MX-LI-001
#   severity: deny
#   overlays: [li]
#   anchors: [Synapse admin-endpoint guidance]
deny_mx_li_001 contains r if some r in lib.denied(li_001)

# METADATA
# title: LI hosts differ from public hosts (excepted)
# custom:
#   id: MX-LI-001
#   companion: true
warn_mx_li_001 contains r if some r in lib.warned(li_001)

li_001 contains lib.v("MX-LI-001", "deny", ing, msg) if {
	some ing in of_kind("Ingress")
	lib.li_resource(ing)
	some rule in ing.spec.rules
	some pub in of_kind("Ingress")
	not lib.li_namespace(lib.namespace_of(pub))
	some prule in pub.spec.rules
	prule.host == rule.host
	msg := sprintf("Ingress %s: host %s is also served publicly by Ingress %s; give the LI copy its own hosts", [lib.name_of(ing), rule.host, lib.name_of(pub)])
}

# ---------------------------------------------------------------- MX-REL-005 (combined part)

# METADATA
# title: Stateless workloads without spec.replicas are scaled by an autoscaler
# description: In production, a stateless Deployment that leaves spec.replicas out (so Flux does not reset what an autoscaler set) is the target of a HorizontalPodAutoscaler with minReplicas >= 2 in its namespace; otherwise Kubernetes runs one pod.
# custom:
#   id: MX-REL-005
#   severity: warn
#   overlays: [production, li]
#   anchors: [kube-score deployment-replicas, Kubernetes HorizontalPodAutoscaler]
warn_mx_rel_005 contains r if some r in lib.warned(rel_005)

autoscaled(w) if {
	some h in of_kind("HorizontalPodAutoscaler")
	lib.namespace_of(h) == lib.namespace_of(w)
	h.spec.scaleTargetRef.kind == "Deployment"
	h.spec.scaleTargetRef.name == w.metadata.name
	object.get(h.spec, "minReplicas", 1) >= 2
}

rel_005 contains lib.v("MX-REL-005", "warn", w, msg) if {
	lib.production
	some w in of_kind("Deployment")
	lib.app_name(w) in data.mx.reliability.stateless
	not "replicas" in object.keys(object.get(w, "spec", {}))
	not autoscaled(w)
	msg := sprintf("Deployment %s: stateless, has no spec.replicas and no HorizontalPodAutoscaler with minReplicas >= 2; run 2 or more in production", [w.metadata.name])
}
