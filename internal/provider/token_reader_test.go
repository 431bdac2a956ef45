package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// testClient authenticates with an admin API token, as the docs advise: no crumb round trips
// blur the count of script calls.
func testClient(t *testing.T, target *acctest.Target) *jenkins.Client {
	t.Helper()
	tok := target.NewToken(t, target.Username, acctest.UniqueID("reader-test"))
	c, err := jenkins.New(jenkins.Config{BaseURL: target.URL, Username: target.Username, Password: tok.Value})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// scriptCalls runs f and returns how many script-console calls it made.
func scriptCalls(t *testing.T, target *acctest.Target, f func()) int {
	t.Helper()
	sim := target.RequireSim(t)
	before, err := sim.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f()
	after, err := sim.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return after["scriptText"] - before["scriptText"]
}

type readRef struct{ user, uuid string }

// readAll reads refs with 10 concurrent readers, as Terraform's refresh does.
func readAll(t *testing.T, r *tokenReader, refs []readRef) []*jenkins.Token {
	t.Helper()
	out := make([]*jenkins.Token, len(refs))
	errs := make([]error, len(refs))
	sem := make(chan struct{}, 10)
	var wg sync.WaitGroup
	for i, ref := range refs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i], errs[i] = r.readToken(context.Background(), ref.user, ref.uuid)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("read %v: %v", refs[i], err)
		}
	}
	return out
}

func TestAccTokenReader(t *testing.T) {
	target := acctest.Shared(t)
	target.RequireSim(t)
	var refs []readRef
	var users []string
	for u := 0; u < 8; u++ {
		id := acctest.UniqueID(fmt.Sprintf("reader%d", u))
		users = append(users, id)
		target.CreateUser(t, id, "pw")
		for k := 0; k < 5; k++ {
			refs = append(refs, readRef{id, target.NewToken(t, id, fmt.Sprintf("t%d", k)).UUID})
		}
	}
	client := testClient(t, target)

	t.Run("batched", func(t *testing.T) {
		r := newTokenReader(client, defaultReadBatchWindow)
		var got []*jenkins.Token
		calls := scriptCalls(t, target, func() { got = readAll(t, r, refs) })
		for i, tok := range got {
			if tok == nil || tok.UUID != refs[i].uuid {
				t.Fatalf("read %v: got %+v", refs[i], tok)
			}
		}
		// One batch for the first concurrent reads, one inventory for the rest.
		if calls > 2 {
			t.Errorf("%d reads across %d users took %d script calls, want at most 2", len(refs), len(users), calls)
		}
		// Later reads in the run are answered from memory.
		if again := scriptCalls(t, target, func() { readAll(t, r, refs) }); again != 0 {
			t.Errorf("reading again took %d script calls, want 0", again)
		}
	})

	t.Run("per resource with a zero window", func(t *testing.T) {
		r := newTokenReader(client, 0)
		if calls := scriptCalls(t, target, func() { readAll(t, r, refs) }); calls != len(refs) {
			t.Errorf("without batching %d reads took %d script calls, want one each", len(refs), calls)
		}
	})

	t.Run("a write invalidates what it touched", func(t *testing.T) {
		r := newTokenReader(client, defaultReadBatchWindow)
		readAll(t, r, refs)
		revokeByHand(t, target, refs[0].user, refs[0].uuid)
		renameByHand(t, target, refs[1].user, refs[1].uuid, "renamed")
		r.invalidate(refs[0].user)
		got := readAll(t, r, refs[:2])
		if got[0] != nil {
			t.Error("a revoked token is still read after forget")
		}
		if got[1] == nil || got[1].Name != "renamed" {
			t.Errorf("after forget the rename is not seen: %+v", got[1])
		}
	})

	t.Run("a write invalidates only the user written to", func(t *testing.T) {
		// An ephemeral token opened and closed during a plan writes to one user; the inventory
		// must keep answering for everyone else, users without tokens included.
		empty := acctest.UniqueID("no-tokens")
		target.CreateUser(t, empty, "pw")
		r := newTokenReader(client, defaultReadBatchWindow)
		readAll(t, r, refs[:1]) // first batch
		readAll(t, r, refs[1:]) // the inventory
		readAll(t, r, []readRef{{empty, "0f6c4a3e-8d2b-4c1e-9a7f-3b5d2e1c0a9b"}})
		r.invalidate(refs[0].user)
		if calls := scriptCalls(t, target, func() {
			readAll(t, r, append([]readRef{{empty, "0f6c4a3e-8d2b-4c1e-9a7f-3b5d2e1c0a9b"}}, refs[5:]...))
		}); calls != 0 {
			t.Errorf("reads of other users after a write took %d script calls, want 0 (the inventory still covers them)", calls)
		}
		if calls := scriptCalls(t, target, func() { readAll(t, r, refs[:5]) }); calls != 1 {
			t.Errorf("reads of the user written to took %d script calls, want 1", calls)
		}
	})

	t.Run("a batch that returns after a write does not store its older answer", func(t *testing.T) {
		for _, inventory := range []bool{false, true} {
			r := newTokenReader(client, defaultReadBatchWindow)
			if inventory {
				readAll(t, r, refs[5:6]) // one scoped batch: the next read fetches the inventory
			}
			// The token is revoked, and the reader invalidated, after Jenkins answered the
			// batch but before the batch stored its answer.
			victim := readRef{users[2], target.NewToken(t, users[2], "in flight").UUID}
			r.listed = func() {
				r.listed = nil
				revokeByHand(t, target, victim.user, victim.uuid)
				r.invalidate(victim.user)
			}
			readAll(t, r, []readRef{victim})
			if got := readAll(t, r, []readRef{victim}); got[0] != nil {
				t.Errorf("inventory=%v: a token revoked while the batch was in flight is still read from its older answer", inventory)
			}
		}
	})

	t.Run("a deleted user means its tokens are gone", func(t *testing.T) {
		gone := acctest.UniqueID("gone")
		target.CreateUser(t, gone, "pw")
		tok := target.NewToken(t, gone, "x")
		target.Script(t, `User.getById(P.user, false).delete(); emit([:])`, map[string]string{"user": gone}, nil)
		r := newTokenReader(client, defaultReadBatchWindow)
		got := readAll(t, r, []readRef{{gone, tok.UUID}, refs[2]})
		if got[0] != nil {
			t.Error("token of a deleted user read as present")
		}
		if got[1] == nil {
			t.Error("another user's token lost because a user in the same batch is gone")
		}
	})

	t.Run("a cancelled read returns", func(t *testing.T) {
		r := newTokenReader(client, time.Second)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := r.readToken(ctx, refs[0].user, refs[0].uuid); err == nil {
			t.Error("a read with a cancelled context did not fail")
		}
	})
}

// scriptCallsDuringPlan is a plan check that records how many script calls the plan made since
// the step's PreConfig reset the count.
type scriptCallsDuringPlan struct {
	t     *testing.T
	sim   *jenkinssim.Sim
	base  *int
	calls *int
}

func (c scriptCallsDuringPlan) CheckPlan(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse) {
	st, err := c.sim.Stats(context.Background())
	if err != nil {
		c.t.Fatal(err)
	}
	*c.calls = st["scriptText"] - *c.base
}

// TestAccTokenReader_planWithEphemeralTokens: a plan refreshes every managed token while
// ephemeral tokens of the same users are opened and closed (each a write that invalidates its
// user). The refresh still costs two script calls, plus a re-read of the user written to after
// each write, plus the ephemeral token's create and revoke.
func TestAccTokenReader_planWithEphemeralTokens(t *testing.T) {
	target := acctest.Shared(t)
	sim := target.RequireSim(t)
	var users []string
	var managed strings.Builder
	for u := 0; u < 4; u++ {
		id := acctest.UniqueID(fmt.Sprintf("plan%d", u))
		users = append(users, id)
		target.CreateUser(t, id, "pw")
		for k := 0; k < 5; k++ {
			fmt.Fprintf(&managed, "resource \"jenkins_user_api_token\" \"t%d_%d\" {\n  user_id = %s\n  name    = \"t%d\"\n}\n", u, k, acctest.Quote(id), k)
		}
	}
	// A window wider than the default: on a loaded machine (CI runs the packages side by side on
	// two cores) Terraform's reads of one user can straggle over more than 20 ms and split a
	// batch, which would count the scheduler, not the design. Idle, the default gives 4 calls too.
	config := target.ProviderBlock(`read_batch_window = "250ms"`) + managed.String() + fmt.Sprintf(`
ephemeral "jenkins_user_api_token" "run" {
  user_id = %s
  name    = "plan run"
}
provider "echo" {
  data = ephemeral.jenkins_user_api_token.run.uuid
}
resource "echo" "run" {}
`, acctest.Quote(users[0]))
	var base, calls int
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   ephemeralTerraformVersions,
		ProtoV6ProviderFactories: testAccProvidersWithEcho(),
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					st, err := sim.Stats(context.Background())
					if err != nil {
						t.Fatal(err)
					}
					base = st["scriptText"]
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					scriptCallsDuringPlan{t: t, sim: sim, base: &base, calls: &calls},
				}},
			},
		},
	})
	// Reads: one batch + one inventory + a re-read of the user written to after each of the two
	// writes that reads of that user come after (idle, Terraform's reads mostly come before the
	// close, and it is 4 or 5; under load, 6 was seen); writes: create and revoke of the
	// ephemeral token. One call per resource would be over 20.
	if calls > 6 {
		t.Errorf("a plan of 20 managed tokens with an ephemeral token took %d script calls, want at most 6", calls)
	}
	t.Logf("script calls during the plan: %d", calls)
}
