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

# MX-DB-002: CNPG defaults (unset) and explicit C/UTF8 pass; another locale or encoding fails.
test_db_002_cnpg if {
	count(deny_mx_db_002) == 0 with input as cluster(good)
	count(deny_mx_db_002) == 0 with input as cluster(object.union(good, {"bootstrap": {"initdb": {"encoding": "UTF8", "localeCollate": "C", "localeCType": "C"}}}))
	rs := deny_mx_db_002 with input as cluster(object.union(good, {"bootstrap": {"initdb": {"localeCollate": "en_US.UTF-8"}}}))
	count(rs) == 1
	some r in rs
	r.msg == "Cluster pg: spec.bootstrap.initdb.localeCollate is \"en_US.UTF-8\"; Synapse needs C (LC_COLLATE and LC_CTYPE C, encoding UTF8)"
	count(deny_mx_db_002) == 2 with input as cluster(object.union(good, {"bootstrap": {"initdb": {"encoding": "SQL_ASCII", "locale": "de_DE"}}}))
	count(deny_mx_db_002) == 0 with input as fx.except(cluster(object.union(good, {"bootstrap": {"initdb": {"locale": "de_DE"}}})), "MX-DB-002")
	fx.excepted(warn_mx_db_002) == {"MX-DB-002"} with input as fx.except(cluster(object.union(good, {"bootstrap": {"initdb": {"locale": "de_DE"}}})), "MX-DB-002")
}

postgres(env) := fx.set(fx.set(fx.deployment, sprintf("%s/image", [fx.c0]), "docker.io/library/postgres:17.6"), sprintf("%s/env", [fx.c0]), env)

test_db_002_postgres_image if {
	count(deny_mx_db_002) == 0 with input as postgres([{"name": "POSTGRES_INITDB_ARGS", "value": "--encoding=UTF8 --locale=C"}])
	count(deny_mx_db_002) == 0 with input as postgres([{"name": "POSTGRES_INITDB_ARGS", "value": "-E UTF8 --lc-collate=C --lc-ctype=C"}])
	{r.msg | some r in deny_mx_db_002} == {
		"Deployment web containers[0] (web): POSTGRES_INITDB_ARGS lacks --locale=C; Synapse refuses a database that is not UTF8 with C collation",
		"Deployment web containers[0] (web): POSTGRES_INITDB_ARGS lacks --encoding=UTF8; Synapse refuses a database that is not UTF8 with C collation",
	} with input as postgres([])
	count(deny_mx_db_002) == 1 with input as postgres([{"name": "POSTGRES_INITDB_ARGS", "value": "--encoding=UTF8 --lc-collate=C"}])
	# other images are not databases, nor is the image used as a client with its own command
	count(deny_mx_db_002) == 0 with input as fx.deployment
	count(deny_mx_db_002) == 0 with input as fx.set(postgres([]), sprintf("%s/command", [fx.c0]), ["pg_dump"])
	count(deny_mx_db_002) == 0 with input as fx.except(postgres([]), "MX-DB-002")
}
