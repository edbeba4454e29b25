package mx.exceptions

import data.mx.fixtures as fx

test_exception_with_reason_passes if {
	count(deny_mx_exc_001) == 0 with input as fx.except(fx.deployment, "MX-PSS-002")
	count(warn_mx_exc_002) == 0 with input as fx.except(fx.deployment, "MX-PSS-002, MX-NET-004")
	count(deny_mx_exc_001) == 0 with input as fx.deployment
}

test_exc_001_missing_reason if {
	count(deny_mx_exc_001) == 1 with input as fx.set(fx.deployment, "/metadata/annotations", {"policy.mx/exceptions": "MX-PSS-002"})
	count(deny_mx_exc_001) == 1 with input as fx.set(fx.deployment, "/metadata/annotations", {"policy.mx/exceptions": "MX-PSS-002", "policy.mx/reason": "  "})
}

test_exc_002_malformed_id if {
	count(warn_mx_exc_002) == 1 with input as fx.except(fx.deployment, "MX-PSS-2")
	count(warn_mx_exc_002) == 1 with input as fx.except(fx.deployment, "hostNetwork")
}
