# A token that exists only while Terraform runs: created when Terraform opens the ephemeral
# resource, revoked when it closes it. The value is in neither the plan nor the state.
ephemeral "jenkins_user_api_token" "deployer" {
  user_id = "deployer"
  name    = "terraform run"
  # Should the run be killed before it revokes the token, the token expires by itself: by
  # default on Jenkins's tomorrow (Jenkins 2.548 or later), 24 to 48 hours after it was made.
  # A run that may take longer than a day sets a later date:
  # expiration_date = "2027-01-31"
}

# Ephemeral values may go to provider blocks, provisioners, locals and ephemeral variables and
# outputs of child modules. Here a provisioner triggers a Jenkins job as the deployer account.
resource "terraform_data" "deploy" {
  triggers_replace = ["v1.2.3"]

  provisioner "local-exec" {
    command = "curl -fsS -X POST --user \"deployer:$JENKINS_TOKEN\" \"$JENKINS_URL/job/deploy/build\""
    environment = {
      JENKINS_URL   = "https://ci.example.com"
      JENKINS_TOKEN = ephemeral.jenkins_user_api_token.deployer.token
    }
  }
}
