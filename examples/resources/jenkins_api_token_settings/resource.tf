# Jenkins's recommended settings: no legacy tokens for new users, no creation of legacy tokens,
# usage statistics on (unused_for_days relies on them). Declare this resource once per Jenkins.
resource "jenkins_api_token_settings" "this" {
  token_generation_on_creation_enabled = false
  creation_of_legacy_token_enabled     = false
  usage_statistics_enabled             = true
}
