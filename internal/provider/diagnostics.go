package provider

import (
	"errors"
	"fmt"
	"strconv"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
)

// Diagnostic wording shared by every type: a Title Case summary that says what failed, and a
// detail that says why and how to fix it, then the cause.

// explainError turns a client error into the detail users need to fix it.
func explainError(err error) string {
	var unf *jenkins.UserNotFoundError
	switch {
	case errors.As(err, &unf):
		return fmt.Sprintf("%s\n\nCheck the user ID (whether case matters depends on Jenkins's security realm). The user "+
			"must exist in Jenkins, or be known to its security realm, and the realm must neither deny knowing it nor refuse "+
			"the account (a directory account disabled, expired or locked): Jenkins lets a user's API tokens log in only "+
			"then, and the provider makes no token Jenkins would refuse. The jenkins_users data source shows what the realm "+
			"says of each user (realm_status). With a security realm that cannot look users up (many SSO realms), the "+
			"user must log in to Jenkins once, so that Jenkins has a record of them, before a token can be created.", err)
	case jenkins.IsUnauthorized(err):
		return fmt.Sprintf("Jenkins rejected the username or the password/API token (HTTP 401). Check username and "+
			"password in the provider block (or JENKINS_USERNAME and JENKINS_PASSWORD); an API token that was revoked "+
			"or has expired is rejected the same way.\n\nCause: %s", err)
	case jenkins.IsCrumbError(err):
		// Before IsForbidden, which it also satisfies: a crumb failure is not a missing permission.
		return fmt.Sprintf("Jenkins kept refusing the request's CSRF crumb, even a fresh one. A crumb is bound to the HTTP "+
			"session that fetched it, so this is a session problem, not a permission: check that nothing between the "+
			"provider and Jenkins drops or rewrites the session cookie (a proxy or load balancer without sticky sessions "+
			"in front of several Jenkins replicas, a cookie path that does not match server_url's context path), and that "+
			"Jenkins does not end sessions at once. Authenticating with an API token instead of a password avoids crumbs "+
			"altogether.\n\nCause: %s", err)
	case jenkins.IsForbidden(err):
		return fmt.Sprintf("The provider's user lacks a permission (HTTP 403). Managing other users' API tokens needs "+
			"Overall/Administer, which the Jenkins script console requires. Grant it to the provider's user, or use "+
			"an administrator's API token.\n\nCause: %s", err)
	case jenkins.IsNotJenkins(err):
		return fmt.Sprintf("The server at server_url does not look like Jenkins (no X-Jenkins header, or an unexpected "+
			"answer). Check server_url, including any context path such as /jenkins/.\n\nCause: %s", err)
	case jenkins.IsTLSError(err):
		return fmt.Sprintf("The TLS connection to Jenkins failed. If Jenkins uses a certificate from a private CA, set "+
			"ca_cert (or JENKINS_CA_CERT) to that CA's PEM certificate.\n\nCause: %s", err)
	default:
		return err.Error()
	}
}

// addError adds an API failure with the shared wording.
func addError(diags *diag.Diagnostics, summary string, err error) {
	diags.AddError(summary, explainError(err))
}

// addSelectionError reports why a token selection could not be made: an attribute error on
// unused_for_days when Jenkins keeps no usage statistics, else the listing's error.
func addSelectionError(diags *diag.Diagnostics, err error) {
	var statsOff *usageStatisticsOffError
	if errors.As(err, &statsOff) {
		diags.AddAttributeError(path.Root(statsOff.attribute()), "Usage Statistics Are Off in Jenkins", err.Error())
		return
	}
	var stillLogsIn unknownStillLogsInError
	if errors.As(err, &stillLogsIn) {
		diags.AddAttributeError(path.Root("realm_status"), "Unknown Users' Tokens Still Log In on This Jenkins", err.Error())
		return
	}
	addError(diags, "Unable to List Jenkins API Tokens", err)
}

// shown renders text that came from Jenkins (user IDs, token names: anyone who can name a token
// chooses these) for a diagnostic. Printable text is shown as is; text with control characters
// (terminal escape sequences that would move the cursor or rewrite the admin's screen) is shown
// quoted, with those characters escaped.
func shown(s string) string {
	for _, r := range s {
		if !unicode.IsGraphic(r) {
			return strconv.Quote(s)
		}
	}
	return s
}
