# Shared test fixtures: one fully compliant workload that tests break one field at a time.
package mx.fixtures

labels := {
	"app.kubernetes.io/name": "web",
	"app.kubernetes.io/instance": "web",
	"app.kubernetes.io/component": "web",
	"app.kubernetes.io/part-of": "matrix",
}

container_sc := {
	"allowPrivilegeEscalation": false,
	"capabilities": {"drop": ["ALL"]},
	"readOnlyRootFilesystem": true,
}

resources := {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"cpu": "1", "memory": "64Mi"}}

image := "docker.io/example/web:1.0.0@sha256:0000000000000000000000000000000000000000000000000000000000000000"

deployment := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web", "namespace": "matrix", "labels": labels},
	"spec": {
		"replicas": 1,
		"selector": {"matchLabels": {"app.kubernetes.io/name": "web"}},
		"template": {
			"metadata": {"labels": labels},
			"spec": {
				"automountServiceAccountToken": false,
				"securityContext": {
					"runAsNonRoot": true, "runAsUser": 10001, "runAsGroup": 10001, "fsGroup": 10001,
					"seccompProfile": {"type": "RuntimeDefault"},
				},
				"initContainers": [{
					"name": "init", "image": image, "resources": resources,
					"securityContext": container_sc,
				}],
				"containers": [{
					"name": "web", "image": image, "resources": resources,
					"securityContext": container_sc,
					"ports": [{"containerPort": 8080, "name": "http"}],
					"readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
					"livenessProbe": {"tcpSocket": {"port": 8080}},
					"volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
				}],
				"volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}],
			},
		},
	},
}

# The same pod template in every other workload kind.
pod := {"apiVersion": "v1", "kind": "Pod", "metadata": deployment.metadata, "spec": deployment.spec.template.spec}

cronjob := {
	"apiVersion": "batch/v1", "kind": "CronJob", "metadata": deployment.metadata,
	"spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": deployment.spec.template}}},
}

configmap(d) := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "matrix", "labels": labels}, "data": d}

set(obj, path, value) := json.patch(obj, [{"op": "add", "path": path, "value": value}])

unset(obj, path) := json.patch(obj, [{"op": "remove", "path": path}])

except(obj, ids) := set(obj, "/metadata/annotations", {"policy.mx/exceptions": ids, "policy.mx/reason": "covered by a test"})

ids(results) := {r.id | some r in results}

excepted(results) := {r.id | some r in results; r.exception == true}

plain(results) := {r | some r in results; not r.exception}

c0 := "/spec/template/spec/containers/0"

i0 := "/spec/template/spec/initContainers/0"

podspec := "/spec/template/spec"
