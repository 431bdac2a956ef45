# shellcheck shell=bash
# Sourced by .ci/run and tools/demo/run.sh (with `root` set to the repository root): makes sure a
# Terraform CLI is available. The `terraform` on PATH wins; else OpenTofu is built from the Go
# module proxy (`go install` fails on OpenTofu's replace directive, so it is built inside the
# module cache) and cached under .cache/ (ignored by git), so a warm machine skips the build.
# Exports TF_ACC_TERRAFORM_PATH and TF_ACC_PROVIDER_HOST for terraform-plugin-testing when it
# falls back to OpenTofu.

tofu_version=v1.12.6
tofu_bin="$root/.cache/tofu-$tofu_version"

# build_tofu builds OpenTofu into $tofu_bin unless it is there already.
build_tofu() {
  if [ -x "$tofu_bin" ]; then
    return
  fi
  echo "ci: building OpenTofu $tofu_version from the Go module proxy"
  mkdir -p "$root/.cache"
  go mod download "github.com/opentofu/opentofu@$tofu_version"
  (cd "$(go env GOMODCACHE)/github.com/opentofu/opentofu@$tofu_version" &&
    CGO_ENABLED=0 go build -mod=readonly -trimpath \
      -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" -o "$tofu_bin" ./cmd/tofu)
}

if ! command -v terraform >/dev/null 2>&1 && [ -z "${TF_ACC_TERRAFORM_PATH:-}" ]; then
  build_tofu
  export TF_ACC_TERRAFORM_PATH="$tofu_bin"
  export TF_ACC_PROVIDER_HOST=registry.opentofu.org
fi

# Terraform 1.14.0, for resource identity, list resources (`terraform query`) and actions. Its
# source is on the Go module proxy, but its nine cloud state backends (azure, consul, cos, gcs,
# kubernetes, oci, oss, pg, s3) and internal/legacy are nested modules the proxy does not serve.
# Built without them it is Terraform 1.14.0 minus those state backends, which the acceptance
# tests never use (they keep state locally). version.dev=no makes it report 1.14.0, not
# 1.14.0-dev (which version checks would treat as older). Cached under .cache/ like OpenTofu.
terraform114_version=v1.14.0
terraform114_bin="$root/.cache/terraform-$terraform114_version"

build_terraform114() {
  if [ -x "$terraform114_bin" ]; then
    return
  fi
  echo "ci: building Terraform $terraform114_version from the Go module proxy, without the nine cloud state backends (a few minutes)"
  mkdir -p "$root/.cache"
  go mod download "github.com/hashicorp/terraform@$terraform114_version"
  local src work
  src="$(go env GOMODCACHE)/github.com/hashicorp/terraform@$terraform114_version"
  work=$(mktemp -d)
  cp -r "$src/." "$work/"
  chmod -R u+w "$work"
  # The state backends that live in nested modules: their imports and registry entries go.
  local init="$work/internal/backend/init/init.go"
  sed -i -E '/\bbackend(Azure|Consul|Cos|GCS|Kubernetes|OCI|OSS|Pg|S3)\b/d' "$init"
  sed -i '/github.com\/hashicorp\/terraform\/internal\//d' "$work/go.mod"
  (cd "$work" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X github.com/hashicorp/terraform/version.dev=no" -o "$terraform114_bin" .)
  rm -rf "$work"
  "$terraform114_bin" version | head -1
}
