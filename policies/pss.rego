# Pod Security Standards (baseline + restricted) and container hardening, per pod template.
package mx.pss

import data.mx.lib

# ---------------------------------------------------------------- MX-PSS-001

# METADATA
# title: Namespaces enforce the restricted Pod Security level
# description: Every Namespace carries pod-security.kubernetes.io/enforce=restricted plus audit and warn labels. A namespace that must run baseline pods (coturn/LiveKit on host network) needs an exception with a reason.
# custom:
#   id: MX-PSS-001
#   kinds: [Namespace]
#   severity: deny
#   home: warn
#   overlays: [all]
#   anchors: [PSS/PSA, Kyverno psa]
deny_mx_pss_001 contains r if some r in lib.denied(pss_001)

# METADATA
# title: Namespaces enforce the restricted Pod Security level (downgraded or excepted)
# custom:
#   id: MX-PSS-001
#   companion: true
warn_mx_pss_001 contains r if some r in lib.warned(pss_001)

pss_001 contains lib.v("MX-PSS-001", "home", input, msg) if {
	input.kind == "Namespace"
	some mode in ["enforce", "audit", "warn"]
	label := sprintf("pod-security.kubernetes.io/%s", [mode])
	object.get(lib.labels(input), label, "") != "restricted"
	msg := sprintf("Namespace %s: set label %s: restricted", [lib.in_name, label])
}

# ---------------------------------------------------------------- MX-PSS-002

# METADATA
# title: No host namespaces
# description: spec.hostNetwork, spec.hostPID and spec.hostIPC stay unset or false.
# custom:
#   id: MX-PSS-002
#   kinds: [pod]
#   severity: deny
#   overlays: [all]
#   anchors: [PSS baseline, KSV008/009/010 (HIGH), Polaris danger]
deny_mx_pss_002 contains r if some r in lib.denied(pss_002)

# METADATA
# title: No host namespaces (excepted)
# custom:
#   id: MX-PSS-002
#   companion: true
warn_mx_pss_002 contains r if some r in lib.warned(pss_002)

pss_002 contains lib.vf("MX-PSS-002", "deny", input, msg, array.concat(lib.pod_spec_path(input), [f])) if {
	some f in ["hostNetwork", "hostPID", "hostIPC"]
	lib.in_pod_spec[f] == true
	msg := sprintf("%s: remove spec.%s (host namespaces break pod isolation)", [lib.in_describe, f])
}

# ---------------------------------------------------------------- MX-PSS-003

# METADATA
# title: No privileged containers
# description: securityContext.privileged is never true on any container, init container or ephemeral container.
# custom:
#   id: MX-PSS-003
#   kinds: [pod]
#   severity: deny
#   overlays: [all]
#   anchors: [PSS baseline, KSV017]
deny_mx_pss_003 contains r if some r in lib.denied(pss_003)

# METADATA
# title: No privileged containers (excepted)
# custom:
#   id: MX-PSS-003
#   companion: true
warn_mx_pss_003 contains r if some r in lib.warned(pss_003)

pss_003 contains lib.vf("MX-PSS-003", "deny", input, msg, e.ptr) if {
	some e in lib.in_containers
	lib.container_sc(e.c).privileged == true
	msg := sprintf("%s %s (%s): set securityContext.privileged: false", [lib.in_describe, e.path, e.c.name])
}

# ---------------------------------------------------------------- MX-PSS-004

# METADATA
# title: Only NET_BIND_SERVICE may be added
# description: capabilities.add is a subset of [NET_BIND_SERVICE]; SYS_ADMIN, NET_ADMIN, NET_RAW, SYS_MODULE and ALL are never added.
# custom:
#   id: MX-PSS-004
#   kinds: [pod]
#   severity: deny
#   overlays: [all]
#   anchors: [PSS restricted, KSV005/022/119/120, Polaris dangerousCapabilities]
deny_mx_pss_004 contains r if some r in lib.denied(pss_004)

# METADATA
# title: Only NET_BIND_SERVICE may be added (excepted)
# custom:
#   id: MX-PSS-004
#   companion: true
warn_mx_pss_004 contains r if some r in lib.warned(pss_004)

pss_004 contains lib.vf("MX-PSS-004", "deny", input, msg, e.ptr) if {
	some e in lib.in_containers
	some cap in object.get(lib.container_sc(e.c), ["capabilities", "add"], [])
	not trim_prefix(upper(cap), "CAP_") == "NET_BIND_SERVICE"
	msg := sprintf("%s %s (%s): remove capability %s from securityContext.capabilities.add", [lib.in_describe, e.path, e.c.name, cap])
}

# ---------------------------------------------------------------- MX-PSS-005

# METADATA
# title: Drop all capabilities
# description: Every container lists ALL in securityContext.capabilities.drop.
# custom:
#   id: MX-PSS-005
#   kinds: [pod]
#   severity: deny
#   home: warn
#   overlays: [all]
#   anchors: [PSS restricted, KSV003/106, Kyverno require-drop-all, Polaris insecureCapabilities]
deny_mx_pss_005 contains r if some r in lib.denied(pss_005)

# METADATA
# title: Drop all capabilities (downgraded or excepted)
# custom:
#   id: MX-PSS-005
#   companion: true
warn_mx_pss_005 contains r if some r in lib.warned(pss_005)

pss_005 contains lib.vf("MX-PSS-005", "home", input, msg, e.ptr) if {
	some e in lib.in_containers
	drops := {upper(d) | some d in object.get(lib.container_sc(e.c), ["capabilities", "drop"], [])}
	not "ALL" in drops
	msg := sprintf("%s %s (%s): add ALL to securityContext.capabilities.drop", [lib.in_describe, e.path, e.c.name])
}

# ---------------------------------------------------------------- MX-PSS-006

# METADATA
# title: No hostPath volumes
# description: spec.volumes never uses hostPath; container runtime sockets and system paths get an explicit message.
# custom:
#   id: MX-PSS-006
#   kinds: [pod]
#   severity: deny
#   overlays: [all]
#   anchors: [PSS baseline, KSV023/006/121, Kyverno disallow-cri-sock-mount]
deny_mx_pss_006 contains r if some r in lib.denied(pss_006)

# METADATA
# title: No hostPath volumes (excepted)
# custom:
#   id: MX-PSS-006
#   companion: true
warn_mx_pss_006 contains r if some r in lib.warned(pss_006)

sensitive_host_paths := [
	"/var/run/docker.sock", "/run/containerd/containerd.sock", "/var/run/containerd/containerd.sock",
	"/var/run/crio/crio.sock", "/run/crio/crio.sock", "/", "/etc", "/proc", "/sys", "/var/lib/docker",
]

pss_006 contains lib.v("MX-PSS-006", "deny", input, msg) if {
	some vol in object.get(lib.in_pod_spec, "volumes", [])
	p := vol.hostPath.path
	why := host_path_why(trim_suffix(p, "/"))
	msg := sprintf("%s volume %s: replace hostPath %s with a PVC, configMap, secret or emptyDir%s", [lib.in_describe, vol.name, p, why])
}

host_path_why(p) := " (container runtime socket: full control of the node)" if contains(p, ".sock")

host_path_why(p) := " (sensitive node path)" if {
	not contains(p, ".sock")
	some s in sensitive_host_paths
	p == trim_suffix(s, "/")
}

host_path_why(p) := "" if {
	not contains(p, ".sock")
	every s in sensitive_host_paths {
		p != trim_suffix(s, "/")
	}
}

# ---------------------------------------------------------------- MX-PSS-007

# METADATA
# title: No hostPort
# description: ports[*].hostPort is unset or 0 on every container.
# custom:
#   id: MX-PSS-007
#   kinds: [pod]
#   severity: deny
#   overlays: [all]
#   anchors: [PSS baseline, KSV024]
deny_mx_pss_007 contains r if some r in lib.denied(pss_007)

# METADATA
# title: No hostPort (excepted)
# custom:
#   id: MX-PSS-007
#   companion: true
warn_mx_pss_007 contains r if some r in lib.warned(pss_007)

pss_007 contains lib.vf("MX-PSS-007", "deny", input, msg, e.ptr) if {
	some e in lib.in_containers
	some p in object.get(e.c, "ports", [])
	object.get(p, "hostPort", 0) != 0
	msg := sprintf("%s %s (%s): remove hostPort %v; expose the port through a Service", [lib.in_describe, e.path, e.c.name, p.hostPort])
}

# ---------------------------------------------------------------- MX-PSS-008

# METADATA
# title: AppArmor profile is RuntimeDefault or Localhost
# description: securityContext.appArmorProfile.type (pod or container) is RuntimeDefault or Localhost; legacy annotations container.apparmor.security.beta.kubernetes.io/* are runtime/default or localhost/*.
# custom:
#   id: MX-PSS-008
#   kinds: [pod]
#   severity: deny
#   overlays: [all]
#   anchors: [PSS baseline, KSV002]
deny_mx_pss_008 contains r if some r in lib.denied(pss_008)

# METADATA
# title: AppArmor profile is RuntimeDefault or Localhost (excepted)
# custom:
#   id: MX-PSS-008
#   companion: true
warn_mx_pss_008 contains r if some r in lib.warned(pss_008)

pss_008 contains lib.v("MX-PSS-008", "deny", input, msg) if {
	t := lib.in_pod_sc.appArmorProfile.type
	not t in {"RuntimeDefault", "Localhost"}
	msg := sprintf("%s: set spec.securityContext.appArmorProfile.type to RuntimeDefault (is %s)", [lib.in_describe, t])
}

pss_008 contains lib.vf("MX-PSS-008", "deny", input, msg, e.ptr) if {
	some e in lib.in_containers
	t := lib.container_sc(e.c).appArmorProfile.type
	not t in {"RuntimeDefault", "Localhost"}
	msg := sprintf("%s %s (%s): set securityContext.appArmorProfile.type to RuntimeDefault (is %s)", [lib.in_describe, e.path, e.c.name, t])
}

pss_008 contains lib.v("MX-PSS-008", "deny", input, msg) if {
	lib.in_is_pod
	some k, val in object.get(lib.in_pod_meta, "annotations", {})
	startswith(k, "container.apparmor.security.beta.kubernetes.io/")
	val != "runtime/default"
	not startswith(val, "localhost/")
	msg := sprintf("%s: annotation %s must be runtime/default or localhost/<profile> (is %s)", [lib.in_describe, k, val])
}

# ---------------------------------------------------------------- MX-PSS-009

# METADATA
# title: SELinux options restricted
# description: seLinuxOptions.type is empty or one of container_t, container_init_t, container_kvm_t, container_engine_t; seLinuxOptions.user and .role stay unset (pod and containers).
# custom:
#   id: MX-PSS-009
#   kinds: [pod]
#   severity: deny
#   overlays: [all]
#   anchors: [PSS baseline, KSV025]
deny_mx_pss_009 contains r if some r in lib.denied(pss_009)

# METADATA
# title: SELinux options restricted (excepted)
# custom:
#   id: MX-PSS-009
#   companion: true
warn_mx_pss_009 contains r if some r in lib.warned(pss_009)

selinux_types := {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}

selinux_scopes contains {"where": "spec.securityContext", "opts": lib.in_pod_sc.seLinuxOptions}

selinux_scopes contains {"where": sprintf("%s (%s) securityContext", [e.path, e.c.name]), "opts": lib.container_sc(e.c).seLinuxOptions} if {
	some e in lib.in_containers
}

pss_009 contains lib.v("MX-PSS-009", "deny", input, msg) if {
	lib.in_is_pod
	some s in selinux_scopes
	not object.get(s.opts, "type", "") in selinux_types
	msg := sprintf("%s %s: seLinuxOptions.type %s is not allowed; use container_t or leave it unset", [lib.in_describe, s.where, s.opts.type])
}

pss_009 contains lib.v("MX-PSS-009", "deny", input, msg) if {
	lib.in_is_pod
	some s in selinux_scopes
	some f in ["user", "role"]
	s.opts[f]
	msg := sprintf("%s %s: remove seLinuxOptions.%s", [lib.in_describe, s.where, f])
}

# ---------------------------------------------------------------- MX-PSS-010

# METADATA
# title: No procMount, hostProcess or host probes
# description: securityContext.procMount is unset or Default; windowsOptions.hostProcess is not true; probe and lifecycle httpGet.host / tcpSocket.host are empty.
# custom:
#   id: MX-PSS-010
#   kinds: [pod]
#   severity: deny
#   overlays: [all]
#   anchors: [PSS baseline (incl. v1.34 host probes), KSV027/103]
deny_mx_pss_010 contains r if some r in lib.denied(pss_010)

# METADATA
# title: No procMount, hostProcess or host probes (excepted)
# custom:
#   id: MX-PSS-010
#   companion: true
warn_mx_pss_010 contains r if some r in lib.warned(pss_010)

pss_010 contains lib.vf("MX-PSS-010", "deny", input, msg, e.ptr) if {
	some e in lib.in_containers
	pm := lib.container_sc(e.c).procMount
	pm != "Default"
	msg := sprintf("%s %s (%s): remove securityContext.procMount %s", [lib.in_describe, e.path, e.c.name, pm])
}

pss_010 contains lib.v("MX-PSS-010", "deny", input, msg) if {
	lib.in_pod_sc.windowsOptions.hostProcess == true
	msg := sprintf("%s: remove spec.securityContext.windowsOptions.hostProcess", [lib.in_describe])
}

pss_010 contains lib.vf("MX-PSS-010", "deny", input, msg, e.ptr) if {
	some e in lib.in_containers
	lib.container_sc(e.c).windowsOptions.hostProcess == true
	msg := sprintf("%s %s (%s): remove securityContext.windowsOptions.hostProcess", [lib.in_describe, e.path, e.c.name])
}

pss_010 contains lib.vf("MX-PSS-010", "deny", input, msg, e.ptr) if {
	some e in lib.in_containers
	some where, handler in probe_handlers(e.c)
	some kind in ["httpGet", "tcpSocket"]
	object.get(handler, [kind, "host"], "") != ""
	msg := sprintf("%s %s (%s): remove %s.%s.host (probes must target the pod itself)", [lib.in_describe, e.path, e.c.name, where, kind])
}

probe_handlers(c) := object.union(
	{k: h |
		some k in ["livenessProbe", "readinessProbe", "startupProbe"]
		h := c[k]
	},
	{sprintf("lifecycle.%s", [k]): h |
		some k in ["postStart", "preStop"]
		h := c.lifecycle[k]
	},
)

# ---------------------------------------------------------------- MX-PSS-011

# METADATA
# title: Only safe sysctls
# description: spec.securityContext.sysctls[*].name is in the PSS safe list.
# custom:
#   id: MX-PSS-011
#   kinds: [pod]
#   severity: deny
#   overlays: [all]
#   anchors: [PSS baseline, KSV026]
deny_mx_pss_011 contains r if some r in lib.denied(pss_011)

# METADATA
# title: Only safe sysctls (excepted)
# custom:
#   id: MX-PSS-011
#   companion: true
warn_mx_pss_011 contains r if some r in lib.warned(pss_011)

safe_sysctls := {
	"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes",
}

pss_011 contains lib.v("MX-PSS-011", "deny", input, msg) if {
	some s in object.get(lib.in_pod_sc, "sysctls", [])
	not s.name in safe_sysctls
	msg := sprintf("%s: remove unsafe sysctl %s from spec.securityContext.sysctls", [lib.in_describe, s.name])
}

# ---------------------------------------------------------------- MX-PSS-012

# METADATA
# title: Seccomp RuntimeDefault or Localhost
# description: seccompProfile.type is RuntimeDefault or Localhost, set at pod level or on every container; never Unconfined.
# custom:
#   id: MX-PSS-012
#   kinds: [pod]
#   severity: deny
#   overlays: [all]
#   anchors: [PSS restricted, KSV030/104, Polaris linuxHardening, kube-score seccomp]
deny_mx_pss_012 contains r if some r in lib.denied(pss_012)

# METADATA
# title: Seccomp RuntimeDefault or Localhost (excepted)
# custom:
#   id: MX-PSS-012
#   companion: true
warn_mx_pss_012 contains r if some r in lib.warned(pss_012)

pss_012 contains lib.vf("MX-PSS-012", "deny", input, msg, e.ptr) if {
	some e in lib.in_containers
	not lib.effective(input, e.c, "seccompProfile")
	msg := sprintf("%s %s (%s): set seccompProfile.type: RuntimeDefault (pod-level spec.securityContext covers all containers)", [lib.in_describe, e.path, e.c.name])
}

pss_012 contains lib.vf("MX-PSS-012", "deny", input, msg, e.ptr) if {
	some e in lib.in_containers
	t := object.get(lib.effective(input, e.c, "seccompProfile"), "type", "")
	not t in {"RuntimeDefault", "Localhost"}
	msg := sprintf("%s %s (%s): seccompProfile.type %s is not allowed; use RuntimeDefault", [lib.in_describe, e.path, e.c.name, t])
}

# A pod-level Unconfined is wrong even if every container overrides it.
pss_012 contains lib.v("MX-PSS-012", "deny", input, msg) if {
	t := lib.in_pod_sc.seccompProfile.type
	not t in {"RuntimeDefault", "Localhost"}
	msg := sprintf("%s: spec.securityContext.seccompProfile.type %s is not allowed; use RuntimeDefault", [lib.in_describe, t])
}

# ---------------------------------------------------------------- MX-PSS-013

# METADATA
# title: Restricted volume types
# description: Volumes are only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected or secret.
# custom:
#   id: MX-PSS-013
#   kinds: [pod]
#   severity: deny
#   home: warn
#   overlays: [all]
#   anchors: [PSS restricted, KSV028]
deny_mx_pss_013 contains r if some r in lib.denied(pss_013)

# METADATA
# title: Restricted volume types (downgraded or excepted)
# custom:
#   id: MX-PSS-013
#   companion: true
warn_mx_pss_013 contains r if some r in lib.warned(pss_013)

allowed_volume_types := {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}

pss_013 contains lib.v("MX-PSS-013", "home", input, msg) if {
	some vol in object.get(lib.in_pod_spec, "volumes", [])
	some t, _ in vol
	t != "name"
	not t in allowed_volume_types
	msg := sprintf("%s volume %s: type %s is not allowed under the restricted profile; use a PVC, configMap, secret or emptyDir", [lib.in_describe, vol.name, t])
}

# ---------------------------------------------------------------- MX-PSS-014

# METADATA
# title: allowPrivilegeEscalation false
# description: Every container sets securityContext.allowPrivilegeEscalation false explicitly.
# custom:
#   id: MX-PSS-014
#   kinds: [pod]
#   severity: deny
#   overlays: [all]
#   anchors: [PSS restricted, KSV001, Polaris danger]
deny_mx_pss_014 contains r if some r in lib.denied(pss_014)

# METADATA
# title: allowPrivilegeEscalation false (excepted)
# custom:
#   id: MX-PSS-014
#   companion: true
warn_mx_pss_014 contains r if some r in lib.warned(pss_014)

pss_014 contains lib.vf("MX-PSS-014", "deny", input, msg, e.ptr) if {
	some e in lib.in_containers
	object.get(lib.container_sc(e.c), "allowPrivilegeEscalation", true) != false
	msg := sprintf("%s %s (%s): set securityContext.allowPrivilegeEscalation: false", [lib.in_describe, e.path, e.c.name])
}

# ---------------------------------------------------------------- MX-PSS-015

# METADATA
# title: Run as non-root
# description: runAsNonRoot true at pod level or on each container; runAsUser never 0; runAsGroup, fsGroup and supplementalGroups never 0.
# custom:
#   id: MX-PSS-015
#   kinds: [pod]
#   severity: deny
#   overlays: [all]
#   anchors: [PSS restricted, KSV012/105/116, Polaris runAsRootAllowed]
deny_mx_pss_015 contains r if some r in lib.denied(pss_015)

# METADATA
# title: Run as non-root (excepted)
# custom:
#   id: MX-PSS-015
#   companion: true
warn_mx_pss_015 contains r if some r in lib.warned(pss_015)

pss_015 contains lib.vf("MX-PSS-015", "deny", input, msg, e.ptr) if {
	some e in lib.in_containers
	not non_root(input, e.c)
	msg := sprintf("%s %s (%s): set runAsNonRoot: true (pod or container securityContext)", [lib.in_describe, e.path, e.c.name])
}

non_root(obj, c) if lib.effective(obj, c, "runAsNonRoot") == true

pss_015 contains lib.vf("MX-PSS-015", "deny", input, msg, e.ptr) if {
	some e in lib.in_containers
	some f in ["runAsUser", "runAsGroup"]
	lib.effective(input, e.c, f) == 0
	msg := sprintf("%s %s (%s): %s 0 is root; use a non-zero id", [lib.in_describe, e.path, e.c.name, f])
}

pss_015 contains lib.v("MX-PSS-015", "deny", input, msg) if {
	some f in ["runAsUser", "runAsGroup", "fsGroup"]
	lib.in_pod_sc[f] == 0
	msg := sprintf("%s: spec.securityContext.%s 0 is root; use a non-zero id", [lib.in_describe, f])
}

pss_015 contains lib.v("MX-PSS-015", "deny", input, msg) if {
	0 in object.get(lib.in_pod_sc, "supplementalGroups", [])
	msg := sprintf("%s: remove group 0 from spec.securityContext.supplementalGroups", [lib.in_describe])
}

# ---------------------------------------------------------------- MX-PSS-016

# METADATA
# title: Read-only root filesystem
# description: Every container sets securityContext.readOnlyRootFilesystem true; write paths (/tmp, caches) come from emptyDir volumes.
# custom:
#   id: MX-PSS-016
#   kinds: [pod]
#   severity: deny
#   home: warn
#   overlays: [all]
#   anchors: [KSV014 (HIGH), Kyverno require-ro-rootfs, Polaris, kube-score]
deny_mx_pss_016 contains r if some r in lib.denied(pss_016)

# METADATA
# title: Read-only root filesystem (downgraded or excepted)
# custom:
#   id: MX-PSS-016
#   companion: true
warn_mx_pss_016 contains r if some r in lib.warned(pss_016)

pss_016 contains lib.vf("MX-PSS-016", "home", input, msg, e.ptr) if {
	some e in lib.in_containers
	lib.container_sc(e.c).readOnlyRootFilesystem != true
	msg := sprintf("%s %s (%s): set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the process writes", [lib.in_describe, e.path, e.c.name])
}

pss_016 contains lib.vf("MX-PSS-016", "home", input, msg, e.ptr) if {
	some e in lib.in_containers
	not "readOnlyRootFilesystem" in object.keys(lib.container_sc(e.c))
	msg := sprintf("%s %s (%s): set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the process writes", [lib.in_describe, e.path, e.c.name])
}

# ---------------------------------------------------------------- MX-PSS-017

# METADATA
# title: securityContext present
# description: spec.securityContext and every container securityContext are set and non-empty.
# custom:
#   id: MX-PSS-017
#   kinds: [pod]
#   severity: deny
#   overlays: [all]
#   anchors: [KSV118 (HIGH)]
deny_mx_pss_017 contains r if some r in lib.denied(pss_017)

# METADATA
# title: securityContext present (excepted)
# custom:
#   id: MX-PSS-017
#   companion: true
warn_mx_pss_017 contains r if some r in lib.warned(pss_017)

pss_017 contains lib.v("MX-PSS-017", "deny", input, msg) if {
	lib.in_is_pod
	count(lib.in_pod_sc) == 0
	msg := sprintf("%s: set spec.securityContext (runAsNonRoot, runAsUser, fsGroup, seccompProfile)", [lib.in_describe])
}

pss_017 contains lib.vf("MX-PSS-017", "deny", input, msg, e.ptr) if {
	some e in lib.in_containers
	count(lib.container_sc(e.c)) == 0
	msg := sprintf("%s %s (%s): set securityContext (allowPrivilegeEscalation, capabilities, readOnlyRootFilesystem)", [lib.in_describe, e.path, e.c.name])
}

# ---------------------------------------------------------------- MX-PSS-018

# METADATA
# title: High UID/GID and unprivileged ports
# description: runAsUser and runAsGroup are at least 10000 and containerPort is at least 1024 (Element listens on 8080). A warning only; the uid an upstream image is built to run as (Synapse 991, nginx 101, Postgres and Redis 999, Jitsi 1000, ClamAV 100) is info, counted but not listed, because changing it breaks the image.
# custom:
#   id: MX-PSS-018
#   kinds: [pod]
#   severity: warn
#   overlays: [all]
#   anchors: [KSV020/021/117, kube-score user-group-id]
warn_mx_pss_018 contains r if some r in lib.warned(pss_018)

pss_018 contains lib.vf("MX-PSS-018", uid_level(e.c, id), input, msg, array.concat(e.ptr, ["securityContext"])) if {
	some e in lib.in_containers
	some f in ["runAsUser", "runAsGroup"]
	id := lib.effective(input, e.c, f)
	id < 10000
	msg := sprintf("%s %s (%s): %s %d is below 10000; prefer an id >= 10000 that cannot collide with host users", [lib.in_describe, e.path, e.c.name, f, id])
}

# The uid the image is built for (lib.image_uids) is info; any other low uid is a warning.
uid_level(c, id) := "info" if lib.image_chosen_uid(c.image, id)

uid_level(c, id) := "warn" if not lib.image_chosen_uid(c.image, id)

pss_018 contains lib.vf("MX-PSS-018", "warn", input, msg, e.ptr) if {
	some e in lib.in_containers
	some p in object.get(e.c, "ports", [])
	p.containerPort < 1024
	msg := sprintf("%s %s (%s): containerPort %d is privileged; listen on a port >= 1024", [lib.in_describe, e.path, e.c.name, p.containerPort])
}
