# A service account's API token that exists only in Jenkins (as a hash) and in Vault: not in the
# Terraform state, not in the plan. Needs Terraform 1.11+ (or OpenTofu 1.11+) and the Vault
# provider 5.0+ (write-only data_json_wo).
#
# Each run draws a new value, used only by runs that create the token: the first, those where
# token_version changes (to rotate, increment it and apply), and those that replace the token for
# another reason (it expired, or was revoked by hand). Vault's write-only version is derived from
# the token's creation time, so Vault stores the value in exactly the runs that create the token,
# whatever the reason. Pipelines read the token from Vault (secret/jenkins/deployer, key "token").
#
# With AWS Secrets Manager instead of Vault, the write-only pair is
# aws_secretsmanager_secret_version.secret_string_wo / secret_string_wo_version.
terraform {
  required_version = ">= 1.11"
  required_providers {
    jenkins = { source = "jenkins-access/jenkins" }
    vault   = { source = "hashicorp/vault", version = ">= 5.0" }
  }
}

variable "token_version" {
  description = "Increment to rotate the deployer's token."
  type        = number
  default     = 1
}

ephemeral "jenkins_api_token_value" "deployer" {}

resource "jenkins_user_api_token" "deployer" {
  user_id          = "deployer"
  name             = "deploy pipeline (value in Vault)"
  expiration_date  = "2027-12-31"
  token_wo         = ephemeral.jenkins_api_token_value.deployer.value
  token_wo_version = var.token_version

  # The new token exists before the old one is revoked, and Vault gets the new value in the
  # same apply: pipelines that read Vault between the two steps still hold a working token.
  lifecycle {
    create_before_destroy = true
  }
}

resource "vault_kv_secret_v2" "deployer_token" {
  mount = "secret"
  name  = "jenkins/deployer"
  data_json_wo = jsonencode({
    user  = jenkins_user_api_token.deployer.user_id
    token = ephemeral.jenkins_api_token_value.deployer.value
  })
  # A new token, a new creation time (YYYYMMDDhhmmss, UTC): Vault takes the value of that run.
  data_json_wo_version = tonumber(formatdate("YYYYMMDDhhmmss", jenkins_user_api_token.deployer.created_at))
}
