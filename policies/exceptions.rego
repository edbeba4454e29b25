# The exception mechanism itself: every exception names known rule ids and gives a reason.
package mx.exceptions

import data.mx.lib

# METADATA
# title: Exceptions carry a reason
# description: A resource with policy.mx/exceptions must also set a non-empty policy.mx/reason; without it the exception is ignored and this finding is raised.
# custom:
#   id: MX-EXC-001
#   severity: deny
#   overlays: [all]
#   anchors: [docs/architecture.md (Repository → validate)]
deny_mx_exc_001 contains lib.result(v, "error") if {
	some v in exc_001
}

exc_001 contains lib.v("MX-EXC-001", "deny", input, msg) if {
	count(lib.exception_ids(input)) > 0
	not lib.reason(input)
	msg := sprintf("%s: policy.mx/exceptions %v has no policy.mx/reason; add the reason or drop the exception", [lib.in_describe, lib.exception_ids(input)])
}

# METADATA
# title: Exceptions name real rule ids
# description: Every id in policy.mx/exceptions looks like MX-AREA-NNN; a typo would silently except nothing.
# custom:
#   id: MX-EXC-002
#   severity: warn
#   overlays: [all]
#   anchors: [docs/architecture.md (Repository → validate)]
warn_mx_exc_002 contains lib.result(v, "warning") if {
	some v in exc_002
}

exc_002 contains lib.v("MX-EXC-002", "warn", input, msg) if {
	some id in lib.exception_ids(input)
	not regex.match(`^MX-[A-Z]+-[0-9]{3}$`, id)
	msg := sprintf("%s: policy.mx/exceptions names %q, which is not a rule id (MX-AREA-NNN)", [lib.in_describe, id])
}
