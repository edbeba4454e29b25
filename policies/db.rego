# CloudNativePG clusters and Synapse's database connection (production-like overlays).
package mx.db

import data.mx.lib

# METADATA
# title: CloudNativePG cluster hardening and Synapse TLS to Postgres
# description: A CNPG Cluster keeps spec.enableSuperuserAccess off (deny in li, warn in production), runs instances >= 2 and has a backup (barmanObjectStore, volumeSnapshot or a plugin); Synapse's database.args.sslmode is require, verify-ca or verify-full. The combined pass checks that a ScheduledBackup exists.
# custom:
#   id: MX-DB-001
#   kinds: [Cluster, ConfigMap]
#   severity: warn
#   li: deny
#   overlays: [production, li]
#   anchors: [CNPG defaults (superuser disabled by default)]
deny_mx_db_001 contains r if some r in lib.denied(db_001)

# METADATA
# title: CloudNativePG cluster hardening (warnings, excepted)
# custom:
#   id: MX-DB-001
#   companion: true
warn_mx_db_001 contains r if some r in lib.warned(db_001)

cnpg_cluster if {
	input.kind == "Cluster"
	startswith(input.apiVersion, "postgresql.cnpg.io/")
}

superuser_level := "deny" if lib.li

superuser_level := "warn" if not lib.li

db_001 contains lib.v("MX-DB-001", superuser_level, input, msg) if {
	lib.production
	cnpg_cluster
	input.spec.enableSuperuserAccess == true
	msg := sprintf("Cluster %s: set spec.enableSuperuserAccess: false (Synapse needs only its owner role)", [lib.in_name])
}

db_001 contains lib.v("MX-DB-001", "warn", input, msg) if {
	lib.production
	cnpg_cluster
	object.get(input.spec, "instances", 1) < 2
	msg := sprintf("Cluster %s: run spec.instances >= 2 so a node loss fails over instead of stopping Synapse", [lib.in_name])
}

db_001 contains lib.v("MX-DB-001", "warn", input, msg) if {
	lib.production
	cnpg_cluster
	not has_backup(input.spec)
	msg := sprintf("Cluster %s: configure spec.backup (barmanObjectStore or volumeSnapshot) or a backup plugin", [lib.in_name])
}

has_backup(spec) if spec.backup.barmanObjectStore

has_backup(spec) if spec.backup.volumeSnapshot

has_backup(spec) if count(object.get(spec, "plugins", [])) > 0

db_001 contains lib.v("MX-DB-001", "warn", input, msg) if {
	lib.production
	some k, hs in lib.in_homeserver
	hs.database.name == "psycopg2"
	mode := object.get(hs.database, ["args", "sslmode"], "prefer")
	not mode in {"require", "verify-ca", "verify-full"}
	msg := sprintf("ConfigMap %s %s: set database.args.sslmode to require or verify-full (is %s)", [lib.in_name, k, mode])
}

# ---------------------------------------------------------------- MX-DB-002

# METADATA
# title: Synapse's database is UTF8 with C collation and ctype
# description: Synapse refuses a PostgreSQL database whose LC_COLLATE or LC_CTYPE is not C (sorting would differ from what it expects) or whose encoding is not UTF8. CloudNativePG Clusters keep bootstrap.initdb encoding UTF8 and localeCollate, localeCType (and locale) C, which are CNPG's defaults when unset; a postgres container (library/postgres image) sets POSTGRES_INITDB_ARGS with --encoding=UTF8 and --locale=C (or --lc-collate=C --lc-ctype=C), because the image's default locale is en_US.utf8.
# custom:
#   id: MX-DB-002
#   kinds: [Cluster, pod]
#   severity: deny
#   overlays: [all]
#   anchors: [Synapse docs/postgres.md (Set up database), CloudNativePG bootstrap.initdb, postgres image POSTGRES_INITDB_ARGS]
deny_mx_db_002 contains r if some r in lib.denied(db_002)

# METADATA
# title: Synapse's database is UTF8 with C collation and ctype (excepted)
# custom:
#   id: MX-DB-002
#   companion: true
warn_mx_db_002 contains r if some r in lib.warned(db_002)

initdb := object.get(input, ["spec", "bootstrap", "initdb"], {})

db_002 contains lib.vf("MX-DB-002", "deny", input, msg, ["spec", "bootstrap", "initdb", f]) if {
	cnpg_cluster
	some f, want in {"encoding": "UTF8", "localeCollate": "C", "localeCType": "C", "locale": "C"}
	have := initdb[f]
	upper(have) != upper(want)
	msg := sprintf("Cluster %s: spec.bootstrap.initdb.%s is %q; Synapse needs %s (LC_COLLATE and LC_CTYPE C, encoding UTF8)", [lib.in_name, f, have, want])
}

initdb_args(c) := concat(" ", [e.value | some e in object.get(c, "env", []); e.name == "POSTGRES_INITDB_ARGS"; is_string(e.value)])

locale_c(args) if regex.match(`(^|\s)--locale[= ]C(\s|$)`, args)

locale_c(args) if {
	regex.match(`(^|\s)--lc-collate[= ]C(\s|$)`, args)
	regex.match(`(^|\s)--lc-ctype[= ]C(\s|$)`, args)
}

utf8(args) if regex.match(`(?i)(^|\s)(--encoding[= ]|-E ?)UTF-?8(\s|$)`, args)

db_002 contains lib.vf("MX-DB-002", "deny", input, msg, array.concat(e.ptr, ["env"])) if {
	some e in lib.in_containers
	# the server: a long-running container of the image that runs its own entrypoint (backups use
	# the same image as a pg_dump/tar client in Jobs and CronJobs, with a command)
	lib.long_running(input)
	e.field == "containers"
	not e.c.command
	lib.image_repo(e.c.image) == "docker.io/library/postgres"
	args := initdb_args(e.c)
	some problem in array.concat([p | not locale_c(args); p := "--locale=C"], [p | not utf8(args); p := "--encoding=UTF8"])
	msg := sprintf("%s %s (%s): POSTGRES_INITDB_ARGS lacks %s; Synapse refuses a database that is not UTF8 with C collation", [lib.in_describe, e.path, e.c.name, problem])
}
