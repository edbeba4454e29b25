# Secret scanning: MX-SEC-004 reads the config files ConfigMaps carry, MX-SEC-008 every other
# string of every object (annotations, env, args, Flux substitutions, Helm values, CRD specs:
# anywhere Kubernetes or a tool may copy a value). Both look by key name (password, token, ...
# holding a literal) and by value shape (PEM private keys, the Synapse signing-key format, known
# token formats, long high-entropy strings). They stay quiet on prose, comments (parsed files
# drop them, line-scanned files skip them), public material (certificates, public keys, digests
# and hashes) and references to secret files or variables (*_path, *_file, ${VAR}, /run/secrets/x).
# Messages name where the value is, never the value.
package mx.secrets

import data.mx.lib

# ---------------------------------------------------------------- what a secret looks like

# Key names that hold a secret. Matched on the last word of the key (db.password, TURN_SECRET, apiKey).
secret_key(k) if regex.match(`(?i)(^|[^a-z])(password|passwd|pass|pwd|secret|secretkey|secret_key|token|apikey|api_key|privatekey|private_key|clientsecret|client_secret|accesskey|access_key|secretaccesskey|auth_key|credentials?)$`, k)

# A literal value, not a placeholder or a reference to where the secret lives.
literal(val) if {
	is_string(val)
	count(val) >= 1
	not regex.match(`^(\$\{|\{\{|\$\(|\$[A-Z_]+$|/|\./|file:|env:|ENC\[|<|\*+$)`, val)
	not lower(val) in {"null", "~", "true", "false", "none", "changeme-via-secret"}
}

# Keys that reference a secret file, environment variable or Secret instead of holding one.
reference_key(k) if regex.match(`(?i)(_path|_file|_files|path|file|_ref|ref|_env|_name|name|_id|_key_id)$`, k)

# Public material: long and random-looking, but not secret.
public_key(k) if regex.match(`(?i)(cabundle|\.crt$|\.pem$|cert|certificate|public|pubkey|\.pub$|fingerprint|digest|hash|checksum|sha256|sha512|integrity|ssh-rsa)`, k)

shape(val) := "a PEM private key" if {
	regex.match(`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----`, val)
} else := "a Synapse signing key" if {
	regex.match(`(?m)^ed25519 [A-Za-z0-9_]+ [A-Za-z0-9+/]{43}\s*$`, val)
} else := "an access token" if regex.match(`(^|[^A-Za-z0-9_])(syt_[A-Za-z0-9]+_[A-Za-z0-9]{10,}_[A-Za-z0-9]+|ghp_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{40,}|glpat-[A-Za-z0-9_-]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|sk_live_[A-Za-z0-9]{20,})`, val)

# A long random-looking token on its own: letters of both cases and digits, no spaces, and not a
# hex digest (hashes are public). Only under keys that are not public material.
high_entropy(k, val) if {
	regex.match(`^[A-Za-z0-9+/_=-]{40,}$`, val)
	regex.match(`[a-z]`, val)
	regex.match(`[A-Z]`, val)
	regex.match(`[0-9]`, val)
	not regex.match(`^[0-9a-fA-F]+$`, val)
	not public_key(k)
}

# Why a (key, value) pair is a finding; the key is the last segment of where the value sits.
finding(k, val) := "a literal secret" if {
	is_string(k)
	secret_key(k)
	not reference_key(k)
	literal(val)
} else := what if {
	# every shape is at least 20 characters: most strings (names, ports, flags) stop here
	count(val) >= 20
	what := shape(val)
} else := "a high-entropy token" if {
	count(val) >= 40
	high_entropy(k, val)
}

# ---------------------------------------------------------------- where values sit

seg(p) := sprintf("[%d]", [p]) if is_number(p)

seg(p) := sprintf(".%s", [p]) if is_string(p)

dotted(path) := trim_left(concat("", [seg(p) | some p in path]), ".")

last_key(path) := k if {
	k := path[count(path) - 1]
	is_string(k)
} else := k if {
	# a list item: the key of the list (args: [--password, x] has no key of its own)
	k := path[count(path) - 2]
	is_string(k)
} else := ""

# Secret values and the sops stanza are checked by MX-SEC-001..003; ConfigMap data by MX-SEC-004.
scannable := object.remove(input, ["data", "stringData", "sops"]) if {
	input.kind == "Secret"
} else := object.remove(input, ["data", "binaryData"]) if {
	input.kind == "ConfigMap"
} else := object.remove(input, ["sops"])

# A cheap test over the serialised text decides whether a document (or a config file) needs the
# walk at all: anything finding() could report leaves one of these marks in it. The profile showed
# the walk costs ~20 µs per string and one case-insensitive regex over every document's JSON (Go's
# regexp has no DFA: an alternation of words plus a counted token class kept dozens of threads
# alive per character) a quarter of the gate's evaluation; substring tests on the lower-cased text
# and regexes that start at a literal or a delimiter cost a few per cent of that.

# The last word of a key that holds a secret (secret_key() matches these at the end of a key).
words := ["pass", "password", "passwd", "pwd", "secret", "secretkey", "secret_key", "token", "apikey", "api_key", "privatekey", "private_key", "accesskey", "access_key", "auth_key", "credential", "credentials"]

# Lower-cased literals one of which is in any value shape() reports.
shape_marks := ["-----begin", "ed25519 ", "syt_", "ghp_", "github_pat_", "glpat-", "xox", "akia", "sk_live_"]

# In JSON a key ends at `":`; a secret-like key holds a string (or a list of them) right after it.
# Spelled out rather than built from words: a rule's value is computed again for every document
# (each is evaluated `with input as` it), a constant is not.
key_marks := [`pass":"`, `password":"`, `passwd":"`, `pwd":"`, `secret":"`, `secretkey":"`,
	`secret_key":"`, `token":"`, `apikey":"`, `api_key":"`, `privatekey":"`, `private_key":"`,
	`accesskey":"`, `access_key":"`, `auth_key":"`, `credential":"`, `credentials":"`, `pass":["`,
	`password":["`, `passwd":["`, `pwd":["`, `secret":["`, `secretkey":["`, `secret_key":["`,
	`token":["`, `apikey":["`, `api_key":["`, `privatekey":["`, `private_key":["`, `accesskey":["`,
	`access_key":["`, `auth_key":["`, `credential":["`, `credentials":["`
]

has_mark(t, marks) if {
	some m in marks
	contains(t, m)
}

# JSON of a manifest: a secret-like key, a secret-like command-line flag ("--db-password=x" or
# "--token", "x"), a value shape, or a whole string value as long and as mixed as high_entropy()
# asks for (JSON copies such a value verbatim between quotes, so the regex starts at a literal
# quote; long kebab-case names are candidates that the three classes then drop).
hint_json(j) if has_mark(lower(j), key_marks)

hint_json(j) if has_mark(lower(j), shape_marks)

hint_json(j) if regex.match(`"-[^"]*(pass|pwd|secret|token|key|credential)`, lower(j))

hint_json(j) if {
	some c in regex.find_n(`"[A-Za-z0-9+/_=-]{40,}"`, j, -1)
	regex.match(`[a-z]`, c)
	regex.match(`[A-Z]`, c)
	regex.match(`[0-9]`, c)
}

# A config file's raw text: a secret-like word followed by : or = (key = value, key: value,
# "key": "value"), a value shape, or a run of 40 token characters after a delimiter (so only the
# thread that started at a run's beginning is alive in it). The key regex runs only on text that
# holds one of the words.
key_value := `(pass|password|passwd|pwd|secret|secretkey|secret_key|token|apikey|api_key|privatekey|private_key|accesskey|access_key|auth_key|credential|credentials)"?\s*[:=]\s*\[?\s*"?[^"\s]`

suspicious(text) if has_mark(lower(text), shape_marks)

suspicious(text) if {
	t := lower(text)
	has_mark(t, words)
	regex.match(key_value, t)
}

suspicious(text) if regex.match(`(^|[^A-Za-z0-9+/_=-])[A-Za-z0-9+/_=-]{40}`, text)

# args/command: "--password=x" and "--token x" (the value after a secret-named flag).
flag_pair(path, val) := [trim_left(parts[0], "-"), parts[1]] if {
	regex.match(`^--?[A-Za-z0-9_.-]+=`, val)
	parts := split(val, "=")
	count(parts) == 2
} else := [trim_left(prev, "-"), val] if {
	n := path[count(path) - 1]
	is_number(n)
	n > 0
	list := object.get(input, array.slice(path, 0, count(path) - 1), [])
	prev := list[n - 1]
	is_string(prev)
	startswith(prev, "-")
}

# ---------------------------------------------------------------- MX-SEC-008

# METADATA
# title: No secret material in any field
# description: No string of any object (annotations, labels, env values, args, Flux postBuild substitutions, HelmRelease values, CRD specs) holds a secret - a literal under a secret-like key (password, token, api_key, client_secret, ...), a PEM private key, a Synapse signing key, a known token format (syt_, ghp_, glpat-, xox?-, AKIA, sk_live_) or a long high-entropy token. Put the value in a SOPS-encrypted Secret and reference it (secretKeyRef, a mounted file, a *_path option). Certificates, public keys, digests and references (*_path, ${VAR}, /run/secrets/...) are fine.
# custom:
#   id: MX-SEC-008
#   severity: deny
#   overlays: [all]
#   anchors: [KSV109 (HIGH), KSV01010, Polaris sensitiveContainerEnvVar, gitleaks default rules]
deny_mx_sec_008 contains r if some r in lib.denied(sec_008)

# METADATA
# title: No secret material in any field (excepted)
# custom:
#   id: MX-SEC-008
#   companion: true
warn_mx_sec_008 contains r if some r in lib.warned(sec_008)

# Every string of the document with where it sits, once per document (both rules read it).
strings := [[path, val] |
	hint_json(json.marshal(scannable))
	walk(scannable, [path, val])
	is_string(val)
]

sec_008 contains lib.vf("MX-SEC-008", "deny", input, msg, path) if {
	some [path, val] in strings
	what := finding(last_key(path), val)
	msg := sprintf("%s %s: holds %s; keep it in a SOPS-encrypted Secret and reference it (secretKeyRef, a mounted file or a *_path option)", [lib.in_describe, dotted(path), what])
}

sec_008 contains lib.vf("MX-SEC-008", "deny", input, msg, path) if {
	some [path, val] in strings
	"args" in path
	[flag, value] := flag_pair(path, val)
	secret_key(flag)
	literal(value)
	msg := sprintf("%s %s: flag --%s holds a literal secret; pass it from a Secret (env secretKeyRef or a file)", [lib.in_describe, dotted(path), flag])
}

# ---------------------------------------------------------------- MX-SEC-004

# METADATA
# title: No secrets in ConfigMaps
# description: The files a ConfigMap carries hold no secret. YAML and JSON files are parsed and every value is checked (comments are not values); other text is read line by line as key=value pairs (also key colon value), skipping comment lines; Markdown and plain text only for value shapes. A finding is a literal under a secret-like key, a private key, a Synapse signing key, a known token format or a high-entropy token; placeholders (${VAR}, {{ .x }}) and *_path / *_file references are fine.
# custom:
#   id: MX-SEC-004
#   kinds: [ConfigMap]
#   severity: deny
#   overlays: [all]
#   anchors: [KSV109 (HIGH), KSV01010, Polaris sensitiveConfigmapContent]
deny_mx_sec_004 contains r if some r in lib.denied(sec_004)

# METADATA
# title: No secrets in ConfigMaps (excepted)
# custom:
#   id: MX-SEC-004
#   companion: true
warn_mx_sec_004 contains r if some r in lib.warned(sec_004)

structured(file) if regex.match(`(?i)\.(ya?ml|json)$`, file)

# YAML/JSON that parses (a Helm or Go template does not, and is read line by line instead).
parsed(file, raw) if {
	structured(file)
	yaml.is_valid(raw)
}

prose(file) if regex.match(`(?i)\.(md|txt|html?|rst)$`, file)

# A key that is itself a secret name holding a literal (a data key named password).
sec_004 contains lib.vf("MX-SEC-004", "deny", input, msg, ["data", k]) if {
	input.kind == "ConfigMap"
	some k, raw in object.get(input, "data", {})
	not structured(k)
	not prose(k)
	not contains(raw, "\n")
	what := finding(k, raw)
	msg := sprintf("ConfigMap %s: key %s holds %s; move it to a SOPS-encrypted Secret", [lib.in_name, k, what])
}

# Parsed config files: every value, by its own key.
sec_004 contains lib.vf("MX-SEC-004", "deny", input, msg, ["data", file]) if {
	input.kind == "ConfigMap"
	some file, raw in object.get(input, "data", {})
	structured(file)
	suspicious(raw)
	parsed(file, raw)
	doc := yaml.unmarshal(raw)
	walk(doc, [path, val])
	is_string(val)
	what := finding(last_key(path), val)
	msg := sprintf("ConfigMap %s %s: %s holds %s; read it from a Secret (*_path option, env secretKeyRef or a placeholder)", [lib.in_name, file, dotted(path), what])
}

# Other text (turnserver.conf, .env, .ini): key = value lines, comments skipped.
sec_004 contains lib.vf("MX-SEC-004", "deny", input, msg, ["data", file]) if {
	input.kind == "ConfigMap"
	some file, raw in object.get(input, "data", {})
	contains(raw, "\n")
	not parsed(file, raw)
	not prose(file)
	suspicious(raw)
	some line in split(raw, "\n")
	t := trim_space(line)
	not regex.match(`^(#|;|//)`, t)
	m := regex.find_all_string_submatch_n(`^(?:export\s+)?([A-Za-z0-9_.-]+)\s*(?:=|:|\s)\s*["']?([^"'\s]*)`, t, 1)
	count(m) == 1
	what := finding(m[0][1], m[0][2])
	msg := sprintf("ConfigMap %s %s: %s holds %s; read it from a Secret (a placeholder the entrypoint fills, or a file)", [lib.in_name, file, m[0][1], what])
}

# Any file, prose included: private keys and signing keys, whatever surrounds them.
sec_004 contains lib.vf("MX-SEC-004", "deny", input, msg, ["data", file]) if {
	input.kind == "ConfigMap"
	some file, raw in object.get(input, "data", {})
	contains(raw, "\n")
	what := shape(raw)
	what in {"a PEM private key", "a Synapse signing key"}
	msg := sprintf("ConfigMap %s %s: contains %s; move it to a SOPS-encrypted Secret", [lib.in_name, file, what])
}
