package jenkinssim

import (
	"strings"
	"testing"
)

// A directory account that is disabled, locked or expired: the ldap plugin's lookup
// (loadUserByUsername2) throws Spring's AccountStatusException subclass for it (ldap plugin
// LDAPSecurityRealm.java:1320-1323 and 1234-1235, UserAttributesHelper.java), Jenkins refuses
// the user's API tokens (BasicHeaderApiTokenAuthenticator catches only
// UsernameNotFoundException: a 500) and the realm refuses the password (401). A directory that
// fails to answer makes the lookup throw an outage exception, never UsernameNotFoundException.
func TestRealmAccountStatuses(t *testing.T) {
	ctx := testCtx(t)
	id := uniqueID(t, "leaver")
	createUser(t, shared, id, "pw")
	_, token := newToken(t, shared, id, "ci")
	mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", id, token, nil, nil), 200)

	lookup := `try {
    print Jenkins.get().getSecurityRealm().loadUserByUsername2(params.id).username
} catch (Exception e) {
    def names = []
    for (def k = e.getClass(); k != null; k = k.getSuperclass()) { names.add(k.getName()) }
    print names.join(' ') + ': ' + e.getMessage()
}`
	for _, c := range []struct{ status, class, base, message string }{
		{"disabled", "org.springframework.security.authentication.DisabledException", "org.springframework.security.authentication.AccountStatusException", "is administratively disabled."},
		{"locked", "org.springframework.security.authentication.LockedException", "org.springframework.security.authentication.AccountStatusException", "is locked and must be unlocked by an administrator."},
		{"expired", "org.springframework.security.authentication.AccountExpiredException", "org.springframework.security.authentication.AccountStatusException", "is expired since"},
		{"credentials_expired", "org.springframework.security.authentication.CredentialsExpiredException", "org.springframework.security.authentication.AccountStatusException", "has expired credentials."},
		{"unavailable", "org.springframework.security.authentication.AuthenticationServiceException", "org.springframework.security.core.AuthenticationException", "Failed to search LDAP for"},
		{"data_access_failure", "org.springframework.dao.DataAccessResourceFailureException", "org.springframework.dao.DataAccessException", "Failed to search"},
	} {
		if err := shared.SetRealmAccount(ctx, id, c.status); err != nil {
			t.Fatal(err)
		}
		out := script(t, shared, lookup, map[string]string{"id": id})
		if !strings.HasPrefix(out, c.class+" ") || !strings.Contains(out, c.base) || !strings.Contains(out, c.message) ||
			strings.Contains(out, "UsernameNotFoundException") {
			t.Errorf("%s: the lookup answered %q, want %s (a %s, not a UsernameNotFoundException) saying %q", c.status, out, c.class, c.base, c.message)
		}
		if r := call(t, shared, "GET", "whoAmI/api/json", id, token, nil, nil); r.Status != 500 {
			t.Errorf("%s: a token login answered %d, want 500 (Jenkins refuses the token)", c.status, r.Status)
		}
		if strings.HasSuffix(c.base, "AccountStatusException") {
			if r := call(t, shared, "GET", "whoAmI/api/json", id, "pw", nil, nil); r.Status != 401 {
				t.Errorf("%s: a password login answered %d, want 401", c.status, r.Status)
			}
		}
	}

	// The directory's state outlives a Jenkins restart.
	if err := shared.SetRealmAccount(ctx, id, "disabled"); err != nil {
		t.Fatal(err)
	}
	if err := shared.Restart(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if err := shared.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", id, token, nil, nil), 500)

	// Re-enabled: the token logs in again.
	if err := shared.SetRealmAccount(ctx, id, "active"); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", id, token, nil, nil), 200)
	mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", id, "pw", nil, nil), 200)

	for _, body := range []map[string]any{{}, {"id": id}, {"id": id, "status": "gone"}, {"status": "disabled"}} {
		err := shared.client.control(ctx, "POST", "realm-accounts", body, nil)
		if err == nil || !strings.Contains(err.Error(), "400") {
			t.Errorf("POST /__sim/realm-accounts %v: want a 400, got %v", body, err)
		}
	}
}

// With -Dhudson.model.User.allowNonExistentUserToLogin=true, the API tokens of a user the realm
// does not know log in with only "authenticated" (User.getUserDetailsForImpersonation2,
// User.java:461-470: LegitimateButUnknownUserDetails); without it, the same login is a 500. A
// disabled account stays refused: the property covers UsernameNotFoundException only.
func TestAllowNonExistentUserToLogin(t *testing.T) {
	s := startOwn(t, Options{SystemProperties: map[string]string{"hudson.model.User.allowNonExistentUserToLogin": "true"}})
	ctx := testCtx(t)
	ghost := "automation"
	token := script(t, s, `print User.getById(params.id, true).getProperty(jenkins.security.ApiTokenProperty).generateNewToken('x').plainValue`, map[string]string{"id": ghost})
	r := call(t, s, "GET", "whoAmI/api/json", ghost, token, nil, nil)
	mustStatus(t, r, 200)
	if m := r.json(t); m["name"] != ghost {
		t.Fatalf("whoAmI: %v", m)
	}
	if out := script(t, s, `print hudson.model.User.ALLOW_NON_EXISTENT_USER_TO_LOGIN`, nil); out != "true" {
		t.Fatalf("User.ALLOW_NON_EXISTENT_USER_TO_LOGIN = %q", out)
	}
	if err := s.AddRealmUsers(ctx, ghost); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRealmAccount(ctx, ghost, "disabled"); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, call(t, s, "GET", "whoAmI/api/json", ghost, token, nil, nil), 500)
}

// A realm that respells: the ldap plugin with forceUsernameLowercase looks up and answers the
// name lower-cased, and its updateUserDetails makes the user record under that spelling
// (LDAPSecurityRealm.java 759-761, 776, 888-890, 1272; the record: --realm-directory ldap). Under a case-sensitive id strategy, "Rita" is then Jenkins's user
// "rita"; no record "Rita" is ever made, and a token of rita logs in as rita only.
func TestRealmThatRespellsNames(t *testing.T) {
	if _, err := Start(testCtx(t), Options{RealmRespell: "uppercase"}); err == nil || !strings.Contains(err.Error(), "want none or lowercase") {
		t.Errorf("RealmRespell uppercase: want an error naming the choices, got %v", err)
	}
	s := startOwn(t, Options{IDStrategy: "case-sensitive", RealmRespell: "lowercase", RealmDirectory: "ldap"})
	if err := s.AddRealmUsers(testCtx(t), "rita"); err != nil {
		t.Fatal(err)
	}
	out := script(t, s, `def before = [User.getById('rita', false) != null, User.getById('Rita', false) != null]
def d = Jenkins.get().getSecurityRealm().loadUserByUsername2(params.id)
print([before, d.username, User.getById('rita', false)?.id, User.getById('Rita', false)?.id].toString())`, map[string]string{"id": "Rita"})
	if out != "[[false, false], rita, rita, null]" {
		t.Fatalf("lookup of Rita: want the answer rita and a record rita only, got %s", out)
	}
	_, token := newToken(t, s, "rita", "ci")
	mustStatus(t, call(t, s, "GET", "whoAmI/api/json", "rita", token, nil, nil), 200)
	mustStatus(t, call(t, s, "GET", "whoAmI/api/json", "Rita", token, nil, nil), 401)
}
