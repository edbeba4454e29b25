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
