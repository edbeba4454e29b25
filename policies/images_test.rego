package mx.images

import data.mx.fixtures as fx

with_image(obj, path, image) := fx.set(obj, sprintf("%s/image", [path]), image)

test_parts if {
	parts("docker.io/library/redis:7.4").registry == "docker.io"
	parts("docker.io/library/redis:7.4").tag == "7.4"
	parts("redis").registry == ""
	parts("redis").tag == ""
	parts("localhost:5000/a/b@sha256:ab").registry == "localhost:5000"
	parts("localhost:5000/a/b@sha256:ab").tag == ""
	parts("matrixdotorg/synapse:v1").registry == ""
}

test_compliant_passes if {
	count(deny_mx_img_001 | deny_mx_img_003) == 0 with input as fx.deployment
	count(warn_mx_img_001 | warn_mx_img_002 | warn_mx_img_003) == 0 with input as fx.deployment
}

# MX-IMG-001
test_img_001 if {
	count(deny_mx_img_001) == 1 with input as with_image(fx.deployment, fx.c0, "docker.io/example/web")
	count(deny_mx_img_001) == 1 with input as with_image(fx.deployment, fx.i0, "docker.io/example/web:latest")
	count(deny_mx_img_001) == 0 with input as with_image(fx.deployment, fx.c0, "docker.io/example/web@sha256:ab")
	obj := fx.except(with_image(fx.deployment, fx.c0, "docker.io/example/web:latest"), "MX-IMG-001")
	count(deny_mx_img_001) == 0 with input as obj
	fx.excepted(warn_mx_img_001) == {"MX-IMG-001"} with input as obj
}

# MX-IMG-002
# Off by default: unpinned images are info (counted, not listed).
test_img_002 if {
	count(warn_mx_img_002) == 1 with input as with_image(fx.deployment, fx.c0, "docker.io/example/web:1.0")
	count(warn_mx_img_002) == 1 with input as with_image(fx.deployment, fx.i0, "docker.io/example/web:1.0")
	{r.severity | some r in warn_mx_img_002} == {"info"} with input as with_image(fx.deployment, fx.c0, "docker.io/example/web:1.0")
	count(deny_mx_img_002) == 0 with input as with_image(fx.deployment, fx.c0, "docker.io/example/web:1.0")
	obj := fx.except(with_image(fx.deployment, fx.c0, "docker.io/example/web:1.0"), "MX-IMG-002")
	count(fx.plain(warn_mx_img_002)) == 0 with input as obj
}

# requireImageDigests: an error in production and li, a warning in homelab; a digest passes.
test_img_002_required if {
	unpinned := with_image(fx.deployment, fx.c0, "docker.io/example/web:1.0")
	count(deny_mx_img_002) == 1 with input as unpinned with data.mx.require_digests as true
	count(deny_mx_img_002) == 0 with input as unpinned with data.mx.require_digests as true with data.mx.overlay as "homelab"
	{r.severity | some r in warn_mx_img_002} == {"warning"} with input as unpinned with data.mx.require_digests as true with data.mx.overlay as "homelab"
	count(deny_mx_img_002 | warn_mx_img_002) == 0 with input as fx.deployment with data.mx.require_digests as true
	obj := fx.except(unpinned, "MX-IMG-002")
	count(deny_mx_img_002) == 0 with input as obj with data.mx.require_digests as true
	fx.excepted(warn_mx_img_002) == {"MX-IMG-002"} with input as obj with data.mx.require_digests as true
}

# MX-IMG-003
test_img_003 if {
	count(deny_mx_img_003) == 1 with input as with_image(fx.deployment, fx.c0, "example/web:1.0")
	count(deny_mx_img_003) == 1 with input as with_image(fx.deployment, fx.i0, "evil.example.org/web:1.0")
	count(deny_mx_img_003) == 0 with input as with_image(fx.deployment, fx.c0, "registry.example.org/web:1.0") with data.mx.trusted_registries as ["docker.io", "registry.example.org"]
	count(deny_mx_img_003) == 2 with input as fx.deployment with data.mx.trusted_registries as ["ghcr.io"]
	obj := with_image(fx.deployment, fx.c0, "example/web:1.0")
	count(deny_mx_img_003) == 0 with input as obj with data.mx.overlay as "homelab"
	count(warn_mx_img_003) == 1 with input as obj with data.mx.overlay as "homelab"
	count(deny_mx_img_003) == 0 with input as fx.except(obj, "MX-IMG-003")
}
