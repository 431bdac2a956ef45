# Offboarding driven by your identity provider: the people allowed to hold Jenkins API tokens are
# the active accounts of the identity provider. Every token of anyone else is revoked at the next
# apply, and stays revoked: leaving the company is enough, nobody has to tell Jenkins.
#
#   terraform plan    # the dry run: lists, user by user, every token apply will revoke
#   terraform apply
#
# The safety catches refuse a plan that would revoke the tokens of more than max_revocations users
# at once (a broken feed from the identity provider looks like that), or the tokens of the user
# this provider authenticates as: keep it in the list. Group members who never opened Jenkins are
# fine in the list: the security realm knows them.

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

# From the identity provider: for example the members of a group, from its Terraform provider's
# data source (okta_group, azuread_group, google_groups...), mapped to Jenkins user IDs.
variable "active_accounts" {
  description = "Jenkins user IDs of the people and service accounts allowed to hold API tokens."
  type        = set(string)
}

resource "jenkins_user_token_cleanup" "not_in_identity_provider" {
  exclude_user_ids = var.active_accounts
  max_revocations  = 25
}

# And, as a second line, the people the directory no longer knows, whatever the list says.
resource "jenkins_user_token_cleanup" "gone_from_directory" {
  realm_status     = ["unknown"]
  exclude_user_ids = ["terraform"]
}
