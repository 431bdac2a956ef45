package provider

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// TestCreateTokenUnansweredAndNotFoundSaysWhatMayBeLeft: a create whose request Jenkins read but
// ran only after the client gave up (held in the simulator, as a script queued on a busy
// controller) is not found by either look of the settlement; the error names the token that may
// be left instead of claiming there is none, and the token does appear afterwards.
func TestCreateTokenUnansweredAndNotFoundSaysWhatMayBeLeft(t *testing.T) {
	target := acctest.Shared(t)
	sim := target.RequireSim(t)
	ctx := context.Background()
	client, err := jenkins.New(jenkins.Config{BaseURL: target.URL, Username: target.Username, Password: target.Password,
		MaxRetries: 0, RequestTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	d := &providerData{client: client, reader: newTokenReader(client, 0), now: time.Now}
	// The client's first script call reads the version; make it now, so that the fault holds the create.
	if _, err := d.client.ServerInfo(ctx); err != nil {
		t.Fatal(err)
	}
	ivo := acctest.UniqueID("ivo")
	target.CreateUser(t, ivo, "pw")
	// Held past the client's timeout (1 s) and both looks (the second 3 s after the first).
	held := time.Second + secondLookDelay + 3*time.Second
	if err := sim.SetFault(ctx, jenkinssim.Fault{Path: "/scriptText", Mode: "hold", Count: 1, DelayMS: int(held.Milliseconds())}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.ClearFaults(context.Background()) })
	start := time.Now()
	_, _, err = d.createToken(ctx, newToken{userID: ivo, name: "held"})
	if err == nil {
		t.Fatal("the held create succeeded; want an error after the client's timeout")
	}
	if time.Since(start) >= held {
		t.Fatalf("the create ended after %s, after the held request ran: the fault did not outlast the settlement", time.Since(start))
	}
	want := regexp.MustCompile(`(?s)held no token.*twice.*can add it later.*a token named "held" of user "` + regexp.QuoteMeta(ivo) +
		`" may exist that no state holds.*jenkins_user_token_cleanup`)
	if !want.MatchString(err.Error()) {
		t.Errorf("the error does not say what may be left:\n%v", err)
	}
	// What the error warns about happens: the held script runs and adds the token.
	deadline := time.Now().Add(held + 10*time.Second)
	for len(target.TokenNames(t, ivo)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the held create never added its token; the simulator does not show the case the error warns about")
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// createTestData is the provider's data for one simulator with the given retries and a client
// that has not talked to Jenkins yet (it knows neither Jenkins's version nor its clock). It logs
// in with an API token, which needs no crumb: its first script call is the first POST.
func createTestData(t *testing.T, target *acctest.Target, retries int) *providerData {
	t.Helper()
	login := target.NewToken(t, target.Username, "test client")
	client, err := jenkins.New(jenkins.Config{BaseURL: target.URL, Username: target.Username, Password: login.Value, MaxRetries: retries})
	if err != nil {
		t.Fatal(err)
	}
	return &providerData{client: client, reader: newTokenReader(client, 0), now: time.Now}
}

// TestCreateTokenBoundByJenkinsClock: two workspaces given one token_wo value (and one token
// name), and one lost answer. The first workspace's token existed before the second's create was
// sent, so the second's retry must not adopt it (it would later revoke it as its own), and its
// settlement must not revoke it (and claim to have made it). A token the create itself made
// is still adopted by the retry, exactly once, whether or not the client knew Jenkins's clock
// before (one server_info call when it did not).
func TestCreateTokenBoundByJenkinsClock(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{})
	ctx := context.Background()
	target.CreateUser(t, "wes", "pw")
	drop := func(t *testing.T, skip int) {
		t.Helper()
		if err := target.Sim.SetFault(ctx, jenkinssim.Fault{Path: "/scriptText", Mode: "drop_response", Skip: skip, Count: 1}); err != nil {
			t.Fatal(err)
		}
		// The answer the subtest means to lose was lost: the fault is used up at its end.
		t.Cleanup(func() { faultsUsedUp(t, target) })
	}
	t.Cleanup(func() { _ = target.Sim.ClearFaults(ctx) })

	// The other workspace's token, made before this workspace's create.
	other := target.NewToken(t, "wes", "shared")
	time.Sleep(20 * time.Millisecond)

	t.Run("retry does not adopt another's token", func(t *testing.T) {
		d := createTestData(t, target, 2)
		drop(t, 1) // server_info passes; the create's first answer (valueInUse) is lost
		tok, _, err := d.createToken(ctx, newToken{userID: "wes", name: "shared", value: other.Value})
		var inUse *jenkins.TokenValueInUseError
		if !errors.As(err, &inUse) || inUse.UUID != other.UUID {
			t.Fatalf("retried create with another workspace's value: got token %q, %v; want the value reported in use by %s", tok.UUID, err, other.UUID)
		}
	})
	t.Run("settlement does not revoke another's token", func(t *testing.T) {
		d := createTestData(t, target, 0)
		drop(t, 1) // no retry: the lost answer is settled
		_, _, err := d.createToken(ctx, newToken{userID: "wes", name: "shared", value: other.Value})
		if err == nil || strings.Contains(err.Error(), "revoked again") || !strings.Contains(err.Error(), "held no token") {
			t.Fatalf("settling a create whose value another workspace's token holds: got %v, want nothing revoked", err)
		}
	})
	if code := whoAmIStatus(target.URL, "wes", other.Value); code != http.StatusOK {
		t.Fatalf("the other workspace's token answers HTTP %d, want 200: it was adopted or revoked", code)
	}
	if names := target.TokenNames(t, "wes"); len(names) != 1 {
		t.Fatalf("wes holds %v, want only the other workspace's token", names)
	}

	for _, known := range []bool{false, true} {
		name := map[bool]string{false: "own, clock unknown", true: "own, clock known"}[known]
		t.Run(name, func(t *testing.T) {
			d := createTestData(t, target, 2)
			skip := 1 // the server_info call that reads Jenkins's clock
			if known {
				if _, err := d.client.ServerInfo(ctx); err != nil {
					t.Fatal(err)
				}
				skip = 0
			}
			value := newValue(t)
			drop(t, skip)
			tok, _, err := d.createToken(ctx, newToken{userID: "wes", name: name, value: value})
			if err != nil {
				t.Fatalf("a retried create of its own token: %v", err)
			}
			n := 0
			for uuid, nm := range target.TokenNames(t, "wes") {
				if nm == name {
					n++
					if uuid != tok.UUID {
						t.Errorf("the token in Jenkins (%s) is not the one the create returned (%s)", uuid, tok.UUID)
					}
				}
			}
			if n != 1 {
				t.Errorf("wes holds %d tokens named %q after a retried create, want 1", n, name)
			}
			if code := whoAmIStatus(target.URL, "wes", value); code != http.StatusOK {
				t.Errorf("the adopted token answers HTTP %d, want 200", code)
			}
		})
	}
}

// TestCreateTokenSettlesUnderTheRealmsSpelling: on a realm that respells names, a create for
// "Rita" makes Jenkins's user "rita"; when its answer is lost, the settlement finds the user as
// the create did, and revokes the token there.
func TestCreateTokenSettlesUnderTheRealmsSpelling(t *testing.T) {
	target := respellingSim(t)
	ctx := context.Background()
	d := createTestData(t, target, 0)
	if _, err := d.client.ServerInfo(ctx); err != nil {
		t.Fatal(err)
	}
	if err := target.Sim.SetFault(ctx, jenkinssim.Fault{Path: "/scriptText", Mode: "drop_response", Count: 1}); err != nil {
		t.Fatal(err)
	}
	_, _, err := d.createToken(ctx, newToken{userID: "Rita", name: "dropped"})
	if err == nil || !strings.Contains(err.Error(), "revoked again") {
		t.Fatalf("create with a dropped answer: got %v, want an error saying the token was revoked again", err)
	}
	if names := target.TokenNames(t, "rita"); len(names) != 0 {
		t.Errorf("rita holds %v after the settled create, want no token", names)
	}
}

// faultsUsedUp fails the test when a fault rule is left: the request it was meant for never came.
func faultsUsedUp(t *testing.T, target *acctest.Target) {
	t.Helper()
	resp, err := http.Get(target.Sim.RootURL + "__sim/faults")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Faults []map[string]any `json:"faults"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if len(out.Faults) != 0 {
		t.Errorf("fault rules left unused: %v", out.Faults)
	}
}
