# Shared helpers for every mx.* policy package: pod templates, containers, overlay switch,
# exceptions and the routing of a violation to deny / warn / counted exception.
package mx.lib

# ---------------------------------------------------------------- overlay switch

# Validate writes data.mx.overlay per entry point ("homelab", "li", "flux/production/…"), and
# data.mx.overlays (rendered file name → entry point) when one run covers several.
# Without data (conftest verify, ad-hoc runs) the strictest profile applies.
default overlay := "production"

# One conftest run checks every entry point's rendered file; validate maps each file to its overlay.
overlay := o if {
	o := data.mx.current_entry
} else := o if {
	o := data.mx.overlays[data.conftest.file.name]
} else := data.mx.overlay

default homelab := false

homelab if "homelab" in split(overlay, "/")

homelab if data.mx.relaxed == true

default li := false

li if "li" in split(overlay, "/")

# Resources of the lawful-intercept copy: li overlay, namespace named *-li (or data.mx.li_namespace).
li_namespace(ns) if ns == data.mx.li_namespace

li_namespace(ns) if endswith(ns, "-li")

li_resource(obj) if {
	li
	li_namespace(namespace_of(obj))
}

# production and li are both "production-like": the strict profile.
default production := false

production if not homelab

default trusted_registries := ["docker.io", "ghcr.io", "quay.io", "registry.k8s.io"]

trusted_registries := data.mx.trusted_registries

default cluster_cidrs := ["10.42.0.0/16", "10.43.0.0/16"]

cluster_cidrs := data.mx.cluster_cidrs

default require_digests := false

require_digests := data.mx.require_digests

default li_allowed_cidrs := []

li_allowed_cidrs := data.mx.li_allowed_cidrs

# ---------------------------------------------------------------- resources

workload_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}

pod_spec(obj) := obj.spec if obj.kind == "Pod"

pod_spec(obj) := obj.spec.template.spec if obj.kind in workload_kinds

pod_spec(obj) := obj.spec.jobTemplate.spec.template.spec if obj.kind == "CronJob"

pod_meta(obj) := object.get(obj, "metadata", {}) if obj.kind == "Pod"

pod_meta(obj) := object.get(obj.spec.template, "metadata", {}) if obj.kind in workload_kinds

pod_meta(obj) := object.get(obj.spec.jobTemplate.spec.template, "metadata", {}) if obj.kind == "CronJob"

pod_labels(obj) := object.get(pod_meta(obj), "labels", {})

is_pod(obj) if pod_spec(obj)

# Long-running pods need probes and replicas; Jobs and CronJobs run to completion.
long_running(obj) if obj.kind in {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}

container_fields := ["initContainers", "containers", "ephemeralContainers"]

# Where the pod spec sits in each kind, so results can point at the offending field's line.
pod_spec_path(obj) := ["spec"] if obj.kind == "Pod"

pod_spec_path(obj) := ["spec", "template", "spec"] if obj.kind in workload_kinds

pod_spec_path(obj) := ["spec", "jobTemplate", "spec", "template", "spec"] if obj.kind == "CronJob"

# Every container of a pod template with where it sits, so messages can name the field path
# (path) and results the field itself (ptr: the path from the object's root).
containers(obj) := [{"c": c, "field": f, "path": sprintf("%s[%d]", [f, i]), "ptr": array.concat(pod_spec_path(obj), [f, i])} |
	spec := pod_spec(obj)
	some f in container_fields
	some i, c in object.get(spec, f, [])
]

# Only the main (long-running) containers: probes and ports matter there.
main_containers(obj) := [c | some c in object.get(pod_spec(obj), "containers", [])]

pod_sc(obj) := object.get(pod_spec(obj), "securityContext", {})

container_sc(c) := object.get(c, "securityContext", {})

# A container-level value wins over the pod-level one (Kubernetes semantics).
effective(obj, c, key) := v if {
	v := container_sc(c)[key]
} else := v if {
	v := pod_sc(obj)[key]
}

name_of(obj) := object.get(obj, ["metadata", "name"], "")

namespace_of(obj) := object.get(obj, ["metadata", "namespace"], "")

annotations(obj) := object.get(obj, ["metadata", "annotations"], {})

labels(obj) := object.get(obj, ["metadata", "labels"], {})

app_name(obj) := n if {
	n := pod_labels(obj)["app.kubernetes.io/name"]
} else := n if {
	n := labels(obj)["app.kubernetes.io/name"]
} else := name_of(obj)

describe(obj) := sprintf("%s %s", [obj.kind, name_of(obj)])

# ---------------------------------------------------------------- the current document, once
#
# Rules are cached for the length of a query, functions are not: a rule that calls
# containers(input) recomputes the comprehension at every call (the profile showed pod_spec and
# containers evaluated ~110 times per document). These in_* rules compute each value once per
# document; the functions stay for other objects (combined rules) and tests.
in_pod_spec := pod_spec(input)

in_is_pod if in_pod_spec

in_containers := containers(input)

in_main_containers := main_containers(input)

in_pod_sc := pod_sc(input)

in_pod_labels := pod_labels(input)

in_pod_meta := pod_meta(input)

in_describe := describe(input)

in_name := name_of(input)

in_app_name := app_name(input)

in_homeserver := homeserver(input)

in_yaml := yaml_key(input, ".yaml")

in_worker_config := worker_config(input)

# ---------------------------------------------------------------- images

# Repository part of an image reference (no tag, no digest): docker.io/library/redis.
image_repo(ref) := r if {
	no_digest := split(ref, "@")[0]
	last := regex.replace(no_digest, `^.*/`, "")
	r := trim_suffix(no_digest, regex.replace(last, `^[^:]*`, ""))
}

# The user each image is built to run as: its files and data directories belong to that uid, so
# the renderer runs it as that uid. A uid below 10000 that the image itself chose is info, not a
# warning (MX-PSS-018): changing it breaks the image rather than hardening it. Images not listed
# here, and other uids, stay warnings.
image_uids := {
	"docker.io/matrixdotorg/synapse": 991,
	"docker.io/vectorim/element-web": 101,
	"docker.io/nginxinc/nginx-unprivileged": 101,
	"ghcr.io/etkecc/ketesa": 101,
	"docker.io/awesometechnologies/synapse-admin": 101,
	"docker.io/library/postgres": 999,
	"docker.io/library/redis": 999,
	"docker.io/jitsi/prosody": 1000,
	"docker.io/jitsi/jicofo": 1000,
	"docker.io/jitsi/jvb": 1000,
	"docker.io/jitsi/web": 1000,
	"docker.io/clamav/clamav": 100,
}

image_chosen_uid(image, uid) if image_uids[image_repo(image)] == uid

# ---------------------------------------------------------------- config parsing

# Parsed YAML documents held by ConfigMaps, keyed by "<configmap>/<key>". Unparseable keys are skipped.
yaml_key(obj, suffix) := {k: doc |
	obj.kind == "ConfigMap"
	some k, raw in object.get(obj, "data", {})
	endswith(k, suffix)
	doc := yaml.unmarshal(raw)
	is_object(doc)
}

# Synapse homeserver fragments: homeserver.yaml and anything that looks like one (server_name).
homeserver(obj) := {k: doc |
	some k, doc in yaml_key(obj, ".yaml")
	is_homeserver(k, doc)
}

is_homeserver("homeserver.yaml", _)

is_homeserver(_, doc) if doc.server_name

# Worker configs are YAML with worker_app / worker_name.
worker_config(obj) := {k: doc |
	some k, doc in yaml_key(obj, ".yaml")
	doc.worker_app
}

# coturn turnserver.conf as a list of {key, value} (comments and blanks dropped).
turn_lines(raw) := [{"key": key, "value": value} |
	some line in split(raw, "\n")
	t := trim_space(line)
	t != ""
	not startswith(t, "#")
	parts := regex.split(`\s*=\s*|\s+`, t)
	key := lower(parts[0])
	value := trim_space(substring(t, count(parts[0]), -1))
]

turn_value(lines, key) := [trim_left(trim_space(l.value), "= ") | some l in lines; l.key == key]

turn_has(lines, key) if {
	some l in lines
	l.key == key
}

# ---------------------------------------------------------------- CIDR helpers

# true when every CIDR in `need` is covered by one of `have`.
covers(have, need) if {
	every n in need {
		some h in have
		net.cidr_contains(h, n)
	}
}

missing_cidrs(have, need) := [n | some n in need; not covered_by(have, n)]

covered_by(have, n) if {
	some h in have
	net.cidr_contains(h, n)
}

# ---------------------------------------------------------------- exceptions

# policy.mx/exceptions: "MX-PSS-002, MX-NET-004" on the resource itself.
exception_ids(obj) := {id |
	raw := annotations(obj)["policy.mx/exceptions"]
	some part in split(raw, ",")
	id := upper(trim_space(part))
	id != ""
}

reason(obj) := r if {
	r := trim_space(annotations(obj)["policy.mx/reason"])
	r != ""
}

# An exception only counts with a reason; without one the finding stands (and MX-EXC-001 fires).
excepted(obj, id) if {
	id in exception_ids(obj)
	reason(obj)
}

# ---------------------------------------------------------------- routing
#
# A violation is {"id", "msg", "obj", "level"} with level:
#   "deny"  always an error,
#   "home"  error in production/li, warning in homelab ("home→W": downgraded, never silenced),
#   "warn"  always a warning,
#   "info"  counted in the report's summary, listed only with --verbose: true, but nothing the
#           user has to act on (e.g. a uid the image itself is built to run as).
# Rules call denied(set) / warned(set) so that one violation set feeds both rule names.

level(v) := "exception" if excepted(v.obj, v.id)

level(v) := "deny" if {
	not excepted(v.obj, v.id)
	v.level == "deny"
}

level(v) := "deny" if {
	not excepted(v.obj, v.id)
	v.level == "home"
	not homelab
}

level(v) := "warn" if {
	not excepted(v.obj, v.id)
	v.level == "home"
	homelab
}

level(v) := "warn" if {
	not excepted(v.obj, v.id)
	v.level == "warn"
}

level(v) := "info" if {
	not excepted(v.obj, v.id)
	v.level == "info"
}

result(v, severity) := object.union({
	"msg": v.msg,
	"id": v.id,
	"severity": severity,
	"kind": object.get(v.obj, "kind", ""),
	"name": name_of(v.obj),
	"namespace": namespace_of(v.obj),
}, {"field": v.field | v.field})

denied(vs) := {result(v, "error") | some v in vs; level(v) == "deny"}

# Warnings, infos and counted exceptions (validate reports results with exception: true separately).
warned(vs) := {result(v, "warning") | some v in vs; level(v) == "warn"} | {result(v, "info") | some v in vs; level(v) == "info"} | {r |
	some v in vs
	level(v) == "exception"
	base := result(v, "warning")
	r := object.union(base, {
		"msg": sprintf("exception %s: %s (reason: %s)", [v.id, v.msg, reason(v.obj)]),
		"exception": true,
		"reason": reason(v.obj),
	})
}

# Shorthand constructor used by every package.
v(id, level, obj, msg) := {"id": id, "level": level, "obj": obj, "msg": msg}

# The same, naming the offending field (path from the object's root, e.g. a container), so
# annotations point at its line instead of the object's metadata.name.
vf(id, level, obj, msg, field) := {"id": id, "level": level, "obj": obj, "msg": msg, "field": field}
