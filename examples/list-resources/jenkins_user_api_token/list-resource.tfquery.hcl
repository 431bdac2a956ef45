# Find the tokens made by hand, then adopt them:
#   terraform query -generate-config-out=adopted.tf
#   (review adopted.tf)
#   terraform apply
list "jenkins_user_api_token" "hand_made" {
  provider         = jenkins
  include_resource = true
  # Terraform returns at most 100 results per list block unless limit says otherwise.
  limit = 1000

  config {
    user_ids = ["alice", "svc-deploy"]
    legacy   = false
  }
}

# A fleet: one list per controller of the provider's controllers map.
list "jenkins_user_api_token" "fleet" {
  for_each = toset(["eu", "us"])
  provider = jenkins
  limit    = 1000

  config {
    controller = each.key
    user_ids   = ["svc-deploy"]
  }
}
