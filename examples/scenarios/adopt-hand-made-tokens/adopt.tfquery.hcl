# Every new-style token of the service accounts; legacy tokens are retired, not adopted
# (jenkins_legacy_token_cleanup), because their UUIDs can change at a Jenkins restart.
list "jenkins_user_api_token" "service_accounts" {
  provider         = jenkins
  include_resource = true

  config {
    user_ids = ["svc-deploy", "svc-backup"]
    legacy   = false
  }
}
