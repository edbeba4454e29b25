package mx.combined

import data.mx.fixtures as fx

li_route := {
	"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
	"metadata": {"name": "synapse-li", "namespace": "matrix-li"},
	"spec": {"parentRefs": [{"name": "matrix"}], "hostnames": ["li-matrix.example.com"], "rules": [{"backendRefs": [{"name": "synapse-li", "port": 8008}]}]},
}

sp(target_kind, target, authz) := {
	"apiVersion": "gateway.envoyproxy.io/v1alpha1", "kind": "SecurityPolicy",
	"metadata": {"name": sprintf("%s-allowlist", [target]), "namespace": "matrix-li"},
	"spec": {"targetRefs": [{"group": "gateway.networking.k8s.io", "kind": target_kind, "name": target}], "authorization": authz},
}

allow_li := {"defaultAction": "Deny", "rules": [{"action": "Allow", "principal": {"clientCIDRs": ["203.0.113.0/25"]}}]}

ir(middlewares) := {
	"apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute",
	"metadata": {"name": "synapse-li", "namespace": "matrix-li"},
	"spec": {"routes": [{"kind": "Rule", "match": "Host(`li-matrix.example.com`) && PathPrefix(`/_matrix`)", "services": [{"name": "synapse-li", "port": 8008}], "middlewares": middlewares}]},
}

mw(spec) := {"apiVersion": "traefik.io/v1alpha1", "kind": "Middleware", "metadata": {"name": "li-allowlist", "namespace": "matrix-li"}, "spec": spec}


# MX-LI-004: Envoy Gateway
test_li_004_gateway if {
	count(deny_mx_li_004) == 0 with input as wrap([li_route, sp("HTTPRoute", "synapse-li", allow_li)]) with data.mx.overlay as "li" with data.mx.li_allowed_cidrs as ["203.0.113.0/24"]
	# On the Gateway, when the route has no SecurityPolicy of its own.
	count(deny_mx_li_004) == 0 with input as wrap([li_route, sp("Gateway", "matrix", allow_li)]) with data.mx.overlay as "li" with data.mx.li_allowed_cidrs as ["203.0.113.0/24"]
	# No policy; a policy for another route; an open default; CIDRs outside li.allowedCidrs; 0.0.0.0/0; an Allow without CIDRs.
	count(deny_mx_li_004) == 1 with input as wrap([li_route]) with data.mx.overlay as "li" with data.mx.li_allowed_cidrs as ["203.0.113.0/24"]
	count(deny_mx_li_004) == 1 with input as wrap([li_route, sp("HTTPRoute", "element-li", allow_li)]) with data.mx.overlay as "li" with data.mx.li_allowed_cidrs as ["203.0.113.0/24"]
	count(deny_mx_li_004) == 1 with input as wrap([li_route, sp("HTTPRoute", "synapse-li", object.union(allow_li, {"defaultAction": "Allow"}))]) with data.mx.overlay as "li" with data.mx.li_allowed_cidrs as ["203.0.113.0/24"]
	count(deny_mx_li_004) == 1 with input as wrap([li_route, sp("HTTPRoute", "synapse-li", allow_li)]) with data.mx.overlay as "li" with data.mx.li_allowed_cidrs as ["198.51.100.0/24"]
	count(deny_mx_li_004) == 1 with input as wrap([li_route, sp("HTTPRoute", "synapse-li", {"rules": [{"action": "Allow", "principal": {"clientCIDRs": ["0.0.0.0/0"]}}]})]) with data.mx.overlay as "li" with data.mx.li_allowed_cidrs as ["0.0.0.0/0"]
	count(deny_mx_li_004) == 1 with input as wrap([li_route, sp("HTTPRoute", "synapse-li", {"rules": [allow_li.rules[0], {"action": "Allow", "principal": {"headers": [{"name": "x", "value": "y"}]}}]})]) with data.mx.overlay as "li" with data.mx.li_allowed_cidrs as ["203.0.113.0/24"]
	# A route-level policy without an allow-list replaces the Gateway's (Envoy applies the most specific one).
	count(deny_mx_li_004) == 1 with input as wrap([li_route, sp("Gateway", "matrix", allow_li), sp("HTTPRoute", "synapse-li", {"defaultAction": "Allow"})]) with data.mx.overlay as "li" with data.mx.li_allowed_cidrs as ["203.0.113.0/24"]
}

# MX-LI-004: Traefik
test_li_004_traefik if {
	count(deny_mx_li_004) == 0 with input as wrap([ir([{"name": "li-allowlist"}]), mw({"ipAllowList": {"sourceRange": ["203.0.113.0/24"]}})]) with data.mx.overlay as "li" with data.mx.li_allowed_cidrs as ["203.0.113.0/24"]
	count(deny_mx_li_004) == 0 with input as wrap([ir([{"name": "li-allowlist"}]), mw({"ipWhiteList": {"sourceRange": ["203.0.113.7/32"]}})]) with data.mx.overlay as "li" with data.mx.li_allowed_cidrs as ["203.0.113.0/24"]
	count(deny_mx_li_004) == 1 with input as wrap([ir([])]) with data.mx.overlay as "li" with data.mx.li_allowed_cidrs as ["203.0.113.0/24"]
	count(deny_mx_li_004) == 1 with input as wrap([ir([{"name": "li-allowlist"}]), mw({"stripPrefix": {"prefixes": ["/x"]}})]) with data.mx.overlay as "li" with data.mx.li_allowed_cidrs as ["203.0.113.0/24"]
	count(deny_mx_li_004) == 1 with input as wrap([ir([{"name": "li-allowlist"}]), mw({"ipAllowList": {"sourceRange": ["0.0.0.0/0"]}})]) with data.mx.overlay as "li" with data.mx.li_allowed_cidrs as ["0.0.0.0/0"]
	count(deny_mx_li_004) == 1 with input as wrap([ir([{"name": "li-allowlist"}]), fx.set(mw({"ipAllowList": {"sourceRange": ["203.0.113.0/24"]}}), "/metadata/namespace", "matrix")]) with data.mx.overlay as "li" with data.mx.li_allowed_cidrs as ["203.0.113.0/24"]
}

# MX-LI-004: scope and exceptions
test_li_004_scope if {
	# Outside the li overlay, and for public routes, the rule does not apply.
	count(deny_mx_li_004) == 0 with input as wrap([li_route])
	count(deny_mx_li_004) == 0 with input as wrap([fx.set(li_route, "/metadata/namespace", "matrix")]) with data.mx.overlay as "li"
	# A counted exception turns the denial into a warning.
	count(deny_mx_li_004) == 0 with input as wrap([fx.except(li_route, "MX-LI-004")]) with data.mx.overlay as "li" with data.mx.li_allowed_cidrs as ["203.0.113.0/24"]
	count(warn_mx_li_004) == 1 with input as wrap([fx.except(li_route, "MX-LI-004")]) with data.mx.overlay as "li" with data.mx.li_allowed_cidrs as ["203.0.113.0/24"]
}
