# shellcheck shell=bash
# Sourced by tools/demo/run.sh: installs Groovy 2.4.21 (the version Jenkins bundles, which runs
# the Jenkins simulator) from Debian's packages when it is missing. Same check as .ci/run.
if ! [ -f /usr/share/groovy/lib/groovy-2.4.21.jar ] && ! ls "${GROOVY_HOME:-/nonexistent}"/lib/groovy-*.jar >/dev/null 2>&1; then
  echo "installing groovy (apt-get)"
  if [ "$(id -u)" -eq 0 ]; then _sudo=; else _sudo=sudo; fi
  $_sudo apt-get update -qq
  $_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq groovy >/dev/null
  unset _sudo
fi
