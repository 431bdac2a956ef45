package jenkinssim

import (
	"strings"
	"testing"
)

// A directory realm writes user records at its lookups: the ldap plugin's updateUserDetails
// (LDAPSecurityRealm.java:768-810) on the request thread, the active-directory plugin's
// updateUserInfo (ActiveDirectoryUserDetail.java:195-212) on its thread pool at every lookup its
// cache does not answer. Each adds a Mailer.UserProperty unless the user has an explicitly
// configured address, and addProperty saves config.xml; User.get(id, true) first makes a record
// for an id Jenkins had none of. Token logins do not go through the realm's public lookup.
func TestRealmDirectoryWrites(t *testing.T) {
	ctx := testCtx(t)
	t.Cleanup(func() { _ = shared.SetRealmDirectory(ctx, "none", true) })
	lookup := `def d = Jenkins.get().getSecurityRealm().loadUserByUsername2(params.id)
def u = User.getById(params.id, false)
def m = u?.getProperty(hudson.tasks.Mailer.UserProperty)
print([u != null, u?.getUserFolder() != null, u?.getFullName(), m?.getAddress()].join(' '))`
	// saves counts the saves of one user's record: the admin's token logins, which run the
	// scripts, write too in the active-directory mode.
	saves := func(id string) int {
		t.Helper()
		if err := shared.SettleRealmDirectory(ctx); err != nil {
			t.Fatal(err)
		}
		st, err := shared.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st["userSave/"+strings.ToLower(id)]
	}
	for _, c := range []struct {
		mode  string
		mail  bool
		first string // what the first lookup of a directory user without a record leaves
		saves []int  // saves made by each of three lookups
	}{
		{"none", true, "false false null null", []int{0, 0, 0}},
		{"ldap", true, "true true Directory %s %s@example.com", []int{1, 0, 0}},
		{"ldap", false, "true false Directory %s null", []int{0, 0, 0}},
		{"active-directory", true, "true true Directory %s %s@example.com", []int{1, 0, 0}},
		{"active-directory", false, "true true Directory %s null", []int{1, 1, 1}},
	} {
		id := uniqueID(t, "dir")
		if err := shared.AddRealmUsers(ctx, id); err != nil {
			t.Fatal(err)
		}
		if err := shared.SetRealmDirectory(ctx, c.mode, c.mail); err != nil {
			t.Fatal(err)
		}
		want := strings.ReplaceAll(c.first, "%s", id)
		for i, wantSaves := range c.saves {
			before := saves(id)
			out := script(t, shared, lookup, map[string]string{"id": id})
			if got := saves(id) - before; got != wantSaves {
				t.Errorf("%s, mail %v: lookup %d saved the user %d times, want %d", c.mode, c.mail, i+1, got, wantSaves)
			}
			if i == 0 && c.mode != "active-directory" && out != want {
				t.Errorf("%s, mail %v: after the first lookup: %q, want %q", c.mode, c.mail, out, want)
			}
		}
		// The background update has run by now: the record is what the plugin left.
		if c.mode == "active-directory" {
			if out := script(t, shared, lookup, map[string]string{"id": id}); out != want {
				t.Errorf("%s, mail %v: after the lookups: %q, want %q", c.mode, c.mail, out, want)
			}
		}
	}

	// A token login asks the realm's user details service (User.getUserDetailsForImpersonation2):
	// Active Directory's is its public lookup, so every token login writes without a mail
	// address; the ldap plugin's writes only with its user cache, which is not modelled.
	for _, c := range []struct {
		mode  string
		saves int
	}{{"active-directory", 1}, {"ldap", 0}} {
		if err := shared.SetRealmDirectory(ctx, c.mode, false); err != nil {
			t.Fatal(err)
		}
		id := uniqueID(t, "dirtoken")
		createUser(t, shared, id, "pw")
		_, token := newToken(t, shared, id, "ci")
		before := saves(id)
		mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", id, token, nil, nil), 200)
		if got := saves(id) - before; got != c.saves {
			t.Errorf("%s: a token login saved the user %d times, want %d", c.mode, got, c.saves)
		}
	}
	if err := shared.SetRealmDirectory(ctx, "sideways", true); err == nil || !strings.Contains(err.Error(), "400") {
		t.Errorf("an unknown mode: %v, want a 400", err)
	}
}
