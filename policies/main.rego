# The gate's entry point for per-document rules. conftest compiles and evaluates one query per rule
# name, so the gate asks only this package: every deny_*/warn_* rule of the mx.<area> packages is
# gathered into one deny and one warn set. Rules keep their own names (and ids) where they live;
# `conftest verify` tests them there. Cross-resource rules stay in mx.combined (the --combine pass).
package main

import rego.v1

# Listed, not discovered: enumerating data.mx would evaluate every package (combined and lib too)
# for every document. A test pins this list to the packages that exist.
areas := {"db", "exceptions", "images", "li", "network", "pss", "rbac", "reliability", "rtc", "secrets", "synapse"}

deny contains r if {
	some area in areas
	some name, results in data.mx[area]
	startswith(name, "deny_")
	some r in results
}

warn contains r if {
	some area in areas
	some name, results in data.mx[area]
	startswith(name, "warn_")
	some r in results
}
