package mx.reliability

import data.mx.fixtures as fx

pdb(spec) := {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web", "namespace": "matrix"}, "spec": object.union({"selector": {"matchLabels": {"app.kubernetes.io/name": "web"}}}, spec)}

test_compliant_passes if {
	every obj in [fx.deployment, fx.pod, fx.cronjob] {
		count(((deny_mx_rel_001 | deny_mx_rel_002) | deny_mx_rel_004) | deny_mx_rel_006) == 0 with input as obj
		count(((warn_mx_rel_001 | warn_mx_rel_002) | warn_mx_rel_005) | warn_mx_rel_007) == 0 with input as obj
	}
}

# MX-REL-001
test_rel_001 if {
	every c in [fx.c0, fx.i0] {
		every p in ["requests/cpu", "requests/memory", "limits/memory"] {
			count(deny_mx_rel_001) == 1 with input as fx.unset(fx.deployment, sprintf("%s/resources/%s", [c, p]))
		}
	}
	cpu := fx.unset(fx.deployment, sprintf("%s/resources/limits/cpu", [fx.c0]))
	count(deny_mx_rel_001) == 0 with input as cpu
	count(warn_mx_rel_001) == 1 with input as cpu
	obj := fx.unset(fx.deployment, sprintf("%s/resources/requests/cpu", [fx.c0]))
	count(warn_mx_rel_001) == 1 with input as obj with data.mx.overlay as "homelab"
	count(deny_mx_rel_001) == 0 with input as fx.except(obj, "MX-REL-001")
}

# MX-REL-002
test_rel_002 if {
	count(deny_mx_rel_002) == 1 with input as fx.unset(fx.deployment, sprintf("%s/readinessProbe", [fx.c0]))
	count(deny_mx_rel_002) == 1 with input as fx.unset(fx.deployment, sprintf("%s/livenessProbe", [fx.c0]))
	same := fx.set(fx.deployment, sprintf("%s/livenessProbe", [fx.c0]), fx.deployment.spec.template.spec.containers[0].readinessProbe)
	count(deny_mx_rel_002) == 1 with input as same
	synapse := fx.set(fx.deployment, sprintf("%s/image", [fx.c0]), "ghcr.io/element-hq/synapse:v1.140.0")
	count(deny_mx_rel_002) == 1 with input as synapse
	count(deny_mx_rel_002) == 0 with input as fx.set(synapse, sprintf("%s/startupProbe", [fx.c0]), {"tcpSocket": {"port": 8008}})
	# Jobs run to completion: no probes needed.
	count(deny_mx_rel_002) == 0 with input as fx.unset(fx.cronjob, "/spec/jobTemplate/spec/template/spec/containers/0/livenessProbe")
	count(warn_mx_rel_002) == 1 with input as same with data.mx.overlay as "homelab"
	count(deny_mx_rel_002) == 0 with input as fx.except(same, "MX-REL-002")
}

# MX-REL-004
test_rel_004 if {
	count(deny_mx_rel_004) == 0 with input as pdb({"maxUnavailable": 1})
	count(deny_mx_rel_004) == 1 with input as pdb({})
	count(deny_mx_rel_004) == 1 with input as pdb({"maxUnavailable": 1, "minAvailable": 1})
	count(deny_mx_rel_004) == 1 with input as pdb({"maxUnavailable": 0})
	count(deny_mx_rel_004) == 1 with input as pdb({"maxUnavailable": "0%"})
	count(deny_mx_rel_004) == 1 with input as pdb({"minAvailable": "100%"})
	count(deny_mx_rel_004) == 0 with input as fx.except(pdb({"minAvailable": "100%"}), "MX-REL-004")
}

# MX-REL-005
test_rel_005 if {
	element := fx.set(fx.set(fx.deployment, "/spec/template/metadata/labels/app.kubernetes.io~1name", "element"), "/spec/replicas", 1)
	count(warn_mx_rel_005) == 2 with input as element
	spread := fx.set(fx.set(element, "/spec/replicas", 2), sprintf("%s/topologySpreadConstraints", [fx.podspec]), [{"topologyKey": "kubernetes.io/hostname", "maxSkew": 1, "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {}}])
	count(warn_mx_rel_005) == 0 with input as spread
	anti := fx.set(fx.set(element, "/spec/replicas", 3), sprintf("%s/affinity", [fx.podspec]), {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname"}}]}})
	count(warn_mx_rel_005) == 0 with input as anti
	count(warn_mx_rel_005) == 0 with input as element with data.mx.overlay as "homelab"
	count(fx.plain(warn_mx_rel_005)) == 0 with input as fx.except(element, "MX-REL-005")
}

# MX-REL-006
test_rel_006 if {
	every l in ["name", "instance", "component", "part-of"] {
		count(deny_mx_rel_006) == 1 with input as fx.unset(fx.deployment, sprintf("/metadata/labels/app.kubernetes.io~1%s", [l]))
		count(deny_mx_rel_006) >= 1 with input as fx.unset(fx.deployment, sprintf("/spec/template/metadata/labels/app.kubernetes.io~1%s", [l]))
	}
	count(deny_mx_rel_006) == 1 with input as fx.set(fx.deployment, "/spec/selector/matchLabels/app.kubernetes.io~1name", "other")
	count(deny_mx_rel_006) == 1 with input as fx.unset(fx.deployment, "/metadata/namespace")
	count(deny_mx_rel_006) == 1 with input as fx.set(fx.configmap({}), "/metadata/namespace", "default")
	count(deny_mx_rel_006) == 0 with input as {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}
	count(deny_mx_rel_006) == 0 with input as fx.except(fx.unset(fx.deployment, "/metadata/namespace"), "MX-REL-006")
}

# MX-REL-007
test_rel_007 if {
	obj := fx.unset(fx.deployment, sprintf("%s/volumes/0/emptyDir/sizeLimit", [fx.podspec]))
	count(warn_mx_rel_007) == 1 with input as obj
	count(warn_mx_rel_007) == 0 with input as fx.set(obj, sprintf("%s/resources/limits/ephemeral-storage", [fx.c0]), "1Gi")
	count(fx.plain(warn_mx_rel_007)) == 0 with input as fx.except(obj, "MX-REL-007")
}
