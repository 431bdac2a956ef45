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

# The deploy pipeline's token, created and owned by Terraform.
resource "jenkins_user_api_token" "svc_deploy" {
  user_id = "svc-deploy"
  name    = "deploy pipeline (managed by Terraform)"
}

output "svc_deploy_token" {
  value     = jenkins_user_api_token.svc_deploy.token
  sensitive = true
}
