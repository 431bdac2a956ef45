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
