# Flux promises of the generated repository: the deploy gate.
package mx.flux

import data.mx.lib

# ---------------------------------------------------------------- MX-FLX-001

# METADATA
# title: Flux follows only the branch validation advances
# description: The GitRepository Flux applies this repository from (url equal to git.url in matrix-gitops.yaml, or the one the Flux Kustomizations use when no url is configured) follows spec.ref.branch = git.deployBranch (default deploy), which only a passing validation advances; never the branch people push to (git.branch, default main), a tag, a semver range, a commit or a name. A commit pushed with --no-verify therefore never reaches the cluster.
# custom:
#   id: MX-FLX-001
#   kinds: [GitRepository]
#   severity: deny
#   overlays: [all]
#   anchors: [docs/architecture.md (The deployment gate), Flux GitRepository spec.ref]
deny_mx_flx_001 contains r if some r in lib.denied(flx_001)

# METADATA
# title: Flux follows only the branch validation advances (excepted)
# custom:
#   id: MX-FLX-001
#   companion: true
warn_mx_flx_001 contains r if some r in lib.warned(flx_001)

default deploy_branch := "deploy"

deploy_branch := data.mx.git.deployBranch

default push_branch := "main"

push_branch := data.mx.git.branch

# This repository's source: the configured url, else every GitRepository in the entry point.
own_source if {
	input.kind == "GitRepository"
	startswith(input.apiVersion, "source.toolkit.fluxcd.io/")
	not data.mx.git.url
}

own_source if {
	input.kind == "GitRepository"
	startswith(input.apiVersion, "source.toolkit.fluxcd.io/")
	trim_suffix(input.spec.url, ".git") == trim_suffix(data.mx.git.url, ".git")
}

ref := object.get(input.spec, "ref", {})

flx_001 contains lib.vf("MX-FLX-001", "deny", input, msg, ["spec", "ref"]) if {
	own_source
	some f in ["tag", "semver", "commit", "name"]
	ref[f]
	msg := sprintf("GitRepository %s: spec.ref.%s makes Flux follow something validation does not advance; use spec.ref.branch: %s", [lib.in_name, f, deploy_branch])
}

flx_001 contains lib.vf("MX-FLX-001", "deny", input, msg, ["spec", "ref"]) if {
	own_source
	object.get(ref, "branch", "") != deploy_branch
	not ref.tag
	not ref.semver
	not ref.commit
	not ref.name
	msg := sprintf("GitRepository %s: spec.ref.branch is %q; Flux must follow %s, the branch only a passing validation advances (people push to %s)", [lib.in_name, object.get(ref, "branch", ""), deploy_branch, push_branch])
}

# ---------------------------------------------------------------- MX-FLX-002

# METADATA
# title: Flux may recreate a Job it applies
# description: A Job's pod template is immutable, so a change to it (an image bump from Renovate or an upgrade) fails the whole Kustomization's apply until the Job is gone. The kustomize.toolkit.fluxcd.io/force enabled annotation (or label) lets kustomize-controller delete and recreate that one Job instead.
# custom:
#   id: MX-FLX-002
#   kinds: [Job]
#   severity: warn
#   overlays: [all]
#   anchors: [Flux kustomize-controller force annotation, Flux "Running jobs" use case]
warn_mx_flx_002 contains r if some r in lib.warned(flx_002)

force_enabled if object.get(input.metadata, ["annotations", "kustomize.toolkit.fluxcd.io/force"], "") == "enabled"

force_enabled if object.get(input.metadata, ["labels", "kustomize.toolkit.fluxcd.io/force"], "") == "enabled"

flx_002 contains lib.vf("MX-FLX-002", "warn", input, msg, ["metadata"]) if {
	input.kind == "Job"
	startswith(input.apiVersion, "batch/")
	not force_enabled
	msg := sprintf("Job %s: its pod template is immutable, so the next image bump fails the Kustomization's apply; annotate it kustomize.toolkit.fluxcd.io/force: enabled so Flux recreates it", [lib.in_name])
}
