#!/usr/bin/env bash
# make demo: a short story of what this provider does, with real `terraform apply` runs against
# the Jenkins simulator (or against the Jenkins in JENKINS_URL, JENKINS_USERNAME and
# JENKINS_PASSWORD when all three are set).
#
#   1. what an admin has today: users and tokens made by hand (script console)
#   2. terraform apply: a managed token for a service account, which authenticates
#   3. terraform plan: offboarding bob and retiring legacy tokens, the dry run
#   4. terraform apply
#   5. the tokens that are left
#
# Installs what it needs as .ci/run does (Groovy, a Terraform or OpenTofu CLI), builds the
# provider and points Terraform at it with dev_overrides in a temporary CLI configuration. Never
# prints a token value or a password.
set -euo pipefail

cd "$(dirname "$0")/../.."
root=$(pwd)
demo_dir="$root/tools/demo"
start_seconds=$SECONDS

heading() { printf '\n== %s\n\n' "$*"; }
show() { printf '$ %s\n' "$*"; }

# --- What the demo needs ---------------------------------------------------------------------
# shellcheck source=tools/ci/ensure-groovy.sh
source "$root/tools/ci/ensure-groovy.sh"
# shellcheck source=tools/ci/ensure-terraform.sh
source "$root/tools/ci/ensure-terraform.sh"
tf_bin=${TF_ACC_TERRAFORM_PATH:-$(command -v terraform)}
tf_name=terraform # the name shown in the story's commands
default_host=registry.terraform.io
if "$tf_bin" version 2>/dev/null | grep -q OpenTofu; then tf_name=tofu default_host=registry.opentofu.org; fi
provider_host=${TF_ACC_PROVIDER_HOST:-$default_host}

work=$(mktemp -d "${TMPDIR:-/tmp}/jenkins-demo.XXXXXX")
sim_pid=""
jvm_pid=""

stop_sim() {
  if [ -n "$sim_pid" ] && kill -0 "$sim_pid" 2>/dev/null; then
    kill -TERM "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
  fi
  sim_pid=""
}
cleanup() {
  local rc=$?
  stop_sim
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

heading "Setting up: the provider, a Terraform CLI, a Jenkins"
show "go build -o \$WORK/bin/terraform-provider-jenkins ."
mkdir -p "$work/bin" "$work/tf"
go build -trimpath -o "$work/bin/terraform-provider-jenkins" .

# Terraform finds the local build through dev_overrides: no registry, no `terraform init`.
cat >"$work/terraformrc" <<EOF
provider_installation {
  dev_overrides {
    "$provider_host/jenkins-access/jenkins" = "$work/bin"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE="$work/terraformrc"
echo "TF_CLI_CONFIG_FILE=\$WORK/terraformrc: dev_overrides $provider_host/jenkins-access/jenkins -> \$WORK/bin"
echo "CLI: $("$tf_bin" version | head -1)"

if [ -n "${JENKINS_URL:-}" ] && [ -n "${JENKINS_USERNAME:-}" ] && [ -n "${JENKINS_PASSWORD:-}" ]; then
  echo "Jenkins: $JENKINS_URL as $JENKINS_USERNAME (from JENKINS_URL, JENKINS_USERNAME, JENKINS_PASSWORD)"
  echo "The demo creates users alice, bob and svc-deploy there and revokes their tokens: use a test Jenkins."
else
  show "go build -o \$WORK/bin/jenkins-sim ./internal/jenkinssim/cmd/jenkins-sim"
  go build -o "$work/bin/jenkins-sim" ./internal/jenkinssim/cmd/jenkins-sim
  admin_password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
  show "jenkins-sim --listen 127.0.0.1:0 --admin admin:*** &"
  "$work/bin/jenkins-sim" --listen 127.0.0.1:0 --admin "admin:$admin_password" \
    >"$work/sim.out" 2>"$work/sim.log" </dev/null &
  sim_pid=$!
  for _ in $(seq 600); do
    grep -q '^jenkins-sim listening on ' "$work/sim.out" 2>/dev/null && break
    if ! kill -0 "$sim_pid" 2>/dev/null; then
      echo "the simulator did not start:" >&2
      cat "$work/sim.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  grep -q '^jenkins-sim listening on ' "$work/sim.out" || { echo "the simulator did not start in 60 s" >&2; exit 1; }
  jvm_pid=$(pgrep -P "$sim_pid" java || true)
  export JENKINS_URL=$(sed -n 's/^jenkins-sim listening on //p' "$work/sim.out")
  export JENKINS_USERNAME=admin
  export JENKINS_PASSWORD=$admin_password
  echo "Jenkins: the simulator at $JENKINS_URL (Jenkins 2.579, real Groovy 2.4.21), admin password random"
fi
url=${JENKINS_URL%/}/

# curl with credentials from a config read on stdin: they appear in no argv and no output.
curl_as() { # user secret curl-args...
  local user=$1 secret=$2
  shift 2
  local cred="$user:$secret"
  cred=${cred//\\/\\\\}
  cred=${cred//\"/\\\"}
  curl -fsS -K - "$@" <<<"user = \"$cred\""
}

# terraform with -no-color, its output trimmed to what matters: no dev_overrides notice, no
# boilerplate, no refresh lines, no "Outputs:" (the token output is sensitive anyway).
tf() {
  (cd "$work/tf" && "$tf_bin" "$@" -no-color 2>&1) |
    grep -v -E ': (Refreshing state|Reading|Read complete)|^Changes to Outputs:$|^  [-+~] [a-z_]+ += ' |
    awk 'BEGIN { RS = "" }
      /^Warning: Provider development overrides/ || /^The following provider development overrides/ ||
      /^The behavior may therefore not match/ || /^(Terraform|OpenTofu) used the selected providers/ ||
      /^Note: You didn.t use the -out option/ || /^─/ || /^  with / || /^\(and [a-z]+ more similar warning/ ||
      /^To see the full warning notes/ || /^Apply selects the tokens again/ ||
      /^Warnings:$/ || /^- Provider development overrides are in effect$/ ||
      /^You can apply this plan to save/ { next }
      /^Outputs:/ { skip = 1; next }
      skip { skip = 0; next }
      { if (n++) printf "\n"; print }'
}

# --- 1 --------------------------------------------------------------------------------------
heading "1. What an admin has today"
echo "Users and tokens made by hand over the years, through the script console:"
show "curl --user admin:*** --data-urlencode script@tools/demo/setup.groovy ${url}scriptText"
# A password login needs a CSRF crumb, fetched with a session cookie (API tokens need none).
crumb_json=$(curl_as "$JENKINS_USERNAME" "$JENKINS_PASSWORD" -c "$work/cookies" "${url}crumbIssuer/api/json")
crumb_field=$(sed -n 's/.*"crumbRequestField" *: *"\([^"]*\)".*/\1/p' <<<"$crumb_json")
crumb=$(sed -n 's/.*"crumb" *: *"\([^"]*\)".*/\1/p' <<<"$crumb_json")
curl_as "$JENKINS_USERNAME" "$JENKINS_PASSWORD" -b "$work/cookies" -H "$crumb_field: $crumb" \
  --data-urlencode "script@$demo_dir/setup.groovy" "${url}scriptText"
echo
echo "Nobody knows which of these are still used, bob has left, and legacy tokens never expire."

# --- 2 --------------------------------------------------------------------------------------
heading "2. A managed token for the service account"
cp "$demo_dir/01-service-account.tf" "$work/tf/"
sed -n '/^resource/,/^}/p' "$demo_dir/01-service-account.tf"
echo
show "$tf_name apply -auto-approve"
tf apply -auto-approve -compact-warnings
token=$(cd "$work/tf" && "$tf_bin" output -raw svc_deploy_token)
echo
echo "The token (in the state, never shown) logs svc-deploy in:"
show "curl --user svc-deploy:\$($tf_name output -raw svc_deploy_token) ${url}whoAmI/api/json"
curl_as svc-deploy "$token" "${url}whoAmI/api/json" | grep -o -E '"(name|authenticated)" *: *("[^"]*"|true|false)' | sed 's/"//g; s/ *: */: /; s/^/  /' 
unset token

# --- 3 --------------------------------------------------------------------------------------
heading "3. Offboarding bob and retiring legacy tokens: the plan is the dry run"
cp "$demo_dir/02-cleanup.tf" "$work/tf/"
cat "$demo_dir/02-cleanup.tf"
echo
show "$tf_name plan"
tf plan

# --- 4 --------------------------------------------------------------------------------------
heading "4. Apply: exactly what the plan listed is revoked"
show "$tf_name apply -auto-approve"
tf apply -auto-approve -compact-warnings | grep -E 'Creation complete|Apply complete|Error' || true
echo
show "$tf_name output -raw revoked"
(cd "$work/tf" && "$tf_bin" output -raw revoked) | sed 's/^/  /'
echo

# --- 5 --------------------------------------------------------------------------------------
heading "5. What is left"
cp "$demo_dir/03-inventory.tf" "$work/tf/"
echo "A jenkins_user_tokens data source (tools/demo/03-inventory.tf), formatted as a table:"
show "$tf_name apply -auto-approve && $tf_name output -raw inventory"
tf apply -auto-approve -compact-warnings | grep -E 'Apply complete|Error' || true
echo
(cd "$work/tf" && "$tf_bin" output -raw inventory)
echo

# --- The end --------------------------------------------------------------------------------
heading "Done"
if [ -n "$sim_pid" ]; then
  stop_sim
  if [ -n "$jvm_pid" ] && ps -p "$jvm_pid" >/dev/null 2>&1; then
    echo "the simulator's JVM (pid $jvm_pid) is still running" >&2
    exit 1
  fi
  echo "Simulator stopped; ps shows no JVM left behind (pid ${jvm_pid:-?} gone)."
fi
echo "The demo took $((SECONDS - start_seconds)) s."
