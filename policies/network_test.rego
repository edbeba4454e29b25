package mx.network

import data.mx.fixtures as fx

svc(spec) := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "matrix"}, "spec": spec}

ing(annotations, spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i", "namespace": "matrix", "annotations": annotations}, "spec": spec}

path(p, service) := {"path": p, "pathType": "Prefix", "backend": {"service": {"name": service, "port": {"number": 8008}}}}

tls_spec(host, paths) := {"tls": [{"hosts": [host], "secretName": "t"}], "rules": [{"host": host, "http": {"paths": paths}}]}

np(selector, ingress) := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "pg", "namespace": "matrix"}, "spec": {"podSelector": selector, "ingress": ingress}}

pg := {"matchLabels": {"cnpg.io/cluster": "synapse-pg"}}

synapse_peer := {"podSelector": {"matchLabels": {"app.kubernetes.io/component": "synapse"}}}

# MX-NET-003
test_net_003_netpol if {
	count(deny_mx_net_003) == 0 with input as np(pg, [{"from": [synapse_peer, {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "cnpg-system"}}}, {"podSelector": pg}]}])
	count(deny_mx_net_003) == 1 with input as np(pg, [{"ports": [{"port": 5432}]}])
	count(deny_mx_net_003) == 1 with input as np(pg, [{"from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "element"}}}]}])
	count(deny_mx_net_003) == 1 with input as np({"matchLabels": {"app.kubernetes.io/name": "synapse-redis"}}, [{"from": [{"namespaceSelector": {}}]}])
	count(deny_mx_net_003) == 0 with input as np(pg, [{}]) with data.mx.overlay as "homelab"
	count(deny_mx_net_003) == 0 with input as fx.except(np(pg, [{}]), "MX-NET-003")
}

test_net_003_redis_auth if {
	redis := fx.set(fx.deployment, sprintf("%s/image", [fx.c0]), "docker.io/library/redis:7.4")
	count(deny_mx_net_003) == 1 with input as redis
	count(deny_mx_net_003) == 0 with input as fx.set(redis, sprintf("%s/args", [fx.c0]), ["--requirepass", "$(REDIS_PASSWORD)"])
}

# MX-NET-004
test_net_004 if {
	count(deny_mx_net_004) == 0 with input as svc({"ports": [{"port": 80}]})
	count(deny_mx_net_004) == 1 with input as svc({"type": "NodePort"})
	count(warn_mx_net_004) == 1 with input as svc({"type": "NodePort"}) with data.mx.overlay as "homelab"
	count(deny_mx_net_004) == 1 with input as svc({"type": "LoadBalancer", "selector": {"app.kubernetes.io/name": "synapse"}})
	count(deny_mx_net_004) == 0 with input as svc({"type": "LoadBalancer", "selector": {"app.kubernetes.io/name": "coturn"}})
	count(deny_mx_net_004) == 0 with input as fx.except(svc({"type": "NodePort"}), "MX-NET-004")
}

# MX-NET-005
test_net_005 if {
	count(deny_mx_net_005) == 1 with input as svc({"externalIPs": ["1.2.3.4"]})
	count(deny_mx_net_005) == 0 with input as svc({"externalIPs": []})
	count(deny_mx_net_005) == 0 with input as fx.except(svc({"externalIPs": ["1.2.3.4"]}), "MX-NET-005")
}

# MX-NET-006
test_net_006 if {
	good := ing({}, tls_spec("chat.example.com", [path("/", "element")]))
	count(deny_mx_net_006) == 0 with input as good
	no_tls := ing({}, {"rules": [{"host": "chat.example.com"}]})
	count(deny_mx_net_006) == 1 with input as no_tls
	count(warn_mx_net_006) == 1 with input as no_tls with data.mx.overlay as "homelab"
	count(deny_mx_net_006) == 1 with input as ing({}, {"tls": [{"hosts": ["a.example.com"]}], "rules": [{"host": "b.example.com"}]})
	count(deny_mx_net_006) == 1 with input as ing({}, {"tls": [{"hosts": ["*.example.com"]}], "rules": [{"host": "*.example.com"}]})
	count(deny_mx_net_006) == 1 with input as ing({}, {"rules": [{"http": {}}]})
	count(deny_mx_net_006) == 1 with input as fx.set(good, "/spec/defaultBackend", {"service": {"name": "x", "port": {"number": 1}}})
	count(deny_mx_net_006) == 0 with input as fx.except(no_tls, "MX-NET-006")
}

# MX-NET-007
test_net_007 if {
	spec := tls_spec("chat.example.com", [path("/", "element")])
	count(deny_mx_net_007) == 0 with input as ing({"nginx.ingress.kubernetes.io/proxy-body-size": "100m"}, spec)
	count(deny_mx_net_007) == 1 with input as ing({"nginx.ingress.kubernetes.io/configuration-snippet": "more_set_headers x;"}, spec)
	count(deny_mx_net_007) == 1 with input as ing({"nginx.ingress.kubernetes.io/server-snippet": "x"}, spec)
	count(deny_mx_net_007) == 1 with input as ing({"nginx.ingress.kubernetes.io/auth-url": "http://a/;\nproxy_pass x"}, spec)
	count(deny_mx_net_007) == 1 with input as ing({"nginx.ingress.kubernetes.io/mirror-target": "http://x/{y}"}, spec)
	count(deny_mx_net_007) == 0 with input as ing({"nginx.ingress.kubernetes.io/auth-url": "https://auth.example.com/check"}, spec)
	obj := fx.except(ing({"nginx.ingress.kubernetes.io/server-snippet": "x"}, spec), "MX-NET-007")
	count(deny_mx_net_007) == 0 with input as obj
}

# MX-NET-008
test_net_008 if {
	count(deny_mx_net_008) == 0 with input as ing({}, tls_spec("m.example.com", [path("/_matrix", "synapse"), path("/_synapse/client", "synapse"), path("/_matrix/client/(r0|v3)/sync$", "synapse-synchrotron")]))
	every p in ["/_synapse/admin", "/_synapse/replication", "/_synapse/metrics", "/"] {
		count(deny_mx_net_008) == 1 with input as ing({}, tls_spec("m.example.com", [path(p, "synapse")]))
	}
	admin := ing({"nginx.ingress.kubernetes.io/allowlist-source-range": "203.0.113.0/24"}, tls_spec("m.example.com", [path("/_synapse/admin", "synapse-li")]))
	count(deny_mx_net_008) == 0 with input as admin
	count(deny_mx_net_008) == 0 with input as ing({}, tls_spec("a.example.com", [path("/", "synapse-admin")]))
	count(deny_mx_net_008) == 0 with input as fx.except(ing({}, tls_spec("m.example.com", [path("/_synapse/admin", "synapse")])), "MX-NET-008")
}

# MX-NET-010 (Element config.json)
test_net_010_element_config if {
	good := fx.configmap({"config.json": json.marshal({"default_server_config": {"m.homeserver": {"base_url": "https://matrix.example.com"}}})})
	count(warn_mx_net_010) == 0 with input as good
	bad := fx.configmap({"config.json": json.marshal({"default_server_config": {"m.homeserver": {"base_url": "http://matrix.example.com"}}})})
	count(warn_mx_net_010) == 1 with input as bad
	count(fx.plain(warn_mx_net_010)) == 0 with input as fx.except(bad, "MX-NET-010")
}
