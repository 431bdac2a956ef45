package jenkins

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// TestWriteTokensIsolatesFailures: one batch of creates, renames and revocations, some of
// which Jenkins refuses (an unknown user, a token gone, a value in use, a date in the past),
// costs one script call; each write gets the outcome its single call would have, and the others
// apply.
func TestWriteTokensIsolatesFailures(t *testing.T) {
	s := needSim(t)
	ctx := context.Background()
	c := simClient(t, s, "")
	mustCreateUser(t, s, "wanda", "wes")
	if _, err := c.ServerInfo(ctx); err != nil { // the crumb's session, not the batch's
		t.Fatal(err)
	}
	old, oldValue, err := s.NewAPIToken(ctx, "wes", "old")
	if err != nil {
		t.Fatal(err)
	}
	kept, _, err := s.NewAPIToken(ctx, "wes", "kept")
	if err != nil {
		t.Fatal(err)
	}
	now, err := c.JenkinsNow(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v1, v2 := newValue(t), newValue(t)
	writes := []TokenWrite{
		{Create: &CreateTokenInput{UserID: "wanda", Name: "a", Value: v1}},
		{Create: &CreateTokenInput{UserID: "nobody-here", Name: "b", Value: newValue(t)}},
		{Create: &CreateTokenInput{UserID: "wanda", Name: "c", Value: v2, ExpirationDate: "2001-01-01"}},
		{Create: &CreateTokenInput{UserID: "wes", Name: "d", Value: oldValue, CallerValue: true, NotBefore: now}},
		{Rename: &TokenRename{UserID: "wes", UUID: kept, Name: "renamed"}},
		{Rename: &TokenRename{UserID: "wes", UUID: "00000000-0000-0000-0000-000000000000", Name: "x"}},
		{Revoke: &TokenRef{UserID: "wes", UUID: old}},
		{Revoke: &TokenRef{UserID: "wes", UUID: old}}, // gone by then: success
		{Create: &CreateTokenInput{UserID: "wanda", Name: "bad", Value: "11nothex"}},
	}
	if err := s.ResetStats(ctx); err != nil {
		t.Fatal(err)
	}
	res := c.WriteTokens(ctx, writes)
	if n := scriptCalls(t, s); n != 1 {
		t.Errorf("%d script calls for one batch, want 1", n)
	}
	var notFound *UserNotFoundError
	var past *ExpirationInPastError
	var inUse *TokenValueInUseError
	var tokenGone *TokenNotFoundError
	var invalid *InvalidInputError
	checks := []struct {
		ok   bool
		what string
	}{
		{res[0].Err == nil && res[0].Token.Name == "a" && res[0].Token.UserID == "wanda", "create"},
		{errors.As(res[1].Err, &notFound) && notFound.UserIDs[0] == "nobody-here", "create for an unknown user"},
		{errors.As(res[2].Err, &past) && past.Date == "2001-01-01", "create with a date in the past"},
		{errors.As(res[3].Err, &inUse) && inUse.UUID == old, "create with a value in use"},
		{res[4].Err == nil && res[4].Token.Name == "renamed" && res[4].Token.UUID == kept, "rename"},
		{errors.As(res[5].Err, &tokenGone), "rename of a token gone"},
		{res[6].Err == nil && res[6].Revoked.UUID == old, "revoke"},
		{res[7].Err == nil && !res[7].Revoked.Revoked() && res[7].Revoked.UserFound, "revoke of a token gone"},
		{errors.As(res[8].Err, &invalid), "a value Jenkins would refuse, refused before sending"},
	}
	for i, ch := range checks {
		if !ch.ok {
			t.Errorf("write %d (%s): %+v", i, ch.what, res[i])
		}
	}
	names := map[string]bool{}
	for _, tok := range tokensOf(t, c, "wanda") {
		names[tok.Name] = true
	}
	for _, tok := range tokensOf(t, c, "wes") {
		names[tok.Name] = true
	}
	if len(names) != 2 || !names["a"] || !names["renamed"] {
		t.Errorf("tokens after the batch: %v, want a and renamed", names)
	}
}

// TestWriteTokensContinuesAcrossCalls: with a budget so small that each call does one write,
// the batch goes on from where each call stopped; a call whose answer is lost is sent again
// as a retry, and the create it ran is found, not made twice.
func TestWriteTokensContinuesAcrossCalls(t *testing.T) {
	s := needSim(t)
	ctx := context.Background()
	c := simClient(t, s, "")
	c.scriptBudget = time.Nanosecond
	mustCreateUser(t, s, "wally")
	if _, err := c.ServerInfo(ctx); err != nil {
		t.Fatal(err)
	}
	now, err := c.JenkinsNow(ctx)
	if err != nil {
		t.Fatal(err)
	}
	writes := []TokenWrite{
		{Create: &CreateTokenInput{UserID: "wally", Name: "one", Value: newValue(t)}},
		// A value from a configuration: taken for the create's own on a retry only.
		{Create: &CreateTokenInput{UserID: "wally", Name: "two", Value: newValue(t), CallerValue: true, NotBefore: now}},
		{Create: &CreateTokenInput{UserID: "wally", Name: "three", Value: newValue(t)}},
	}
	if err := s.ResetStats(ctx); err != nil {
		t.Fatal(err)
	}
	res := c.WriteTokens(ctx, writes)
	if n := scriptCalls(t, s); n != 3 {
		t.Errorf("%d script calls with a budget of one write per call, want 3", n)
	}
	for i, r := range res {
		if r.Err != nil {
			t.Errorf("write %d: %v", i, r.Err)
		}
	}

	// The second call's answer is lost (Jenkins ran it): sent again, as a retry.
	writes = []TokenWrite{
		{Create: &CreateTokenInput{UserID: "wally", Name: "four", Value: newValue(t)}},
		{Create: &CreateTokenInput{UserID: "wally", Name: "five", Value: newValue(t), CallerValue: true, NotBefore: now}},
		{Rename: &TokenRename{UserID: "wally", UUID: res[0].Token.UUID, Name: "one-renamed"}},
	}
	if err := s.SetFault(ctx, jenkinssim.Fault{Path: "/scriptText", Mode: "drop_response", Count: 1, Skip: 1}); err != nil {
		t.Fatal(err)
	}
	res = c.WriteTokens(ctx, writes)
	for i, r := range res {
		if r.Err != nil {
			t.Errorf("write %d after a lost answer: %v", i, r.Err)
		}
	}
	count := map[string]int{}
	for _, tok := range tokensOf(t, c, "wally") {
		count[tok.Name]++
	}
	want := map[string]int{"one-renamed": 1, "two": 1, "three": 1, "four": 1, "five": 1}
	if len(count) != len(want) {
		t.Errorf("tokens: %v, want %v", count, want)
	}
	for name, n := range want {
		if count[name] != n {
			t.Errorf("tokens: %v, want %v", count, want)
			break
		}
	}
}
