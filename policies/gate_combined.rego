# The gate's cross-resource rules over every entry point's rendered documents at once: mx.combined is
# evaluated once per entry point, with that entry's documents as its input and with its overlay. validate reaches
# it through policies/gate.rego (the single `--combine --namespace gate` process that also runs the
# per-document rules), or directly (`--combine --namespace gate_combined`) for a policy set without gate.rego.
# One `deny` set for errors and warnings alike (each result keeps its `severity`): conftest
# evaluates each rule name as its own query, so a separate `warn` would evaluate mx.combined again.
package gate_combined

entries contains e if some _, e in data.mx.overlays

# Each document with its entry point, read off its file name once (data.mx.overlays), so the
# per-entry split below compares names instead of splitting every path once per entry.
tagged := [[data.mx.overlays[name], d] |
	some d in input
	parts := split(d.path, "/")
	name := parts[count(parts) - 1]
]

deny contains object.union(r, {"entry": e}) if {
	some e in entries
	own := [d | some [x, d] in tagged; x == e]
	rules := data.mx.combined with input as own with data.mx.current_entry as e
	some name, results in rules
	regex.match(`^(deny|warn)_`, name)
	# Rule results are sets; under `conftest verify` the package also holds combined_test.rego's
	# fixtures (deny_all is a NetworkPolicy object), which are not results.
	is_set(results)
	some r in results
}
