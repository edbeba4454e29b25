# policies/gate.rego, the single conftest entry point: per-document and cross-resource results both
# come out of one query, each tagged with its entry point (and per-document ones with their file),
# and each entry point is evaluated with its own overlay.
package gate_test

import data.gate

# Two replicas (MX-REL-003 in production-like overlays, cross-resource) from an untrusted registry
# (MX-IMG-003, per-document).
web := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "synapse", "namespace": "matrix"},
	"spec": {
		"replicas": 2,
		"selector": {"matchLabels": {"app": "synapse"}},
		"template": {
			"metadata": {"labels": {"app": "synapse"}},
			"spec": {"containers": [{"name": "synapse", "image": "registry.example.org/synapse:1.0.0"}]},
		},
	},
}

two_entries := [
	{"path": "/tmp/docs/0-0.yaml", "contents": web},
	{"path": "/tmp/docs/1-0.yaml", "contents": web},
]

overlays := {"0-0.yaml": "production", "1-0.yaml": "homelab"}

test_per_document_results_carry_entry_and_file if {
	some r in gate.deny with input as two_entries with data.mx.overlays as overlays
	r.id == "MX-IMG-003"
	r.entry == "production"
	r.doc == "0-0.yaml"
	r.severity == "error"
}

test_per_document_results_use_their_entry_overlay if {
	some r in gate.deny with input as two_entries with data.mx.overlays as overlays
	r.id == "MX-IMG-003"
	r.entry == "homelab"
	r.doc == "1-0.yaml"
	r.severity == "warning"
}

test_cross_resource_results_per_entry if {
	results := gate.deny with input as two_entries with data.mx.overlays as overlays
	rel := {r.entry | some r in results; r.id == "MX-REL-003"; not r.doc}
	rel == {"production"}
}

test_a_single_document_input_reaches_neither_rule if {
	count(gate.deny) == 0 with input as web with data.mx.overlays as overlays
}

# Each entry point's cross-resource rules see its own documents only: the PodDisruptionBudget of
# production does not cover li's Deployment.
pdb := {
	"apiVersion": "policy/v1",
	"kind": "PodDisruptionBudget",
	"metadata": {"name": "synapse", "namespace": "matrix"},
	"spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "synapse"}}},
}

test_cross_resource_rules_see_their_entry_only if {
	input_docs := [
		{"path": "/tmp/docs/0-0.yaml", "contents": web},
		{"path": "/tmp/docs/0-1.yaml", "contents": pdb},
		{"path": "/tmp/docs/1-0.yaml", "contents": web},
	]
	entries := {"0-0.yaml": "production", "0-1.yaml": "production", "1-0.yaml": "li"}
	results := gate.deny with input as input_docs with data.mx.overlays as entries
	{r.entry | some r in results; r.id == "MX-REL-003"} == {"li"}
}
