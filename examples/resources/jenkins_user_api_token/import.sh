# <user_id>/<uuid>: the UUID is listed by the jenkins_user_tokens data source and on the user's
# Security page. The token value cannot be imported (Jenkins keeps only a hash): token stays null.
terraform import jenkins_user_api_token.deployer alice/0f6c4a3e-8d2b-4c1e-9a7f-3b5d2e1c0a9b
