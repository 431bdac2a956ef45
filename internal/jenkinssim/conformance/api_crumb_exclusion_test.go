package conformance

import (
	"encoding/json"
	"testing"
)

// Mirrors test/src/test/java/jenkins/security/ApiCrumbExclusionTest.java. Its "test-post" root
// action answers User.current()'s id to a POST; a POST to /whoAmI/api/json (crumb-checked like
// any POST, readable by anyone) answers the same name.

func postWhoAmI(t *testing.T, user, secret string) response {
	t.Helper()
	return call(t, "POST", "whoAmI/api/json", user, secret, nil, nil)
}

func postName(t *testing.T, r response) string {
	t.Helper()
	mustStatus(t, r, 200)
	var w struct{ Name string }
	if err := json.Unmarshal([]byte(r.Body), &w); err != nil {
		t.Fatalf("whoAmI: %.300s", r.Body)
	}
	return w.Name
}

// TestApiCrumbExclusion_callUsingApiTokenDoesNotRequireCSRFToken mirrors
// ApiCrumbExclusionTest#callUsingApiTokenDoesNotRequireCSRFToken (JENKINS-22474), without the
// form-login steps that change the description on /me/account/.
func TestApiCrumbExclusion_callUsingApiTokenDoesNotRequireCSRFToken(t *testing.T) {
	fresh(t)
	setCrumbIssuer(t, false)
	dummyUser(t, "foo")

	_, token := newToken(t, "foo", "test")
	if name := postName(t, postWhoAmI(t, "foo", token)); name != "foo" { // API token
		t.Fatalf("API token: %q", name)
	}
	if name := postName(t, postWhoAmI(t, "foo", "foo")); name != "foo" { // Basic auth using the password
		t.Fatalf("password: %q", name)
	}

	setCrumbIssuer(t, true)
	// Even with a crumb issuer, a request authenticated by an API token needs no crumb.
	_, token = newToken(t, "foo", "test2")
	if name := postName(t, postWhoAmI(t, "foo", token)); name != "foo" {
		t.Fatalf("API token with a crumb issuer: %q", name)
	}
	// Basic auth using the password requires a crumb.
	mustStatus(t, postWhoAmI(t, "foo", "foo"), 403)
}
