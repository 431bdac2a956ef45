# What is left, read after the cleanups.
data "jenkins_user_tokens" "all" {
  depends_on = [jenkins_user_token_cleanup.offboard_bob, jenkins_legacy_token_cleanup.all]
}

locals {
  row = "%-11s  %-40s  %-6s  %-20s  %s"
}

output "inventory" {
  value = join("\n", concat(
    [format(local.row, "USER", "TOKEN", "LEGACY", "CREATED", "LAST USED")],
    [for t in data.jenkins_user_tokens.all.tokens : format(local.row,
      t.user_id, t.name, t.legacy ? "yes" : "no", coalesce(t.created_at, "-"), coalesce(t.last_used_at, "never"))
    ],
  ))
}
