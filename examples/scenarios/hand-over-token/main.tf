# Stop managing a token without revoking it: hand it over to another owner, for example a secret
# manager that rotates it from now on. Terraform forgets the token; Jenkins keeps it, and it keeps
# logging in.
#
# Until now the token was managed by this block, which you delete:
#
#   resource "jenkins_user_api_token" "deploy" {
#     user_id = "svc-deploy"
#     name    = "deploy pipeline"
#   }
#
# and replace with the removed block below. The plan says "jenkins_user_api_token.deploy will no
# longer be managed by Terraform" (OpenTofu: "will be removed from the OpenTofu state but will not
# be destroyed"), and the apply revokes nothing. The new owner needs the value first: take it
# from the token's `token` attribute (or from the store token_wo wrote it to) before the apply.
# Deleting the resource block without a removed block revokes the token.
#
# removed blocks with destroy = false work with Terraform 1.7+ and OpenTofu (tested with
# Terraform 1.11.4 and 1.16.4 and OpenTofu 1.12.6). The alternative,
# `lifecycle { destroy = false }` in the resource block itself (Terraform 1.16, OpenTofu 1.12),
# also forgets the old token when the resource is replaced (a rotation): see the
# jenkins_user_api_token resource's page before using it.

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

removed {
  from = jenkins_user_api_token.deploy

  lifecycle {
    destroy = false
  }
}
