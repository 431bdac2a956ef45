package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// Fault tests: real Terraform runs against the simulator while it restarts, throttles, forgets
// sessions, never comes back, or fails a script. Each asserts what a user would check: the run
// succeeds (or fails with a message that says what happened), and Jenkins holds exactly the
// tokens in state, each of which authenticates.

// chainedTokensConfig is n tokens of userID, each depending on the previous one, so the creates
// reach Jenkins one after the other and a fault can land between two of them.
func chainedTokensConfig(provider, userID string, n int) string {
	var b strings.Builder
	b.WriteString(provider)
	for i := range n {
		fmt.Fprintf(&b, "\nresource \"jenkins_user_api_token\" \"t%d\" {\n  user_id = %s\n  name    = %s\n", i, acctest.Quote(userID), acctest.Quote(fmt.Sprintf("chained-%d", i)))
		if i > 0 {
			fmt.Fprintf(&b, "  depends_on = [jenkins_user_api_token.t%d]\n", i-1)
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// exactlyTheseTokens checks that every token in state authenticates as userID, and that Jenkins
// holds exactly these n tokens: nothing lost, nothing made twice.
func exactlyTheseTokens(t *testing.T, target *acctest.Target, userID string, n int) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		inJenkins := target.TokenNames(t, userID)
		if len(inJenkins) != n {
			return fmt.Errorf("%s holds %d tokens in Jenkins, want exactly %d", userID, len(inJenkins), n)
		}
		for i := range n {
			addr := fmt.Sprintf("jenkins_user_api_token.t%d", i)
			rs, ok := s.RootModule().Resources[addr]
			if !ok {
				return fmt.Errorf("%s not in state", addr)
			}
			uuid, value := rs.Primary.Attributes["uuid"], rs.Primary.Attributes["token"]
			if _, ok := inJenkins[uuid]; !ok {
				return fmt.Errorf("%s: its UUID is not among the tokens Jenkins holds", addr)
			}
			if code := whoAmIStatus(target.URL, userID, value); code != http.StatusOK {
				return fmt.Errorf("%s: Jenkins answered HTTP %d to its token on /whoAmI/api/json", addr, code)
			}
		}
		return nil
	}
}

// holdsTokens checks that Jenkins holds exactly n tokens of userID.
func holdsTokens(t *testing.T, target *acctest.Target, userID string, n int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := len(target.TokenNames(t, userID)); got != n {
			return fmt.Errorf("%s holds %d tokens, want %d", userID, got, n)
		}
		return nil
	}
}

// afterScriptCalls runs action once the simulator has received k script-console calls since
// start was called (the plan of new resources calls none, so the k-th call is the k-th create
// of the apply). It is how a test puts a fault in the middle of an apply.
type afterScriptCalls struct {
	sim    *jenkinssim.Sim
	k      int
	action func(ctx context.Context) error

	mu     sync.Mutex
	fired  bool
	seenAt int // script calls seen when the action ran
	at     time.Time
	err    error
	stop   context.CancelFunc
}

func (a *afterScriptCalls) start(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	a.stop = cancel
	t.Cleanup(cancel)
	if err := a.sim.ResetStats(ctx); err != nil {
		t.Fatal(err)
	}
	go func() {
		for ctx.Err() == nil {
			st, err := a.sim.Stats(ctx)
			if err == nil && st["scriptText"] >= a.k {
				err = a.action(ctx)
				a.mu.Lock()
				a.fired, a.seenAt, a.at, a.err = true, st["scriptText"], time.Now(), err
				a.mu.Unlock()
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
}

// check fails unless the action ran, without error, before the apply had sent more than k
// script calls.
func (a *afterScriptCalls) check() (time.Time, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stop()
	switch {
	case !a.fired:
		return time.Time{}, fmt.Errorf("the fault was never injected: the apply sent fewer than %d script calls", a.k)
	case a.err != nil:
		return time.Time{}, fmt.Errorf("injecting the fault: %w", a.err)
	case a.seenAt > a.k:
		return time.Time{}, fmt.Errorf("the fault came late (after %d script calls, want %d): not in the middle of the apply", a.seenAt, a.k)
	}
	return a.at, nil
}

// TestAccFault_restartDuringApply: Jenkins restarts for 8 seconds after the second of four
// creates. The remaining creates wait (503, then a new session and crumb after the restart) and
// succeed; the restart keeps every token, since each create saved its user.
func TestAccFault_restartDuringApply(t *testing.T) {
	target := acctest.Shared(t)
	sim := target.RequireSim(t)
	user := acctest.UniqueID("rhea")
	target.CreateUser(t, user, "pw")
	const n, restartSeconds = 4, 8
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = sim.WaitReady(ctx)
	})

	restart := &afterScriptCalls{sim: sim, k: 2, action: func(ctx context.Context) error {
		return sim.Restart(ctx, restartSeconds)
	}}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			PreConfig: func() { restart.start(t) },
			Config:    chainedTokensConfig(target.ProviderBlock(), user, n),
			Check: resource.ComposeAggregateTestCheckFunc(
				func(*terraform.State) error {
					at, err := restart.check()
					if err != nil {
						return err
					}
					if waited := time.Since(at); waited < restartSeconds*time.Second {
						return fmt.Errorf("the apply ended %s after the restart began, before Jenkins was back (%ds)", waited.Round(time.Millisecond), restartSeconds)
					}
					return nil
				},
				exactlyTheseTokens(t, target, user, n),
			),
		}},
	})
}

// TestAccFault_tooManyRequests: Jenkins (or a proxy in front of it) answers the create twice
// with 429 and Retry-After: 2. The provider waits as asked, then succeeds.
func TestAccFault_tooManyRequests(t *testing.T) {
	target := acctest.Shared(t)
	sim := target.RequireSim(t)
	user := acctest.UniqueID("tess")
	target.CreateUser(t, user, "pw")
	const retryAfter, count = 2, 2
	ctx := context.Background()
	t.Cleanup(func() { _ = sim.ClearFaults(ctx) })
	var start time.Time

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				// The plan of a new token calls no script, so both 429s go to the create.
				if err := sim.SetFault(ctx, jenkinssim.Fault{Path: "/scriptText", Mode: "status", Status: http.StatusTooManyRequests, RetryAfter: retryAfter, Count: count}); err != nil {
					t.Fatal(err)
				}
				start = time.Now()
			},
			Config: chainedTokensConfig(target.ProviderBlock(), user, 1),
			Check: resource.ComposeAggregateTestCheckFunc(
				func(*terraform.State) error {
					if left := pendingFaults(t, sim); left != 0 {
						return fmt.Errorf("%d fault rules left unconsumed: the create never met the 429s", left)
					}
					if d := time.Since(start); d < count*retryAfter*time.Second {
						return fmt.Errorf("the run took %s: it did not wait the %ds Retry-After of each of the %d 429s", d.Round(time.Millisecond), retryAfter, count)
					}
					return nil
				},
				exactlyTheseTokens(t, target, user, 1),
			),
		}},
	})
}

// pendingFaults counts the simulator's fault rules not yet used up.
func pendingFaults(t *testing.T, sim *jenkinssim.Sim) int {
	t.Helper()
	resp, err := sim.HTTPClient().Get(sim.RootURL + "__sim/faults")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Faults []json.RawMessage `json:"faults"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return len(r.Faults)
}

// TestAccFault_sessionInvalidated: with password authentication every POST carries a crumb
// bound to an HTTP session. The sessions are dropped after the second of four creates (as a
// session timeout or a Jenkins failover would): the next create is refused with "No valid
// crumb", the provider fetches a new crumb in a new session and goes on.
func TestAccFault_sessionInvalidated(t *testing.T) {
	target := acctest.Shared(t)
	sim := target.RequireSim(t)
	if target.Username != sim.AdminUser || target.Password != sim.AdminPassword {
		t.Fatal("the shared target must use password authentication for this test to mean anything")
	}
	user := acctest.UniqueID("sven")
	target.CreateUser(t, user, "pw")
	const n = 4
	crumbsBefore := -1
	// Every session ends mid-apply, as on a session timeout: the crumb the provider holds is
	// refused from then on.
	drop := &afterScriptCalls{sim: sim, k: 2, action: func(ctx context.Context) error {
		st, err := sim.Stats(ctx)
		if err != nil {
			return err
		}
		crumbsBefore = st["crumbIssuer"]
		return sim.ExpireSessions(ctx)
	}}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			PreConfig: func() { drop.start(t) },
			Config:    chainedTokensConfig(target.ProviderBlock(), user, n),
			Check: resource.ComposeAggregateTestCheckFunc(
				func(*terraform.State) error {
					if _, err := drop.check(); err != nil {
						return err
					}
					st, err := sim.Stats(context.Background())
					if err != nil {
						return err
					}
					if crumbsBefore < 1 {
						return fmt.Errorf("the provider had fetched %d crumbs before the sessions were dropped: it was not using password authentication with a crumb", crumbsBefore)
					}
					if st["crumbIssuer"] <= crumbsBefore {
						return fmt.Errorf("no crumb fetched after the sessions were dropped (%d before, %d after)", crumbsBefore, st["crumbIssuer"])
					}
					return nil
				},
				exactlyTheseTokens(t, target, user, n),
			),
		}},
	})
}

// TestAccFault_jenkinsNeverComesBack: Jenkins stays down (503 on every path), the port is
// closed, or Jenkins accepts requests and never answers. With max_retries = 2 and
// request_timeout = "2s" the run fails within seconds, naming the URL and the retries; once
// Jenkins is back the same configuration works.
func TestAccFault_jenkinsNeverComesBack(t *testing.T) {
	target := acctest.Shared(t)
	sim := target.RequireSim(t)
	ctx := context.Background()
	t.Cleanup(func() { _ = sim.ClearFaults(ctx) })

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + ln.Addr().String() + "/"
	_ = ln.Close()

	readConfig := func(url string) string {
		return fmt.Sprintf(`provider "jenkins" {
  server_url      = %s
  username        = %s
  password        = %s
  max_retries     = 2
  request_timeout = "2s"
}
data "jenkins_user_tokens" "admin" {
  user_id = %s
}`, acctest.Quote(url), acctest.Quote(target.Username), acctest.Quote(target.Password), acctest.Quote(target.Username))
	}
	cases := []struct {
		name  string
		url   string
		fault *jenkinssim.Fault
		cause string // a regexp the error matches after the URL
	}{
		{name: "503 forever", url: target.URL, fault: &jenkinssim.Fault{Path: "/", Mode: "status", Status: http.StatusServiceUnavailable}, cause: `HTTP\s+503`},
		{name: "port closed", url: closedURL, cause: `connection refused`},
		{name: "never answers", url: target.URL, fault: &jenkinssim.Fault{Path: "/", Mode: "delay", DelayMS: 15000}, cause: `(?i)timeout|deadline exceeded`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Terraform wraps diagnostics at spaces.
			want := regexp.MustCompile(`(?s)giving\s+up\s+on\s+(GET|POST)\s+` + regexp.QuoteMeta(tc.url) + `\S*\s+after\s+3\s+attempts\s+\(2\s+retries\s+exhausted\).*` + tc.cause)
			steps := []resource.TestStep{{
				PreConfig: func() {
					if tc.fault != nil {
						if err := sim.SetFault(ctx, *tc.fault); err != nil {
							t.Fatal(err)
						}
					}
				},
				Config:      readConfig(tc.url),
				ExpectError: want,
			}}
			if tc.fault != nil {
				steps = append(steps, resource.TestStep{
					PreConfig: func() {
						if err := sim.ClearFaults(ctx); err != nil {
							t.Fatal(err)
						}
					},
					Config: readConfig(tc.url),
				})
			}
			start := time.Now()
			resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProviders, Steps: steps})
			// Three attempts of at most 2s and two backoffs (about 0.5s and 1s), plus Terraform
			// itself; the defaults (5 retries, 2m per attempt) would take minutes.
			if d := time.Since(start); d > 40*time.Second {
				t.Errorf("the run took %s: max_retries and request_timeout did not bound it", d.Round(time.Second))
			}
		})
	}
}

// TestAccFault_scriptFailsInJenkins: the create script throws inside Jenkins. The user's record
// carries, in memory, a full name Jenkins refuses to save ("system", as an admin script or a
// security realm can set it), so ApiTokenProperty.addFixedNewToken fails in User.save() with an
// IOException. The error shows that exception, and no secret: the provider's API token, token
// values, crumbs (all long hex runs) or the base64 script parameters, which hold the new
// token's value.
func TestAccFault_scriptFailsInJenkins(t *testing.T) {
	target := acctest.Shared(t)
	target.RequireSim(t)
	user := acctest.UniqueID("uma")
	target.CreateUser(t, user, "pw")
	target.Script(t, `
def u = User.getById(P.id, false)
u.setFullName('system')
emit([fullName: u.getFullName()])
`, map[string]string{"id": user}, nil)

	// Authenticate with an admin API token: a secret the masking must keep out of the error.
	adminToken := target.NewToken(t, target.Username, acctest.UniqueID("fault-test"))
	t.Cleanup(func() { revokeByHand(t, target, target.Username, adminToken.UUID) })
	tokenAuth := *target
	tokenAuth.Password = adminToken.Value

	exception := regexp.MustCompile(`ERROR: "system" is prohibited as a full name for security reasons`)
	longHex := regexp.MustCompile(`[0-9a-fA-F]{32,}`)
	longBase64 := regexp.MustCompile(`[A-Za-z0-9+/]{60,}={0,2}`)
	var failed bool
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		ErrorCheck: func(err error) error {
			failed = true
			msg := strings.Join(strings.Fields(err.Error()), " ") // undo Terraform's line wrapping
			switch {
			case !strings.Contains(msg, "Unable to Create Jenkins API Token"):
				return fmt.Errorf("the create did not fail as expected: %w", err)
			case !exception.MatchString(msg):
				return fmt.Errorf("the error does not show the Jenkins exception %q: %w", exception, err)
			case strings.Contains(msg, adminToken.Value):
				return fmt.Errorf("the error holds the provider's API token")
			case longHex.MatchString(msg):
				return fmt.Errorf("the error holds a long hex run (a token value or crumb)")
			case longBase64.MatchString(msg):
				return fmt.Errorf("the error holds a long base64 run (the script parameters, with the token value)")
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: tokenAuth.ProviderBlockFromEnv(t) + fmt.Sprintf(`
resource "jenkins_user_api_token" "t" {
  user_id = %s
  name    = "never saved"
}`, acctest.Quote(user)),
			Check: func(*terraform.State) error {
				return fmt.Errorf("the create succeeded; the user's record cannot be saved, so it must fail")
			},
		}},
	})
	if !failed {
		t.Error("the apply did not fail")
	}
	// The failed create leaves nothing behind: no token that authenticates with a value nobody
	// holds (Jenkins adds the token in memory before the save fails).
	if names := target.TokenNames(t, user); len(names) != 0 {
		t.Errorf("%s holds %d tokens after the failed create, want none", user, len(names))
	}
}
