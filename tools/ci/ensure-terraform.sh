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

# The newest Terraform the Go module proxy serves (1.16.4), for resource identity (1.12+), list
# resources and `terraform query`, actions (1.14+), and destroy-time action triggers and
# `lifecycle { destroy = false }` (1.16+). Its source is on the Go module proxy, but its nine
# cloud state backends (azure, consul, cos, gcs, kubernetes, oci, oss, pg, s3) and
# internal/legacy are nested modules the proxy does not serve. Built without them it is
# Terraform minus those state backends, which the acceptance tests never use (they keep state
# locally). version.dev=no makes it report 1.16.4, not 1.16.4-dev (which version checks would
# treat as older). Cached under .cache/ like OpenTofu. The same recipe builds 1.14.0
# (`build_terraform v1.14.0`): both versions list the same nine backends in
# internal/backend/init/init.go and go.mod.
terraform_version=v1.16.4
terraform_bin="$root/.cache/terraform-$terraform_version"

# build_terraform [VERSION] builds Terraform VERSION (default $terraform_version) into
# .cache/terraform-VERSION unless it is there already.
build_terraform() {
  local version=${1:-$terraform_version}
  local out="$root/.cache/terraform-$version"
  if [ -x "$out" ]; then
    return
  fi
  echo "ci: building Terraform $version from the Go module proxy, without the nine cloud state backends (a few minutes)"
  mkdir -p "$root/.cache"
  go mod download "github.com/hashicorp/terraform@$version"
  local src work
  src="$(go env GOMODCACHE)/github.com/hashicorp/terraform@$version"
  work=$(mktemp -d)
  cp -r "$src/." "$work/"
  chmod -R u+w "$work"
  # The state backends that live in nested modules: their imports and registry entries go.
  local init="$work/internal/backend/init/init.go"
  sed -i -E '/\bbackend(Azure|Consul|Cos|GCS|Kubernetes|OCI|OSS|Pg|S3)\b/d' "$init"
  sed -i '/github.com\/hashicorp\/terraform\/internal\//d' "$work/go.mod"
  # Built to a temporary name and moved into place, so an interrupted build leaves no binary
  # that the check above would take for a finished one.
  (cd "$work" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X github.com/hashicorp/terraform/version.dev=no" -o "$out.tmp" .)
  rm -rf "$work"
  mv "$out.tmp" "$out"
  # sed reads to the end: head would close the pipe early, and under pipefail the SIGPIPE
  # terraform sometimes gets (exit 141) would fail the build that just succeeded.
  "$out" version 2>/dev/null | sed -n 1p
}
