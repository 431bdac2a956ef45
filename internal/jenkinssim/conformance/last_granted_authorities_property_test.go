package conformance

import (
	"context"
	"encoding/xml"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// Mirrors test/src/test/java/jenkins/security/LastGrantedAuthoritiesPropertyTest.java. Its
// TestSecurityRealm cannot look users up (loadUserByUsername2 throws
// UserMayOrMayNotExistException2) and grants, at a login, the authorities the password lists:
// here a simulator started with RealmLookup "unsupported", and /__sim/login given those
// authorities. The simulator adds no FactorGrantedAuthority, which the Jenkins test filters out.

// TestLastGrantedAuthoritiesProperty_basicFlow mirrors LastGrantedAuthoritiesPropertyTest#basicFlow,
// except the submission of the user's account form between the logins (the simulator has no
// account page). u.impersonate2() is also observed as a token login sees it: the API token
// authenticator impersonates with getUserDetailsForImpersonation2 (BasicHeaderApiTokenAuthenticator.java:36-37),
// which answers this realm with the recorded authorities (ImpersonatingUserDetailsService2.java:30-44).
func TestLastGrantedAuthoritiesProperty_basicFlow(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := jenkinssim.Start(ctx, jenkinssim.Options{RealmLookup: "unsupported"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })

	login := func(authorities ...string) {
		t.Helper()
		if _, err := s.WebLogin(ctx, "alice", authorities...); err != nil {
			t.Fatal(err)
		}
	}
	// assertAuthorities: the property's getAuthorities2() and u.impersonate2(), sorted and joined.
	assertAuthorities := func(want string) {
		t.Helper()
		out, err := s.Script(ctx, `def u = User.getOrCreateByIdOrFullName('alice')
def p = u.getProperty(jenkins.security.LastGrantedAuthoritiesProperty)
println p.getAuthorities2().collect { it.toString() }.sort().join(':')
println u.impersonate2().getAuthorities().collect { it.toString() }.sort().join(':')`)
		if err != nil {
			t.Fatal(err)
		}
		if out != want+"\n"+want+"\n" {
			t.Errorf("property and impersonate2 authorities %q, want %q for both", out, want)
		}
	}
	var token string
	assertTokenLogin := func(want string) {
		t.Helper()
		a, err := s.Send(ctx, http.MethodGet, "whoAmI/api/xml", "alice", token, nil, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		var w whoAmI
		if a.Status != 200 || xml.Unmarshal([]byte(a.Body), &w) != nil {
			t.Fatalf("token login: status %d: %.300s", a.Status, a.Body)
		}
		sort.Strings(w.Authorities)
		if got := strings.Join(w.Authorities, ":"); got != want {
			t.Errorf("token login authorities %q, want %q", got, want)
		}
	}

	login("alice", "development", "us")
	// The login made and saved alice's record; the token is for observing impersonate2 only.
	if _, token, err = s.NewAPIToken(ctx, "alice", "basicFlow"); err != nil {
		t.Fatal(err)
	}
	assertAuthorities("alice:authenticated:development:us")
	assertTokenLogin("alice:authenticated:development:us")

	// change should be reflected right away
	login("alice", "development", "uk")
	assertAuthorities("alice:authenticated:development:uk")
	assertTokenLogin("alice:authenticated:development:uk")

	// if already receiving the authenticated group, we should avoid duplicate
	login("alice", "authenticated", "development", "uk")
	assertAuthorities("alice:authenticated:development:uk")
	assertTokenLogin("alice:authenticated:development:uk")
}
