package mx.db

import data.mx.fixtures as fx

cluster(spec) := {"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster", "metadata": {"name": "pg", "namespace": "matrix"}, "spec": spec}

good := {"instances": 3, "enableSuperuserAccess": false, "backup": {"volumeSnapshot": {"className": "x"}}}

hs(args) := fx.configmap({"homeserver.yaml": json.marshal({"server_name": "example.com", "database": {"name": "psycopg2", "args": args}})})

test_pass if {
	count(deny_mx_db_001 | warn_mx_db_001) == 0 with input as cluster(good)
	count(warn_mx_db_001) == 0 with input as hs({"sslmode": "verify-full"})
}

test_superuser_deny_in_li_warn_in_production if {
	obj := cluster(object.union(good, {"enableSuperuserAccess": true}))
	count(deny_mx_db_001) == 0 with input as obj
	count(warn_mx_db_001) == 1 with input as obj
	count(deny_mx_db_001) == 1 with input as obj with data.mx.overlay as "li"
	count(deny_mx_db_001) == 0 with input as fx.except(obj, "MX-DB-001") with data.mx.overlay as "li"
}

test_instances_backup_sslmode if {
	count(warn_mx_db_001) == 1 with input as cluster(object.union(good, {"instances": 1}))
	count(warn_mx_db_001) == 1 with input as cluster(object.remove(good, ["backup"]))
	count(warn_mx_db_001) == 0 with input as cluster(object.union(object.remove(good, ["backup"]), {"plugins": [{"name": "barman-cloud.cloudnative-pg.io"}]}))
	count(warn_mx_db_001) == 1 with input as hs({"sslmode": "prefer"})
	count(warn_mx_db_001) == 1 with input as hs({})
}

test_homelab_not_checked if {
	count(warn_mx_db_001) == 0 with input as cluster({"instances": 1}) with data.mx.overlay as "homelab"
}
