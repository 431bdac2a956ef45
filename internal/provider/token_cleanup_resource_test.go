package provider

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
)

func cleanupHCL(target *acctest.Target, typ string, body string) string {
	return target.ProviderBlock() + fmt.Sprintf("resource %q \"c\" {\n%s\n}\n", typ, body)
}

func quotedSet(ids ...string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = acctest.Quote(id)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// revokedTokens is the expected `revoked` list, in any order.
func revokedTokens(refs ...acctest.FixtureToken) knownvalue.Check {
	checks := make([]knownvalue.Check, len(refs))
	for i, r := range refs {
		checks[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"uuid": knownvalue.StringExact(r.UUID)})
	}
	return knownvalue.SetExact(checks)
}

// rejected checks that Jenkins answers 401 to each token: what "revoked" means to a user.
func rejected(target *acctest.Target, user string, toks ...acctest.FixtureToken) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, tok := range toks {
			if code := whoAmIStatus(target.URL, user, tok.Value); code != http.StatusUnauthorized {
				return fmt.Errorf("token %s of %s: HTTP %d, want 401", tok.UUID, user, code)
			}
		}
		return nil
	}
}

func accepted(target *acctest.Target, user string, toks ...acctest.FixtureToken) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, tok := range toks {
			if code := whoAmIStatus(target.URL, user, tok.Value); code != http.StatusOK {
				return fmt.Errorf("token %s of %s: HTTP %d, want 200", tok.UUID, user, code)
			}
		}
		return nil
	}
}

// restartJenkins restarts the simulator and waits for it: only what Jenkins saved survives.
func restartJenkins(t *testing.T, target *acctest.Target) {
	t.Helper()
	sim := target.RequireSim(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := sim.Restart(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if err := sim.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestAccLegacyTokenCleanup(t *testing.T) {
	target := acctest.Shared(t)
	target.RequireSim(t)
	ivy, jon, kim := acctest.UniqueID("ivy"), acctest.UniqueID("jon"), acctest.UniqueID("kim")
	for _, u := range []string{ivy, jon, kim} {
		target.CreateUser(t, u, "pw")
	}
	ivyLegacy := target.NewLegacyToken(t, ivy)
	ivyNew := target.NewToken(t, ivy, "kept")
	jonLegacy := target.NewLegacyToken(t, jon) // never used
	whoAmI(t, target.URL, ivy, ivyLegacy.Value)
	var jonLater acctest.FixtureToken
	addr := "jenkins_legacy_token_cleanup.c"
	config := cleanupHCL(target, "jenkins_legacy_token_cleanup", "  user_ids = "+quotedSet(ivy, jon, kim))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				// A new cleanup: the plan lists the tokens in a warning, apply revokes them.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("revoked")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("legacy_tokens"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("revoked"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"user_id": knownvalue.StringExact(ivy), "uuid": knownvalue.StringExact(ivyLegacy.UUID),
							"name": knownvalue.StringExact("Legacy Token"), "legacy": knownvalue.Bool(true),
							"revoked_at": knownvalue.StringRegexp(rfc3339UTC),
						}),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"uuid": knownvalue.StringExact(jonLegacy.UUID)}),
					})),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					rejected(target, ivy, ivyLegacy),
					rejected(target, jon, jonLegacy),
					accepted(target, ivy, ivyNew),
				),
			},
			{
				// After a restart the legacy tokens are still gone: their seeds were cleared too.
				PreConfig: func() { restartJenkins(t, target) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					rejected(target, ivy, ivyLegacy),
					rejected(target, jon, jonLegacy),
					accepted(target, ivy, ivyNew),
				),
			},
			{
				// A new legacy token appears: the plan names its user, apply revokes it.
				PreConfig: func() { jonLater = target.NewLegacyToken(t, jon) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("legacy_tokens"), knownvalue.ListSizeExact(0)),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("revoked")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("revoked"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"user_id": knownvalue.StringExact(jon), "legacy": knownvalue.Bool(true)}),
					})),
				},
				Check: func(s *terraform.State) error { return rejected(target, jon, jonLater)(s) },
			},
		},
	})
}

// TestAccLegacyTokenCleanup_migratedToken: a legacy token whose seed survived a revokeAll comes
// back at restart without a creation date (Jenkins's quirk); the cleanup finds and ends it.
func TestAccLegacyTokenCleanup_migratedToken(t *testing.T) {
	target := acctest.Shared(t)
	target.RequireSim(t)
	leo := acctest.UniqueID("leo")
	target.CreateUser(t, leo, "pw")
	legacy := target.NewLegacyToken(t, leo)
	target.Script(t, `
import jenkins.security.ApiTokenProperty
def u = User.getById(P.user, false)
u.getProperty(ApiTokenProperty).revokeAllTokens()
emit([:])
`, map[string]string{"user": leo}, nil)
	restartJenkins(t, target)
	if code := whoAmIStatus(target.URL, leo, legacy.Value); code != http.StatusOK {
		t.Fatalf("precondition: the legacy token should be back after restart (Jenkins quirk Q7), got HTTP %d", code)
	}
	addr := "jenkins_legacy_token_cleanup.c"
	config := cleanupHCL(target, "jenkins_legacy_token_cleanup", "  user_ids = "+quotedSet(leo))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: target.ProviderBlock() + fmt.Sprintf(`data "jenkins_user_tokens" "leo" {
  user_id = %s
}`, acctest.Quote(leo)),
				ConfigStateChecks: []statecheck.StateCheck{expectTokens("leo", knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"legacy": knownvalue.Bool(true), "created_at": knownvalue.Null(), "use_count": knownvalue.Int64Exact(1),
				}))},
			},
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("revoked"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"user_id": knownvalue.StringExact(leo), "legacy": knownvalue.Bool(true)}),
					})),
				},
				Check: rejected(target, leo, legacy),
			},
			{
				PreConfig:        func() { restartJenkins(t, target) },
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            rejected(target, leo, legacy),
			},
		},
	})
}

// TestAccUserTokenCleanup_offboarding: bob left. Every token of his goes, whatever its kind,
// except the service token kept by UUID; other users are untouched.
func TestAccUserTokenCleanup_offboarding(t *testing.T) {
	target := acctest.Shared(t)
	target.RequireSim(t)
	bob, eve := acctest.UniqueID("bob"), acctest.UniqueID("eve")
	target.CreateUser(t, bob, "pw")
	target.CreateUser(t, eve, "pw")
	laptop := target.NewToken(t, bob, "laptop")
	ci := target.NewToken(t, bob, "ci")
	service := target.NewToken(t, bob, "service")
	legacy := target.NewLegacyToken(t, bob)
	evesToken := target.NewToken(t, eve, "laptop")
	addr := "jenkins_user_token_cleanup.c"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: cleanupHCL(target, "jenkins_user_token_cleanup",
					fmt.Sprintf("  user_ids   = %s\n  keep_uuids = [%q]", quotedSet(bob), service.UUID)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("tokens"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("revoked"), revokedTokens(laptop, ci, legacy)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					rejected(target, bob, laptop, ci, legacy),
					accepted(target, bob, service),
					accepted(target, eve, evesToken),
				),
			},
			{
				// After a restart, the legacy token stays revoked.
				PreConfig: func() { restartJenkins(t, target) },
				Config: cleanupHCL(target, "jenkins_user_token_cleanup",
					fmt.Sprintf("  user_ids   = %s\n  keep_uuids = [%q]", quotedSet(bob), service.UUID)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            rejected(target, bob, legacy),
			},
			{
				// Without keep_uuids, the service token goes too.
				Config: cleanupHCL(target, "jenkins_user_token_cleanup", "  user_ids = "+quotedSet(bob)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("revoked"), revokedTokens(service)),
				},
				Check: rejected(target, bob, service),
			},
		},
	})
}

func TestAccUserTokenCleanup_filters(t *testing.T) {
	target := acctest.Shared(t)
	sim := target.RequireSim(t)
	mia := acctest.UniqueID("mia")
	target.CreateUser(t, mia, "pw")
	ciOld := target.NewToken(t, mia, "ci-old")
	ciUsed := target.NewToken(t, mia, "ci-used")
	laptop := target.NewToken(t, mia, "laptop")
	expiring := target.NewExpiringToken(t, mia, "short", time.Now().Format(dateLayout))
	whoAmI(t, target.URL, mia, ciUsed.Value)
	ctx := context.Background()
	if err := sim.SetClock(ctx, 1); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.SetClock(ctx, 0) })
	addr := "jenkins_user_token_cleanup.c"
	// Seen from 100 days later, ci-used was used 100 days ago: with unused_for_days = 101 only
	// the never-used ones count, and their creation is also 100 days ago... so use the regex to
	// tell them apart and the expiry filter on its own.
	resource.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				// Expired tokens only.
				ProtoV6ProviderFactories: testAccProviders,
				Config:                   cleanupHCL(target, "jenkins_user_token_cleanup", fmt.Sprintf("  user_ids = %s\n  expired  = true", quotedSet(mia))),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("revoked"), revokedTokens(expiring)),
				},
				Check: accepted(target, mia, ciOld, ciUsed, laptop),
			},
			{
				// Tokens named ci-* not used for 30 days, seen 40 days from now: ci-old was never
				// used (counts from its creation); ci-used was used today, 40 days before "now".
				ProtoV6ProviderFactories: testAccProvidersAt(time.Now().AddDate(0, 0, 40)),
				Config: cleanupHCL(target, "jenkins_user_token_cleanup",
					fmt.Sprintf("  user_ids        = %s\n  name_regex      = \"^ci-\"\n  unused_for_days = 30\n  created_before  = %q",
						quotedSet(mia), time.Now().Add(time.Hour).UTC().Format(time.RFC3339))),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("revoked"), revokedTokens(ciOld, ciUsed)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(rejected(target, mia, ciOld, ciUsed), accepted(target, mia, laptop)),
			},
			{
				// Only tokens unused for 30 days as of today: none of what is left.
				ProtoV6ProviderFactories: testAccProviders,
				Config: cleanupHCL(target, "jenkins_user_token_cleanup",
					fmt.Sprintf("  user_ids        = %s\n  unused_for_days = 30", quotedSet(mia))),
				// The selection changed, so the last revocations are still what the state shows.
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("revoked"), knownvalue.ListSizeExact(0)),
				},
				Check: accepted(target, mia, laptop),
			},
		},
	})
}

// never_expires retires the tokens made without an expiration date, alone or with other filters;
// a legacy token counts as never expiring. Changing only never_expires is a new selection.
func TestAccUserTokenCleanup_neverExpires(t *testing.T) {
	target := acctest.Shared(t)
	pia := acctest.UniqueID("pia")
	target.CreateUser(t, pia, "pw")
	ciForever := target.NewToken(t, pia, "ci-forever")
	laptop := target.NewToken(t, pia, "laptop")
	ciDated := target.NewExpiringToken(t, pia, "ci-dated", time.Now().AddDate(0, 0, 30).Format(dateLayout))
	legacy := target.NewLegacyToken(t, pia)
	addr := "jenkins_user_token_cleanup.c"
	config := func(filters string) string {
		return cleanupHCL(target, "jenkins_user_token_cleanup", fmt.Sprintf("  user_ids = %s\n%s", quotedSet(pia), filters))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				// CI tokens made without an expiration date.
				Config: config("  name_regex    = \"^ci-\"\n  never_expires = true"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("revoked"), revokedTokens(ciForever)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(rejected(target, pia, ciForever), accepted(target, pia, laptop, ciDated, legacy)),
			},
			{
				// Every token that never expires, the legacy one included; the dated one stays.
				Config: config("  never_expires = true"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("revoked"), revokedTokens(laptop, legacy)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(rejected(target, pia, laptop, legacy), accepted(target, pia, ciDated)),
			},
			{
				// Only never_expires changes: a new selection, which picks the dated token.
				Config: config("  never_expires = false"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("revoked"), revokedTokens(ciDated)),
				},
				Check: rejected(target, pia, ciDated),
			},
		},
	})
}

// never_expires = true with expired = true selects nothing; when one of them is known only at
// apply, the plan-time check cannot see it, and apply refuses it before revoking anything.
func TestAccUserTokenCleanup_neverExpiresAndExpiredUnknownAtPlan(t *testing.T) {
	target := acctest.Shared(t)
	quinn := acctest.UniqueID("quinn")
	target.CreateUser(t, quinn, "pw")
	tok := target.NewToken(t, quinn, "forever")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: target.ProviderBlock() + fmt.Sprintf(`
resource "terraform_data" "e" {
  input = true
}
resource "jenkins_user_token_cleanup" "c" {
  user_ids      = [%s]
  never_expires = true
  expired       = terraform_data.e.output
}`, acctest.Quote(quinn)),
			ExpectError: regexp.MustCompile(`(?s)Token Filters Select Nothing.*never_expires\s+=\s+true\s+and\s+expired\s+=\s+true\s+select\s+nothing`),
		}},
	})
	if code := whoAmIStatus(target.URL, quinn, tok.Value); code != http.StatusOK {
		t.Errorf("the token answers HTTP %d after the refused apply, want 200", code)
	}
}

// revokeDuringPlanCheck revokes a token between plan and apply, as another admin might; it
// passes itself as a plan check because that is the moment between the two.
type revokeDuringPlanCheck struct {
	t      *testing.T
	target *acctest.Target
	user   string
	uuid   *acctest.FixtureToken
}

func (c revokeDuringPlanCheck) CheckPlan(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse) {
	revokeByHand(c.t, c.target, c.user, c.uuid.UUID)
}

func TestAccUserTokenCleanup_revokedBetweenPlanAndApply(t *testing.T) {
	target := acctest.Shared(t)
	ned := acctest.UniqueID("ned")
	target.CreateUser(t, ned, "pw")
	var a, b acctest.FixtureToken
	addr := "jenkins_user_token_cleanup.c"
	config := cleanupHCL(target, "jenkins_user_token_cleanup", "  user_ids = "+quotedSet(ned))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config},
			{
				// Two tokens appear; the plan lists both. Another admin revokes one of them
				// before apply: apply still succeeds, both are gone, and revoked lists only the
				// one this apply revoked.
				PreConfig: func() {
					a = target.NewToken(t, ned, "a")
					b = target.NewToken(t, ned, "b")
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("tokens"), knownvalue.ListSizeExact(0)),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("revoked")),
					revokeDuringPlanCheck{t: t, target: target, user: ned, uuid: &a},
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("tokens"), knownvalue.ListSizeExact(0)),
				},
				Check: func(s *terraform.State) error {
					if err := revokedExactly(s, addr, b.UUID); err != nil {
						return err
					}
					return rejected(target, ned, a, b)(s)
				},
			},
		},
	})
}

// revokedExactly checks the state's revoked list against uuids, in any order.
func revokedExactly(s *terraform.State, addr string, uuids ...string) error {
	rs, ok := s.RootModule().Resources[addr]
	if !ok {
		return fmt.Errorf("%s not in state", addr)
	}
	got := map[string]bool{}
	for k, v := range rs.Primary.Attributes {
		if strings.HasPrefix(k, "revoked.") && strings.HasSuffix(k, ".uuid") {
			got[v] = true
		}
	}
	if len(got) != len(uuids) {
		return fmt.Errorf("revoked lists %d tokens, want %d", len(got), len(uuids))
	}
	for _, u := range uuids {
		if !got[u] {
			return fmt.Errorf("revoked does not list %s", u)
		}
	}
	return nil
}

func TestAccTokenCleanup_badInput(t *testing.T) {
	target := acctest.Shared(t)
	owen := acctest.UniqueID("owen")
	target.CreateUser(t, owen, "pw")
	ghost := acctest.UniqueID("ghost")
	cases := []struct{ name, typ, body, want string }{
		{"unknown user", "jenkins_legacy_token_cleanup", "  user_ids = " + quotedSet(owen, ghost), `(?s)Unknown Jenkins User.*` + regexp.QuoteMeta(ghost) + `.*Check the spelling`},
		{"invalid regex", "jenkins_user_token_cleanup", `  name_regex = "("`, `(?s)Invalid Regular Expression`},
		{"invalid created_before", "jenkins_user_token_cleanup", `  created_before = "last week"`, `(?s)Invalid Timestamp`},
		{"zero days", "jenkins_user_token_cleanup", `  unused_for_days = 0`, `(?s)at least 1`},
		{"never_expires with expired", "jenkins_user_token_cleanup", "  never_expires = true\n  expired       = true",
			`(?s)Token Filters Select Nothing.*never_expires\s+=\s+true\s+and\s+expired\s+=\s+true\s+select\s+nothing`},
		{"never_expires on legacy cleanup", "jenkins_legacy_token_cleanup", `  never_expires = true`, `(?s)never_expires.*(not expected|Unsupported argument)`},
		{"keep_uuids not a uuid", "jenkins_user_token_cleanup", `  keep_uuids = ["laptop"]`, `(?s)must be a token UUID`},
		{"empty user id", "jenkins_legacy_token_cleanup", `  user_ids = [""]`, `(?s)length`},
		{"zero max_revocations", "jenkins_legacy_token_cleanup", `  max_revocations = 0`, `(?s)max_revocations.*at least 1`},
		{"filter on legacy cleanup", "jenkins_legacy_token_cleanup", `  name_regex = "x"`, `(?s)name_regex.*(not expected|Unsupported argument)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps:                    []resource.TestStep{{Config: cleanupHCL(target, tc.typ, tc.body), ExpectError: regexp.MustCompile(tc.want)}},
			})
		})
	}
}

// TestAccLegacyTokenCleanup_thousandsOfUsers: reading and revoking across 1,500 users costs a
// fixed handful of script calls, not one per user.
func TestAccLegacyTokenCleanup_thousandsOfUsers(t *testing.T) {
	target := acctest.Shared(t)
	sim := target.RequireSim(t)
	prefix := acctest.UniqueID("bulk")
	const users = 1500
	var made struct {
		Count int `json:"count"`
	}
	target.Script(t, `
import jenkins.security.ApiTokenProperty
def realm = Jenkins.get().getSecurityRealm()
int n = 0
for (int i = 0; i < (P.users as int); i++) {
    def u = realm.createAccount(P.prefix + '-' + i, 'pw')
    u.getProperty(ApiTokenProperty).changeApiToken()
    u.save()
    n++
}
emit([count: n])
`, map[string]any{"prefix": prefix, "users": users}, &made)
	if made.Count != users {
		t.Fatalf("fixture made %d users, want %d", made.Count, users)
	}
	ctx := context.Background()
	before, err := sim.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	addr := "jenkins_legacy_token_cleanup.c"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			// Every user's legacy token except the admin's own.
			Config: cleanupHCL(target, "jenkins_legacy_token_cleanup", "  exclude_user_ids = "+quotedSet(target.Username)+"\n  max_revocations  = 2000"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("legacy_tokens"), knownvalue.ListSizeExact(0)),
			},
			Check: func(*terraform.State) error {
				var left struct {
					Count int `json:"count"`
				}
				target.Script(t, `
import jenkins.security.ApiTokenProperty
int n = 0
User.getAll().each { u -> if (u.getId().startsWith(P.prefix) && u.getProperty(ApiTokenProperty).hasLegacyToken()) { n++ } }
emit([count: n])
`, map[string]any{"prefix": prefix}, &left)
				if left.Count != 0 {
					return fmt.Errorf("%d of %d users still have a legacy token", left.Count, users)
				}
				return nil
			},
		}},
	})
	after, err := sim.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	calls := after["scriptText"] - before["scriptText"]
	t.Logf("cleanup across %d users: %d script-console calls, %d revoke endpoint calls for the whole test (plan, apply, refreshes, destroy)",
		users, calls, after["revoke"]-before["revoke"])
	// One call per listing and one for the revocation: the plan lists (1), apply plans again
	// (1), lists and revokes (2), the checks refresh and plan twice (2 to 3), destroy refreshes
	// (1 to 2). One call per user would be thousands.
	if calls > 10 {
		t.Errorf("%d script-console calls for %d users; reading and revoking must not grow with the number of users", calls, users)
	}
	if n := after["revoke"] - before["revoke"]; n != 0 {
		t.Errorf("%d calls to the revoke endpoint; the cleanup revokes in one script call", n)
	}
}

// restartDuringPlanCheck restarts Jenkins between plan and apply (a saved plan applied after a
// controller restart); it passes itself as a plan check because that is the moment between the two.
type restartDuringPlanCheck struct {
	t      *testing.T
	target *acctest.Target
}

func (c restartDuringPlanCheck) CheckPlan(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse) {
	restartJenkins(c.t, c.target)
}

// TestAccTokenCleanup_legacyUUIDChangesBeforeApply: a user whose record an older Jenkins wrote
// (legacy seed, no token store) gets a new legacy UUID at every restart. When Jenkins restarts
// between plan and apply, the cleanup must revoke the user's current legacy token, and revoked
// must list the UUID Jenkins really revoked, not the one planned.
func TestAccTokenCleanup_legacyUUIDChangesBeforeApply(t *testing.T) {
	target := acctest.Shared(t)
	sim := target.RequireSim(t)
	for _, typ := range []string{"jenkins_legacy_token_cleanup", "jenkins_user_token_cleanup"} {
		t.Run(typ, func(t *testing.T) {
			olga := acctest.UniqueID("olga")
			target.CreateUser(t, olga, "pw")
			var planned acctest.FixtureToken
			addr := typ + ".c"
			pending := "legacy_tokens"
			if typ == "jenkins_user_token_cleanup" {
				pending = "tokens"
			}
			config := cleanupHCL(target, typ, "  user_ids = "+quotedSet(olga))
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{
					{Config: config},
					{
						// olga's record is now one an old Jenkins wrote; the refresh finds her legacy
						// token, and Jenkins restarts after the plan, before apply.
						PreConfig: func() {
							ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
							defer cancel()
							uuid, value, err := sim.LegacyUser(ctx, olga, "pw")
							if err != nil {
								t.Fatal(err)
							}
							planned = acctest.FixtureToken{UUID: uuid, Value: value}
						},
						Config: config,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
							plancheck.ExpectKnownValue(addr, tfjsonpath.New(pending), knownvalue.ListSizeExact(0)),
							plancheck.ExpectUnknownValue(addr, tfjsonpath.New("revoked")),
							restartDuringPlanCheck{t: t, target: target},
						}},
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(addr, tfjsonpath.New("revoked"), knownvalue.ListExact([]knownvalue.Check{
								knownvalue.ObjectExact(map[string]knownvalue.Check{
									"user_id": knownvalue.StringExact(olga), "uuid": knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f-]{36}$`)),
									"name": knownvalue.StringExact("Legacy Token"), "legacy": knownvalue.Bool(true),
									"revoked_at": knownvalue.StringRegexp(rfc3339UTC),
								}),
							})),
						},
						Check: resource.ComposeAggregateTestCheckFunc(
							rejected(target, olga, planned),
							func(s *terraform.State) error {
								if s.RootModule().Resources[addr].Primary.Attributes["revoked.0.uuid"] == planned.UUID {
									return fmt.Errorf("revoked lists the planned UUID %s, which no longer existed at apply", planned.UUID)
								}
								return nil
							},
						),
					},
					{
						// Still revoked after another restart: the seed was cleared too.
						PreConfig:        func() { restartJenkins(t, target) },
						Config:           config,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
						Check:            rejected(target, olga, planned),
					},
				},
			})
		})
	}
}

// TestAccTokenCleanup_userDeletedAfterOffboarding: offboard bob, then delete bob in Jenkins (the
// obvious next step). Refresh, plan, apply and destroy must keep working: a user who is gone
// holds no tokens. A new selection naming a user Jenkins does not know is still an error.
func TestAccTokenCleanup_userDeletedAfterOffboarding(t *testing.T) {
	target := acctest.Shared(t)
	for _, typ := range []string{"jenkins_legacy_token_cleanup", "jenkins_user_token_cleanup"} {
		t.Run(typ, func(t *testing.T) {
			bob, keeper := acctest.UniqueID("bob"), acctest.UniqueID("keeper")
			target.CreateUser(t, bob, "pw")
			target.CreateUser(t, keeper, "pw")
			target.NewLegacyToken(t, bob)
			kept := target.NewLegacyToken(t, keeper)
			config := cleanupHCL(target, typ, "  user_ids = "+quotedSet(bob))
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{
					{Config: config},
					{
						// bob is deleted: the plan is empty (a warning says he is gone).
						PreConfig: func() {
							target.Script(t, `User.getById(P.user, false).delete(); emit([:])`, map[string]string{"user": bob}, nil)
						},
						Config:           config,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					},
					{
						// Everyone except bob, who is gone: excluding a deleted user excludes nobody.
						Config: cleanupHCL(target, typ, "  user_ids = "+quotedSet(bob, keeper)+"\n  exclude_user_ids = "+quotedSet(bob)),
						Check:  rejected(target, keeper, kept),
					},
					{
						// A user never named before and unknown to Jenkins is a typo: an error.
						Config:      cleanupHCL(target, typ, "  user_ids = "+quotedSet(bob, keeper, "no-such-"+bob)),
						ExpectError: regexp.MustCompile(`(?s)Unknown Jenkins User.*no-such-`),
					},
				},
			})
		})
	}
}

// A selection known only at apply (user_ids from another resource): the plan cannot list the
// tokens, so apply selects them, with the same checks the plan would have made (an unknown user
// is an error then, and nothing is revoked).
func TestAccUserTokenCleanup_selectionUnknownAtPlan(t *testing.T) {
	target := acctest.Shared(t)
	ned, bystander := acctest.UniqueID("ned"), acctest.UniqueID("bystander")
	target.CreateUser(t, ned, "pw")
	target.CreateUser(t, bystander, "pw")
	a := target.NewToken(t, ned, "a")
	b := target.NewToken(t, ned, "b")
	kept := target.NewToken(t, bystander, "kept")
	addr := "jenkins_user_token_cleanup.c"
	config := func(input string) string {
		return target.ProviderBlock() + fmt.Sprintf(`
resource "terraform_data" "u" {
  input = %q
}
resource "jenkins_user_token_cleanup" "c" {
  user_ids = [terraform_data.u.output]
}`, input)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      config(acctest.UniqueID("nosuchuser")),
				ExpectError: regexp.MustCompile(`Unknown Jenkins User`),
			},
			{
				Config: config(ned),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("user_ids").AtSliceIndex(0)),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("revoked")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("revoked"), revokedTokens(a, b)),
				},
				Check: resource.ComposeTestCheckFunc(rejected(target, ned, a, b), accepted(target, bystander, kept)),
			},
		},
	})
}
