package provider

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// TestAccUserAPITokenEphemeral_interruptedRunRevokesItsTokens is issue 19's item 5 as CI meets
// it: one SIGINT (how CI systems cancel a job) while the sinks of two ephemeral tokens are being
// created. Two provider blocks authenticate with one ephemeral token each and create tokens
// through it, every script call 300 ms slower. Terraform stops: it waits for the creates in
// flight, skips the ephemeral resources' Close (their consumers were halted) and shuts the
// plugins down. The provider that opened the tokens revokes them as it shuts down, so once
// Terraform has exited Jenkins holds neither; before, both stayed valid until Jenkins's
// tomorrow (forever before Jenkins 2.548).
func TestAccUserAPITokenEphemeral_interruptedRunRevokesItsTokens(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{})
	cli := cliAtLeast(t, 1, 11, "ephemeral resources")
	// One user per sink: the two provider processes write at the same time, and Jenkins does
	// not take two writes to one user at once (see userWrites).
	sinks := []string{"sink-first", "sink-second"}
	for _, id := range sinks {
		target.CreateUser(t, id, "pw")
	}
	overrides := jenkinsProviderOverrides(t)
	var pluginDir string
	for _, dir := range overrides {
		pluginDir = dir
	}
	w := newCLIWorkdir(t, cli, overrides)
	w.write("main.tf", requireJenkins+target.ProviderBlock()+fmt.Sprintf(`
ephemeral "jenkins_user_api_token" "run" {
  count   = 2
  user_id = %[1]s
  name    = "interrupted run ${count.index}"
}

provider "jenkins" {
  alias      = "first"
  server_url = %[2]s
  username   = %[1]s
  password   = ephemeral.jenkins_user_api_token.run[0].token
}

provider "jenkins" {
  alias      = "second"
  server_url = %[2]s
  username   = %[1]s
  password   = ephemeral.jenkins_user_api_token.run[1].token
}

resource "jenkins_user_api_token" "first" {
  provider = jenkins.first
  count    = 100
  user_id  = %[3]s
  name     = "first-${count.index}"
}

resource "jenkins_user_api_token" "second" {
  provider = jenkins.second
  count    = 100
  user_id  = %[4]s
  name     = "second-${count.index}"
}
`, acctest.Quote(target.Username), acctest.Quote(target.URL), acctest.Quote(sinks[0]), acctest.Quote(sinks[1])))

	ctx := context.Background()
	sim := target.Sim
	if err := sim.SetFault(ctx, jenkinssim.Fault{Path: "/scriptText", Mode: "delay", DelayMS: 300}); err != nil {
		t.Fatal(err)
	}
	plugin := filepath.Join(pluginDir, "terraform-provider-jenkins")
	t.Cleanup(func() { killPlugins(plugin) })
	cmd, wait, exited := w.start("apply", "-auto-approve", "-no-color")
	// Each provider writes to its user in batches of about ten creates, one batch at a time, so
	// each sink's 100 tokens take ten calls of 300 ms at least. A token in each shows that the
	// apply opened both ephemeral tokens and creates through them.
	deadline := time.Now().Add(2 * time.Minute)
	for len(target.TokenNames(t, sinks[0])) == 0 || len(target.TokenNames(t, sinks[1])) == 0 {
		if exited() || time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("the apply ended, or did not create through both ephemeral tokens in 2 minutes:\n%s", wait(time.Minute))
		}
		time.Sleep(50 * time.Millisecond)
	}
	held := ephemeralTokens(t, target)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	interrupted := time.Now()
	out := wait(time.Minute)
	exitedAfter := time.Since(interrupted)
	// Terraform waits for the plugins it shuts down (2 s, then it kills them); none may be left.
	survivors := killPlugins(plugin)
	if err := sim.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}

	if len(held) != 2 {
		t.Fatalf("Jenkins held %d ephemeral tokens while the apply created through them, want 2:\n%s", len(held), out)
	}
	created := len(target.TokenNames(t, sinks[0])) + len(target.TokenNames(t, sinks[1]))
	if created >= 200 || !strings.Contains(out, "nterrupt") {
		t.Fatalf("the SIGINT did not stop the apply midway (%d of 200 tokens created):\n%s", created, out)
	}
	after := ephemeralTokens(t, target)
	for uuid, tok := range held {
		if _, ok := after[uuid]; ok {
			t.Errorf("ephemeral token %s (%q) is still valid in Jenkins after the interrupted run", uuid, tok.Name)
		}
	}
	for uuid, tok := range after {
		if _, ok := held[uuid]; !ok {
			t.Errorf("Jenkins holds ephemeral token %s (%q), which the run did not hold when it was interrupted", uuid, tok.Name)
		}
	}
	if survivors > 0 {
		t.Errorf("%d provider process(es) outlived Terraform", survivors)
	}
	if t.Failed() {
		t.Fatalf("output of the interrupted apply:\n%s", out)
	}
	t.Logf("%s exited %s after the SIGINT; %d of 200 sink tokens created; both ephemeral tokens revoked",
		filepath.Base(cli), exitedAfter.Round(time.Millisecond), created)
}

// TestShutdownRevokesOpenEphemeralTokens is the registry behind the shutdown: the tokens Open
// recorded and Close did not remove are revoked in one script call, and no other token; an
// empty registry makes no call; neither a Jenkins slower than the bound nor a user's write lock
// held by a create still settling keeps the shutdown past the bound.
func TestShutdownRevokesOpenEphemeralTokens(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{})
	d := settleTestData(t, target)
	reg := &openEphemerals{}
	d.ephemerals = reg
	ctx := context.Background()
	for _, id := range []string{"ann", "bob"} {
		target.CreateUser(t, id, "pw")
	}
	// The client's first script call reads the version; make it now, so that it is not counted.
	if _, err := d.client.ServerInfo(ctx); err != nil {
		t.Fatal(err)
	}
	ref := func(user string, tok acctest.FixtureToken) jenkins.TokenRef {
		return jenkins.TokenRef{UserID: user, UUID: tok.UUID}
	}
	annOpen, bobOpen := target.NewToken(t, "ann", "open"), target.NewToken(t, "bob", "open")
	annClosed, annOwn := target.NewToken(t, "ann", "closed"), target.NewToken(t, "ann", "not ephemeral")
	reg.add(ctx, d, ref("ann", annOpen))
	reg.add(ctx, d, ref("bob", bobOpen))
	reg.add(ctx, d, ref("ann", annClosed))
	reg.remove(ref("ann", annClosed))

	if err := target.Sim.ResetStats(ctx); err != nil {
		t.Fatal(err)
	}
	if n := reg.revokeAtShutdown(time.Second); n != 2 {
		t.Errorf("shutdown confirmed %d tokens revoked, want 2", n)
	}
	if stats, err := target.Sim.Stats(ctx); err != nil || stats["scriptText"] != 1 {
		t.Errorf("shutdown made %d script calls (%v), want 1", stats["scriptText"], err)
	}
	if names := target.TokenNames(t, "ann"); len(names) != 2 || names[annClosed.UUID] == "" || names[annOwn.UUID] == "" {
		t.Errorf("ann holds %v, want the closed token and her own, not the open one", names)
	}
	if names := target.TokenNames(t, "bob"); len(names) != 0 {
		t.Errorf("bob holds %v, want nothing", names)
	}
	if err := target.Sim.ResetStats(ctx); err != nil {
		t.Fatal(err)
	}
	if n := reg.revokeAtShutdown(time.Second); n != 0 {
		t.Errorf("a second shutdown confirmed %d tokens, want 0", n)
	}
	if stats, err := target.Sim.Stats(ctx); err != nil || stats["scriptText"] != 0 {
		t.Errorf("a shutdown with nothing open made %d script calls (%v), want 0", stats["scriptText"], err)
	}

	// A create for ann still settling holds her write lock: the shutdown gives up at its bound.
	late := target.NewToken(t, "ann", "late")
	reg.add(ctx, d, ref("ann", late))
	release := d.writes.lock("ann")
	start := time.Now()
	n := reg.revokeAtShutdown(300 * time.Millisecond)
	took := time.Since(start)
	release()
	if n != 0 || took > time.Second {
		t.Errorf("with ann's write lock held, shutdown confirmed %d tokens after %s, want 0 within its 300 ms bound", n, took)
	}
	// Jenkins answers after the bound: the shutdown does not wait, and the token is still open.
	if err := target.Sim.SetFault(ctx, jenkinssim.Fault{Path: "/scriptText", Mode: "delay", DelayMS: 3000}); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	n = reg.revokeAtShutdown(300 * time.Millisecond)
	took = time.Since(start)
	if err := target.Sim.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}
	if n != 0 || took > time.Second || len(reg.stillOpen()) != 1 {
		t.Errorf("with Jenkins 3 s slow, shutdown confirmed %d tokens after %s with %d still open, want 0 within its 300 ms bound and 1 open",
			n, took, len(reg.stillOpen()))
	}
}
