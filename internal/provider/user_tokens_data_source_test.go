package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

var rfc3339UTC = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)

// tokensAt is the state path of data.jenkins_user_tokens.<name>.tokens.
func tokensAt(name string, elems ...any) (string, tfjsonpath.Path) {
	p := tfjsonpath.New("tokens")
	for _, e := range elems {
		switch v := e.(type) {
		case int:
			p = p.AtSliceIndex(v)
		case string:
			p = p.AtMapKey(v)
		}
	}
	return "data.jenkins_user_tokens." + name, p
}

func expectTokens(name string, checks ...knownvalue.Check) statecheck.StateCheck {
	addr, p := tokensAt(name)
	return statecheck.ExpectKnownValue(addr, p, knownvalue.ListExact(checks))
}

func TestAccUserTokensDataSource_oneUser(t *testing.T) {
	target := acctest.Shared(t)
	alice := acctest.UniqueID("Alice")
	target.CreateUser(t, alice, acctest.NewPassword())
	deploy := target.NewToken(t, alice, "deploy")
	backup := target.NewToken(t, alice, "Backup")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			// Jenkins IDs are case-insensitive: the lower-case spelling finds Alice, and the
			// result carries Jenkins's own spelling.
			Config: target.ProviderBlock() + fmt.Sprintf(`
data "jenkins_user_tokens" "alice" {
  user_id = %s
}`, acctest.Quote(strings.ToLower(alice))),
			ConfigStateChecks: []statecheck.StateCheck{
				expectTokens("alice",
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"user_id":         knownvalue.StringExact(alice),
						"uuid":            knownvalue.StringExact(backup.UUID),
						"name":            knownvalue.StringExact("Backup"),
						"created_at":      knownvalue.StringRegexp(rfc3339UTC),
						"legacy":          knownvalue.Bool(false),
						"use_count":       knownvalue.Int64Exact(0),
						"last_used_at":    knownvalue.Null(),
						"expiration_date": knownvalue.Null(),
						"expired":         knownvalue.Bool(false),
						"expires_in_days": knownvalue.Null(),
					}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"uuid": knownvalue.StringExact(deploy.UUID),
						"name": knownvalue.StringExact("deploy"),
					}),
				),
			},
		}},
	})
}

func TestAccUserTokensDataSource_usageAndLegacy(t *testing.T) {
	target := acctest.Shared(t)
	bob := acctest.UniqueID("bob")
	target.CreateUser(t, bob, acctest.NewPassword())
	used := target.NewToken(t, bob, "used")
	legacy := target.NewLegacyToken(t, bob)
	// Three authenticated requests with the token: Jenkins counts each one.
	for i := 0; i < 3; i++ {
		if code := whoAmI(t, target.URL, bob, used.Value); code != http.StatusOK {
			t.Fatalf("token of %s rejected: HTTP %d", bob, code)
		}
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: target.ProviderBlock() + fmt.Sprintf(`
data "jenkins_user_tokens" "all" {
  user_ids = [%s]
}
data "jenkins_user_tokens" "legacy" {
  user_ids = [%[1]s]
  legacy   = true
}
data "jenkins_user_tokens" "new" {
  user_ids = [%[1]s]
  legacy   = false
}`, acctest.Quote(bob)),
			ConfigStateChecks: []statecheck.StateCheck{
				expectTokens("all",
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"uuid": knownvalue.StringExact(legacy.UUID), "name": knownvalue.StringExact("Legacy Token"),
						"legacy": knownvalue.Bool(true), "use_count": knownvalue.Int64Exact(0), "last_used_at": knownvalue.Null(),
					}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"uuid": knownvalue.StringExact(used.UUID), "legacy": knownvalue.Bool(false),
						"use_count": knownvalue.Int64Exact(3), "last_used_at": knownvalue.StringRegexp(rfc3339UTC),
					}),
				),
				expectTokens("legacy", knownvalue.ObjectPartial(map[string]knownvalue.Check{"uuid": knownvalue.StringExact(legacy.UUID)})),
				expectTokens("new", knownvalue.ObjectPartial(map[string]knownvalue.Check{"uuid": knownvalue.StringExact(used.UUID)})),
			},
		}},
	})
}

func TestAccUserTokensDataSource_allUsersOneScriptCall(t *testing.T) {
	target := acctest.Shared(t)
	sim := target.RequireSim(t)
	prefix := acctest.UniqueID("many")
	const users = 12
	want := map[string]string{}
	for i := 0; i < users; i++ {
		id := fmt.Sprintf("%s-%02d", prefix, i)
		target.CreateUser(t, id, "pw")
		want[target.NewToken(t, id, "t").UUID] = id
	}
	ctx := context.Background()
	before, err := sim.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: target.ProviderBlock() + `
data "jenkins_user_tokens" "all" {}
output "mine" {
  value = { for t in data.jenkins_user_tokens.all.tokens : t.uuid => t.user_id if startswith(t.user_id, "` + prefix + `") }
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("mine", knownvalue.MapExact(stringChecks(want))),
			},
		}},
	})

	after, err := sim.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The step refreshes and plans the data source a handful of times; each Read must be one
	// script call whatever the number of users.
	if calls := after["scriptText"] - before["scriptText"]; calls >= users {
		t.Errorf("listing %d users took %d script-console calls; want one per read, independent of the number of users", users, calls)
	}
}

func TestAccUserTokensDataSource_filters(t *testing.T) {
	target := acctest.Shared(t)
	sim := target.RequireSim(t)
	carol := acctest.UniqueID("carol")
	target.CreateUser(t, carol, "pw")
	ci := target.NewToken(t, carol, "ci-main")
	laptop := target.NewToken(t, carol, "laptop")
	today := time.Now().Format("2006-01-02")
	soon := target.NewExpiringToken(t, carol, "ci-short", today)
	whoAmI(t, target.URL, carol, laptop.Value)

	// One day later (on the simulator's clock) the token that expired today has expired.
	if err := sim.SetClock(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.SetClock(context.Background(), 0) })

	created := time.Now().UTC()
	// The provider's clock, 30 days from now: every token is unused for 29 days, except none.
	later := created.Add(30 * 24 * time.Hour)
	q := acctest.Quote(carol)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProvidersAt(later),
		Steps: []resource.TestStep{{
			Config: target.ProviderBlock() + fmt.Sprintf(`
data "jenkins_user_tokens" "ci" {
  user_id    = %[1]s
  name_regex = "^ci-"
}
data "jenkins_user_tokens" "expired" {
  user_id = %[1]s
  expired = true
}
data "jenkins_user_tokens" "valid_ci" {
  user_id    = %[1]s
  expired    = false
  name_regex = "^ci-"
}
data "jenkins_user_tokens" "unused_29" {
  user_id         = %[1]s
  unused_for_days = 29
}
data "jenkins_user_tokens" "unused_31" {
  user_id         = %[1]s
  unused_for_days = 31
}
data "jenkins_user_tokens" "created_before_now" {
  user_id        = %[1]s
  created_before = %[2]q
}
data "jenkins_user_tokens" "created_before_past" {
  user_id        = %[1]s
  created_before = "2020-01-01T00:00:00Z"
}`, q, created.Add(time.Minute).Format(time.RFC3339)),
			ConfigStateChecks: []statecheck.StateCheck{
				expectTokens("ci", uuidIs(ci.UUID), uuidIs(soon.UUID)),
				expectTokens("expired", knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"uuid": knownvalue.StringExact(soon.UUID), "expired": knownvalue.Bool(true), "expiration_date": knownvalue.StringExact(today),
				})),
				expectTokens("valid_ci", uuidIs(ci.UUID)),
				expectTokens("unused_29", uuidIs(ci.UUID), uuidIs(soon.UUID), uuidIs(laptop.UUID)),
				expectTokens("unused_31"),
				expectTokens("created_before_now", uuidIs(ci.UUID), uuidIs(soon.UUID), uuidIs(laptop.UUID)),
				expectTokens("created_before_past"),
			},
		}},
	})
}

// never_expires selects by the presence of an expiration date: a legacy token has none, so it
// counts as never expiring.
func TestAccUserTokensDataSource_neverExpires(t *testing.T) {
	target := acctest.Shared(t)
	nora := acctest.UniqueID("nora")
	target.CreateUser(t, nora, "pw")
	forever := target.NewToken(t, nora, "forever")
	dated := target.NewExpiringToken(t, nora, "dated", time.Now().AddDate(0, 0, 30).Format(dateLayout))
	legacy := target.NewLegacyToken(t, nora)
	q := acctest.Quote(nora)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: target.ProviderBlock() + fmt.Sprintf(`
data "jenkins_user_tokens" "never" {
  user_id       = %[1]s
  never_expires = true
}
data "jenkins_user_tokens" "dated" {
  user_id       = %[1]s
  never_expires = false
}
data "jenkins_user_tokens" "never_not_legacy" {
  user_id       = %[1]s
  never_expires = true
  legacy        = false
}
data "jenkins_user_tokens" "never_not_expired" {
  user_id       = %[1]s
  never_expires = true
  expired       = false
}`, q),
			ConfigStateChecks: []statecheck.StateCheck{
				expectTokenSet("never", forever.UUID, legacy.UUID),
				expectTokenSet("dated", dated.UUID),
				expectTokenSet("never_not_legacy", forever.UUID),
				expectTokenSet("never_not_expired", forever.UUID, legacy.UUID),
			},
		}},
	})
}

// Before Jenkins 2.548 no token has an expiration date: every token never expires.
func TestAccUserTokensDataSource_neverExpiresBeforeExpirationDates(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{Version: "2.462"})
	olga := acctest.UniqueID("olga")
	target.CreateUser(t, olga, "pw")
	a := target.NewToken(t, olga, "a")
	b := target.NewToken(t, olga, "b")
	legacy := target.NewLegacyToken(t, olga)
	q := acctest.Quote(olga)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: target.ProviderBlock() + fmt.Sprintf(`
data "jenkins_user_tokens" "never" {
  user_id       = %[1]s
  never_expires = true
}
data "jenkins_user_tokens" "dated" {
  user_id       = %[1]s
  never_expires = false
}`, q),
			ConfigStateChecks: []statecheck.StateCheck{
				expectTokenSet("never", a.UUID, b.UUID, legacy.UUID),
				expectTokenSet("dated"),
			},
		}},
	})
}

// expectTokenSet checks that data.jenkins_user_tokens.<name> lists exactly these UUIDs.
func expectTokenSet(name string, uuids ...string) statecheck.StateCheck {
	checks := make([]knownvalue.Check, len(uuids))
	for i, u := range uuids {
		checks[i] = uuidIs(u)
	}
	addr, p := tokensAt(name)
	return statecheck.ExpectKnownValue(addr, p, knownvalue.SetExact(checks))
}

func TestAccUserTokensDataSource_unknownUser(t *testing.T) {
	target := acctest.Shared(t)
	ghost := acctest.UniqueID("ghost")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: target.ProviderBlock() + fmt.Sprintf(`
data "jenkins_user_tokens" "x" {
  user_ids = [%s, %s]
}`, acctest.Quote(target.Username), acctest.Quote(ghost)),
			// Worded for a listing, not for a create ("before a token can be created").
			ExpectError: regexp.MustCompile(`(?s)Unknown Jenkins User.*` + regexp.QuoteMeta(ghost) + `.*the data source lists`),
		}},
	})
	if target.UserExists(t, ghost) {
		t.Errorf("listing tokens of unknown user %q created a user record", ghost)
	}
}

func TestAccUserTokensDataSource_badInput(t *testing.T) {
	target := acctest.Shared(t)
	cases := []struct {
		name, body string
		want       string
	}{
		{"invalid regex", `name_regex = "ci-("`, `(?s)Invalid Regular Expression.*RE2`},
		{"invalid created_before", `created_before = "yesterday"`, `(?s)Invalid Timestamp.*RFC 3339`},
		{"date without time", `created_before = "2026-01-01"`, `(?s)Invalid Timestamp.*2026-01-31T00:00:00Z`},
		{"unused_for_days zero", `unused_for_days = 0`, `(?s)unused_for_days.*at least 1`},
		{"never_expires with expired", `
  never_expires = true
  expired       = true`, `(?s)Token Filters Select Nothing.*never_expires\s+=\s+true\s+and\s+expired\s+=\s+true\s+select\s+nothing`},
		{"both user_id and user_ids", `
  user_id  = "a"
  user_ids = ["b"]`, `(?s)Invalid Attribute Combination`},
		{"empty user_id", `user_id = ""`, `(?s)user_id.*length`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config:      target.ProviderBlock() + "data \"jenkins_user_tokens\" \"x\" {\n  " + tc.body + "\n}",
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

func TestAccUserTokensDataSource_authErrors(t *testing.T) {
	target := acctest.Shared(t)
	dave := acctest.UniqueID("dave")
	davePW := acctest.NewPassword()
	target.CreateUser(t, dave, davePW)
	daveToken := target.NewToken(t, dave, "own")
	config := func(user, password string) string {
		wrong := acctest.Target{URL: target.URL, Username: user, Password: password}
		return wrong.ProviderBlock() + `data "jenkins_user_tokens" "all" {}`
	}
	cases := []struct {
		name, user, password, want string
	}{
		{"wrong password", target.Username, "not-the-password", `(?s)rejected the username or the password/API token \(HTTP 401\)`},
		{"unknown user", acctest.UniqueID("nobody"), "x", `(?s)HTTP 401`},
		{"non-admin with password", dave, davePW, `(?s)needs\s+Overall/Administer`},
		{"non-admin with API token", dave, daveToken.Value, `(?s)needs\s+Overall/Administer`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps:                    []resource.TestStep{{Config: config(tc.user, tc.password), ExpectError: regexp.MustCompile(tc.want)}},
			})
		})
	}
}

// TestAccUserTokensDataSource_adminToken authenticates with an API token instead of a password:
// no crumb is needed, and the request counts as a use of that token.
func TestAccUserTokensDataSource_adminToken(t *testing.T) {
	target := acctest.Shared(t)
	sim := target.RequireSim(t)
	tok := target.NewToken(t, target.Username, acctest.UniqueID("terraform"))
	ctx := context.Background()
	before, err := sim.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	viaToken := acctest.Target{URL: target.URL, Username: target.Username, Password: tok.Value}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: viaToken.ProviderBlock() + fmt.Sprintf(`
data "jenkins_user_tokens" "mine" {
  user_id    = %s
  name_regex = %s
}`, acctest.Quote(target.Username), acctest.Quote("^"+regexp.QuoteMeta(tok.UUID)+"$|terraform")),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.jenkins_user_tokens.mine", tfjsonpath.New("tokens"),
					knownvalue.ListPartial(map[int]knownvalue.Check{0: knownvalue.NotNull()})),
			},
		}},
	})
	after, err := sim.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := after["crumbIssuer"] - before["crumbIssuer"]; n != 0 {
		t.Errorf("API-token authentication fetched %d crumbs; it needs none", n)
	}
}

// TestAccUserTokensDataSource_contextPath runs against a Jenkins served under /jenkins/.
func TestAccUserTokensDataSource_contextPath(t *testing.T) {
	acctest.Shared(t).RequireSim(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sim, err := jenkinssim.Start(ctx, jenkinssim.Options{ContextPath: "/jenkins"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		acctest.CheckScriptLeaks(t, sim)
		_ = sim.Close()
	})
	if !strings.HasSuffix(sim.URL, "/jenkins/") {
		t.Fatalf("simulator URL %q does not end with the context path", sim.URL)
	}
	target := &acctest.Target{URL: sim.URL, Username: sim.AdminUser, Password: sim.AdminPassword, Sim: sim}
	erin := acctest.UniqueID("erin")
	target.CreateUser(t, erin, "pw")
	tok := target.NewToken(t, erin, "under-context-path")
	// Without the trailing slash too: users write both.
	noSlash := *target
	noSlash.URL = strings.TrimSuffix(sim.URL, "/")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: noSlash.ProviderBlock() + fmt.Sprintf(`
data "jenkins_user_tokens" "erin" {
  user_id = %s
}`, acctest.Quote(erin)),
			ConfigStateChecks: []statecheck.StateCheck{expectTokens("erin", uuidIs(tok.UUID))},
		}},
	})
}

// TestAccUserTokensDataSource_notJenkins points the provider at a web server that is not Jenkins.
func TestAccUserTokensDataSource_notJenkins(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><body>Welcome to nginx!</body></html>"))
	}))
	defer srv.Close()
	target := acctest.Target{URL: srv.URL + "/", Username: "admin", Password: "admin"}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:      target.ProviderBlock() + `data "jenkins_user_tokens" "all" {}`,
			ExpectError: regexp.MustCompile(`(?s)does not look like\s+Jenkins`),
		}},
	})
}

// TestAccUserTokensDataSource_tlsUnknownCA talks to an HTTPS server whose certificate no system
// root signed: the error must point at ca_cert.
func TestAccUserTokensDataSource_tlsUnknownCA(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	target := acctest.Target{URL: srv.URL + "/", Username: "admin", Password: "admin"}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:      target.ProviderBlock("max_retries = 0") + `data "jenkins_user_tokens" "all" {}`,
			ExpectError: regexp.MustCompile(`(?s)TLS.*ca_cert`),
		}},
	})
}

// TestAccProvider_missingConfiguration leaves the provider block empty with no environment:
// each missing value is an error naming its environment variable.
func TestAccProvider_missingConfiguration(t *testing.T) {
	acctest.Shared(t)
	for _, env := range []string{"JENKINS_URL", "JENKINS_USERNAME", "JENKINS_PASSWORD", "JENKINS_CA_CERT", "JENKINS_INSECURE"} {
		t.Setenv(env, "")
	}
	for _, want := range []string{"JENKINS_URL", "JENKINS_USERNAME", "JENKINS_PASSWORD"} {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProviders,
			Steps: []resource.TestStep{{
				Config:      `data "jenkins_user_tokens" "all" {}`,
				ExpectError: regexp.MustCompile(`(?s)Missing Jenkins.*` + want),
			}},
		})
	}
}

func TestAccProvider_badConfiguration(t *testing.T) {
	target := acctest.Shared(t)
	cases := []struct{ name, extra, want string }{
		{"url without scheme", "", `(?s)Invalid Jenkins URL.*http:// or https://`},
		{"bad timeout", `request_timeout = "soon"`, `(?s)Invalid Duration.*"30s"`},
		{"negative timeout", `request_timeout = "-1s"`, `(?s)request_timeout must be a duration from 1ms`},
		{"negative retries", `max_retries = -1`, `(?s)max_retries.*between 0 and 100`},
		{"ca_cert not PEM", `ca_cert = "/nonexistent/ca.pem"`, `(?s)Invalid CA Certificate.*neither PEM content nor a readable file`},
		{"bad batch window", `read_batch_window = "fast"`, `(?s)Invalid Duration.*"20ms"`},
		{"negative batch window", `read_batch_window = "-5ms"`, `(?s)read_batch_window must be a duration from 0s`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := *target
			if tc.name == "url without scheme" {
				cfg.URL = "ci.example.com"
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config:      cfg.ProviderBlock(tc.extra) + `data "jenkins_user_tokens" "all" {}`,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

func uuidIs(uuid string) knownvalue.Check {
	return knownvalue.ObjectPartial(map[string]knownvalue.Check{"uuid": knownvalue.StringExact(uuid)})
}

func stringChecks(m map[string]string) map[string]knownvalue.Check {
	out := make(map[string]knownvalue.Check, len(m))
	for k, v := range m {
		out[k] = knownvalue.StringExact(v)
	}
	return out
}

// whoAmI authenticates to Jenkins as user with secret and returns the HTTP status: what a user
// checks to see whether a token works.
func whoAmI(t *testing.T, baseURL, user, secret string) int {
	t.Helper()
	code := whoAmIStatus(baseURL, user, secret)
	if code == 0 {
		t.Fatalf("whoAmI: no answer from %s", baseURL)
	}
	return code
}
