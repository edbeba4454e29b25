# Traffic providers (issue #16): the li copy's routes are allow-listed by whichever provider serves
# them. Cross-resource, because the allow-list lives in another object than the route: an Envoy
# Gateway SecurityPolicy targeting the HTTPRoute (or its Gateway), or a Traefik Middleware named by
# the IngressRoute. li Ingresses (ingress-nginx annotations) are MX-LI-001's.
package mx.combined

import data.mx.lib

# ---------------------------------------------------------------- MX-LI-004

# METADATA
# title: LI routes are allow-listed by their provider
# description: In the li overlay every HTTPRoute of the LI namespace is targeted by an Envoy Gateway SecurityPolicy (on the route, or on its Gateway when no route-level SecurityPolicy exists, since only the most specific one applies) whose authorization denies by default and allows only clientCIDRs inside data.mx.li_allowed_cidrs; every route of every Traefik IngressRoute there names a Middleware with ipAllowList (or the deprecated ipWhiteList) sourceRange inside them. Never 0.0.0.0/0 or ::/0.
# custom:
#   id: MX-LI-004
#   severity: deny
#   overlays: [li]
#   anchors: [Envoy Gateway SecurityPolicy authorization, Traefik ipAllowList middleware, Gateway API policy attachment]
deny_mx_li_004 contains r if some r in lib.denied(li_004)

# METADATA
# title: LI routes are allow-listed by their provider (excepted)
# custom:
#   id: MX-LI-004
#   companion: true
warn_mx_li_004 contains r if some r in lib.warned(li_004)

li_cidr_ok(c) if {
	not c in {"0.0.0.0/0", "::/0"}
	some a in lib.li_allowed_cidrs
	net.cidr_contains(a, c)
}

targets(sp, kind, name) if {
	some t in object.get(sp.spec, "targetRefs", [])
	t.kind == kind
	t.name == name
}

security_policies(ns) := [sp | some sp in of_kind("SecurityPolicy"); lib.namespace_of(sp) == ns]

# The policies Envoy applies to a route: route-level ones replace Gateway-level ones.
effective_policies(route) := ps if {
	ns := lib.namespace_of(route)
	ps := [sp | some sp in security_policies(ns); targets(sp, "HTTPRoute", route.metadata.name)]
	count(ps) > 0
} else := [sp |
	ns := lib.namespace_of(route)
	some sp in security_policies(ns)
	some p in object.get(route.spec, "parentRefs", [])
	object.get(p, "namespace", ns) == ns
	targets(sp, "Gateway", p.name)
]

# Deny by default (the field's default), at least one Allow rule, every Allow rule limited to li CIDRs.
allow_listing(sp) if {
	authz := sp.spec.authorization
	object.get(authz, "defaultAction", "Deny") == "Deny"
	allows := [r | some r in object.get(authz, "rules", []); r.action == "Allow"]
	count(allows) > 0
	every r in allows {
		cidrs := object.get(object.get(r, "principal", {}), "clientCIDRs", [])
		count(cidrs) > 0
		every c in cidrs {
			li_cidr_ok(c)
		}
	}
}

li_004 contains lib.v("MX-LI-004", "deny", route, msg) if {
	some route in of_kind("HTTPRoute")
	lib.li_resource(route)
	not any_allow_listing(effective_policies(route))
	msg := sprintf("HTTPRoute %s: add an Envoy Gateway SecurityPolicy targeting it with authorization defaultAction Deny and an Allow rule for clientCIDRs inside li.allowedCidrs %v", [lib.name_of(route), lib.li_allowed_cidrs])
}

any_allow_listing(ps) if {
	some sp in ps
	allow_listing(sp)
}

# Traefik names CRD middlewares of the route's namespace plainly, others as <ns>-<name>@kubernetescrd.
middleware_ok(ns, ref) if {
	some mw in of_kind("Middleware")
	lib.namespace_of(mw) == object.get(ref, "namespace", ns)
	mw.metadata.name == ref.name
	spec := object.get(mw.spec, "ipAllowList", object.get(mw.spec, "ipWhiteList", {}))
	ranges := object.get(spec, "sourceRange", [])
	count(ranges) > 0
	every c in ranges {
		li_cidr_ok(c)
	}
}

li_004 contains lib.v("MX-LI-004", "deny", ir, msg) if {
	some ir in of_kind("IngressRoute")
	lib.li_resource(ir)
	some i, r in ir.spec.routes
	not route_allow_listed(lib.namespace_of(ir), r)
	msg := sprintf("IngressRoute %s routes[%d] (%s): add a Middleware with ipAllowList.sourceRange inside li.allowedCidrs %v to its middlewares", [lib.name_of(ir), i, r.match, lib.li_allowed_cidrs])
}

route_allow_listed(ns, r) if {
	some ref in object.get(r, "middlewares", [])
	middleware_ok(ns, ref)
}
