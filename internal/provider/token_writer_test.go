package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// writerTestData is the provider's data for one simulator with the given write window and client
// configuration, its client's first call (Jenkins's version) made.
func writerTestData(t *testing.T, target *acctest.Target, window time.Duration, cfg jenkins.Config) *providerData {
	t.Helper()
	login := target.NewToken(t, target.Username, acctest.UniqueID("writer-test"))
	cfg.BaseURL, cfg.Username, cfg.Password = target.URL, target.Username, login.Value
	client, err := jenkins.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.ServerInfo(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &providerData{client: client, reader: newTokenReader(client, 0), writeWindow: window, now: time.Now}
}

// concurrently runs f(i) for i in [0, n) at once, as Terraform runs its operations.
func concurrently(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(i)
		}()
	}
	wg.Wait()
}

// TestTokenWriterBatchesAndIsolatesFailures: ten creates submitted together cost one script call;
// the one for a user Jenkins does not know fails alone, with the error a single create gives.
// Ten revocations and a rename together cost one call too, one of them of a token already
// revoked by hand (success), one of a token gone (rename: not found).
func TestTokenWriterBatchesAndIsolatesFailures(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{})
	d := writerTestData(t, target, 100*time.Millisecond, jenkins.Config{})
	ctx := context.Background()
	users := []string{"wb-a", "wb-b", "wb-c"}
	for _, u := range users {
		target.CreateUser(t, u, "pw")
	}
	toks := make([]jenkins.Token, 10)
	errs := make([]error, 10)
	calls := scriptCalls(t, target, func() {
		concurrently(10, func(i int) {
			user := users[i%3]
			if i == 7 {
				user = "wb-ghost"
			}
			toks[i], _, errs[i] = d.createToken(ctx, newToken{userID: user, name: fmt.Sprintf("t%d", i)})
		})
	})
	if calls != 1 {
		t.Errorf("ten creates together: %d script calls, want 1", calls)
	}
	var notFound *jenkins.UserNotFoundError
	for i, err := range errs {
		switch {
		case i == 7 && (!errors.As(err, &notFound) || !strings.Contains(err.Error(), "wb-ghost")):
			t.Errorf("create for an unknown user: %v, want the user not found", err)
		case i != 7 && (err != nil || toks[i].UUID == ""):
			t.Errorf("create %d: %+v, %v", i, toks[i], err)
		}
	}
	if target.UserExists(t, "wb-ghost") {
		t.Error("the failed create made a user")
	}

	// One token revoked by hand first: revoking it again succeeds.
	target.Script(t, `User.getById(P.user, false).getProperty(jenkins.security.ApiTokenProperty).revokeToken(P.uuid)
emit(true)`,
		map[string]string{"user": toks[0].UserID, "uuid": toks[0].UUID}, nil)
	calls = scriptCalls(t, target, func() {
		concurrently(11, func(i int) {
			switch {
			case i == 10:
				_, errs[7] = d.renameToken(ctx, toks[1].UserID, "00000000-0000-0000-0000-000000000000", "x")
			case i != 7:
				errs[i] = d.revokeToken(ctx, toks[i].UserID, toks[i].UUID, true)
			}
		})
	})
	if calls != 1 {
		t.Errorf("ten writes together: %d script calls, want 1", calls)
	}
	for i, err := range errs {
		if i == 7 {
			if !jenkins.IsNotFound(err) {
				t.Errorf("rename of a token gone: %v, want not found", err)
			}
		} else if err != nil {
			t.Errorf("revoke %d: %v", i, err)
		}
	}
	for _, u := range users {
		if left := target.TokenNames(t, u); len(left) != 0 {
			t.Errorf("tokens of %s left: %v", u, left)
		}
	}
}

// TestTokenWriterHoldsTheUsersWriteLocks: a batch waits for the write locks of its users (the
// per-user write order), and a write whose run was interrupted before the batch was sent is left
// out: nothing of it reaches Jenkins.
func TestTokenWriterHoldsTheUsersWriteLocks(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{})
	d := writerTestData(t, target, 0, jenkins.Config{})
	target.CreateUser(t, "wl-a", "pw")
	unlock := d.writes.lock("wl-a")
	cctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	go func() {
		_, _, err := d.createToken(context.Background(), newToken{userID: "wl-a", name: "kept"})
		done <- err
	}()
	go func() {
		_, _, err := d.createToken(cctx, newToken{userID: "wl-a", name: "interrupted"})
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("a write ended while another held the user's write lock: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	if n := len(target.TokenNames(t, "wl-a")); n != 0 {
		t.Fatalf("%d tokens written while another held the user's write lock", n)
	}
	cancel()
	unlock()
	var errs []string
	for range 2 {
		if err := <-done; err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) != 1 || !strings.Contains(errs[0], "interrupted before the token was sent") {
		t.Errorf("errors: %q, want one: the interrupted create, unsent", errs)
	}
	if names := target.TokenNames(t, "wl-a"); len(names) != 1 {
		t.Errorf("tokens: %v, want only the one not interrupted", names)
	}
}

// TestTokenWriterContinuesAcrossCalls: a batch bigger than one call's time budget goes on from
// where each call stopped; every token is made once.
func TestTokenWriterContinuesAcrossCalls(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{})
	d := writerTestData(t, target, 200*time.Millisecond, jenkins.Config{ScriptTimeBudget: time.Nanosecond})
	target.CreateUser(t, "wc-a", "pw")
	errs := make([]error, 4)
	calls := scriptCalls(t, target, func() {
		concurrently(4, func(i int) {
			_, _, errs[i] = d.createToken(context.Background(), newToken{userID: "wc-a", name: fmt.Sprintf("t%d", i)})
		})
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("create %d: %v", i, err)
		}
	}
	if calls != 4 {
		t.Errorf("%d script calls for four creates at one write per call, want 4", calls)
	}
	if n := len(target.TokenNames(t, "wc-a")); n != 4 {
		t.Errorf("%d tokens, want 4", n)
	}
}

// TestTokenWriterWaitsForTheWritesItAnswered: ten writers that each start their next create a
// few milliseconds after the one before them got its answer, as Terraform starts its next
// operations one after the other, go ten to a batch: three rounds cost three script calls (four
// at most on a busy machine), where a 20 ms window after each batch split them in two.
func TestTokenWriterWaitsForTheWritesItAnswered(t *testing.T) {
	calls := roundsOfCreates(t, "ww-a", 10, func(i int) time.Duration { return time.Duration(i) * 8 * time.Millisecond })
	if calls > 4 {
		t.Errorf("%d script calls for three rounds of ten creates, want 3 (4 at most)", calls)
	}
}

// TestTokenWriterWaitsForTerraformsPace: writes that come back further apart than a script call
// takes (Terraform writing a large state file between them) still go together, as long as each
// comes within terraformPace of the one before.
func TestTokenWriterWaitsForTerraformsPace(t *testing.T) {
	const workers, gap = 5, 120 * time.Millisecond
	calls := roundsOfCreates(t, "wp-a", workers, func(i int) time.Duration { return time.Duration(i+1) * gap })
	if calls > 4 {
		t.Errorf("%d script calls for three rounds of %d creates arriving %s apart, want 3 (4 at most)", calls, workers, gap)
	}
}

// roundsOfCreates runs workers writers, each making three tokens of user one after the other
// and waiting pause(i) after each answer before the next, as Terraform starts its next
// operations; it fails the test on a failed create and returns the script calls it took.
func roundsOfCreates(t *testing.T, user string, workers int, pause func(i int) time.Duration) int {
	t.Helper()
	target := ownSim(t, jenkinssim.Options{})
	d := writerTestData(t, target, writeBatchWindow, jenkins.Config{})
	target.CreateUser(t, user, "pw")
	var mu sync.Mutex
	var errs []error
	calls := scriptCalls(t, target, func() {
		concurrently(workers, func(i int) {
			for round := range 3 {
				if round > 0 {
					time.Sleep(pause(i))
				}
				_, _, err := d.createToken(context.Background(), newToken{userID: user, name: fmt.Sprintf("t%d-%d", i, round)})
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	})
	if len(errs) > 0 {
		t.Fatalf("creates: %v", errs)
	}
	return calls
}

// TestTokenWriterSettlesEveryCreateOfALostBatch: a batch of creates whose answer is lost after
// Jenkins ran it (no retries left) is settled for every token in it: revoked by value, in one
// batch too, and each create's error says so. A revocation in the same batch fails, as its own
// call would have.
func TestTokenWriterSettlesEveryCreateOfALostBatch(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{})
	d := writerTestData(t, target, 100*time.Millisecond, jenkins.Config{MaxRetries: 0})
	for _, u := range []string{"ws-a", "ws-b"} {
		target.CreateUser(t, u, "pw")
	}
	old := target.NewToken(t, "ws-a", "old")
	if err := target.Sim.SetFault(context.Background(), jenkinssim.Fault{Path: "/scriptText", Mode: "drop_response", Count: 1}); err != nil {
		t.Fatal(err)
	}
	errs := make([]error, 5)
	var revokeErr error
	calls := scriptCalls(t, target, func() {
		concurrently(6, func(i int) {
			if i == 5 {
				revokeErr = d.revokeToken(context.Background(), "ws-a", old.UUID, true)
				return
			}
			_, _, errs[i] = d.createToken(context.Background(), newToken{userID: []string{"ws-a", "ws-b"}[i%2], name: fmt.Sprintf("t%d", i)})
		})
	})
	var retries *jenkins.RetryError
	if !errors.As(revokeErr, &retries) {
		t.Errorf("revocation in the lost batch: %v, want the call's failure", revokeErr)
	}
	for i, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "it was revoked again") {
			t.Errorf("create %d of the lost batch: %v, want it settled", i, err)
		}
	}
	for _, u := range []string{"ws-a", "ws-b"} {
		if left := target.TokenNames(t, u); len(left) != 0 {
			t.Errorf("tokens of %s valid after the settlement: %v", u, left)
		}
	}
	if calls != 2 {
		t.Errorf("%d script calls for a lost batch and its settlement, want 2", calls)
	}
}
