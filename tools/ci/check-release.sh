#!/usr/bin/env bash
# Offline checks of the release pipeline, run by .ci/run (and `make release-check`):
#   0. the workflows are valid GitHub Actions workflows (actionlint: keys, expressions, permission
#      names, needs:), since a typo there shows only when a tag is pushed;
#   1. every `uses:` in .github/workflows/ is pinned to a full commit SHA with its release tag in
#      a comment (a tag can be moved to other code; the release job holds the signing key);
#   2. go.mod has a `toolchain goX.Y.Z` line (the release builds with exactly that Go);
#   3. goreleaser is pinned to one exact version, the same in release.yml, test.yml and
#      tools/ci/goreleaser-config/go.mod, and govulncheck to one version in both workflows;
#   4. .goreleaser.yml loads with that goreleaser version's own loader, strictly, with no
#      deprecated fields and the registry layout in place (tools/ci/goreleaser-config);
#   5. the full `goreleaser check`, when `make goreleaser-check` has built goreleaser into .cache/
#      (a 16-minute first build, too slow for every CI run; test.yml runs it on GitHub).
# Usage: tools/ci/check-release.sh [ROOT]   ROOT (default: this repository) holds the files checked,
# so the checks can be shown to fail on a broken copy.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "${1:-$here/../..}" && pwd)
failed=0
fail() { echo "check-release: $*" >&2; failed=1; }

# 0. actionlint, built from the Go module proxy. Its shellcheck pass is off (-shellcheck=) so the
# result does not depend on whether shellcheck happens to be installed.
actionlint=github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
shopt -s nullglob
workflows=("$root"/.github/workflows/*.yml "$root"/.github/workflows/*.yaml)
if [ ${#workflows[@]} -gt 0 ] && ! (cd "$root" && go run "$actionlint" -shellcheck= "${workflows[@]}"); then
  fail "actionlint found problems in the workflows (above)"
fi

# 1. Actions pinned by SHA. Local actions (./path) are part of this repository; a docker:// image
# must be pinned by digest.
if [ ${#workflows[@]} -eq 0 ]; then
  fail "no workflows under $root/.github/workflows"
fi
pinned=0
for wf in "${workflows[@]}"; do
  while IFS= read -r hit; do
    line=${hit%%:*}
    text=${hit#*:}
    ref=$(sed -E 's/^[[:space:]]*(-[[:space:]]+)?uses:[[:space:]]*//; s/[[:space:]]+#.*$//; s/^["'"'"']//; s/["'"'"']$//' <<<"$text")
    case $ref in
      ./*) continue ;;
      docker://*@sha256:*) [[ $ref =~ @sha256:[0-9a-f]{64}$ ]] && { pinned=$((pinned + 1)); continue; } ;;
    esac
    if ! [[ $ref =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$ ]]; then
      fail "${wf#"$root"/}:$line: '$ref' is not pinned to a 40-hex commit SHA"
    elif ! [[ $text =~ \#[[:space:]]*v[0-9]+(\.[0-9]+)*[[:space:]]*$ ]]; then
      fail "${wf#"$root"/}:$line: '$ref' has no '# vX.Y.Z' comment naming the release it pins"
    else
      pinned=$((pinned + 1))
    fi
  done < <(grep -nE '^[[:space:]]*(-[[:space:]]+)?uses:' "$wf" || true)
done

# 2. A toolchain line.
if ! grep -qE '^toolchain go[0-9]+\.[0-9]+\.[0-9]+$' "$root/go.mod"; then
  fail "go.mod has no 'toolchain goX.Y.Z' line (release.yml builds with that exact Go)"
fi

# 3. One exact goreleaser version everywhere, one govulncheck version.
release_yml="$root/.github/workflows/release.yml"
test_yml="$root/.github/workflows/test.yml"
pinned_version() { # file variable: the vX.Y.Z assigned to variable in file, or nothing
  sed -nE "s/^[[:space:]]*$2:[[:space:]]*\"?(v[0-9]+\.[0-9]+\.[0-9]+)\"?[[:space:]]*(#.*)?$/\1/p" "$1" 2>/dev/null | sort -u
}
goreleaser_version=$(pinned_version "$release_yml" GORELEASER_VERSION)
tool_version=$(sed -nE 's#^require github.com/goreleaser/goreleaser/v2 (v[0-9.]+)$#\1#p' "$here/goreleaser-config/go.mod")
if [ -z "$goreleaser_version" ] || [ "$(wc -l <<<"$goreleaser_version")" -ne 1 ]; then
  fail "release.yml does not set one exact GORELEASER_VERSION (vX.Y.Z)"
else
  [ "$(pinned_version "$test_yml" GORELEASER_VERSION)" = "$goreleaser_version" ] ||
    fail "test.yml's GORELEASER_VERSION differs from release.yml's $goreleaser_version"
  [ "$tool_version" = "$goreleaser_version" ] ||
    fail "tools/ci/goreleaser-config/go.mod requires goreleaser ${tool_version:-?}, release.yml pins $goreleaser_version"
fi
# Each goreleaser-action step must set version: to that variable (or an exact vX.Y.Z): without
# it the action takes its default, the range "~> v2".
for wf in "${workflows[@]}"; do
  while IFS= read -r hit; do
    fail "${wf#"$root"/}:$hit"
  done < <(awk '
    function close_step() {
      if (step && !ok) print step_line ": goreleaser-action step without an exact version: (use ${{ env.GORELEASER_VERSION }})"
      step = 0
    }
    /^[[:space:]]*-[[:space:]]/ { close_step() }
    /uses:[[:space:]]*goreleaser\/goreleaser-action@/ { step = 1; ok = 0; step_line = NR }
    step && /^[[:space:]]*version:/ {
      ok = ($0 ~ /version:[[:space:]]*("?v[0-9]+\.[0-9]+\.[0-9]+"?|\$\{\{ env\.GORELEASER_VERSION \}\})[[:space:]]*$/)
    }
    END { close_step() }
  ' "$wf")
done
govulncheck_version=$(pinned_version "$release_yml" GOVULNCHECK_VERSION)
if [ -z "$govulncheck_version" ] || [ "$(pinned_version "$test_yml" GOVULNCHECK_VERSION)" != "$govulncheck_version" ]; then
  fail "GOVULNCHECK_VERSION must be one exact vX.Y.Z in release.yml and test.yml"
fi

# 4. goreleaser's loader (a 90-second first build from the Go module proxy, then cached).
if ! (cd "$here/goreleaser-config" && go run . "$root/.goreleaser.yml"); then
  fail ".goreleaser.yml does not pass goreleaser $tool_version's loader (above)"
fi

# 5. The full check, where goreleaser is cached.
full="$here/../../.cache/goreleaser-$goreleaser_version/goreleaser"
if [ -n "$goreleaser_version" ] && [ -x "$full" ]; then
  if ! (cd "$root" && "$full" check); then
    fail "goreleaser $goreleaser_version check failed on .goreleaser.yml (above)"
  else
    echo "check-release: goreleaser $goreleaser_version check passed"
  fi
else
  echo "check-release: full 'goreleaser check' not run here (no .cache/goreleaser-$goreleaser_version; 'make goreleaser-check' builds it); test.yml runs it"
fi

if [ "$failed" -ne 0 ]; then
  echo "check-release: FAILED" >&2
  exit 1
fi
echo "check-release: $pinned actions pinned by SHA, toolchain $(sed -n 's/^toolchain //p' "$root/go.mod"), goreleaser $goreleaser_version, govulncheck $govulncheck_version: ok"
