# Find the tokens made by hand, then adopt them:
#   terraform query -generate-config-out=adopted.tf
#   (review adopted.tf)
#   terraform apply
list "jenkins_user_api_token" "hand_made" {
  provider         = jenkins
  include_resource = true

  config {
    user_ids = ["alice", "svc-deploy"]
    legacy   = false
  }
}
