# Every token of every user, in one script call.
data "jenkins_user_tokens" "all" {}

# Filters combine: legacy tokens of two users that nobody used for 90 days.
data "jenkins_user_tokens" "stale_legacy" {
  user_ids        = ["alice", "bob"]
  legacy          = true
  unused_for_days = 90
}

# Tokens that never expire: made without an expiration date, or legacy.
data "jenkins_user_tokens" "never_expiring" {
  user_ids      = ["alice", "bob"]
  never_expires = true
}

output "tokens_by_user" {
  value = {
    for t in data.jenkins_user_tokens.all.tokens : t.user_id => "${t.name} (${t.uuid})"...
  }
}
