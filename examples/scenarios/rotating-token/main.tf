# A service account's token, replaced every 30 days.
#
# time_rotating changes its ID when the rotation period has passed; rotation_triggers turns that
# change into a replacement of the token. create_before_destroy creates the new token before the
# old one is revoked, so whatever reads the secret store never finds a revoked token there.
#
# With Jenkins 2.548 or later the token also expires on its own, 7 days after the rotation was
# due, in case nobody runs apply. On older Jenkins remove expiration_date.

terraform {
  required_providers {
    jenkins = {
      source = "jenkins-access/jenkins"
    }
    time = {
      source = "hashicorp/time"
    }
  }
}

provider "jenkins" {
  # JENKINS_URL, JENKINS_USERNAME and JENKINS_PASSWORD from the environment.
}

resource "time_rotating" "deployer_token" {
  rotation_days = 30
}

resource "jenkins_user_api_token" "deployer" {
  user_id = "deployer"
  name    = "deploy pipeline (rotated by Terraform)"

  # A fixed date derived from the rotation, not timestamp(): timestamp() changes on every plan
  # and would replace the token every time.
  expiration_date = formatdate("YYYY-MM-DD", timeadd(time_rotating.deployer_token.rotation_rfc3339, "168h"))

  rotation_triggers = {
    rotation = time_rotating.deployer_token.id
  }

  lifecycle {
    create_before_destroy = true
  }
}

# Hand the value to its consumer, for example a secret store resource; here a sensitive output.
output "deployer_token" {
  value     = jenkins_user_api_token.deployer.token
  sensitive = true
}

output "deployer_token_uuid" {
  value = jenkins_user_api_token.deployer.uuid
}
