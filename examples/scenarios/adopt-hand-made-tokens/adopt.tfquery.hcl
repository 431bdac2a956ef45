# Every new-style token of the service accounts; legacy tokens are retired, not adopted
# (jenkins_legacy_token_cleanup), because their UUIDs can change at a Jenkins restart.
list "jenkins_user_api_token" "service_accounts" {
  provider         = jenkins
  include_resource = true
  # Terraform returns at most 100 results per list block unless limit says otherwise; the
  # provider warns when a query stops at the limit with more tokens selected.
  limit = 1000

  config {
    user_ids = ["svc-deploy", "svc-backup"]
    legacy   = false
  }
}
