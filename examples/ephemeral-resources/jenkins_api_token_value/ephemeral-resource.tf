# A token value drawn locally (no Jenkins call), never in the plan or the state. Give it to
# jenkins_user_api_token's token_wo and, in the same run, to a secret store's write-only
# argument whose version follows the token's created_at
# (examples/scenarios/write-only-token-in-vault). Change token_wo_version to rotate.
ephemeral "jenkins_api_token_value" "deployer" {}

resource "jenkins_user_api_token" "deployer" {
  user_id          = "deployer"
  name             = "deploy pipeline"
  token_wo         = ephemeral.jenkins_api_token_value.deployer.value
  token_wo_version = 1
}
