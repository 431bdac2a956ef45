# Terraform 1.12 and later: name the token by its identity, the user ID as Jenkins spells it and
# the token's UUID (as listed by the jenkins_user_tokens data source or terraform query).
import {
  to = jenkins_user_api_token.deployer
  identity = {
    user_id = "svc-deploy"
    uuid    = "0f6c4a3e-8d2b-4c1e-9a7f-3b5d2e1c0a9b"
  }
}
