# Secret hygiene on the rendered (still encrypted) documents, plus env/ConfigMap leaks and Flux decryption.
package mx.secrets

import data.mx.lib

# ---------------------------------------------------------------- MX-SEC-001

# METADATA
# title: Secrets are SOPS-encrypted
# description: Every kind Secret document has a top-level sops map with mac, lastmodified, version and at least one recipient (age, pgp, kms, gcp_kms, azure_kv, hc_vault or key_groups).
# custom:
#   id: MX-SEC-001
#   kinds: [Secret]
#   severity: deny
#   overlays: [all]
#   anchors: [SOPS metadata struct (stores.go)]
deny_mx_sec_001 contains r if some r in lib.denied(sec_001)

# METADATA
# title: Secrets are SOPS-encrypted (excepted)
# custom:
#   id: MX-SEC-001
#   companion: true
warn_mx_sec_001 contains r if some r in lib.warned(sec_001)

# A helper rule, because `not is_object(input.sops)` is undefined (not true) when sops is absent.
has_sops if is_object(input.sops)

# Nothing secret in git: no values (a service-account token Secret, filled by the cluster), or only
# references resolved elsewhere (${…}, {{…}}, op://, vault:, <path:…>). Mirrors hygiene.ts holdsNoSecret.
holds_no_secret if {
	every f in ["data", "stringData"] {
		every _, v in object.get(input, f, {}) {
			reference_or_empty(v)
		}
	}
}

reference_or_empty(v) if v == ""

reference_or_empty(v) if v == null

reference_or_empty(v) if regex.match(`^\s*(\$\{[^}]+\}|\{\{.*\}\}|op://\S+|vault:\S+|<path:[^>]+>)\s*$`, v)

recipient_keys := ["age", "pgp", "kms", "gcp_kms", "azure_kv", "hc_vault", "key_groups"]

sec_001 contains lib.v("MX-SEC-001", "deny", input, msg) if {
	input.kind == "Secret"
	not has_sops
	not holds_no_secret
	msg := sprintf("Secret %s: no sops metadata, so the file is plaintext in git; encrypt it with sops", [lib.in_name])
}

sec_001 contains lib.v("MX-SEC-001", "deny", input, msg) if {
	input.kind == "Secret"
	is_object(input.sops)
	some f in ["mac", "lastmodified", "version"]
	object.get(input.sops, f, "") == ""
	msg := sprintf("Secret %s: sops.%s is missing; re-encrypt the file with sops", [lib.in_name, f])
}

sec_001 contains lib.v("MX-SEC-001", "deny", input, msg) if {
	input.kind == "Secret"
	is_object(input.sops)
	count([k | some k in recipient_keys; count(object.get(input.sops, k, [])) > 0]) == 0
	msg := sprintf("Secret %s: sops lists no recipient (age, pgp, kms…); nobody can decrypt it", [lib.in_name])
}

# ---------------------------------------------------------------- MX-SEC-002

# METADATA
# title: Every data value is encrypted
# description: Every leaf under data and stringData of a Secret matches ENC[AES256_GCM,data:…,iv:…,tag:…,type:…] (catches half-encrypted files); apiVersion, kind and metadata stay cleartext.
# custom:
#   id: MX-SEC-002
#   kinds: [Secret]
#   severity: deny
#   overlays: [all]
#   anchors: [SOPS format, Flux --encrypted-regex '^(data|stringData)$']
deny_mx_sec_002 contains r if some r in lib.denied(sec_002)

# METADATA
# title: Every data value is encrypted (excepted)
# custom:
#   id: MX-SEC-002
#   companion: true
warn_mx_sec_002 contains r if some r in lib.warned(sec_002)

enc_pattern := `^ENC\[AES256_GCM,data:.*,iv:.*,tag:.*,type:(str|int|float|bool|bytes)\]$`

sec_002 contains lib.v("MX-SEC-002", "deny", input, msg) if {
	input.kind == "Secret"
	is_object(input.sops)
	some f in ["data", "stringData"]
	some k, val in object.get(input, f, {})
	not regex.match(enc_pattern, sprintf("%v", [val]))
	msg := sprintf("Secret %s: %s.%s is not encrypted; run sops --encrypt with encrypted_regex ^(data|stringData)$", [lib.in_name, f, k])
}

sec_002 contains lib.v("MX-SEC-002", "deny", input, msg) if {
	input.kind == "Secret"
	some f in ["apiVersion", "kind"]
	startswith(sprintf("%v", [input[f]]), "ENC[")
	msg := sprintf("Secret %s: %s is encrypted; limit sops to data/stringData so Kubernetes can read the object", [lib.in_name, f])
}

sec_002 contains lib.v("MX-SEC-002", "deny", input, msg) if {
	input.kind == "Secret"
	startswith(sprintf("%v", [object.get(input, ["metadata", "name"], "")]), "ENC[")
	msg := "Secret: metadata.name is encrypted; limit sops to data/stringData"
}

# ---------------------------------------------------------------- MX-SEC-003

# METADATA
# title: SOPS settings cover the data
# description: sops.encrypted_regex covers data and stringData; no unencrypted_regex or unencrypted_suffix; mac_only_encrypted is not true. Deny in production/li, warning in homelab. The .sops.yaml creation rules are checked by validate's hygiene pass.
# custom:
#   id: MX-SEC-003
#   kinds: [Secret]
#   severity: deny
#   home: warn
#   overlays: [all]
#   anchors: [SOPS config fields encrypted_regex, mac_only_encrypted]
deny_mx_sec_003 contains r if some r in lib.denied(sec_003)

# METADATA
# title: SOPS settings cover the data (downgraded or excepted)
# custom:
#   id: MX-SEC-003
#   companion: true
warn_mx_sec_003 contains r if some r in lib.warned(sec_003)

sec_003 contains lib.v("MX-SEC-003", "home", input, msg) if {
	input.kind == "Secret"
	re := input.sops.encrypted_regex
	some f in ["data", "stringData"]
	not regex.match(re, f)
	msg := sprintf("Secret %s: sops.encrypted_regex %q does not match %s; use ^(data|stringData)$", [lib.in_name, re, f])
}

sec_003 contains lib.v("MX-SEC-003", "home", input, msg) if {
	input.kind == "Secret"
	some f in ["unencrypted_regex", "unencrypted_suffix", "unencrypted_comment_regex"]
	object.get(input.sops, f, "") != ""
	msg := sprintf("Secret %s: remove sops.%s; secret data must be encrypted", [lib.in_name, f])
}

sec_003 contains lib.v("MX-SEC-003", "home", input, msg) if {
	input.kind == "Secret"
	input.sops.mac_only_encrypted == true
	msg := sprintf("Secret %s: sops.mac_only_encrypted lets cleartext fields change undetected; disable it", [lib.in_name])
}

# ---------------------------------------------------------------- MX-SEC-005

# METADATA
# title: No secret literals in env
# description: env[*].value is not a literal when the name looks secret (password, secret, token, key, bearer); use valueFrom.secretKeyRef (file mounts preferred).
# custom:
#   id: MX-SEC-005
#   kinds: [pod]
#   severity: deny
#   overlays: [all]
#   anchors: [Polaris sensitiveContainerEnvVar, Kyverno disallow-secrets-from-env-vars]
deny_mx_sec_005 contains r if some r in lib.denied(sec_005)

# METADATA
# title: No secret literals in env (excepted)
# custom:
#   id: MX-SEC-005
#   companion: true
warn_mx_sec_005 contains r if some r in lib.warned(sec_005)

# "key" only as a whole word (API_KEY, LIVEKIT_KEYS), so KEYCLOAK_URL or MONKEY are not flagged.
secret_env_name(n) if regex.match(`(?i)password|passwd|secret|token|bearer|apikey`, n)

secret_env_name(n) if regex.match(`(?i)(^|[_-])keys?([_-]|$)`, n)

sec_005 contains lib.vf("MX-SEC-005", "deny", input, msg, e.ptr) if {
	some e in lib.in_containers
	some env in object.get(e.c, "env", [])
	secret_env_name(env.name)
	not regex.match(`(?i)(_FILE|_PATH)$`, env.name)
	object.get(env, "value", "") != ""
	msg := sprintf("%s %s (%s): env %s is a literal; use valueFrom.secretKeyRef", [lib.in_describe, e.path, e.c.name, env.name])
}

# ---------------------------------------------------------------- MX-SEC-006

# METADATA
# title: No service-account token unless needed
# description: Pod specs set automountServiceAccountToken false (operators that call the API take an exception with a reason).
# custom:
#   id: MX-SEC-006
#   kinds: [pod]
#   severity: deny
#   home: warn
#   overlays: [all]
#   anchors: [KSV036, Polaris, Kyverno restrict-automount-sa-token]
deny_mx_sec_006 contains r if some r in lib.denied(sec_006)

# METADATA
# title: No service-account token unless needed (downgraded or excepted)
# custom:
#   id: MX-SEC-006
#   companion: true
warn_mx_sec_006 contains r if some r in lib.warned(sec_006)

sec_006 contains lib.v("MX-SEC-006", "home", input, msg) if {
	lib.in_is_pod
	object.get(lib.in_pod_spec, "automountServiceAccountToken", true) != false
	msg := sprintf("%s: set spec.automountServiceAccountToken: false (the pod does not call the Kubernetes API)", [lib.in_describe])
}

# ---------------------------------------------------------------- MX-SEC-007

# METADATA
# title: Flux decrypts overlays with SOPS
# description: A Flux Kustomization that applies an overlay (path under ./overlays) has spec.decryption.provider sops and a secretRef.
# custom:
#   id: MX-SEC-007
#   kinds: [Kustomization]
#   severity: deny
#   overlays: [all]
#   anchors: [Flux kustomize-controller decryption]
deny_mx_sec_007 contains r if some r in lib.denied(sec_007)

# METADATA
# title: Flux decrypts overlays with SOPS (excepted)
# custom:
#   id: MX-SEC-007
#   companion: true
warn_mx_sec_007 contains r if some r in lib.warned(sec_007)

sec_007 contains lib.v("MX-SEC-007", "deny", input, msg) if {
	input.kind == "Kustomization"
	startswith(input.apiVersion, "kustomize.toolkit.fluxcd.io/")
	regex.match(`^(\./)?overlays/`, object.get(input.spec, "path", ""))
	not decrypts(input.spec)
	msg := sprintf("Kustomization %s: set spec.decryption.provider: sops and spec.decryption.secretRef.name (the overlay holds SOPS Secrets)", [lib.in_name])
}

decrypts(spec) if {
	spec.decryption.provider == "sops"
	spec.decryption.secretRef.name
}
