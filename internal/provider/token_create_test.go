package provider

import (
	"context"
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
