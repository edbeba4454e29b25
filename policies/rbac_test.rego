package mx.rbac

import data.mx.fixtures as fx

role(rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r", "namespace": "matrix"}, "rules": rules}

binding(ref, subjects) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "b"}, "roleRef": {"kind": "ClusterRole", "name": ref}, "subjects": subjects}

test_least_privilege_passes if {
	count(deny_mx_rbac_001) == 0 with input as role([{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}])
	count(deny_mx_rbac_001) == 0 with input as binding("view", [{"kind": "ServiceAccount", "name": "x"}])
}

test_rbac_001_fail_each_path if {
	count(deny_mx_rbac_001) == 1 with input as role([{"apiGroups": ["*"], "resources": ["pods"], "verbs": ["get"]}])
	count(deny_mx_rbac_001) == 1 with input as role([{"apiGroups": [""], "resources": ["*"], "verbs": ["get"]}])
	count(deny_mx_rbac_001) == 1 with input as role([{"apiGroups": [""], "resources": ["pods"], "verbs": ["*"]}])
	count(deny_mx_rbac_001) == 1 with input as role([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}])
	count(deny_mx_rbac_001) == 1 with input as role([{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]}])
	count(deny_mx_rbac_001) == 1 with input as role([{"apiGroups": [""], "resources": ["users"], "verbs": ["impersonate"]}])
	count(deny_mx_rbac_001) == 1 with input as binding("cluster-admin", [])
	count(deny_mx_rbac_001) == 1 with input as binding("view", [{"kind": "Group", "name": "system:unauthenticated"}])
}

test_rbac_001_exception if {
	obj := fx.except(role([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]), "MX-RBAC-001")
	count(deny_mx_rbac_001) == 0 with input as obj
	fx.excepted(warn_mx_rbac_001) == {"MX-RBAC-001"} with input as obj
}
