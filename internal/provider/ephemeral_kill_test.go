package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// TestAccUserAPITokenEphemeral_killedRunTokenExpires is issue 15's second half: a run that is
// killed (SIGKILL, a lost CI runner) never closes its ephemeral token, so the token must die by
// itself. The real CLI applies a configuration whose second provider block authenticates with
// an ephemeral token of the admin and creates tokens through it, every script call 300 ms
// slower, so the run holds the token for a while. Once the apply is creating through the
// ephemeral token, Terraform is killed. The token stays in Jenkins, a working credential (it
// authenticated the run's requests) that no Close revoked, with Jenkins's tomorrow as its
// expiration date; on the simulator's clock it is still valid a day
// later and expired two days later.
func TestAccUserAPITokenEphemeral_killedRunTokenExpires(t *testing.T) {
	// Its own simulator: the test moves the clock. UTC+14, so that Jenkins's date is not the
	// machine's for most of the day.
	target := ownSim(t, jenkinssim.Options{TimeZone: "Pacific/Kiritimati"})
	cli := cliAtLeast(t, 1, 11, "ephemeral resources")
	const svc = "svc"
	target.CreateUser(t, svc, "pw")
	overrides := jenkinsProviderOverrides(t)
	var pluginDir string
	for _, dir := range overrides {
		pluginDir = dir
	}
	w := newCLIWorkdir(t, cli, overrides)
	w.write("main.tf", requireJenkins+target.ProviderBlock()+fmt.Sprintf(`
ephemeral "jenkins_user_api_token" "run" {
  user_id = %[1]s
  name    = "killed run"
}

# The run needs the ephemeral token for as long as it creates these.
provider "jenkins" {
  alias      = "with_token"
  server_url = %[2]s
  username   = %[1]s
  password   = ephemeral.jenkins_user_api_token.run.token
}

resource "jenkins_user_api_token" "work" {
  provider = jenkins.with_token
  count    = 40
  user_id  = %[3]s
  name     = "work-${count.index}"
}
`, acctest.Quote(target.Username), acctest.Quote(target.URL), acctest.Quote(svc)))

	ctx := context.Background()
	sim := target.Sim
	if err := sim.SetFault(ctx, jenkinssim.Fault{Path: "/scriptText", Mode: "delay", DelayMS: 300}); err != nil {
		t.Fatal(err)
	}
	before := jenkinsToday(t, target)
	plugin := filepath.Join(pluginDir, "terraform-provider-jenkins")
	t.Cleanup(func() { killPlugins(plugin) })
	start := time.Now()
	cmd, wait, exited := w.start("apply", "-auto-approve", "-no-color")
	// Writes to one user go one at a time, so the 40 creates take 12 s at least. The first of
	// them shows that the apply opened its ephemeral token and configured the provider with it:
	// Open has returned, and Terraform holds the token.
	deadline := time.Now().Add(3 * time.Minute)
	for len(target.TokenNames(t, svc)) == 0 {
		if exited() || time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("the apply ended, or made no token in 3 minutes:\n%s", wait(time.Minute))
		}
		time.Sleep(100 * time.Millisecond)
	}
	held := ephemeralTokens(t, target)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	out := wait(time.Minute)
	killedAfter := time.Since(start)
	if len(held) == 0 {
		t.Fatalf("Jenkins held no ephemeral token while the apply created through one:\n%s", out)
	}
	// The provider's processes outlive Terraform: their create in flight settles, and nothing
	// ever closes the ephemeral token. Once they are quiet they go as the runner's other
	// processes would.
	survivors := settleSurvivors(t, sim, plugin)
	if err := sim.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}

	// Jenkins's tomorrow when the run began; the next day if midnight in Kiritimati passed since.
	tomorrow, later := addDays(t, before, 1), addDays(t, jenkinsToday(t, target), 1)
	after := ephemeralTokens(t, target)
	for uuid, tok := range held {
		now, ok := after[uuid]
		switch {
		case !ok:
			t.Errorf("ephemeral token %s (%q) was revoked although the run was killed: a Close ran", uuid, tok.Name)
		case now.Expired:
			t.Errorf("ephemeral token %s (%q) is expired right after the run", uuid, tok.Name)
		case now.Uses == 0:
			t.Errorf("ephemeral token %s (%q) never authenticated the run's requests", uuid, tok.Name)
		case now.ExpirationDate != tomorrow && now.ExpirationDate != later:
			t.Errorf("ephemeral token %s (%q) expires on %q, want Jenkins's tomorrow %s", uuid, tok.Name, now.ExpirationDate, tomorrow)
		}
	}
	if t.Failed() {
		t.Fatalf("output of the killed apply:\n%s", out)
	}

	// Jenkins accepts a token through its expiration day (HashedToken.isExpired: today is after
	// the expiration date). One day on, Jenkins's today is that day and the token still logs in;
	// only a token expiring today would be dead then, and a run started at 23:59 would lose it a
	// minute later. Two days on the token has expired: a leftover lives 24 to 48 hours.
	for _, step := range []struct {
		days    int
		expired bool
	}{{1, false}, {2, true}} {
		if err := sim.SetClock(ctx, step.days); err != nil {
			t.Fatal(err)
		}
		now := ephemeralTokens(t, target)
		for uuid, tok := range held {
			if got, ok := now[uuid]; !ok || got.Expired != step.expired {
				t.Errorf("%d day(s) later (Jenkins's today %s), token %s (%q, expires %s) is listed %v, expired %v; want expired %v",
					step.days, jenkinsToday(t, target), uuid, tok.Name, got.ExpirationDate, ok, got.Expired, step.expired)
			}
		}
	}
	t.Logf("%s killed %s after the apply began (%d provider process(es) survived it); %d ephemeral token(s) left behind, expiring %s",
		filepath.Base(cli), killedAfter.Round(time.Millisecond), survivors, len(held), tomorrow)
}

type heldToken struct {
	Name           string `json:"name"`
	ExpirationDate string `json:"expirationDate"`
	Expired        bool   `json:"expired"`
	Uses           int    `json:"uses"` // requests it authenticated (Jenkins's usage statistics)
}

// ephemeralTokens lists the admin's ephemeral tokens by UUID, as Jenkins's token store holds them.
func ephemeralTokens(t *testing.T, target *acctest.Target) map[string]heldToken {
	t.Helper()
	var r map[string]heldToken
	target.Script(t, `
import jenkins.security.ApiTokenProperty
def m = [:]
def prop = User.getById(P.user, false).getProperty(ApiTokenProperty)
prop.getTokenStore().getTokenListSortedByName().each {
    if (it.getName().contains('(ephemeral ')) {
        m[it.getUuid()] = [name: it.getName(), expirationDate: it.getExpirationDate()?.toString(), expired: it.isExpired(),
                           uses: prop.getTokenStats().findTokenStatsById(it.getUuid()).getUseCounter()]
    }
}
emit(m)
`, map[string]string{"user": target.Username}, &r)
	return r
}

// settleSurvivors waits until the provider processes Terraform left behind make no more script
// calls (the simulator's count holds for 2 s), then kills them, and returns how many there were.
func settleSurvivors(t *testing.T, sim *jenkinssim.Sim, plugin string) int {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for last := -1; ; time.Sleep(2 * time.Second) {
		stats, err := sim.Stats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if stats["scriptText"] == last {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the provider processes left by the killed Terraform still call Jenkins after a minute")
		}
		last = stats["scriptText"]
	}
	return killPlugins(plugin)
}

// killPlugins kills the processes that run the provider binary at path (built for this test
// alone), and returns how many there were. Linux only (/proc); elsewhere none are found.
func killPlugins(path string) int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); err != nil || strings.TrimSuffix(exe, " (deleted)") != path {
			continue
		}
		if p, err := os.FindProcess(pid); err == nil && p.Kill() == nil {
			n++
		}
	}
	return n
}
