package mx.combined

import data.mx.fixtures as fx

rtc006_image := "docker.io/livekit/livekit-server:v1.13.5"

rtc006_lk := fx.set(fx.deployment, sprintf("%s/image", [fx.c0]), rtc006_image)

link_svc(name) := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "matrix"}, "spec": {"selector": {"app.kubernetes.io/name": "web"}, "ports": [{"name": "http", "port": 7880}]}}

# MX-RTC-006
test_rtc_006 if {
	# failing: a Service named livekit (or livekit-*) beside a livekit-server pod with links on
	count(deny_mx_rtc_006) == 1 with input as wrap([rtc006_lk, link_svc("livekit")])
	count(deny_mx_rtc_006) == 1 with input as wrap([rtc006_lk, link_svc("livekit-rtc")])
	count(deny_mx_rtc_006) == 2 with input as wrap([rtc006_lk, link_svc("livekit"), link_svc("livekit-rtc")])
	count(deny_mx_rtc_006) == 1 with input as wrap([fx.set(fx.deployment, sprintf("%s/image", [fx.c0]), "livekit/livekit-server:v1.13.5"), link_svc("livekit")])

	# passing: links off, another namespace, a name whose variables do not carry the prefix,
	# headless/ExternalName Services, other images
	count(deny_mx_rtc_006) == 0 with input as wrap([fx.set(rtc006_lk, sprintf("%s/enableServiceLinks", [fx.podspec]), false), link_svc("livekit")])
	count(deny_mx_rtc_006) == 0 with input as wrap([rtc006_lk, fx.set(link_svc("livekit"), "/metadata/namespace", "other")])
	count(deny_mx_rtc_006) == 0 with input as wrap([rtc006_lk, link_svc("livekitx"), link_svc("rtc006_lk-jwt-service"), link_svc("sfu")])
	count(deny_mx_rtc_006) == 0 with input as wrap([rtc006_lk, fx.set(link_svc("livekit"), "/spec/clusterIP", "None")])
	count(deny_mx_rtc_006) == 0 with input as wrap([rtc006_lk, fx.set(link_svc("livekit"), "/spec/type", "ExternalName")])
	count(deny_mx_rtc_006) == 0 with input as wrap([fx.deployment, link_svc("livekit")])

	# exception: counted, reported as a warning with the reason
	count(deny_mx_rtc_006) == 0 with input as wrap([fx.except(rtc006_lk, "MX-RTC-006"), link_svc("livekit")])
	count(fx.excepted(warn_mx_rtc_006)) == 1 with input as wrap([fx.except(rtc006_lk, "MX-RTC-006"), link_svc("livekit")])
}

test_rtc_006_message if {
	some r in deny_mx_rtc_006 with input as wrap([rtc006_lk, link_svc("livekit")])
	r.msg == "Deployment web containers[0]: Service livekit injects LIVEKIT_PORT=tcp://… and livekit/livekit-server reads every LIVEKIT_* variable as its own setting (it crashes); set enableServiceLinks: false in the pod spec"
}
