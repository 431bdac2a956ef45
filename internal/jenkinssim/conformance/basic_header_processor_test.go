package conformance

import (
	"encoding/base64"
	"net/http"
	"testing"
)

// Mirrors test/src/test/java/jenkins/security/BasicHeaderProcessorTest.java. Its "test" root
// action answers User.current()'s id or "anonymous"; /whoAmI (also readable by anyone) answers
// the same name.

func makeRequestAndVerify(t *testing.T, hdr http.Header, expectedLogin string) {
	t.Helper()
	r, w := getWhoAmI(t, "", "", hdr)
	if r.Status != 200 || w.Name != expectedLogin {
		t.Fatalf("status %d, name %q; want 200 and %q", r.Status, w.Name, expectedLogin)
	}
}

func makeRequestAndFail(t *testing.T, hdr http.Header) {
	t.Helper()
	if r, _ := getWhoAmI(t, "", "", hdr); r.Status != 401 {
		t.Fatalf("status %d, want 401", r.Status)
	}
}

// TestBasicHeaderProcessor_testVariousWaysToCall mirrors BasicHeaderProcessorTest#testVariousWaysToCall
// up to the form login (the simulator has no login sessions, nor SecurityListener events).
func TestBasicHeaderProcessor_testVariousWaysToCall(t *testing.T) {
	fresh(t)
	dummyUser(t, "foo")
	dummyUser(t, "bar")

	makeRequestAndVerify(t, nil, "anonymous") // without authentication
	_, token := newToken(t, "foo", "test")
	makeRequestAndVerify(t, basicHeader("foo", token), "foo") // API token
	// An invalid API token: "abcd" + getApiToken() (foo has no legacy token).
	makeRequestAndFail(t, basicHeader("foo", "abcd"+legacyToken(t, "foo")))
	makeRequestAndVerify(t, basicHeader("foo", "foo"), "foo") // password
	makeRequestAndFail(t, basicHeader("foo", "bar"))          // incorrect password
}

// TestBasicHeaderProcessor_testAuthHeaderCaseInSensitive mirrors BasicHeaderProcessorTest#testAuthHeaderCaseInSensitive.
func TestBasicHeaderProcessor_testAuthHeaderCaseInSensitive(t *testing.T) {
	fresh(t)
	setTokenGenerationOnCreation(t, true)
	dummyUser(t, "foo")
	token := legacyToken(t, "foo")
	encode := func(prefix, userAndPass string) http.Header {
		return http.Header{"Authorization": {prefix + " " + base64.StdEncoding.EncodeToString([]byte(userAndPass))}}
	}
	for _, prefix := range []string{"Basic", "BASIC", "basic", "bASIC"} {
		makeRequestAndVerify(t, encode(prefix, "foo:"+token), "foo")
		makeRequestAndFail(t, encode(prefix, "foo:abcd"+token))
		makeRequestAndVerify(t, encode(prefix, "foo:foo"), "foo")
		makeRequestAndFail(t, encode(prefix, "foo:bar"))
	}
}
