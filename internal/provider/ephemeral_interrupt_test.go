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
	cli, version := cliVersion(t)
	var major, minor int
	if _, err := fmt.Sscanf(version, "%d.%d", &major, &minor); err != nil || major < 1 || (major == 1 && minor < 11) {
		t.Skipf("ephemeral resources are tested with Terraform or OpenTofu 1.11 or later; the CLI is %q", version)
	}
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
  count    = 20
  user_id  = %[3]s
  name     = "first-${count.index}"
}

resource "jenkins_user_api_token" "second" {
  provider = jenkins.second
  count    = 20
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
	// Each provider writes to its user one token at a time, so each sink takes 6 s at least.
	// A token in each shows that the apply opened both ephemeral tokens and creates through them.
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
	if created >= 40 || !strings.Contains(out, "nterrupt") {
		t.Fatalf("the SIGINT did not stop the apply midway (%d of 40 tokens created):\n%s", created, out)
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
	t.Logf("%s %s exited %s after the SIGINT; %d of 40 sink tokens created; both ephemeral tokens revoked",
		filepath.Base(cli), version, exitedAfter.Round(time.Millisecond), created)
}
