package conformance

import (
	"encoding/base64"
	"net/http"
	"testing"
)

// Mirrors test/src/test/java/jenkins/security/BasicHeaderApiTokenAuthenticatorTest.java. Each
// JenkinsSessionExtension session boundary is a simulated restart. The tests there grant
// Overall/Administer to everyone; /whoAmI, the only page used, needs no permission.

func basicHeader(login, password string) http.Header {
	return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(login+":"+password))}}
}

// checkLegacyTokenLogins runs the three requests of the second session: an invalid token and
// an unknown user are refused (and create no user), the valid token logs user1 in.
func checkLegacyTokenLogins(t *testing.T, token string) {
	t.Helper()
	if r, _ := getWhoAmI(t, "", "", basicHeader("user1", "invalid-token")); r.Status != 401 {
		t.Errorf("invalid token: status %d, want 401", r.Status)
	}
	if r, _ := getWhoAmI(t, "", "", basicHeader("user-not-valid", token)); r.Status != 401 {
		t.Errorf("invalid user: status %d, want 401", r.Status)
	}
	scriptOK(t, `assert User.getById('user-not-valid', false) == null`, nil)
}

// TestBasicHeaderApiTokenAuthenticator_legacyToken_regularCase mirrors
// BasicHeaderApiTokenAuthenticatorTest#legacyToken_regularCase (SECURITY-896). The login is what
// saves the user, as there: LastGrantedAuthoritiesProperty's listener creates the record and
// saves it with the property (LastGrantedAuthoritiesProperty.java:118-131). The realm knows user1
// (as the dummy realm knows everyone) through /__sim/realm-users, and holds no Jenkins record.
func TestBasicHeaderApiTokenAuthenticator_legacyToken_regularCase(t *testing.T) {
	fresh(t)
	setTokenGenerationOnCreation(t, true)
	if err := sim.AddRealmUsers(testCtx(t), "user1"); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.WebLogin(testCtx(t), "user1"); err != nil {
		t.Fatal(err)
	}
	// The token the user reads on their security page.
	var r struct{ Token string }
	scriptJSON(t, `def u = User.getById('user1', false)
println JsonOutput.toJson([token: asUser(u) { u.getProperty(ApiTokenProperty).getApiToken() }])`, nil, &r)

	restart(t)
	scriptOK(t, `assert User.getById('user1', false) != null`, nil)
	checkLegacyTokenLogins(t, r.Token)
	resp, w := getWhoAmI(t, "", "", basicHeader("user1", r.Token))
	if resp.Status != 200 || w.Name != "user1" {
		t.Fatalf("valid user with valid token: status %d, name %q", resp.Status, w.Name)
	}
}

// TestBasicHeaderApiTokenAuthenticator_legacyToken_withoutLastGrantedAuthorities mirrors
// BasicHeaderApiTokenAuthenticatorTest#legacyToken_withoutLastGrantedAuthorities: the user was
// never saved, yet the token generated at creation logs them in after a restart (and the user
// record made for the request is still not saved). The realm knows user1 (as the dummy realm
// knows everyone) through /__sim/realm-users.
func TestBasicHeaderApiTokenAuthenticator_legacyToken_withoutLastGrantedAuthorities(t *testing.T) {
	fresh(t)
	setTokenGenerationOnCreation(t, true)
	if err := sim.AddRealmUsers(testCtx(t), "user1"); err != nil {
		t.Fatal(err)
	}
	var r struct{ Token string }
	scriptJSON(t, `def u = User.getById('user1', true)
println JsonOutput.toJson([token: asUser(u) { u.getProperty(ApiTokenProperty).getApiToken() }])`, nil, &r)

	restart(t)
	scriptOK(t, `assert User.getById('user1', false) == null`, nil)
	checkLegacyTokenLogins(t, r.Token)
	scriptOK(t, `assert User.getById('user1', false) == null`, nil)
	resp, w := getWhoAmI(t, "", "", basicHeader("user1", r.Token))
	if resp.Status != 200 || w.Name != "user1" {
		t.Fatalf("valid user with valid token: status %d, name %q", resp.Status, w.Name)
	}

	restart(t)
	scriptOK(t, `assert User.getById('user1', false) == null`, nil)
}
