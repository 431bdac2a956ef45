# Retire legacy API tokens (the single token per user from before Jenkins 2.129, still accepted
# at login) and stop new ones from appearing.
#
#   terraform plan    # the dry run: the plan shows legacy_tokens, every legacy token by user,
#                     # and `revoked` as what apply will revoke; nothing changes in Jenkins
#   terraform apply   # revokes them and clears each user's legacy token seed, so the tokens
#                     # cannot come back when Jenkins restarts
#
# Run plan again later: a legacy token created since shows up and the next apply revokes it.

terraform {
  required_providers {
    jenkins = {
      source = "jenkins-access/jenkins"
    }
  }
}

provider "jenkins" {
  # JENKINS_URL, JENKINS_USERNAME and JENKINS_PASSWORD from the environment.
}

# No new legacy tokens: not for new users, not on request.
resource "jenkins_api_token_settings" "this" {
  token_generation_on_creation_enabled = false
  creation_of_legacy_token_enabled     = false
}

# Every user's legacy token. To leave someone out while they migrate a script, add
# exclude_user_ids = ["build-robot"]. max_revocations (default 10) is how many users' tokens one
# apply may revoke: retiring every legacy token is deliberate, so it is raised here; a plan over
# it is refused, naming the count. The token the provider itself logs in with is never revoked.
resource "jenkins_legacy_token_cleanup" "all" {
  max_revocations = 100
}

output "legacy_tokens_revoked" {
  value = [for t in jenkins_legacy_token_cleanup.all.revoked : "${t.user_id}: ${t.name}"]
}
