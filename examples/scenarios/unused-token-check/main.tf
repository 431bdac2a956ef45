# A continuous check: every plan and apply warns (never fails) when some API token has not been
# used for 90 days. The data source inside the check block is read on each run; a failed
# assertion is reported as a warning, and the rest of the run goes on.
#
# To act on the warning, see the jenkins_user_token_cleanup resource (unused_for_days = 90).

terraform {
  required_version = ">= 1.5"

  required_providers {
    jenkins = {
      source = "jenkins-access/jenkins"
    }
  }
}

provider "jenkins" {
  # JENKINS_URL, JENKINS_USERNAME and JENKINS_PASSWORD from the environment.
}

check "no_unused_api_tokens" {
  data "jenkins_user_tokens" "unused" {
    unused_for_days = 90
  }

  assert {
    condition = length(data.jenkins_user_tokens.unused.tokens) == 0
    error_message = format(
      "%d API token(s) unused for 90 days or more: %s. Revoke them, or keep them in a jenkins_user_token_cleanup's keep_uuids.",
      length(data.jenkins_user_tokens.unused.tokens),
      join(", ", [for t in data.jenkins_user_tokens.unused.tokens : "${t.user_id}/${t.name} (${t.uuid})"]),
    )
  }
}
