# Offboarding: revoke every token of a user who left.
resource "jenkins_user_token_cleanup" "offboarding" {
  user_ids = ["bob"]
}

# Hygiene: revoke tokens nobody used for 90 days, except the service accounts' managed tokens.
resource "jenkins_user_token_cleanup" "unused" {
  unused_for_days  = 90
  exclude_user_ids = ["deployer"]
  keep_uuids       = ["0f6c4a3e-8d2b-4c1e-9a7f-3b5d2e1c0a9b"]
}

# Policy: CI tokens must expire. Revoke the service accounts' CI tokens that were made without an
# expiration date; those created with expiration_date stay.
resource "jenkins_user_token_cleanup" "ci_never_expiring" {
  user_ids      = ["deployer", "release-bot"]
  name_regex    = "^ci-"
  never_expires = true
}
