package mx.secrets

import data.mx.fixtures as fx

enc := "ENC[AES256_GCM,data:abc=,iv:def=,tag:ghi==,type:str]"

sops := {
	"age": [{"recipient": "age1x", "enc": "x"}], "lastmodified": "2024-01-01T00:00:00Z",
	"mac": enc, "version": "3.9.0", "encrypted_regex": "^(data|stringData)$",
}

secret := {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "matrix"}, "stringData": {"k": enc}, "sops": sops}

test_encrypted_secret_passes if {
	count(((deny_mx_sec_001 | deny_mx_sec_002) | deny_mx_sec_003)) == 0 with input as secret
}

# MX-SEC-001
test_sec_001 if {
	count(deny_mx_sec_001) == 1 with input as object.remove(secret, ["sops"])
	every f in ["mac", "lastmodified", "version"] {
		count(deny_mx_sec_001) == 1 with input as fx.unset(secret, sprintf("/sops/%s", [f]))
	}
	count(deny_mx_sec_001) == 1 with input as fx.unset(secret, "/sops/age")
	count(deny_mx_sec_001) == 0 with input as fx.set(fx.unset(secret, "/sops/age"), "/sops/pgp", [{"fp": "x"}])
	count(deny_mx_sec_001) == 0 with input as fx.except(object.remove(secret, ["sops"]), "MX-SEC-001")
	# nothing secret in git: a data-less service-account token Secret, or references resolved elsewhere
	count(deny_mx_sec_001) == 0 with input as {"kind": "Secret", "metadata": {"name": "t"}, "type": "kubernetes.io/service-account-token"}
	count(deny_mx_sec_001) == 0 with input as {"kind": "Secret", "metadata": {"name": "r"}, "stringData": {"a": "op://v/i/f", "b": "${X}", "c": "vault:kv/x#y"}}
	count(deny_mx_sec_001) == 1 with input as {"kind": "Secret", "metadata": {"name": "p"}, "stringData": {"a": "op://v/i/f", "b": "hunter2"}}
}

# MX-SEC-002
test_sec_002 if {
	count(deny_mx_sec_002) == 1 with input as fx.set(secret, "/stringData/plain", "hunter2")
	count(deny_mx_sec_002) == 1 with input as fx.set(secret, "/data", {"k": "aHVudGVyMg=="})
	count(deny_mx_sec_002) == 1 with input as fx.set(secret, "/apiVersion", enc)
	count(deny_mx_sec_002) == 1 with input as fx.set(secret, "/metadata/name", enc)
	count(deny_mx_sec_002) == 0 with input as fx.except(fx.set(secret, "/stringData/plain", "x"), "MX-SEC-002")
}

# MX-SEC-003
test_sec_003 if {
	count(deny_mx_sec_003) == 1 with input as fx.set(secret, "/sops/encrypted_regex", "^data$")
	count(deny_mx_sec_003) == 1 with input as fx.set(secret, "/sops/unencrypted_suffix", "_unencrypted")
	count(deny_mx_sec_003) == 1 with input as fx.set(secret, "/sops/unencrypted_regex", "^k$")
	count(deny_mx_sec_003) == 1 with input as fx.set(secret, "/sops/mac_only_encrypted", true)
	count(warn_mx_sec_003) == 1 with input as fx.set(secret, "/sops/mac_only_encrypted", true) with data.mx.overlay as "homelab"
	count(deny_mx_sec_003) == 0 with input as fx.except(fx.set(secret, "/sops/mac_only_encrypted", true), "MX-SEC-003")
}

# MX-SEC-004
test_sec_004 if {
	count(deny_mx_sec_004) == 0 with input as fx.configmap({"turnserver.conf": "use-auth-secret\nstatic-auth-secret=${TURN_SECRET}\n", "homeserver.yaml": "form_secret_path: /secrets/f\npassword_path: /x\n"})
	count(deny_mx_sec_004) == 1 with input as fx.configmap({"password": "x"})
	count(deny_mx_sec_004) == 1 with input as fx.configmap({"app.yaml": "db:\n  password: hunter2\n"})
	count(deny_mx_sec_004) == 1 with input as fx.configmap({"app.env": "TOKEN=abc123\n"})
	count(deny_mx_sec_004) == 0 with input as fx.configmap({"app.yaml": "password: \"\"\ntoken: {{ .Values.token }}\n"})
	count(deny_mx_sec_004) == 1 with input as fx.configmap({"k.pem": "-----BEGIN RSA PRIVATE KEY-----\nMII\n"})
	count(deny_mx_sec_004) == 1 with input as fx.configmap({"signing.key": "ed25519 a_abcd 0123456789012345678901234567890123456789012\n"})
	count(deny_mx_sec_004) == 0 with input as fx.except(fx.configmap({"password": "x"}), "MX-SEC-004")
}

# MX-SEC-005
test_sec_005 if {
	count(deny_mx_sec_005) == 0 with input as fx.set(fx.deployment, sprintf("%s/env", [fx.c0]), [{"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}, {"name": "LOG_LEVEL", "value": "info"}, {"name": "KEY_FILE", "value": "/secrets/k"}])
	count(deny_mx_sec_005) == 1 with input as fx.set(fx.deployment, sprintf("%s/env", [fx.c0]), [{"name": "DB_PASSWORD", "value": "x"}])
	count(deny_mx_sec_005) == 1 with input as fx.set(fx.deployment, sprintf("%s/env", [fx.i0]), [{"name": "livekit_api_key", "value": "x"}])
	count(deny_mx_sec_005) == 1 with input as fx.set(fx.deployment, sprintf("%s/env", [fx.c0]), [{"name": "PGPASSWORD", "value": "x"}])
	count(deny_mx_sec_005) == 0 with input as fx.set(fx.deployment, sprintf("%s/env", [fx.c0]), [{"name": "KEYCLOAK_URL", "value": "https://id.example.com"}])
	count(deny_mx_sec_005) == 0 with input as fx.except(fx.set(fx.deployment, sprintf("%s/env", [fx.c0]), [{"name": "DB_PASSWORD", "value": "x"}]), "MX-SEC-005")
}

# MX-SEC-006
test_sec_006 if {
	count(deny_mx_sec_006) == 0 with input as fx.deployment
	count(deny_mx_sec_006) == 1 with input as fx.unset(fx.deployment, sprintf("%s/automountServiceAccountToken", [fx.podspec]))
	count(deny_mx_sec_006) == 1 with input as fx.set(fx.pod, "/spec/automountServiceAccountToken", true)
	count(warn_mx_sec_006) == 1 with input as fx.set(fx.pod, "/spec/automountServiceAccountToken", true) with data.mx.overlay as "homelab"
	count(deny_mx_sec_006) == 0 with input as fx.except(fx.set(fx.pod, "/spec/automountServiceAccountToken", true), "MX-SEC-006")
}

# MX-SEC-007
test_sec_007 if {
	ks := {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "metadata": {"name": "apps", "namespace": "flux-system"}, "spec": {"path": "./overlays/production", "decryption": {"provider": "sops", "secretRef": {"name": "sops-age"}}}}
	count(deny_mx_sec_007) == 0 with input as ks
	count(deny_mx_sec_007) == 1 with input as fx.unset(ks, "/spec/decryption")
	count(deny_mx_sec_007) == 1 with input as fx.unset(ks, "/spec/decryption/secretRef")
	count(deny_mx_sec_007) == 0 with input as fx.set(fx.unset(ks, "/spec/decryption"), "/spec/path", "./flux/production/infrastructure")
	count(deny_mx_sec_007) == 0 with input as fx.except(fx.unset(ks, "/spec/decryption"), "MX-SEC-007")
}
