package mx.lib_test

import data.mx.fixtures as fx
import data.mx.lib

test_pod_spec_every_kind if {
	lib.pod_spec(fx.pod).containers[0].name == "web"
	lib.pod_spec(fx.deployment).containers[0].name == "web"
	lib.pod_spec(fx.cronjob).containers[0].name == "web"
	lib.pod_spec(object.union(fx.deployment, {"kind": "StatefulSet"})).containers[0].name == "web"
	lib.pod_spec(object.union(fx.deployment, {"kind": "DaemonSet"})).containers[0].name == "web"
	lib.pod_spec(object.union(fx.deployment, {"kind": "Job"})).containers[0].name == "web"
	lib.pod_spec(object.union(fx.deployment, {"kind": "ReplicaSet"})).containers[0].name == "web"
	not lib.pod_spec(fx.configmap({}))
}

test_containers_include_init_and_ephemeral if {
	obj := fx.set(fx.pod, "/spec/ephemeralContainers", [{"name": "debug", "image": "x"}])
	[e.path | some e in lib.containers(obj)] == ["initContainers[0]", "containers[0]", "ephemeralContainers[0]"]
}

test_effective_container_wins if {
	c := {"securityContext": {"runAsUser": 5}}
	lib.effective(fx.deployment, c, "runAsUser") == 5
	lib.effective(fx.deployment, {}, "runAsUser") == 10001
}

test_overlay_switch if {
	lib.production
	not lib.homelab
	lib.homelab with data.mx.overlay as "homelab"
	lib.homelab with data.mx.overlay as "flux/homelab/infrastructure"
	lib.li with data.mx.overlay as "li"
	lib.production with data.mx.overlay as "li"
}

test_exception_needs_reason if {
	lib.excepted(fx.except(fx.deployment, "MX-PSS-002, mx-pss-003"), "MX-PSS-003")
	obj := fx.set(fx.deployment, "/metadata/annotations", {"policy.mx/exceptions": "MX-PSS-002"})
	not lib.excepted(obj, "MX-PSS-002")
}

test_routing_home_downgrade if {
	v := lib.v("MX-X-001", "home", fx.deployment, "m")
	lib.level(v) == "deny"
	lib.level(v) == "warn" with data.mx.overlay as "homelab"
	lib.level(lib.v("MX-X-001", "deny", fx.deployment, "m")) == "deny" with data.mx.overlay as "homelab"
	lib.level(lib.v("MX-PSS-002", "deny", fx.except(fx.deployment, "MX-PSS-002"), "m")) == "exception"
}

test_warned_marks_exceptions if {
	vs := {lib.v("MX-PSS-002", "deny", fx.except(fx.deployment, "MX-PSS-002"), "m")}
	count(lib.denied(vs)) == 0
	some r in lib.warned(vs)
	r.exception == true
	r.reason == "covered by a test"
	r.kind == "Deployment"
	r.name == "web"
	r.namespace == "matrix"
}

test_turn_lines if {
	lines := lib.turn_lines("# comment\nno-cli\nmin-port=49152\nrealm = turn.example.com\n")
	lib.turn_has(lines, "no-cli")
	lib.turn_value(lines, "min-port") == ["49152"]
	lib.turn_value(lines, "realm") == ["turn.example.com"]
}

test_homeserver_parsing if {
	cm := fx.configmap({"homeserver.yaml": "server_name: example.com\n", "other.yaml": "a: 1\n", "w.yaml": "worker_app: synapse.app.generic_worker\n"})
	object.keys(lib.homeserver(cm)) == {"homeserver.yaml"}
	object.keys(lib.worker_config(cm)) == {"w.yaml"}
}

test_cidr_helpers if {
	lib.missing_cidrs(["10.0.0.0/8"], ["10.1.0.0/16", "192.168.0.0/16"]) == ["192.168.0.0/16"]
}
