# People the directory no longer knows, whose Jenkins record, and API tokens, stayed.
data "jenkins_users" "gone" {
  realm_status = ["unknown"]
  with_tokens  = true
}

# Nobody logged in on the web or used a token for half a year.
data "jenkins_users" "idle" {
  inactive_for_days = 180
  with_tokens       = true
}

output "left_but_still_holding_tokens" {
  value = [for u in data.jenkins_users.gone.users : "${u.id} (${u.token_count} tokens)"]
}
