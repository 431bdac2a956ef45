import {
  to = jenkins_api_token_settings.this
  id = "global"
}
