# Revoke every user's legacy API token, and keep them revoked: `terraform plan` lists each legacy
# token apply will revoke, by user. max_revocations (default 10) caps how many users one apply
# may touch: raise it for a deliberate bulk cleanup.
resource "jenkins_legacy_token_cleanup" "all" {
  max_revocations = 100
}

# Or only some users:
resource "jenkins_legacy_token_cleanup" "team" {
  user_ids = ["alice", "bob"]
}

output "revoked_legacy_tokens" {
  value = [for t in jenkins_legacy_token_cleanup.all.revoked : "${t.user_id}: ${t.name}"]
}
