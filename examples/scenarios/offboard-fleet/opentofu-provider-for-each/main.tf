# Offboarding a fleet with OpenTofu's provider for_each (OpenTofu 1.9 or later), without the
# provider's controllers map: one provider instance per controller, and the cleanup for each.
#
#   tofu plan
#   tofu apply
#
# Know before using it: a controller removed from var.controllers takes two applies. Its
# provider instance must outlive the cleanup it manages, so first remove the controller from
# local.cleanup_on (apply: the cleanup is forgotten, nothing is revoked), then from
# var.controllers (apply). Removing it from both at once fails: OpenTofu has no provider left to
# forget the cleanup with. The provider's controllers map (see ../main.tf) has no such caveat,
# works with Terraform too, and gives one fleet view over every controller.

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
  description = "The Jenkins user IDs of the people who left. Each must have a record on every controller."
  type        = set(string)
}

locals {
  cleanup_on = var.controllers
}

provider "jenkins" {
  alias      = "by_controller"
  for_each   = var.controllers
  server_url = each.value
}

resource "jenkins_user_token_cleanup" "leavers" {
  for_each = local.cleanup_on
  provider = jenkins.by_controller[each.key]
  user_ids = var.leavers
}

output "revoked" {
  value = { for name, c in jenkins_user_token_cleanup.leavers : name => length(c.revoked) }
}
