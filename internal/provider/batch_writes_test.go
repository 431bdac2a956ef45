package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// batchConfig is n tokens spread over users, plus, with ghost, one token of a user Jenkins does
// not know.
func batchConfig(target *acctest.Target, users []string, n int, ghost string, extra ...string) string {
	cfg := requireJenkins + target.ProviderBlock(extra...) + fmt.Sprintf(`
locals {
  users = [%s]
}

resource "jenkins_user_api_token" "t" {
  count   = %d
  user_id = local.users[count.index %% %d]
  name    = "batch-${count.index}"
}
`, quoteAll(users), n, len(users))
	if ghost != "" {
		cfg += fmt.Sprintf(`
resource "jenkins_user_api_token" "ghost" {
  user_id = %s
  name    = "ghost"
}
`, acctest.Quote(ghost))
	}
	return cfg
}

// flat is the CLI's output with its diagnostics unwrapped: one space between words.
func flat(out string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(out, "│", " ")), " ")
}

// batchWorkdir is a simulator of its own with users named prefix-0 and on, and a CLI workdir.
func batchWorkdir(t *testing.T, prefix string, users int) (*acctest.Target, []string, *cliWorkdir) {
	t.Helper()
	target := ownSim(t, jenkinssim.Options{})
	cli, _ := cliVersion(t)
	ids := make([]string, users)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s-%02d", prefix, i)
		target.CreateUser(t, ids[i], "pw")
	}
	return target, ids, newCLIWorkdir(t, cli, jenkinsProviderOverrides(t))
}

// jenkinsTokens counts the tokens Jenkins holds for users.
func jenkinsTokens(t *testing.T, target *acctest.Target, users []string) int {
	t.Helper()
	n := 0
	for _, u := range users {
		n += len(target.TokenNames(t, u))
	}
	return n
}

// TestAccUserAPIToken_batchedWrites is issue 26 as a user meets it: applying and destroying 50
// tokens with Terraform's ten operations at a time costs a few script calls, not one per token.
// One token of the apply is for a user Jenkins does not know: that resource fails with the error
// a single create gives, the 50 others are created, and applying again creates nothing more. One
// token revoked by hand before the destroy does not fail it.
func TestAccUserAPIToken_batchedWrites(t *testing.T) {
	target, users, w := batchWorkdir(t, "batch", 5)
	ctx := context.Background()
	const n = 50
	w.write("main.tf", batchConfig(target, users, n, "batch-ghost"))
	calls := func(args ...string) (string, int, int) {
		t.Helper()
		if err := target.Sim.ResetStats(ctx); err != nil {
			t.Fatal(err)
		}
		out, code := w.run(args...)
		st, err := target.Sim.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return out, code, st["scriptText"]
	}
	unknown := regexp.MustCompile(`(?s)Unable to Create Jenkins API Token.*Jenkins has no user "batch-ghost"`)

	out, code, c := calls("apply", "-auto-approve", "-no-color", "-parallelism=10")
	if code == 0 || !unknown.MatchString(flat(out)) || strings.Count(out, "Unable to Create") != 1 {
		t.Fatalf("apply with one unknown user: exit %d, want one error naming the user:\n%s", code, out)
	}
	t.Logf("apply of %d tokens (and one refused): %d script calls", n, c)
	if c > 15 {
		t.Errorf("apply of %d tokens: %d script calls, want at most 15", n, c)
	}
	if got, held := len(stateTokens(t, w.dir)), jenkinsTokens(t, target, users); got != n || held != n {
		t.Fatalf("after the apply: %d tokens in the state and %d in Jenkins, want %d each", got, held, n)
	}

	// Again: the refused one fails again, nothing else is made.
	out, code, _ = calls("apply", "-auto-approve", "-no-color")
	if code == 0 || !unknown.MatchString(flat(out)) || strings.Count(out, "Unable to Create") != 1 {
		t.Fatalf("second apply: exit %d:\n%s", code, out)
	}
	if held := jenkinsTokens(t, target, users); held != n {
		t.Errorf("after the second apply: %d tokens in Jenkins, want %d", held, n)
	}
	w.write("main.tf", batchConfig(target, users, n, ""))
	if out, code := w.run("plan", "-no-color", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan without the unknown user: exit %d, want no changes:\n%s", code, out)
	}

	// One revoked by hand: the destroy still succeeds and revokes the rest.
	for uuid := range target.TokenNames(t, users[0]) {
		target.Script(t, `User.getById(P.user, false).getProperty(jenkins.security.ApiTokenProperty).revokeToken(P.uuid)
emit(true)`, map[string]string{"user": users[0], "uuid": uuid}, nil)
		break
	}
	out, code, c = calls("destroy", "-auto-approve", "-no-color", "-parallelism=10")
	if code != 0 {
		t.Fatalf("destroy: exit %d\n%s", code, out)
	}
	t.Logf("destroy of %d tokens: %d script calls", n, c)
	if c > 15 {
		t.Errorf("destroy of %d tokens: %d script calls, want at most 15", n, c)
	}
	if held := jenkinsTokens(t, target, users); held != 0 {
		t.Errorf("after the destroy: %d tokens in Jenkins, want none", held)
	}
}

// TestAccUserAPIToken_interruptedBatchSettles: a batch of creates whose answer is lost (Jenkins
// ran it; retries off) while the apply is interrupted: every token of the batch is revoked by its
// value, each of its resources says so, and every token Jenkins then holds is in the state.
func TestAccUserAPIToken_interruptedBatchSettles(t *testing.T) {
	target, users, w := batchWorkdir(t, "settle", 10)
	ctx := context.Background()
	const n = 200
	w.write("main.tf", batchConfig(target, users, n, "", "max_retries = 0"))
	sim := target.Sim
	if err := sim.SetFault(ctx, jenkinssim.Fault{Path: "/scriptText", Mode: "delay", DelayMS: 100}); err != nil {
		t.Fatal(err)
	}
	if err := sim.ResetStats(ctx); err != nil {
		t.Fatal(err)
	}
	cmd, wait, exited := w.start("apply", "-auto-approve", "-no-color")
	stats := func() int {
		st, err := sim.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st["scriptText"]
	}
	deadline := time.Now().Add(2 * time.Minute)
	for stats() < 4 {
		if exited() || time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("the apply ended, or made few script calls in 2 minutes:\n%s", wait(time.Minute))
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The next batch's answer is lost after Jenkins ran it; interrupt once it has arrived.
	if err := sim.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}
	if err := sim.SetFault(ctx, jenkinssim.Fault{Path: "/scriptText", Mode: "drop_response", Count: 1}); err != nil {
		t.Fatal(err)
	}
	for at := stats(); stats() == at; {
		if exited() {
			t.Fatalf("the apply ended before a batch met the fault:\n%s", wait(time.Minute))
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	out := wait(2 * time.Minute)
	if err := sim.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}
	settled := strings.Count(flat(out), "it was revoked again")
	inState := stateTokens(t, w.dir)
	held := jenkinsTokens(t, target, users)
	t.Logf("after SIGINT: %d tokens settled, %d in Jenkins, %d in the state (of %d planned)", settled, held, len(inState), n)
	if settled < 2 {
		t.Errorf("%d creates settled after the lost batch, want every create of it (two or more):\n%s", settled, out)
	}
	if held != len(inState) || len(inState) >= n {
		t.Errorf("%d tokens in Jenkins, %d in the state: want the same, and fewer than %d", held, len(inState), n)
	}
	for ref := range inState {
		user, uuid, _ := strings.Cut(ref, "/")
		if _, ok := target.TokenNames(t, user)[uuid]; !ok {
			t.Errorf("token %s in the state is not in Jenkins", ref)
		}
	}
}
