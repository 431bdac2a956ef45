# Adopt every API token made by hand (Terraform 1.14 or later): find them with terraform query,
# let Terraform write their configuration, review it, import them.
#
#   terraform query -generate-config-out=adopted.tf   # runs adopt.tfquery.hcl beside this file
#   (review adopted.tf: one jenkins_user_api_token and one import block per token)
#   terraform apply                                    # imports them; nothing is revoked
#   terraform plan                                     # empty
#
# The token values stay null in the state: Jenkins keeps only their hashes.

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
