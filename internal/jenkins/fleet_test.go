package jenkins

import (
	"context"
	"testing"
	"time"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// TestServerInfoReportsOperationsCenter: the server facts say whether a Jenkins is a CloudBees CI
// operations center ("server"), a controller joined to one ("client") or neither, from its
// active plugins, as a script reads them from Jenkins's PluginManager.
func TestServerInfoReportsOperationsCenter(t *testing.T) {
	needSim(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	f, err := jenkinssim.StartFleet(ctx, []jenkinssim.Options{
		{Plugins: []string{"operations-center-server"}},
		{Plugins: []string{"operations-center-client", "ldap"}},
		{Plugins: []string{"ldap"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i, want := range []string{"server", "client", ""} {
		info, err := simClient(t, f.Controllers[i], "").ServerInfo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.OperationsCenter != want {
			t.Errorf("controller %d: operationsCenter %q, want %q", i, info.OperationsCenter, want)
		}
	}
}

// TestRecentListingServesAPlansReads: a plan's second read of the same users' tokens
// (WithRecentListing) takes the listing the client made moments before, without a script call;
// a read without the mark asks Jenkins; a write through the client makes the remembered
// listing stale, so the next read sees it.
func TestRecentListingServesAPlansReads(t *testing.T) {
	s := needSim(t)
	ctx := context.Background()
	mustCreateUser(t, s, "memo-bob", "memo-amy")
	uuid, _, err := s.NewAPIToken(ctx, "memo-bob", "laptop")
	if err != nil {
		t.Fatal(err)
	}
	c := simClient(t, s, "")
	calls := func() int {
		st, err := s.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st["scriptText"]
	}
	plan := WithRecentListing(ctx)
	if _, err := c.ListTokensOf(plan, []string{"memo-bob", "memo-amy"}); err != nil {
		t.Fatal(err)
	}
	before := calls()
	l, err := c.ListTokensOf(plan, []string{"memo-amy", "memo-bob"}) // the same users, in another order
	if err != nil {
		t.Fatal(err)
	}
	if n := calls() - before; n != 0 || len(l.Tokens) != 1 {
		t.Errorf("the plan's second read: %d script calls and %d tokens, want 0 calls and bob's token", n, len(l.Tokens))
	}
	if _, err := c.ListTokensOf(plan, []string{"memo-bob"}); err != nil || calls()-before != 1 {
		t.Errorf("other users: want a script call, got %d (%v)", calls()-before, err)
	}
	if _, err := c.ListTokensOf(ctx, []string{"memo-bob", "memo-amy"}); err != nil || calls()-before != 2 {
		t.Errorf("a read outside a plan: want a script call, got %d (%v)", calls()-before, err)
	}
	if _, err := c.RevokeToken(ctx, "memo-bob", uuid); err != nil {
		t.Fatal(err)
	}
	l, err = c.ListTokensOf(plan, []string{"memo-bob", "memo-amy"})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Tokens) != 0 {
		t.Errorf("after a revocation through the client the plan's read still lists %v", l.Tokens)
	}
}

// TestServerInfoOneCallForConcurrentCallers: Terraform plans ten resources at a time, and each may
// need Jenkins's facts (its date, its cluster role): the first concurrent callers share one call.
func TestServerInfoOneCallForConcurrentCallers(t *testing.T) {
	s := needSim(t)
	ctx := context.Background()
	c := simClient(t, s, "")
	if _, err := s.Stats(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.ResetStats(ctx); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 10)
	for range 10 {
		go func() {
			_, err := c.ServerInfo(ctx)
			errs <- err
		}()
	}
	for range 10 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A password login: the first script POST is refused for want of a crumb and sent again.
	if n := st["scriptText"]; n > 2 {
		t.Errorf("ten concurrent ServerInfo calls made %d script requests, want one call", n)
	}
}
