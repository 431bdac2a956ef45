# A token value drawn locally (no Jenkins call), never in the plan or the state. Give it to
# jenkins_user_api_token's token_wo and, in the same run, to a secret store's write-only
# argument; both *_wo_version arguments change together when the token is to be rotated.
ephemeral "jenkins_api_token_value" "deployer" {}

resource "jenkins_user_api_token" "deployer" {
  user_id          = "deployer"
  name             = "deploy pipeline"
  token_wo         = ephemeral.jenkins_api_token_value.deployer.value
  token_wo_version = 1
}
