# Which tokens bob and carol hold on every controller of the provider: one script call per
# controller, in parallel. A controller that is down is a warning and a row with
# reachable = false, not a failed plan.
data "jenkins_fleet_tokens" "leavers" {
  user_ids = ["bob", "carol"]
}

output "leavers" {
  # "bob, carol: 37 controllers clean, 2 controllers with tokens (7 tokens, 1 legacy), 1 unreachable"
  value = data.jenkins_fleet_tokens.leavers.summary
}

output "holders" {
  value = {
    for row in data.jenkins_fleet_tokens.leavers.rows :
    "${row.controller}/${row.user_id}" => [for t in row.tokens : t.name] if row.token_count > 0
  }
}
