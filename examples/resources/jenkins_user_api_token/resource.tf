# A token for a service account. The value is in the state (see the security notice below);
# hand it to whatever needs it, here a sensitive output.
resource "jenkins_user_api_token" "deployer" {
  user_id = "deployer"
  name    = "deploy pipeline (managed by Terraform)"
}

output "deployer_token" {
  value     = jenkins_user_api_token.deployer.token
  sensitive = true
}

# A token that expires (Jenkins 2.548 or later) and is replaced by the plan from 14 days before
# its expiration date. create_before_destroy makes the new token exist before the old one is
# revoked.
resource "jenkins_user_api_token" "reporting" {
  user_id            = "reporting-bot"
  name               = "nightly reports"
  expiration_date    = "2027-06-30"
  rotate_before_days = 14

  lifecycle {
    create_before_destroy = true
  }
}

# A token whose value never enters the state or the plan (Terraform 1.11+ / OpenTofu 1.11+):
# the value is drawn locally and given write-only. Hand the same value, in the same run, to a
# secret store's write-only argument (examples/scenarios/write-only-token-in-vault); changing
# token_wo_version creates the token again with the value of that run.
ephemeral "jenkins_api_token_value" "publisher" {}

resource "jenkins_user_api_token" "publisher" {
  user_id          = "publisher"
  name             = "artifact publisher (value in the secret store)"
  token_wo         = ephemeral.jenkins_api_token_value.publisher.value
  token_wo_version = 1
}
