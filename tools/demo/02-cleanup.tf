# bob left the company: revoke every token he holds, legacy token included.
resource "jenkins_user_token_cleanup" "offboard_bob" {
  user_ids = ["bob"]
}

# Nobody should log in with a legacy token any more.
resource "jenkins_legacy_token_cleanup" "all" {}

output "revoked" {
  value = join("\n", sort(distinct(concat(
    [for t in jenkins_user_token_cleanup.offboard_bob.revoked : "${t.user_id}: ${t.name} (${t.uuid})"],
    [for t in jenkins_legacy_token_cleanup.all.revoked : "${t.user_id}: ${t.name} (${t.uuid})"],
  ))))
}
