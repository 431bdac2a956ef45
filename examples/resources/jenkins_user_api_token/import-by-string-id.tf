import {
  to = jenkins_user_api_token.deployer
  id = "alice/0f6c4a3e-8d2b-4c1e-9a7f-3b5d2e1c0a9b"
}
