package jenkins

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDirectoryRealmWritesAtListings counts the saves of user records that a listing of users
// causes on a directory realm (the simulator's --realm-directory modes, after the ldap and
// active-directory plugins). A listing itself writes nothing; with check_realm it asks the
// realm's public lookup, at which the ldap plugin saves each user once (the first lookup of a
// user with a mail address makes that address explicit) and the active-directory plugin saves
// every user at every listing when the directory holds no mail address. The figures are what
// the docs quote ("Directory lookups"). JENKINS_DIRECTORY_USERS=1000 measures a bigger
// controller (the default keeps the test short).
func TestDirectoryRealmWritesAtListings(t *testing.T) {
	s := needSim(t)
	ctx := context.Background()
	n := 40
	if v := os.Getenv("JENKINS_DIRECTORY_USERS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			t.Fatalf("JENKINS_DIRECTORY_USERS=%q: want a positive number", v)
		}
	}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("dir%05d", i)
	}
	if err := s.AddRealmUsers(ctx, ids...); err != nil {
		t.Fatal(err)
	}
	// Directory users who logged in once: a record each, no mail address yet.
	if out, err := s.ScriptArgs(ctx, `params.ids.each { User.getById(it, true).save() }; print 'ok'`, map[string]any{"ids": ids}); err != nil || out != "ok" {
		t.Fatalf("making the records: %q, %v", out, err)
	}
	t.Cleanup(func() { _ = s.SetRealmDirectory(ctx, "none", true) })
	saves := func() int {
		t.Helper()
		if err := s.SettleRealmDirectory(ctx); err != nil {
			t.Fatal(err)
		}
		st, err := s.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sum := 0
		for _, id := range ids {
			sum += st["userSave/"+id]
		}
		return sum
	}
	c := simClient(t, s, "")
	// In this order: a mail address the ldap plugin adds stays, explicit, for the modes after it.
	for _, step := range []struct {
		mode       string
		mail       bool
		checkRealm bool
		perUser    int // saves of each user's record by the listing
	}{
		{"none", true, true, 0},
		{"active-directory", false, false, 0},
		{"active-directory", false, true, 1},
		{"active-directory", false, true, 1},
		{"ldap", false, true, 0},
		{"ldap", true, false, 0},
		{"ldap", true, true, 1},
		{"ldap", true, true, 0},
		{"active-directory", true, true, 0},
	} {
		if err := s.SetRealmDirectory(ctx, step.mode, step.mail); err != nil {
			t.Fatal(err)
		}
		before := saves()
		start := time.Now()
		l, err := c.ListUsers(ctx, step.checkRealm)
		if err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		got := saves() - before
		t.Logf("%s, mail %v, check_realm %v: a listing of %d users saved %d user records (%s)", step.mode, step.mail, step.checkRealm, n, got, took.Round(time.Millisecond))
		if got != step.perUser*n {
			t.Errorf("%s, mail %v, check_realm %v: the listing saved %d user records, want %d", step.mode, step.mail, step.checkRealm, got, step.perUser*n)
		}
		listed := 0
		for _, u := range l.Users {
			if strings.HasPrefix(u.ID, "dir") {
				listed++
			}
		}
		if listed != n {
			t.Errorf("%s: listed %d of the %d users", step.mode, listed, n)
		}
	}
}
