package mx.pss

import data.mx.fixtures as fx

ns(labels) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "matrix", "labels": labels}}

restricted := {
	"pod-security.kubernetes.io/enforce": "restricted",
	"pod-security.kubernetes.io/audit": "restricted",
	"pod-security.kubernetes.io/warn": "restricted",
}

# The compliant fixture passes every PSS rule, in every workload kind.
test_compliant_deployment_passes if {
	count(all_deny) == 0 with input as fx.deployment
	count(warn_mx_pss_018) == 0 with input as fx.deployment
}

test_compliant_pod_passes if count(all_deny) == 0 with input as fx.pod

test_compliant_cronjob_passes if count(all_deny) == 0 with input as fx.cronjob

all_deny := ((((((((deny_mx_pss_002 | deny_mx_pss_003) | deny_mx_pss_004) | deny_mx_pss_005) | deny_mx_pss_006) | deny_mx_pss_007) | deny_mx_pss_008) | deny_mx_pss_009) | ((((((deny_mx_pss_010 | deny_mx_pss_011) | deny_mx_pss_012) | deny_mx_pss_013) | deny_mx_pss_014) | deny_mx_pss_015) | deny_mx_pss_016)) | deny_mx_pss_017

# MX-PSS-001
test_pss_001_pass if count(deny_mx_pss_001) == 0 with input as ns(restricted)

test_pss_001_fail_each_label if {
	every mode in ["enforce", "audit", "warn"] {
		l := object.union(restricted, {sprintf("pod-security.kubernetes.io/%s", [mode]): "baseline"})
		count(deny_mx_pss_001) == 1 with input as ns(l)
	}
	count(deny_mx_pss_001) == 3 with input as ns({})
}

test_pss_001_homelab_warns if {
	count(deny_mx_pss_001) == 0 with input as ns({}) with data.mx.overlay as "homelab"
	count(warn_mx_pss_001) == 3 with input as ns({}) with data.mx.overlay as "homelab"
}

test_pss_001_exception if {
	obj := fx.except(ns({}), "MX-PSS-001")
	count(deny_mx_pss_001) == 0 with input as obj
	fx.excepted(warn_mx_pss_001) == {"MX-PSS-001"} with input as obj
}

# MX-PSS-002
test_pss_002_fail_each_field if {
	every f in ["hostNetwork", "hostPID", "hostIPC"] {
		count(deny_mx_pss_002) == 1 with input as fx.set(fx.deployment, sprintf("%s/%s", [fx.podspec, f]), true)
		count(deny_mx_pss_002) == 1 with input as fx.set(fx.pod, sprintf("/spec/%s", [f]), true)
	}
	count(deny_mx_pss_002) == 0 with input as fx.set(fx.deployment, sprintf("%s/hostNetwork", [fx.podspec]), false)
}

test_pss_002_exception if {
	obj := fx.except(fx.set(fx.deployment, sprintf("%s/hostNetwork", [fx.podspec]), true), "MX-PSS-002")
	count(deny_mx_pss_002) == 0 with input as obj
	fx.excepted(warn_mx_pss_002) == {"MX-PSS-002"} with input as obj
}

test_pss_002_exception_without_reason_still_denies if {
	obj := fx.set(fx.set(fx.deployment, sprintf("%s/hostNetwork", [fx.podspec]), true), "/metadata/annotations", {"policy.mx/exceptions": "MX-PSS-002"})
	count(deny_mx_pss_002) == 1 with input as obj
}

# MX-PSS-003
test_pss_003_fail if {
	every c in [fx.c0, fx.i0] {
		count(deny_mx_pss_003) == 1 with input as fx.set(fx.deployment, sprintf("%s/securityContext/privileged", [c]), true)
	}
	count(deny_mx_pss_003) == 1 with input as fx.set(fx.cronjob, "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/privileged", true)
}

test_pss_003_exception if {
	obj := fx.except(fx.set(fx.deployment, sprintf("%s/securityContext/privileged", [fx.c0]), true), "MX-PSS-003")
	count(deny_mx_pss_003) == 0 with input as obj
	count(warn_mx_pss_003) == 1 with input as obj
}

# MX-PSS-004
test_pss_004 if {
	count(deny_mx_pss_004) == 0 with input as fx.set(fx.deployment, sprintf("%s/securityContext/capabilities/add", [fx.c0]), ["NET_BIND_SERVICE"])
	every cap in ["SYS_ADMIN", "NET_ADMIN", "NET_RAW", "SYS_MODULE", "ALL", "CHOWN"] {
		count(deny_mx_pss_004) == 1 with input as fx.set(fx.deployment, sprintf("%s/securityContext/capabilities/add", [fx.i0]), [cap])
	}
	obj := fx.except(fx.set(fx.deployment, sprintf("%s/securityContext/capabilities/add", [fx.c0]), ["NET_ADMIN"]), "MX-PSS-004")
	count(deny_mx_pss_004) == 0 with input as obj
	count(warn_mx_pss_004) == 1 with input as obj
}

# MX-PSS-005
test_pss_005 if {
	every c in [fx.c0, fx.i0] {
		count(deny_mx_pss_005) == 1 with input as fx.set(fx.deployment, sprintf("%s/securityContext/capabilities/drop", [c]), ["NET_RAW"])
		count(deny_mx_pss_005) == 1 with input as fx.unset(fx.deployment, sprintf("%s/securityContext/capabilities", [c]))
	}
	obj := fx.set(fx.deployment, sprintf("%s/securityContext/capabilities/drop", [fx.c0]), [])
	count(deny_mx_pss_005) == 0 with input as obj with data.mx.overlay as "homelab"
	count(warn_mx_pss_005) == 1 with input as obj with data.mx.overlay as "homelab"
	count(deny_mx_pss_005) == 0 with input as fx.except(obj, "MX-PSS-005")
}

# MX-PSS-006
test_pss_006 if {
	some sock in deny_mx_pss_006 with input as fx.set(fx.deployment, sprintf("%s/volumes/0", [fx.podspec]), {"name": "s", "hostPath": {"path": "/var/run/docker.sock"}})
	contains(sock.msg, "container runtime socket")
	some etc in deny_mx_pss_006 with input as fx.set(fx.deployment, sprintf("%s/volumes/0", [fx.podspec]), {"name": "s", "hostPath": {"path": "/etc/"}})
	contains(etc.msg, "sensitive node path")
	count(deny_mx_pss_006) == 1 with input as fx.set(fx.deployment, sprintf("%s/volumes/0", [fx.podspec]), {"name": "s", "hostPath": {"path": "/srv/data"}})
	obj := fx.except(fx.set(fx.deployment, sprintf("%s/volumes/0", [fx.podspec]), {"name": "s", "hostPath": {"path": "/srv"}}), "MX-PSS-006")
	count(deny_mx_pss_006) == 0 with input as obj
	count(warn_mx_pss_006) == 1 with input as obj
}

# MX-PSS-007
test_pss_007 if {
	count(deny_mx_pss_007) == 1 with input as fx.set(fx.deployment, sprintf("%s/ports/0/hostPort", [fx.c0]), 8080)
	count(deny_mx_pss_007) == 0 with input as fx.set(fx.deployment, sprintf("%s/ports/0/hostPort", [fx.c0]), 0)
	obj := fx.set(fx.deployment, sprintf("%s/ports", [fx.i0]), [{"containerPort": 1, "hostPort": 1}])
	count(deny_mx_pss_007) == 1 with input as obj
	count(deny_mx_pss_007) == 0 with input as fx.except(obj, "MX-PSS-007")
}

# MX-PSS-008
test_pss_008 if {
	count(deny_mx_pss_008) == 0 with input as fx.set(fx.deployment, sprintf("%s/securityContext/appArmorProfile", [fx.podspec]), {"type": "RuntimeDefault"})
	count(deny_mx_pss_008) == 1 with input as fx.set(fx.deployment, sprintf("%s/securityContext/appArmorProfile", [fx.podspec]), {"type": "Unconfined"})
	count(deny_mx_pss_008) == 1 with input as fx.set(fx.deployment, sprintf("%s/securityContext/appArmorProfile", [fx.i0]), {"type": "Unconfined"})
	ann := fx.set(fx.deployment, "/spec/template/metadata/annotations", {"container.apparmor.security.beta.kubernetes.io/web": "unconfined"})
	count(deny_mx_pss_008) == 1 with input as ann
	count(deny_mx_pss_008) == 0 with input as fx.set(fx.deployment, "/spec/template/metadata/annotations", {"container.apparmor.security.beta.kubernetes.io/web": "localhost/p"})
	count(deny_mx_pss_008) == 0 with input as fx.except(ann, "MX-PSS-008")
}

# MX-PSS-009
test_pss_009 if {
	count(deny_mx_pss_009) == 0 with input as fx.set(fx.deployment, sprintf("%s/securityContext/seLinuxOptions", [fx.podspec]), {"type": "container_t"})
	count(deny_mx_pss_009) == 1 with input as fx.set(fx.deployment, sprintf("%s/securityContext/seLinuxOptions", [fx.podspec]), {"type": "spc_t"})
	count(deny_mx_pss_009) == 1 with input as fx.set(fx.deployment, sprintf("%s/securityContext/seLinuxOptions", [fx.c0]), {"user": "root"})
	obj := fx.set(fx.deployment, sprintf("%s/securityContext/seLinuxOptions", [fx.i0]), {"role": "sysadm_r"})
	count(deny_mx_pss_009) == 1 with input as obj
	count(deny_mx_pss_009) == 0 with input as fx.except(obj, "MX-PSS-009")
}

# MX-PSS-010
test_pss_010 if {
	count(deny_mx_pss_010) == 0 with input as fx.set(fx.deployment, sprintf("%s/securityContext/procMount", [fx.c0]), "Default")
	count(deny_mx_pss_010) == 1 with input as fx.set(fx.deployment, sprintf("%s/securityContext/procMount", [fx.c0]), "Unmasked")
	count(deny_mx_pss_010) == 1 with input as fx.set(fx.deployment, sprintf("%s/securityContext/windowsOptions", [fx.podspec]), {"hostProcess": true})
	count(deny_mx_pss_010) == 1 with input as fx.set(fx.deployment, sprintf("%s/securityContext/windowsOptions", [fx.i0]), {"hostProcess": true})
	count(deny_mx_pss_010) == 1 with input as fx.set(fx.deployment, sprintf("%s/livenessProbe/tcpSocket/host", [fx.c0]), "10.0.0.1")
	count(deny_mx_pss_010) == 1 with input as fx.set(fx.deployment, sprintf("%s/readinessProbe/httpGet/host", [fx.c0]), "example.org")
	obj := fx.set(fx.deployment, sprintf("%s/lifecycle", [fx.c0]), {"preStop": {"httpGet": {"host": "x", "port": 1}}})
	count(deny_mx_pss_010) == 1 with input as obj
	count(deny_mx_pss_010) == 0 with input as fx.except(obj, "MX-PSS-010")
}

# MX-PSS-011
test_pss_011 if {
	count(deny_mx_pss_011) == 0 with input as fx.set(fx.deployment, sprintf("%s/securityContext/sysctls", [fx.podspec]), [{"name": "net.ipv4.tcp_syncookies", "value": "1"}])
	obj := fx.set(fx.deployment, sprintf("%s/securityContext/sysctls", [fx.podspec]), [{"name": "kernel.msgmax", "value": "1"}])
	count(deny_mx_pss_011) == 1 with input as obj
	count(deny_mx_pss_011) == 0 with input as fx.except(obj, "MX-PSS-011")
}

# MX-PSS-012
test_pss_012 if {
	# Pod level missing but every container sets it: fine.
	both := fx.set(fx.set(fx.unset(fx.deployment, sprintf("%s/securityContext/seccompProfile", [fx.podspec])), sprintf("%s/securityContext/seccompProfile", [fx.c0]), {"type": "RuntimeDefault"}), sprintf("%s/securityContext/seccompProfile", [fx.i0]), {"type": "Localhost", "localhostProfile": "p.json"})
	count(deny_mx_pss_012) == 0 with input as both
	count(deny_mx_pss_012) == 1 with input as fx.unset(both, sprintf("%s/securityContext/seccompProfile", [fx.i0]))
	count(deny_mx_pss_012) == 1 with input as fx.set(fx.deployment, sprintf("%s/securityContext/seccompProfile", [fx.c0]), {"type": "Unconfined"})
	obj := fx.set(fx.deployment, sprintf("%s/securityContext/seccompProfile", [fx.podspec]), {"type": "Unconfined"})
	count(deny_mx_pss_012) > 0 with input as obj
	count(deny_mx_pss_012) == 0 with input as fx.except(obj, "MX-PSS-012")
}

# MX-PSS-013
test_pss_013 if {
	obj := fx.set(fx.deployment, sprintf("%s/volumes/0", [fx.podspec]), {"name": "n", "nfs": {"server": "x", "path": "/"}})
	count(deny_mx_pss_013) == 1 with input as obj
	count(warn_mx_pss_013) == 1 with input as obj with data.mx.overlay as "homelab"
	count(deny_mx_pss_013) == 0 with input as fx.set(fx.deployment, sprintf("%s/volumes/0", [fx.podspec]), {"name": "p", "persistentVolumeClaim": {"claimName": "x"}})
	count(deny_mx_pss_013) == 0 with input as fx.except(obj, "MX-PSS-013")
}

# MX-PSS-014
test_pss_014 if {
	every c in [fx.c0, fx.i0] {
		count(deny_mx_pss_014) == 1 with input as fx.unset(fx.deployment, sprintf("%s/securityContext/allowPrivilegeEscalation", [c]))
		count(deny_mx_pss_014) == 1 with input as fx.set(fx.deployment, sprintf("%s/securityContext/allowPrivilegeEscalation", [c]), true)
	}
	count(deny_mx_pss_014) == 0 with input as fx.except(fx.unset(fx.deployment, sprintf("%s/securityContext/allowPrivilegeEscalation", [fx.c0])), "MX-PSS-014")
}

# MX-PSS-015
test_pss_015 if {
	no_pod := fx.unset(fx.deployment, sprintf("%s/securityContext/runAsNonRoot", [fx.podspec]))
	count(deny_mx_pss_015) == 2 with input as no_pod # init and main container, one message each
	per_container := fx.set(fx.set(no_pod, sprintf("%s/securityContext/runAsNonRoot", [fx.c0]), true), sprintf("%s/securityContext/runAsNonRoot", [fx.i0]), true)
	count(deny_mx_pss_015) == 0 with input as per_container
	count(deny_mx_pss_015) == 1 with input as fx.set(fx.deployment, sprintf("%s/securityContext/runAsNonRoot", [fx.c0]), false)
	count(deny_mx_pss_015) == 1 with input as fx.set(fx.deployment, sprintf("%s/securityContext/runAsUser", [fx.c0]), 0)
	count(deny_mx_pss_015) > 0 with input as fx.set(fx.deployment, sprintf("%s/securityContext/runAsGroup", [fx.podspec]), 0)
	count(deny_mx_pss_015) == 1 with input as fx.set(fx.deployment, sprintf("%s/securityContext/fsGroup", [fx.podspec]), 0)
	count(deny_mx_pss_015) == 1 with input as fx.set(fx.deployment, sprintf("%s/securityContext/supplementalGroups", [fx.podspec]), [0])
	count(deny_mx_pss_015) == 0 with input as fx.except(no_pod, "MX-PSS-015")
}

# MX-PSS-016
test_pss_016 if {
	every c in [fx.c0, fx.i0] {
		count(deny_mx_pss_016) == 1 with input as fx.set(fx.deployment, sprintf("%s/securityContext/readOnlyRootFilesystem", [c]), false)
		count(deny_mx_pss_016) == 1 with input as fx.unset(fx.deployment, sprintf("%s/securityContext/readOnlyRootFilesystem", [c]))
	}
	obj := fx.set(fx.deployment, sprintf("%s/securityContext/readOnlyRootFilesystem", [fx.c0]), false)
	count(warn_mx_pss_016) == 1 with input as obj with data.mx.overlay as "homelab"
	count(deny_mx_pss_016) == 0 with input as fx.except(obj, "MX-PSS-016")
}

# MX-PSS-017
test_pss_017 if {
	count(deny_mx_pss_017) == 1 with input as fx.set(fx.deployment, sprintf("%s/securityContext", [fx.podspec]), {})
	count(deny_mx_pss_017) == 1 with input as fx.unset(fx.deployment, sprintf("%s/securityContext", [fx.c0]))
	count(deny_mx_pss_017) == 1 with input as fx.set(fx.deployment, sprintf("%s/securityContext", [fx.i0]), {})
	count(deny_mx_pss_017) == 0 with input as fx.except(fx.set(fx.deployment, sprintf("%s/securityContext", [fx.podspec]), {}), "MX-PSS-017")
}

# MX-PSS-018
test_pss_018 if {
	count(warn_mx_pss_018) == 2 with input as fx.set(fx.deployment, sprintf("%s/securityContext/runAsUser", [fx.podspec]), 991)
	count(warn_mx_pss_018) == 1 with input as fx.set(fx.deployment, sprintf("%s/securityContext/runAsGroup", [fx.c0]), 991)
	count(warn_mx_pss_018) == 1 with input as fx.set(fx.deployment, sprintf("%s/ports/0/containerPort", [fx.c0]), 80)
	obj := fx.except(fx.set(fx.deployment, sprintf("%s/ports/0/containerPort", [fx.c0]), 80), "MX-PSS-018")
	fx.excepted(warn_mx_pss_018) == {"MX-PSS-018"} with input as obj
	count(fx.plain(warn_mx_pss_018)) == 0 with input as obj
}

# The uid an image is built to run as is info (counted, not listed); another low uid on that image warns.
test_pss_018_image_uid_is_info if {
	synapse := fx.set(fx.set(fx.deployment, sprintf("%s/image", [fx.c0]), "docker.io/matrixdotorg/synapse:v1.157.1"), sprintf("%s/securityContext/runAsUser", [fx.c0]), 991)
	{r.severity | some r in warn_mx_pss_018} == {"info"} with input as synapse
	count(warn_mx_pss_018) == 1 with input as synapse
	other := fx.set(synapse, sprintf("%s/securityContext/runAsUser", [fx.c0]), 1234)
	{r.severity | some r in warn_mx_pss_018} == {"warning"} with input as other
}
