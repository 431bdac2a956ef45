# There is one configuration per Jenkins; its ID is always "global".
terraform import jenkins_api_token_settings.this global
