# Offboarding a fleet: someone left, and their API tokens must go on every Jenkins controller, in
# one plan and one report. One provider block names every controller; the fleet view asks them
# all in parallel (one script call each), and a cleanup per controller where the leaver has a
# Jenkins record revokes their tokens, and keeps them revoked.
#
#   terraform plan    # the dry run: every token apply will revoke, controller by controller
#   terraform apply
#   terraform output report
#   # "bob: 39 controllers clean, 0 controllers with tokens (0 tokens, 0 legacy), 1 unreachable"
#
# Before the apply, `terraform console` shows the same line for what is there now:
# data.jenkins_fleet_tokens.leavers.summary, for example "bob: 37 controllers clean,
# 2 controllers with tokens (7 tokens, 1 legacy), 1 unreachable".
#
# A controller that is down does not stop the others: the fleet view reports it (a warning, and
# the unreachable output) and it gets no cleanup in this run; plan again once it is back. With
# CloudBees CI, include the operations center: its tokens work on every joined controller.

terraform {
  required_providers {
    jenkins = {
      source = "jenkins-access/jenkins"
    }
  }
}

variable "controllers" {
  description = "Every Jenkins controller, by a short name: its base URL. The same service account logs in to each (JENKINS_USERNAME and JENKINS_PASSWORD)."
  type        = map(string)
}

variable "leavers" {
  description = "The Jenkins user IDs of the people who left."
  type        = set(string)
}

provider "jenkins" {
  controllers = { for name, url in var.controllers : name => { server_url = url } }
  # The whole run may revoke the tokens of at most this many users on any one controller, however
  # many cleanups for_each makes.
  max_revocations_per_controller = 5
}

# Who holds what, everywhere. User IDs are matched on each controller by its own id strategy.
data "jenkins_fleet_tokens" "leavers" {
  user_ids = var.leavers
}

locals {
  # Per controller, the leavers it has a record of: elsewhere there is nothing to revoke.
  leavers_by_controller = {
    for row in data.jenkins_fleet_tokens.leavers.rows : row.controller => row.user_id... if row.user_found == true
  }
}

resource "jenkins_user_token_cleanup" "leavers" {
  for_each   = local.leavers_by_controller
  controller = each.key
  user_ids   = each.value
}

# The fleet again, once the cleanups have run: what the report says is what is left.
data "jenkins_fleet_tokens" "after" {
  user_ids   = var.leavers
  depends_on = [jenkins_user_token_cleanup.leavers]
}

output "report" {
  value = data.jenkins_fleet_tokens.after.summary
}

output "unreachable" {
  value = [for c in data.jenkins_fleet_tokens.after.controller_status : c.controller if !c.reachable]
}
