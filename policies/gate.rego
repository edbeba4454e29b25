# The gate's single entry point: `conftest test --combine --namespace gate` over every entry point's
# rendered documents at once. conftest spends ~0.3 s CPU loading and compiling the policies in each
# process, more than evaluating them costs on a small repository, so validate runs one process for
# the per-document and the cross-resource rules of all entry points instead of one per pass.
#
# --combine hands over every document as its own {path, contents}, in no fixed order. validate
# writes each document to its own file and data.mx.overlays maps a file's name to its entry point.
# Each result is tagged with its entry (validate maps results back by it) and, for per-document
# results, with its document's file: validate restores document order from it, and a set would
# otherwise fold identical results of two identical documents into one, where one conftest query
# per document reported both.
# Both rules need the --combine input (a list): the fallback's `--all-namespaces` per-document runs
# also reach this package, whose results it drops, and should not pay for mx.combined here.
package gate

# Per-document rules: the generated dispatcher (policies/main.rego) evaluated with each document as
# input, as `conftest test --namespace main` does per document; the entry is passed as
# data.mx.current_entry, which lib.overlay reads before the file name (conftest sets no per-file
# name in --combine mode).
deny contains object.union(r, {"entry": e, "doc": name}) if {
	is_array(input)
	some d in input
	parts := split(d.path, "/")
	name := parts[count(parts) - 1]
	e := data.mx.overlays[name]
	some r in data.main.deny with input as d.contents with data.mx.current_entry as e
}

# Cross-resource rules: mx.combined once per entry point (policies/gate_combined.rego).
deny contains r if {
	is_array(input)
	some r in data.gate_combined.deny
}
