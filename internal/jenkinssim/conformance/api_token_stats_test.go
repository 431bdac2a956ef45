package conformance

import (
	"net/url"
	"testing"
)

// Mirrors test/src/test/java/jenkins/security/apitoken/ApiTokenStatsTest.java. The user's
// /security/ page is not rendered by the simulator: what it shows (uuid, name, use counter)
// is read from ApiTokenProperty.getTokenList(), the list the page iterates.

const statsTokenName = "New Token Name"

// findToken returns the entry of the token list with that uuid or name.
func findToken(list []tokenInfo, uuid, name string) (tokenInfo, bool) {
	for _, ti := range list {
		if ti.UUID == uuid || ti.Name == name {
			return ti, true
		}
	}
	return tokenInfo{}, false
}

// TestApiTokenStats_roundtrip mirrors ApiTokenStatsTest#roundtrip.
func TestApiTokenStats_roundtrip(t *testing.T) {
	fresh(t)
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
	if ti, ok := findToken(tokenList(t, "foo"), tokenUUID, ""); !ok || ti.Name != tokenName {
		t.Fatalf("the token list lacks %s %q", tokenUUID, tokenName)
	}

	const numCallWithToken = 5
	for i := 1; i < numCallWithToken; i++ { // one is already done with checkUserIsConnected
		mustStatus(t, call(t, "GET", "whoAmI/api/xml", "foo", tokenValue, nil, nil), 200)
	}
	if ti, _ := findToken(tokenList(t, "foo"), tokenUUID, ""); ti.Uses != numCallWithToken {
		t.Fatalf("token-use-counter %d, want %d", ti.Uses, numCallWithToken)
	}

	revokeToken(t, "foo", "foo", "foo", tokenUUID)
	checkUserIsNotConnected(t, "foo", tokenValue)
	if ti, ok := findToken(tokenList(t, "foo"), tokenUUID, tokenName); ok {
		t.Fatalf("revoked token still listed: %+v", ti)
	}
}
