terraform {
  required_providers {
    jenkins = {
      source = "jenkins-access/jenkins"
    }
  }
}

# The account needs Overall/Administer: token operations for other users go through the script
# console. Prefer an API token over a password (no CSRF crumb needed), and keep it out of the
# configuration: leave password unset and export JENKINS_PASSWORD instead.
provider "jenkins" {
  server_url = "https://ci.example.com/" # or JENKINS_URL
  username   = "terraform"               # or JENKINS_USERNAME
  # password = "..."                     # or JENKINS_PASSWORD: a password or an API token

  # Optional:
  # ca_cert         = "/etc/ssl/certs/internal-ca.pem" # PEM content or a file path; or JENKINS_CA_CERT
  # request_timeout = "2m"
  # max_retries     = 5
}
