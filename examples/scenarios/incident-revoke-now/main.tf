# Incident: bob's laptop was stolen. Revoke everything bob holds, now, without touching the
# state (Terraform 1.14 or later):
#
#   terraform apply -invoke=action.jenkins_revoke_tokens.bob_incident
#
# The action reports, user by user, the tokens it revoked (name and UUID). bob's legacy token
# goes with its seed, so it cannot come back when Jenkins restarts. To keep bob's tokens revoked
# from now on, add a jenkins_user_token_cleanup for him as well (see the offboard-user scenario).

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

action "jenkins_revoke_tokens" "bob_incident" {
  config {
    user_ids = ["bob"]
  }
}
