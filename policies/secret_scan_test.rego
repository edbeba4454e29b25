# Secret scanning (MX-SEC-004 and MX-SEC-008) on the real files in testdata/secret-scan/: one
# finding per fail fixture, none on prose, comments, public material or references, and exceptions.
package mx.secrets

import data.mx.fixtures as fx

fixture(name) := parse_config_file(sprintf("testdata/secret-scan/%s.yaml", [name]))

docs(name) := d if {
	d := fixture(name)
	is_array(d)
} else := [fixture(name)]

scan := deny_mx_sec_004 | deny_mx_sec_008

findings(name) := [r | some doc in docs(name); some r in scan with input as doc]

test_configmap_yaml_literal if {
	[r] := findings("fail-configmap-yaml")
	r.id == "MX-SEC-004"
	r.msg == "ConfigMap synapse homeserver.yaml: macaroon_secret_key holds a literal secret; read it from a Secret (*_path option, env secretKeyRef or a placeholder)"
	not contains(r.msg, "Zm9v")
}

test_configmap_conf_literal if {
	[r] := findings("fail-configmap-conf")
	r.msg == "ConfigMap coturn turnserver.conf: static-auth-secret holds a literal secret; read it from a Secret (a placeholder the entrypoint fills, or a file)"
}

test_private_key_in_prose if {
	[r] := findings("fail-pem-in-prose")
	r.msg == "ConfigMap notes README.md: contains a PEM private key; move it to a SOPS-encrypted Secret"
}

test_synapse_signing_key if {
	rs := findings("fail-signing-key")
	count(rs) >= 1
	every r in rs {
		contains(r.msg, "a Synapse signing key")
	}
}

test_token_in_annotation_and_args if {
	rs := {r.msg | some r in findings("fail-annotation-token")}
	rs == {
		"Deployment bot metadata.annotations.example.org/notes: holds an access token; keep it in a SOPS-encrypted Secret and reference it (secretKeyRef, a mounted file or a *_path option)",
		"Deployment bot spec.template.spec.containers[0].args[2]: holds an access token; keep it in a SOPS-encrypted Secret and reference it (secretKeyRef, a mounted file or a *_path option)",
		"Deployment bot spec.template.spec.containers[0].args[2]: flag --access-token holds a literal secret; pass it from a Secret (env secretKeyRef or a file)",
	}
	every r in findings("fail-annotation-token") {
		not contains(r.msg, "ghp_")
		not contains(r.msg, "syt_")
	}
}

test_flux_substitution if {
	[r] := findings("fail-flux-substitute")
	r.id == "MX-SEC-008"
	r.msg == "Kustomization apps spec.postBuild.substitute.redis_password: holds a literal secret; keep it in a SOPS-encrypted Secret and reference it (secretKeyRef, a mounted file or a *_path option)"
	r.field == ["spec", "postBuild", "substitute", "redis_password"]
}

test_high_entropy_value if {
	[r] := findings("fail-high-entropy")
	contains(r.msg, "spec.values.webhook: holds a high-entropy token")
}

test_secret_flag_without_marks if {
	[r] := findings("fail-credentials-flag")
	r.msg == "Deployment exporter spec.template.spec.containers[0].args[1]: flag --s3-credentials holds a literal secret; pass it from a Secret (env secretKeyRef or a file)"
}

test_high_entropy_with_slashes if {
	[r] := findings("fail-high-entropy-slashes")
	r.msg == "Service relay metadata.annotations.example.org/signature: holds a high-entropy token; keep it in a SOPS-encrypted Secret and reference it (secretKeyRef, a mounted file or a *_path option)"
}

test_quiet_on_prose_and_comments if count(findings("pass-prose-comments")) == 0

test_quiet_on_public_material if count(findings("pass-public")) == 0

test_quiet_on_references if count(findings("pass-references")) == 0

# The project's own compliant workload, too.
test_quiet_on_compliant_workload if count(scan) == 0 with input as fx.deployment

test_exception if {
	doc := fx.except(fixture("fail-flux-substitute"), "MX-SEC-008")
	count(deny_mx_sec_008) == 0 with input as doc
	fx.excepted(warn_mx_sec_008) == {"MX-SEC-008"} with input as doc
	cm := fx.except(fixture("fail-configmap-conf"), "MX-SEC-004")
	count(deny_mx_sec_004) == 0 with input as cm
	fx.excepted(warn_mx_sec_004) == {"MX-SEC-004"} with input as cm
}

# A template that is not YAML is read line by line: placeholders pass, a literal does not.
test_template_read_line_by_line if {
	count(deny_mx_sec_004) == 0 with input as fx.configmap({"values.yaml": "token: {{ .Values.token }}\n"})
	count(deny_mx_sec_004) == 1 with input as fx.configmap({"values.yaml": "{{- if .x }}\npassword: hunter2\n{{- end }}\n"})
}
