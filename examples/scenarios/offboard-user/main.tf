# Offboarding: bob left the company. Revoke every API token he holds, legacy token included,
# and keep them revoked: a token that appears later under his name shows up in the next plan.
#
#   terraform plan    # the dry run: lists, token by token, what apply will revoke
#   terraform apply   # revokes exactly what the plan listed
#
# Disabling or deleting bob's account (in Jenkins or in LDAP/SSO) is outside this provider.

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

resource "jenkins_user_token_cleanup" "offboard_bob" {
  user_ids = ["bob"]
}

output "revoked" {
  description = "What apply revoked."
  value       = [for t in jenkins_user_token_cleanup.offboard_bob.revoked : "${t.user_id}: ${t.name} (${t.uuid})"]
}
