# RBAC: least privilege for any Role/ClusterRole and binding the repository ships.
package mx.rbac

import data.mx.lib

# METADATA
# title: Least-privilege RBAC
# description: Roles and ClusterRoles have no * in verbs, resources or apiGroups, no get/list/watch on secrets, no pods/exec or pods/attach, no bind/escalate/impersonate. Bindings never grant cluster-admin or bind system:anonymous, system:unauthenticated or system:masters.
# custom:
#   id: MX-RBAC-001
#   kinds: [ClusterRole, ClusterRoleBinding, Role, RoleBinding]
#   severity: deny
#   overlays: [all]
#   anchors: [KSV041/044/045/046/053/112/113/122/123, Kyverno restrict-wildcard-verbs, restrict-secret-role-verbs, restrict-binding-clusteradmin]
deny_mx_rbac_001 contains r if some r in lib.denied(rbac_001)

# METADATA
# title: Least-privilege RBAC (excepted)
# custom:
#   id: MX-RBAC-001
#   companion: true
warn_mx_rbac_001 contains r if some r in lib.warned(rbac_001)

is_role if input.kind in {"Role", "ClusterRole"}

rbac_001 contains lib.v("MX-RBAC-001", "deny", input, msg) if {
	is_role
	some i, rule in object.get(input, "rules", [])
	some f in ["verbs", "resources", "apiGroups"]
	"*" in object.get(rule, f, [])
	msg := sprintf("%s rules[%d]: replace * in %s with the exact values needed", [lib.in_describe, i, f])
}

rbac_001 contains lib.v("MX-RBAC-001", "deny", input, msg) if {
	is_role
	some i, rule in object.get(input, "rules", [])
	"secrets" in object.get(rule, "resources", [])
	some verb in object.get(rule, "verbs", [])
	verb in {"get", "list", "watch"}
	msg := sprintf("%s rules[%d]: %s on secrets reads every Secret; mount the one Secret the pod needs instead", [lib.in_describe, i, verb])
}

rbac_001 contains lib.v("MX-RBAC-001", "deny", input, msg) if {
	is_role
	some i, rule in object.get(input, "rules", [])
	some res in object.get(rule, "resources", [])
	res in {"pods/exec", "pods/attach"}
	msg := sprintf("%s rules[%d]: remove %s (shell access to pods)", [lib.in_describe, i, res])
}

rbac_001 contains lib.v("MX-RBAC-001", "deny", input, msg) if {
	is_role
	some i, rule in object.get(input, "rules", [])
	some verb in object.get(rule, "verbs", [])
	verb in {"bind", "escalate", "impersonate"}
	msg := sprintf("%s rules[%d]: remove verb %s (privilege escalation)", [lib.in_describe, i, verb])
}

rbac_001 contains lib.v("MX-RBAC-001", "deny", input, msg) if {
	input.kind in {"RoleBinding", "ClusterRoleBinding"}
	input.roleRef.name == "cluster-admin"
	msg := sprintf("%s: do not bind cluster-admin; bind a role with the verbs needed", [lib.in_describe])
}

rbac_001 contains lib.v("MX-RBAC-001", "deny", input, msg) if {
	input.kind in {"RoleBinding", "ClusterRoleBinding"}
	some s in object.get(input, "subjects", [])
	s.name in {"system:anonymous", "system:unauthenticated", "system:masters"}
	msg := sprintf("%s: remove subject %s", [lib.in_describe, s.name])
}
