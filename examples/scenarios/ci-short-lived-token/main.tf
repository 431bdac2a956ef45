# A CI pipeline's short-lived token. The pipeline runs Terraform with an administrator's
# credentials (JENKINS_USERNAME / JENKINS_PASSWORD from the CI secret store). The jobs it manages
# are owned by the `job-seeder` account, which has no standing API token: this configuration
# mints one for the length of the run and revokes it at the end. The token is in neither the plan
# nor the state.
#
# Needs Terraform 1.10 or later (OpenTofu 1.11 or later). Terraform opens ephemeral resources in
# plan and in apply, so each run creates and revokes two tokens, with distinct names.

terraform {
  required_version = ">= 1.10"

  required_providers {
    jenkins = {
      source = "jenkins-access/jenkins"
    }
    # A provider that manages Jenkins jobs and folders, configured with the short-lived token.
    jenkinsjobs = {
      source = "taiidani/jenkins"
    }
  }
}

provider "jenkins" {
  # JENKINS_URL, JENKINS_USERNAME and JENKINS_PASSWORD from the environment.
}

variable "jenkins_url" {
  type    = string
  default = "https://ci.example.com/"
}

ephemeral "jenkins_user_api_token" "job_seeder" {
  user_id = "job-seeder"
  name    = "ci pipeline"
  # Should the run be killed before the token is revoked, the token expires by itself at the end
  # of Jenkins's tomorrow (the default on Jenkins 2.548 or later; older versions warn).
}

# Provider blocks accept ephemeral values: this provider authenticates with the token minted above.
provider "jenkinsjobs" {
  server_url = var.jenkins_url
  username   = "job-seeder"
  password   = ephemeral.jenkins_user_api_token.job_seeder.token
}

resource "jenkins_folder" "team" {
  provider    = jenkinsjobs
  name        = "team-a"
  description = "Managed by Terraform as job-seeder."
}
