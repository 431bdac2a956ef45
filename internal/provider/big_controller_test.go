package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// TestAccBigController_walksBehindAProxy: a controller whose directory answers each lookup in
// 50 ms and saves a user record in 20 ms, behind a proxy that gives up after 3 s, with a time
// budget of 2 s per script call. A listing of every user with realm checks (7.5 s of lookups)
// and the revocation of every user's token (3 s of saves) complete through the proxy with no
// 504 (no call outlived the proxy), each user looked up once per listing, each token revoked
// once, and progress at INFO. Then the proxy drops the connection of the revocation's first call
// while Jenkins runs it on: the apply still revokes every token once and reports each as revoked.
func TestAccBigController_walksBehindAProxy(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{})
	ctx := context.Background()
	const n = 150
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("big%03d", i)
	}
	if err := target.Sim.AddRealmUsers(ctx, ids...); err != nil {
		t.Fatal(err)
	}
	tokens := func() {
		t.Helper()
		target.Script(t, `P.ids.each { id ->
    def u = User.getById(id, true)
    u.getProperty(jenkins.security.ApiTokenProperty).getTokenStore().generateNewToken('bulk')
    u.save()
}
emit([:])`, map[string]any{"ids": ids}, nil)
	}
	tokens()
	if err := target.Sim.SetLatency(ctx, 50*time.Millisecond, 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	proxy, err := target.Sim.Proxy(3 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = proxy.Close() })
	proxied := *target
	proxied.URL = proxy.URL

	cli, _ := cliVersion(t)
	w := newCLIWorkdir(t, cli, jenkinsProviderOverrides(t))
	w.write("main.tf", requireJenkins+proxied.ProviderBlock(`script_time_budget = "2s"`)+`
data "jenkins_users" "all" {}

output "known" {
  value = length([for u in data.jenkins_users.all.users : u if u.realm_status == "known"])
}

resource "jenkins_user_token_cleanup" "bulk" {
  name_regex       = "^bulk$"
  exclude_user_ids = ["admin"]
  max_revocations  = 1000
}

output "revoked" {
  value = length(jenkins_user_token_cleanup.bulk.revoked)
}
`)
	logPath := filepath.Join(t.TempDir(), "tf.log")
	w.env = []string{"TF_LOG_PROVIDER=info", "TF_LOG_PATH=" + logPath}
	stats := func() map[string]int {
		t.Helper()
		st, err := target.Sim.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	outputs := func() (known, revoked int) {
		t.Helper()
		out, code := w.run("output", "-json")
		var o struct {
			Known   struct{ Value int } `json:"known"`
			Revoked struct{ Value int } `json:"revoked"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &o) != nil {
			t.Fatalf("terraform output: exit %d\n%s", code, out)
		}
		return o.Known.Value, o.Revoked.Value
	}
	bulkLeft := func() int {
		t.Helper()
		var r struct{ N int }
		target.Script(t, `emit([n: P.ids.sum { id -> User.getById(id, false).getProperty(jenkins.security.ApiTokenProperty).getTokenStore().getTokenListSortedByName().count { it.getName() == 'bulk' } }])`,
			map[string]any{"ids": ids}, &r)
		return r.N
	}

	before := stats()
	if out, code := w.run("apply", "-auto-approve", "-no-color"); code != 0 {
		t.Fatalf("terraform apply: exit %d\n%s", code, out)
	}
	after := stats()
	if known, revoked := outputs(); known != n+1 || revoked != n {
		t.Errorf("jenkins_users found %d known users, want %d; the cleanup revoked %d tokens, want %d", known, n+1, revoked, n)
	}
	if left := bulkLeft(); left != 0 {
		t.Errorf("%d bulk tokens left after the apply", left)
	}
	if ps := proxy.Stats(); ps.GatewayTimeouts != 0 || ps.BadGateways != 0 {
		t.Errorf("the proxy answered %d 504s and %d 502s: a call outlived its timeout", ps.GatewayTimeouts, ps.BadGateways)
	}
	if lookups := after["realmLookup"] - before["realmLookup"]; lookups != n+1 {
		t.Errorf("%d realm lookups for one listing of %d users, want one each", lookups, n+1)
	}
	if saves := after["userSave"] - before["userSave"]; saves != n {
		t.Errorf("%d user saves for %d revocations, want one each", saves, n)
	}
	if calls := after["scriptText"] - before["scriptText"]; calls < 5 {
		t.Errorf("%d script calls: the walks did not continue from their cursors (want several per walk)", calls)
	}
	logs, _ := os.ReadFile(logPath)
	for _, want := range []string{"Working through Jenkins users", "Done with Jenkins users", "Done with Jenkins token revocations"} {
		if !strings.Contains(string(logs), want) {
			t.Errorf("TF_LOG_PROVIDER=info: the log lacks %q", want)
		}
	}

	// The revocation's first call cut off 1 s in: Jenkins runs it on, the provider sends it again
	// from the same position with a smaller budget.
	tokens()
	if out, code := w.run("plan", "-out=tfplan", "-no-color"); code != 0 {
		t.Fatalf("terraform plan: exit %d\n%s", code, out)
	}
	proxy.CutWhen("/scriptText", func(body []byte) bool {
		form, err := url.ParseQuery(string(body))
		return err == nil && strings.Contains(form.Get("script"), "Revokes many tokens in one run")
	}, time.Second)
	before = stats()
	if out, code := w.run("apply", "-no-color", "tfplan"); code != 0 {
		t.Fatalf("terraform apply of the plan, with a cut connection: exit %d\n%s", code, out)
	}
	if err := proxy.WaitUpstream(ctx); err != nil {
		t.Fatal(err)
	}
	after = stats()
	if ps := proxy.Stats(); ps.Cuts != 1 {
		t.Fatalf("the proxy cut %d connections, want 1", ps.Cuts)
	}
	if _, revoked := outputs(); revoked != n {
		t.Errorf("after the cut the cleanup reports %d tokens revoked, want %d", revoked, n)
	}
	if left := bulkLeft(); left != 0 {
		t.Errorf("%d bulk tokens left after the apply with a cut", left)
	}
	if saves := after["userSave"] - before["userSave"]; saves != n {
		t.Errorf("%d user saves for %d revocations with a cut, want one each (nothing revoked twice)", saves, n)
	}
	logs, _ = os.ReadFile(logPath)
	if !strings.Contains(string(logs), "continuing from the last position with a smaller time budget") {
		t.Error("the log does not say the cut call was continued")
	}
}
