package conformance

import (
	"net/url"
	"testing"
)

// Mirrors test/src/test/java/jenkins/security/apitoken/ApiTokenStatsRestartTest.java; the
// JenkinsSessionExtension's second session is a simulated restart.

// TestApiTokenStatsRestart_roundtripWithRestart mirrors ApiTokenStatsRestartTest#roundtripWithRestart
// (except the check that apiTokenStats.xml exists: the simulator has no files). foo exists only in
// memory until generateNewToken saves it, as there: the user found after the restart is the
// endpoint's save.
func TestApiTokenStatsRestart_roundtripWithRestart(t *testing.T) {
	fresh(t)
	const numCallWithToken = 5

	// First session.
	setCrumbIssuer(t, false)
	dummyRealmUser(t, "foo")
	scriptOK(t, `def p = User.getById('foo', true).getProperty(ApiTokenProperty)
assert p.getTokenStore() != null
assert p.getTokenStats() != null`, nil)
	r := call(t, "POST", "user/foo/"+tokenPropertyURL+"generateNewToken", "foo", "foo", url.Values{"newTokenName": {statsTokenName}}, nil)
	mustStatus(t, r, 200)
	data := r.json(t)["data"].(map[string]any)
	tokenName, tokenValue, tokenUUID := data["tokenName"].(string), data["tokenValue"].(string), data["tokenUuid"].(string)
	if tokenName != statsTokenName {
		t.Fatalf("tokenName %q", tokenName)
	}
	checkUserIsConnected(t, "foo", tokenValue)
	if _, ok := findToken(tokenList(t, "foo"), tokenUUID, tokenName); !ok {
		t.Fatalf("the token list lacks %s", tokenUUID)
	}
	for i := 1; i < numCallWithToken; i++ {
		mustStatus(t, call(t, "GET", "whoAmI/api/xml", "foo", tokenValue, nil, nil), 200)
	}
	if ti, _ := findToken(tokenList(t, "foo"), tokenUUID, ""); ti.Uses != numCallWithToken {
		t.Fatalf("token-use-counter %d, want %d", ti.Uses, numCallWithToken)
	}

	// Second session.
	restart(t)
	setCrumbIssuer(t, false)
	scriptOK(t, `assert User.getById('foo', false) != null`, nil)
	checkUserIsConnected(t, "foo", "foo")
	ti, ok := findToken(tokenList(t, "foo"), tokenUUID, "")
	if !ok || ti.Name != statsTokenName || ti.Uses != numCallWithToken {
		t.Fatalf("after restart: %+v (found %v), want name %q and %d uses", ti, ok, statsTokenName, numCallWithToken)
	}
	revokeToken(t, "foo", "foo", "foo", tokenUUID)
	checkUserIsNotConnected(t, "foo", tokenValue)
	if ti, ok := findToken(tokenList(t, "foo"), tokenUUID, statsTokenName); ok {
		t.Fatalf("revoked token still listed: %+v", ti)
	}
}
