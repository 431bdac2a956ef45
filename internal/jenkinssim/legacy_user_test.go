package jenkinssim

import (
	"strings"
	"testing"
)

// A user whose record an older Jenkins wrote (legacy seed, no token store) gets a new legacy
// token UUID and empty statistics at every start, until the user is saved; its legacy token
// keeps logging in throughout (ApiTokenProperty.setUser, regenerateTokenFromLegacyIfRequired).
func TestLegacyUserUUIDChangesAtEveryStartUntilSaved(t *testing.T) {
	s := startOwn(t, Options{})
	ctx := testCtx(t)
	uuid1, token, err := s.LegacyUser(ctx, "old-timer", "pw")
	if err != nil {
		t.Fatal(err)
	}
	if uuid1 == "" || len(token) != 32 {
		t.Fatalf("LegacyUser answered uuid %q and a token of %d chars", uuid1, len(token))
	}
	mustStatus(t, call(t, s, "GET", "whoAmI/api/json", "old-timer", token, nil, nil), 200)
	if got := listTokens(t, s, "old-timer")[uuid1]; got == nil || got["uses"] != float64(1) {
		t.Fatalf("after one login the legacy token %s should show 1 use, got %v", uuid1, got)
	}

	restart := func() {
		t.Helper()
		if err := s.Restart(ctx, 0); err != nil {
			t.Fatal(err)
		}
		if err := s.WaitReady(ctx); err != nil {
			t.Fatal(err)
		}
	}
	restart()
	tokens := listTokens(t, s, "old-timer")
	if len(tokens) != 1 || tokens[uuid1] != nil {
		t.Fatalf("after a restart the legacy token should have a new UUID, got %v", tokens)
	}
	var uuid2 string
	for u, tok := range tokens {
		uuid2 = u
		if tok["legacy"] != true || tok["uses"] != float64(0) {
			t.Fatalf("rebuilt legacy token: want legacy and no uses, got %v", tok)
		}
	}
	mustStatus(t, call(t, s, "GET", "whoAmI/api/json", "old-timer", token, nil, nil), 200)

	// Saving the user persists the token store: the UUID is stable from then on.
	script(t, s, `User.getById("old-timer", false).save()`, nil)
	restart()
	if tokens := listTokens(t, s, "old-timer"); tokens[uuid2] == nil || len(tokens) != 1 {
		t.Fatalf("after a save and a restart the legacy token should keep UUID %s, got %v", uuid2, tokens)
	}
}

func TestLegacyUserBadInput(t *testing.T) {
	ctx := testCtx(t)
	for _, body := range []map[string]any{{}, {"id": ""}, {"id": 3}, {"id": "x", "password": 5}} {
		err := shared.client.control(ctx, "POST", "legacy-user", body, nil)
		if err == nil || !strings.Contains(err.Error(), "400") {
			t.Errorf("POST /__sim/legacy-user %v: want a 400, got %v", body, err)
		}
	}
}
