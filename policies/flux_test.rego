package mx.flux

import data.mx.fixtures as fx

repo(ref) := {
	"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
	"metadata": {"name": "matrix-gitops", "namespace": "flux-system"},
	"spec": {"interval": "1m", "url": "https://git.example.com/ops/matrix-gitops.git", "ref": ref},
}

git := {"url": "https://git.example.com/ops/matrix-gitops", "branch": "main", "deployBranch": "deploy"}

# MX-FLX-001: the deploy branch passes; the push branch, a tag or a commit fail; other repositories are not this gate.
test_flx_001_pass if {
	count(deny_mx_flx_001) == 0 with input as repo({"branch": "deploy"}) with data.mx.git as git
	count(deny_mx_flx_001) == 0 with input as repo({"branch": "deploy"})
	count(deny_mx_flx_001) == 0 with input as repo({"branch": "release"}) with data.mx.git as object.union(git, {"deployBranch": "release"})
}

test_flx_001_fail if {
	rs := deny_mx_flx_001 with input as repo({"branch": "main"}) with data.mx.git as git
	count(rs) == 1
	some r in rs
	r.msg == "GitRepository matrix-gitops: spec.ref.branch is \"main\"; Flux must follow deploy, the branch only a passing validation advances (people push to main)"
	r.field == ["spec", "ref"]
	count(deny_mx_flx_001) == 1 with input as repo({"tag": "v1"}) with data.mx.git as git
	count(deny_mx_flx_001) == 1 with input as repo({"commit": "abc"})
	count(deny_mx_flx_001) == 1 with input as repo({})
}

test_flx_001_other_repository if {
	other := fx.set(repo({"branch": "main"}), "/spec/url", "https://github.com/example/charts")
	count(deny_mx_flx_001) == 0 with input as other with data.mx.git as git
}

test_flx_001_exception if {
	obj := fx.except(repo({"branch": "main"}), "MX-FLX-001")
	count(deny_mx_flx_001) == 0 with input as obj with data.mx.git as git
	fx.excepted(warn_mx_flx_001) == {"MX-FLX-001"} with input as obj with data.mx.git as git
}

job := {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once", "namespace": "matrix"}, "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "x:1"}]}}}}

test_flx_002_pass if {
	count(warn_mx_flx_002) == 0 with input as fx.set(job, "/metadata/annotations", {"kustomize.toolkit.fluxcd.io/force": "enabled"})
	count(warn_mx_flx_002) == 0 with input as fx.set(job, "/metadata/labels", {"kustomize.toolkit.fluxcd.io/force": "enabled"})
}

test_flx_002_fail if {
	rs := warn_mx_flx_002 with input as job
	count(rs) == 1
	some r in rs
	r.field == ["metadata"]
	count(warn_mx_flx_002) == 1 with input as fx.set(job, "/metadata/annotations", {"kustomize.toolkit.fluxcd.io/force": "disabled"})
}

test_flx_002_exception if {
	obj := fx.except(job, "MX-FLX-002")
	count(fx.plain(warn_mx_flx_002)) == 0 with input as obj
	fx.excepted(warn_mx_flx_002) == {"MX-FLX-002"} with input as obj
}
