package jenkins

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// walkFixture makes n users with a token each and returns their ids and token refs.
func walkFixture(t *testing.T, s *jenkinssim.Sim, n int) ([]string, []TokenRef) {
	t.Helper()
	ids := make([]string, n)
	var refs []TokenRef
	for i := range ids {
		ids[i] = fmt.Sprintf("walker%02d", i)
	}
	mustCreateUser(t, s, ids...)
	for _, id := range ids {
		uuid, _, err := s.NewAPIToken(context.Background(), id, "ci")
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, TokenRef{UserID: id, UUID: uuid, Name: "ci"})
	}
	return ids, refs
}

// scriptCalls counts the script-console calls since the last reset of the simulator's counts.
func scriptCalls(t *testing.T, s *jenkinssim.Sim) int {
	t.Helper()
	st, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st["scriptText"]
}

// TestWalksContinueFromTheirCursor: with a time budget so small that each call does one user,
// listings and revocations continue from where each call stopped, one call per user, and give
// exactly what one unbounded call gives; each token is revoked once.
func TestWalksContinueFromTheirCursor(t *testing.T) {
	s := needSim(t)
	ctx := context.Background()
	const n = 12
	_, refs := walkFixture(t, s, n)
	whole := simClient(t, s, "")
	step := simClient(t, s, "")
	step.scriptBudget = time.Nanosecond
	// A client's first script call costs one more (the crumb's session): not a walk's.
	if _, err := step.ServerInfo(ctx); err != nil {
		t.Fatal(err)
	}

	wantUsers, err := whole.ListUsers(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	// Exclusions the realm does not know either are asked about one per call too.
	excluded := []string{"ghost1", "walker03", "ghost2", "ghost3"}
	wantTokens, err := whole.ListTokensWithFacts(ctx, nil, excluded, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ResetStats(ctx); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	lctx := tflogtest.RootLogger(ctx, &logs)
	gotUsers, err := step.ListUsers(lctx, true)
	if err != nil {
		t.Fatal(err)
	}
	users := len(wantUsers.Users) // the admin and the walkers
	if calls := scriptCalls(t, s); calls != users {
		t.Errorf("the stepwise listing of %d users took %d script calls, want one per user", users, calls)
	}
	if !reflect.DeepEqual(gotUsers.Users, wantUsers.Users) {
		t.Errorf("stepwise listing:\n%+v\nwant, as one call:\n%+v", gotUsers.Users, wantUsers.Users)
	}
	if err := s.ResetStats(ctx); err != nil {
		t.Fatal(err)
	}
	gotTokens, err := step.ListTokensWithFacts(lctx, nil, excluded, true)
	if err != nil {
		t.Fatal(err)
	}
	// One lookup of an exclusion per call (the last one's call also does the first user), then one
	// user per call: the exclusions' lookups spend the budget too.
	if calls := scriptCalls(t, s); calls != users+2 {
		t.Errorf("the stepwise token listing took %d script calls, want %d (3 exclusion lookups and %d users, one per call)", calls, users+2, users)
	}
	if want := []string{"ghost1", "ghost2", "ghost3"}; !reflect.DeepEqual(gotTokens.UnknownExcluded, want) ||
		!reflect.DeepEqual(wantTokens.UnknownExcluded, want) {
		t.Errorf("unknown exclusions: stepwise %v, as one call %v, want %v", gotTokens.UnknownExcluded, wantTokens.UnknownExcluded, want)
	}
	if !reflect.DeepEqual(gotTokens.Tokens, wantTokens.Tokens) || !reflect.DeepEqual(gotTokens.Facts, wantTokens.Facts) {
		t.Errorf("stepwise token listing:\n%+v\nwant, as one call:\n%+v", gotTokens, wantTokens)
	}
	for _, tok := range gotTokens.Tokens {
		if tok.UserID == "walker03" {
			t.Errorf("the excluded walker03's token was listed: %+v", tok)
		}
	}
	if len(gotTokens.Tokens) != n { // the admin's helper token, and every walker's but walker03's
		t.Errorf("stepwise token listing: %d tokens, want %d", len(gotTokens.Tokens), n)
	}

	if err := s.ResetStats(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := step.RevokeTokens(lctx, refs)
	if err != nil {
		t.Fatal(err)
	}
	if calls := scriptCalls(t, s); calls != n {
		t.Errorf("revoking %d tokens stepwise took %d script calls, want %d", n, calls, n)
	}
	for i, r := range res {
		if !r.Revoked() || r.AfterLostAnswer || r.RequestedUUID != refs[i].UUID {
			t.Errorf("result %d: %+v, want %s revoked by its call", i, r, refs[i].UUID)
		}
	}
	left, err := whole.ListTokensOf(ctx, []string{"walker00", "walker11"})
	if err != nil || len(left.Tokens) != 0 {
		t.Errorf("tokens left after the revocation: %+v, %v", left.Tokens, err)
	}

	entries, err := tflogtest.MultilineJSONDecode(&logs)
	if err != nil {
		t.Fatal(err)
	}
	progress := map[string]int{}
	for _, e := range entries {
		if e["@level"] == "info" && (e["@message"] == "Working through Jenkins users" || e["@message"] == "Done with Jenkins users" ||
			e["@message"] == "Done with Jenkins token revocations") {
			progress[e["@message"].(string)]++
		}
	}
	if progress["Working through Jenkins users"] != users-1 || progress["Done with Jenkins users"] != 1 ||
		progress["Done with Jenkins token revocations"] != 1 {
		t.Errorf("INFO progress lines: %v, want %d while listing users and one at the end of each walk", progress, users-1)
	}
}

// TestWalkCutOffContinues: a call whose answer is lost after Jenkins ran it (a proxy timing out,
// a connection cut) is sent again from the same position: a listing still gives every user
// once, and a revocation revokes each token once and reports the one the lost call revoked as
// revoked by this run.
func TestWalkCutOffContinues(t *testing.T) {
	s := needSim(t)
	ctx := context.Background()
	const n = 6
	_, refs := walkFixture(t, s, n)
	c := simClient(t, s, "")
	c.scriptBudget = time.Nanosecond

	if err := s.SetFault(ctx, jenkinssim.Fault{Path: "/scriptText", Mode: "drop_response", Count: 1}); err != nil {
		t.Fatal(err)
	}
	l, err := c.ListUsers(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, u := range l.Users {
		seen[u.ID]++
	}
	if len(l.Users) != n+1 || seen["walker00"] != 1 {
		t.Errorf("listing after a lost answer: %d users %v, want each of %d once", len(l.Users), seen, n+1)
	}

	if err := s.SetFault(ctx, jenkinssim.Fault{Path: "/scriptText", Mode: "drop_response", Count: 1}); err != nil {
		t.Fatal(err)
	}
	res, err := c.RevokeTokens(ctx, refs)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != n {
		t.Fatalf("%d results for %d tokens", len(res), n)
	}
	if !res[0].Revoked() || !res[0].AfterLostAnswer || res[0].UUID != refs[0].UUID || res[0].Name != "ci" {
		t.Errorf("the token the lost call revoked: %+v, want it reported as revoked after a lost answer", res[0])
	}
	for i, r := range res[1:] {
		if !r.Revoked() || r.AfterLostAnswer {
			t.Errorf("result %d: %+v, want revoked by its own call", i+1, r)
		}
	}
	left, err := c.ListTokensInScope(ctx, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range left.Tokens {
		if tok.Name == "ci" {
			t.Errorf("still valid after the revocation: %+v", tok)
		}
	}
}
