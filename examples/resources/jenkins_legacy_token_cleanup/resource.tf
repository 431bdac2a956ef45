# Revoke every user's legacy API token, and keep them revoked: `terraform plan` lists each legacy
# token apply will revoke, by user.
resource "jenkins_legacy_token_cleanup" "all" {}

# Or only some users:
resource "jenkins_legacy_token_cleanup" "team" {
  user_ids = ["alice", "bob"]
}

output "revoked_legacy_tokens" {
  value = [for t in jenkins_legacy_token_cleanup.all.revoked : "${t.user_id}: ${t.name}"]
}
