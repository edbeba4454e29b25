# Resources, probes, disruption budgets, replicas, labels and ephemeral storage.
package mx.reliability

import data.mx.lib

# ---------------------------------------------------------------- MX-REL-001

# METADATA
# title: Resource requests and memory limit
# description: Every container sets resources.requests.cpu, resources.requests.memory and resources.limits.memory. A missing CPU limit is only a warning (CPU limits throttle Synapse under load).
# custom:
#   id: MX-REL-001
#   kinds: [pod]
#   severity: deny
#   home: warn
#   overlays: [all]
#   anchors: [Kyverno require-pod-requests-limits, KSV011/015/016/018, kube-score container-resources]
deny_mx_rel_001 contains r if some r in lib.denied(rel_001)

# METADATA
# title: Resource requests and memory limit (downgraded or excepted)
# custom:
#   id: MX-REL-001
#   companion: true
warn_mx_rel_001 contains r if some r in lib.warned(rel_001)

rel_001 contains lib.vf("MX-REL-001", "home", input, msg, e.ptr) if {
	some e in lib.in_containers
	some path in [["requests", "cpu"], ["requests", "memory"], ["limits", "memory"]]
	not object.get(e.c, array.concat(["resources"], path), false)
	msg := sprintf("%s %s (%s): set resources.%s", [lib.in_describe, e.path, e.c.name, concat(".", path)])
}

rel_001 contains lib.vf("MX-REL-001", "warn", input, msg, e.ptr) if {
	some e in lib.in_containers
	not object.get(e.c, ["resources", "limits", "cpu"], false)
	msg := sprintf("%s %s (%s): consider resources.limits.cpu so one pod cannot starve the node", [lib.in_describe, e.path, e.c.name])
}

# ---------------------------------------------------------------- MX-REL-002

# METADATA
# title: Liveness and readiness probes
# description: Long-running containers have readinessProbe and livenessProbe (Synapse also startupProbe), and liveness differs from readiness.
# custom:
#   id: MX-REL-002
#   kinds: [pod]
#   severity: deny
#   home: warn
#   overlays: [all]
#   anchors: [Kyverno require-probes, Polaris, kube-score pod-probes(-identical)]
deny_mx_rel_002 contains r if some r in lib.denied(rel_002)

# METADATA
# title: Liveness and readiness probes (downgraded or excepted)
# custom:
#   id: MX-REL-002
#   companion: true
warn_mx_rel_002 contains r if some r in lib.warned(rel_002)

synapse_image(image) if regex.match(`(^|/)(matrixdotorg|element-hq)/synapse([:@]|$)`, image)

rel_002 contains lib.v("MX-REL-002", "home", input, msg) if {
	lib.long_running(input)
	some i, c in lib.in_main_containers
	some probe in ["readinessProbe", "livenessProbe"]
	not c[probe]
	msg := sprintf("%s containers[%d] (%s): add a %s", [lib.in_describe, i, c.name, probe])
}

rel_002 contains lib.v("MX-REL-002", "home", input, msg) if {
	lib.long_running(input)
	some i, c in lib.in_main_containers
	synapse_image(c.image)
	not c.startupProbe
	msg := sprintf("%s containers[%d] (%s): add a startupProbe (Synapse runs database migrations at start)", [lib.in_describe, i, c.name])
}

rel_002 contains lib.v("MX-REL-002", "home", input, msg) if {
	lib.long_running(input)
	some i, c in lib.in_main_containers
	c.livenessProbe == c.readinessProbe
	msg := sprintf("%s containers[%d] (%s): livenessProbe is identical to readinessProbe; a failing dependency would restart the pod instead of taking it out of rotation", [lib.in_describe, i, c.name])
}

# ---------------------------------------------------------------- MX-REL-004 (per document part)

# METADATA
# title: PodDisruptionBudget has a sane policy
# description: A PDB sets exactly one of minAvailable/maxUnavailable, never maxUnavailable 0 or "0%", never minAvailable "100%". The combined pass also checks minAvailable < replicas.
# custom:
#   id: MX-REL-004
#   kinds: [PodDisruptionBudget]
#   severity: deny
#   overlays: [all]
#   anchors: [Polaris pdbDisruptionsIsZero, kube-score poddisruptionbudget-has-policy, Kyverno pdb-minavailable]
deny_mx_rel_004 contains r if some r in lib.denied(rel_004)

# METADATA
# title: PodDisruptionBudget has a sane policy (excepted)
# custom:
#   id: MX-REL-004
#   companion: true
warn_mx_rel_004 contains r if some r in lib.warned(rel_004)

rel_004 contains lib.v("MX-REL-004", "deny", input, msg) if {
	input.kind == "PodDisruptionBudget"
	n := count([k | some k in ["minAvailable", "maxUnavailable"]; k in object.keys(input.spec)])
	n != 1
	msg := sprintf("PodDisruptionBudget %s: set exactly one of spec.minAvailable or spec.maxUnavailable", [lib.in_name])
}

rel_004 contains lib.v("MX-REL-004", "deny", input, msg) if {
	input.kind == "PodDisruptionBudget"
	input.spec.maxUnavailable in {0, "0%", "0"}
	msg := sprintf("PodDisruptionBudget %s: maxUnavailable 0 blocks every node drain; allow at least 1", [lib.in_name])
}

rel_004 contains lib.v("MX-REL-004", "deny", input, msg) if {
	input.kind == "PodDisruptionBudget"
	input.spec.minAvailable == "100%"
	msg := sprintf("PodDisruptionBudget %s: minAvailable 100%% blocks every node drain; lower it", [lib.in_name])
}

# ---------------------------------------------------------------- MX-REL-005

# METADATA
# title: Stateless workloads are replicated and spread
# description: In production, stateless workloads (Element, well-known, lk-jwt-service, Synapse generic workers that serve reads) run replicas >= 2 with podAntiAffinity on kubernetes.io/hostname or topologySpreadConstraints. The Synapse main process and stream writers are singletons by design.
# custom:
#   id: MX-REL-005
#   kinds: [Deployment]
#   severity: warn
#   overlays: [production, li]
#   anchors: [kube-score deployment-replicas, host-podantiaffinity, topology-spread, Polaris]
warn_mx_rel_005 contains r if some r in lib.warned(rel_005)

stateless := {"element", "wellknown", "lk-jwt-service", "synapse-client-reader", "synapse-federation-reader", "synapse-synchrotron"}

rel_005 contains lib.v("MX-REL-005", "warn", input, msg) if {
	lib.production
	input.kind == "Deployment"
	lib.in_app_name in stateless
	# Without spec.replicas a HorizontalPodAutoscaler may own the count: mx.combined checks that case.
	input.spec.replicas < 2
	msg := sprintf("Deployment %s: stateless, run spec.replicas >= 2 in production", [lib.in_name])
}

rel_005 contains lib.v("MX-REL-005", "warn", input, msg) if {
	lib.production
	input.kind == "Deployment"
	lib.in_app_name in stateless
	not spread(lib.in_pod_spec)
	msg := sprintf("Deployment %s: add podAntiAffinity on kubernetes.io/hostname or topologySpreadConstraints", [lib.in_name])
}

spread(spec) if count(object.get(spec, "topologySpreadConstraints", [])) > 0

spread(spec) if {
	some kind in ["requiredDuringSchedulingIgnoredDuringExecution", "preferredDuringSchedulingIgnoredDuringExecution"]
	some term in object.get(spec, ["affinity", "podAntiAffinity", kind], [])
	object.get(term, ["podAffinityTerm", "topologyKey"], object.get(term, "topologyKey", "")) == "kubernetes.io/hostname"
}

# ---------------------------------------------------------------- MX-REL-006

# METADATA
# title: Recommended labels, matching selector, explicit namespace
# description: Workloads carry app.kubernetes.io/name, instance, component and part-of on metadata and pod template; spec.selector.matchLabels is a subset of the template labels; namespaced objects set metadata.namespace and it is not default.
# custom:
#   id: MX-REL-006
#   severity: deny
#   overlays: [all]
#   anchors: [Kyverno require-labels, disallow-default-namespace, KSV110, kube-score selector-match]
deny_mx_rel_006 contains r if some r in lib.denied(rel_006)

# METADATA
# title: Recommended labels, matching selector, explicit namespace (excepted)
# custom:
#   id: MX-REL-006
#   companion: true
warn_mx_rel_006 contains r if some r in lib.warned(rel_006)

recommended := ["app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component", "app.kubernetes.io/part-of"]

cluster_scoped := {
	"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume",
	"StorageClass", "PriorityClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
	"ClusterIssuer", "IngressClass", "GatewayClass", "VolumeSnapshotClass", "CSIDriver", "RuntimeClass",
}

rel_006 contains lib.v("MX-REL-006", "deny", input, msg) if {
	lib.in_is_pod
	some where, ls in {"metadata.labels": lib.labels(input), "pod template labels": lib.in_pod_labels}
	some l in recommended
	not ls[l]
	msg := sprintf("%s: add label %s to %s", [lib.in_describe, l, where])
}

rel_006 contains lib.v("MX-REL-006", "deny", input, msg) if {
	input.kind != "Pod"
	some k, val in object.get(input.spec, ["selector", "matchLabels"], {})
	object.get(lib.in_pod_labels, k, null) != val
	msg := sprintf("%s: spec.selector.matchLabels %s=%s does not match the pod template labels", [lib.in_describe, k, val])
}

rel_006 contains lib.v("MX-REL-006", "deny", input, msg) if {
	input.kind
	not input.kind in cluster_scoped
	not input.kind == "List"
	object.get(input, ["metadata", "namespace"], "") in {"", "default"}
	msg := sprintf("%s: set metadata.namespace to the app namespace (not default)", [lib.in_describe])
}

# ---------------------------------------------------------------- MX-REL-007

# METADATA
# title: Bounded ephemeral storage
# description: Every emptyDir has a sizeLimit, or every container mounting it sets an ephemeral-storage request or limit.
# custom:
#   id: MX-REL-007
#   kinds: [pod]
#   severity: warn
#   overlays: [all]
#   anchors: [Kyverno require-emptydir-requests-limits, kube-score ephemeral-storage]
warn_mx_rel_007 contains r if some r in lib.warned(rel_007)

rel_007 contains lib.vf("MX-REL-007", "warn", input, msg, e.ptr) if {
	some vol in object.get(lib.in_pod_spec, "volumes", [])
	is_object(vol.emptyDir)
	not vol.emptyDir.sizeLimit
	some e in lib.in_containers
	some m in object.get(e.c, "volumeMounts", [])
	m.name == vol.name
	not object.get(e.c, ["resources", "limits", "ephemeral-storage"], false)
	not object.get(e.c, ["resources", "requests", "ephemeral-storage"], false)
	msg := sprintf("%s volume %s: set emptyDir.sizeLimit (or ephemeral-storage resources on %s) so a full disk cannot evict the node's pods", [lib.in_describe, vol.name, e.c.name])
}
