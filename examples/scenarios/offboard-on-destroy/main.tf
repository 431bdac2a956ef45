# Offboarding is deleting a line (Terraform 1.16 or later): everyone with Jenkins access is an
# entry of var.employees. Delete someone's entry and apply: their terraform_data is destroyed,
# and its before_destroy trigger first revokes every API token they hold (legacy token and its
# seed included), in the same apply.
#
#   terraform plan    # shows terraform_data.employee["bob"] destroyed and the action it triggers
#   terraform apply   # revokes bob's tokens, then forgets bob
#
# Why before_destroy with on_failure = halt (halt is also the default): a revocation that fails
# (Jenkins down, a token Jenkins refuses to revoke) stops the apply before bob's terraform_data
# is destroyed, so bob stays in the state and the next apply tries again. With after_destroy,
# bob would already be gone from the state when the revocation failed, and no later apply would
# retry it; on_failure = continue would turn the failure into a warning. (taint only applies to
# after_create.)
#
# Know before using it:
# - `terraform destroy` of this workspace revokes the tokens of everyone in the map, and a full
#   destroy never stops on a failed action: Terraform turns those failures into warnings.
# - A refusal at plan time (bob is the provider's own user, or unknown to Jenkins) does not stop
#   the run: Terraform plans the removed entry's action as a warning, "Orphaned action failed to
#   plan", destroys the terraform_data and revokes nothing. Read the plan's warnings.
# - The action keeps nothing in state: a token made for bob later is not revoked. Add bob to a
#   jenkins_user_token_cleanup (see the offboard-user scenario) to keep his tokens revoked.

terraform {
  required_version = ">= 1.16"
  required_providers {
    jenkins = {
      source = "jenkins-access/jenkins"
    }
  }
}

provider "jenkins" {
  # JENKINS_URL, JENKINS_USERNAME and JENKINS_PASSWORD from the environment.
}

variable "employees" {
  description = "Everyone with Jenkins access, by Jenkins user ID."
  type = map(object({
    team = string
  }))
}

resource "terraform_data" "employee" {
  for_each = var.employees
  input = {
    user_id = each.key
    team    = each.value.team
  }

  lifecycle {
    action_trigger {
      events     = [before_destroy]
      actions    = [action.jenkins_revoke_tokens.offboard]
      on_failure = halt
    }
  }
}

# caller is the terraform_data being destroyed, as it was before the apply.
action "jenkins_revoke_tokens" "offboard" {
  config {
    user_ids = [caller.input.user_id]
  }
}
