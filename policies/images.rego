# Container images: explicit tags, digests, trusted fully-qualified registries.
package mx.images

import data.mx.lib

# Splits an image reference into registry, repository, tag and digest without guessing:
# the first segment is a registry only when it looks like a host (has "." or ":" or is localhost).
parts(image) := {"registry": reg, "rest": rest, "digest": digest, "tag": tag} if {
	[name, digest] := split_digest(image)
	segs := split(name, "/")
	reg := registry_of(segs)
	rest := concat("/", array.slice(segs, count(reg_segs(segs)), count(segs)))
	last := segs[count(segs) - 1]
	tag := tag_of(last)
}

split_digest(image) := [n, d] if {
	contains(image, "@")
	[n, d] := split(image, "@")
}

split_digest(image) := [image, ""] if not contains(image, "@")

reg_segs(segs) := [segs[0]] if {
	count(segs) > 1
	host_like(segs[0])
}

reg_segs(segs) := [] if not host_like_first(segs)

host_like_first(segs) if {
	count(segs) > 1
	host_like(segs[0])
}

host_like(s) if contains(s, ".")

host_like(s) if contains(s, ":")

host_like("localhost")

registry_of(segs) := segs[0] if host_like_first(segs)

registry_of(segs) := "" if not host_like_first(segs)

tag_of(last) := t if {
	contains(last, ":")
	t := split(last, ":")[1]
}

tag_of(last) := "" if not contains(last, ":")

images contains {"e": e, "image": e.c.image} if some e in lib.in_containers

# METADATA
# title: Explicit image tag, never latest
# description: Every image has an explicit tag (or digest) and the tag is not latest.
# custom:
#   id: MX-IMG-001
#   kinds: [pod]
#   severity: deny
#   overlays: [all]
#   anchors: [Kyverno disallow-latest-tag, KSV013, Polaris tagNotSpecified, kube-score]
deny_mx_img_001 contains r if some r in lib.denied(img_001)

# METADATA
# title: Explicit image tag, never latest (excepted)
# custom:
#   id: MX-IMG-001
#   companion: true
warn_mx_img_001 contains r if some r in lib.warned(img_001)

img_001 contains lib.vf("MX-IMG-001", "deny", input, msg, array.concat(i.e.ptr, ["image"])) if {
	some i in images
	p := parts(i.image)
	p.tag == ""
	p.digest == ""
	msg := sprintf("%s %s (%s): image %s has no tag; pin an explicit version", [lib.in_describe, i.e.path, i.e.c.name, i.image])
}

img_001 contains lib.vf("MX-IMG-001", "deny", input, msg, array.concat(i.e.ptr, ["image"])) if {
	some i in images
	parts(i.image).tag == "latest"
	msg := sprintf("%s %s (%s): image %s uses :latest; pin an explicit version", [lib.in_describe, i.e.path, i.e.c.name, i.image])
}

# METADATA
# title: Image pinned by digest
# description: Every image reference carries @sha256:. Opt-in with requireImageDigests in matrix-gitops.yaml (data.mx.require_digests), then an error (homelab a warning); off, unpinned images are info (counted, not listed), because digests cannot be resolved offline. Pin them with the overlay kustomization's images[].digest.
# custom:
#   id: MX-IMG-002
#   kinds: [pod]
#   severity: info
#   opt-in: deny; homelab warn
#   overlays: [all]
#   anchors: [Kyverno require-image-checksum]
deny_mx_img_002 contains r if some r in lib.denied(img_002)

# METADATA
# title: Image pinned by digest (info, downgraded or excepted)
# custom:
#   id: MX-IMG-002
#   companion: true
warn_mx_img_002 contains r if some r in lib.warned(img_002)

img_002_level := "home" if lib.require_digests

img_002_level := "info" if not lib.require_digests

img_002 contains lib.vf("MX-IMG-002", img_002_level, input, msg, array.concat(i.e.ptr, ["image"])) if {
	some i in images
	not startswith(parts(i.image).digest, "sha256:")
	msg := sprintf("%s %s (%s): pin image %s by digest (@sha256:…) so a moved tag cannot change what runs", [lib.in_describe, i.e.path, i.e.c.name, i.image])
}

# METADATA
# title: Fully qualified image from a trusted registry
# description: Every image names its registry explicitly (docker.io/…) and the registry is in data.mx.trusted_registries.
# custom:
#   id: MX-IMG-003
#   kinds: [pod]
#   severity: deny
#   home: warn
#   overlays: [all]
#   anchors: [Kyverno restrict-image-registries, KSV0125]
deny_mx_img_003 contains r if some r in lib.denied(img_003)

# METADATA
# title: Fully qualified image from a trusted registry (downgraded or excepted)
# custom:
#   id: MX-IMG-003
#   companion: true
warn_mx_img_003 contains r if some r in lib.warned(img_003)

img_003 contains lib.vf("MX-IMG-003", "home", input, msg, array.concat(i.e.ptr, ["image"])) if {
	some i in images
	parts(i.image).registry == ""
	msg := sprintf("%s %s (%s): image %s is not fully qualified; write the registry (e.g. docker.io/%s)", [lib.in_describe, i.e.path, i.e.c.name, i.image, i.image])
}

img_003 contains lib.vf("MX-IMG-003", "home", input, msg, array.concat(i.e.ptr, ["image"])) if {
	some i in images
	reg := parts(i.image).registry
	reg != ""
	not reg in lib.trusted_registries
	msg := sprintf("%s %s (%s): registry %s is not trusted; use one of %v or add it to trustedRegistries", [lib.in_describe, i.e.path, i.e.c.name, reg, lib.trusted_registries])
}
