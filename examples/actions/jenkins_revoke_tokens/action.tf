# Incident response: revoke every token bob holds, now, without keeping anything in state.
#   terraform apply -invoke=action.jenkins_revoke_tokens.bob_incident
action "jenkins_revoke_tokens" "bob_incident" {
  config {
    user_ids = ["bob"]
  }
}

# Every user's tokens unused for 180 days, except the deploy account's: everyone on purpose.
action "jenkins_revoke_tokens" "stale" {
  config {
    all_users        = true
    exclude_user_ids = ["svc-deploy"]
    unused_for_days  = 180
  }
}
