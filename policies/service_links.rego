# Service-link variables colliding with an image's own environment namespace (cross-resource, so it
# lives in mx.combined). Kubernetes gives every container, unless its pod sets
# enableServiceLinks: false, <SVC>_SERVICE_HOST, <SVC>_PORT=tcp://IP:PORT, <SVC>_PORT_<n>_<PROTO>...
# for every Service in the pod's namespace (<SVC> = the Service name upper-cased, '-' → '_').
# livekit-server turns every LIVEKIT_<config path> variable into a flag, so a Service named `livekit`
# gives it LIVEKIT_PORT=tcp://… and it exits with "could not parse … as uint value" (livekit/livekit#2961,
# seed 001; proved by test/boot/livekit.test.ts).
package mx.combined

import data.mx.lib

# Image repository (without registry and tag) → the variable prefix its process reads as a whole.
env_prefix_images := {"livekit/livekit-server": "LIVEKIT_"}

image_repo(image) := r if {
	no_digest := split(image, "@")[0]
	parts := split(no_digest, "/")
	last := parts[count(parts) - 1]
	name := split(last, ":")[0]
	r := concat("/", array.concat(array.slice(parts, count(parts) - 2, count(parts) - 1), [name]))
}

link_prefix(svc) := concat("", [upper(replace(lib.name_of(svc), "-", "_")), "_"])

# Headless and ExternalName Services have no cluster IP, and the kubelet skips them.
injects_links(svc) if {
	svc.kind == "Service"
	object.get(svc, ["spec", "clusterIP"], "") != "None"
	object.get(svc, ["spec", "type"], "ClusterIP") != "ExternalName"
}

# ---------------------------------------------------------------- MX-RTC-006

# METADATA
# title: No Service injects variables into an image's own environment namespace
# description: A pod running an image that reads every variable with a prefix (livekit-server reads LIVEKIT_* as flags) sets enableServiceLinks false, or no Service in its namespace has a name whose link variables (<NAME>_PORT, <NAME>_SERVICE_HOST, ...) carry that prefix.
# custom:
#   id: MX-RTC-006
#   severity: deny
#   overlays: [all]
#   anchors: [Kubernetes docs concepts/services-networking/service (environment variables); livekit/livekit#2961; seed 001]
deny_mx_rtc_006 contains r if some r in lib.denied(rtc_006)

# METADATA
# title: No Service injects variables into an image's own environment namespace (excepted)
# custom:
#   id: MX-RTC-006
#   companion: true
warn_mx_rtc_006 contains r if some r in lib.warned(rtc_006)

rtc_006 contains lib.v("MX-RTC-006", "deny", p, msg) if {
	some p in pods
	object.get(lib.pod_spec(p), "enableServiceLinks", true) != false
	some e in lib.containers(p)
	prefix := env_prefix_images[image_repo(e.c.image)]
	some svc in of_kind("Service")
	lib.namespace_of(svc) == lib.namespace_of(p)
	injects_links(svc)
	startswith(link_prefix(svc), prefix)
	msg := sprintf("%s %s: Service %s injects %sPORT=tcp://… and %s reads every %s* variable as its own setting (it crashes); set enableServiceLinks: false in the pod spec", [
		lib.describe(p), e.path, lib.name_of(svc), link_prefix(svc), image_repo(e.c.image), prefix,
	])
}
