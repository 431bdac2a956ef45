package provider

// Tests of a fleet: one provider configuration over several Jenkins controllers (the provider's
// controllers map, `controller` on every type), against simulated controllers that share one
// JVM (jenkinssim.StartFleet), each an independent Jenkins with its own version, id strategy and
// admin credential.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// testFleetMember is one simulated controller of a test fleet, with its name in the provider's
// controllers map.
type testFleetMember struct {
	name string
	*acctest.Target
}

// ownFleet starts a fleet of simulated controllers named names, with opts (nil: defaults) for
// each. Every controller gets an admin password of its own, so that a provider block that
// gives one controller another's credential fails, and the leak check covers each, unless opts
// sets one (a fleet with one service account).
func ownFleet(t *testing.T, names []string, opts map[string]jenkinssim.Options) []testFleetMember {
	t.Helper()
	acctest.Shared(t).RequireSim(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	all := make([]jenkinssim.Options, len(names))
	for i, n := range names {
		o := opts[n]
		if o.AdminPassword == "" {
			pw := make([]byte, 9)
			if _, err := rand.Read(pw); err != nil {
				t.Fatal(err)
			}
			o.AdminPassword = "fleet-" + hex.EncodeToString(pw)
		}
		all[i] = o
	}
	f, err := jenkinssim.StartFleet(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	members := make([]testFleetMember, len(names))
	for i, s := range f.Controllers {
		members[i] = testFleetMember{name: names[i], Target: &acctest.Target{URL: s.URL, Username: s.AdminUser, Password: s.AdminPassword, Sim: s}}
	}
	t.Cleanup(func() {
		for _, m := range members {
			_ = m.Sim.SetReachable(context.Background(), true)
			acctest.CheckScriptLeaks(t, m.Sim)
		}
		_ = f.Close()
	})
	return members
}

// fleetWithUser starts a fleet of simulated controllers named names (ownFleet) and makes one
// user, its id from prefix, on every one of them.
func fleetWithUser(t *testing.T, names []string, prefix string) ([]testFleetMember, string) {
	t.Helper()
	members := ownFleet(t, names, nil)
	user := acctest.UniqueID(prefix)
	for _, m := range members {
		m.CreateUser(t, user, "pw")
	}
	return members, user
}

// fleetProviderBlock is a provider block whose controllers map names every member, each with
// its own credential; the provider's own server_url (the default controller) is left unset.
func fleetProviderBlock(members []testFleetMember, extra ...string) string {
	var b strings.Builder
	b.WriteString("provider \"jenkins\" {\n  controllers = {\n")
	for _, m := range members {
		fmt.Fprintf(&b, "    %s = { server_url = %s, username = %s, password = %s }\n",
			acctest.Quote(m.name), acctest.Quote(m.URL), acctest.Quote(m.Username), acctest.Quote(m.Password))
	}
	b.WriteString("  }\n")
	for _, line := range extra {
		b.WriteString("  " + line + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// withDefaultController is fleetProviderBlock for members with def as the default controller
// (the provider's own server_url and credential).
func withDefaultController(members []testFleetMember, def testFleetMember) string {
	return fleetProviderBlock(members, "server_url = "+acctest.Quote(def.URL), "username = "+acctest.Quote(def.Username),
		"password = "+acctest.Quote(def.Password))
}

// fleetOffboarding is the offboarding of the scenario (examples/scenarios/offboard-fleet) for
// leavers, with count instead of the scenario's for_each: terraform-plugin-testing cannot read
// back a state with string instance keys (its shimmed state, used for the final destroy, has
// none). TestAccScenarioOffboardFleet applies the scenario as written, with the CLI.
func fleetOffboarding(leavers ...string) string {
	quoted := make([]string, len(leavers))
	for i, l := range leavers {
		quoted[i] = acctest.Quote(l)
	}
	return fmt.Sprintf(`
data "jenkins_fleet_tokens" "leavers" {
  user_ids = [%[1]s]
}
locals {
  leavers_by_controller = {
    for row in data.jenkins_fleet_tokens.leavers.rows : row.controller => row.user_id... if row.user_found == true
  }
  with_leavers = sort(keys(local.leavers_by_controller))
}
resource "jenkins_user_token_cleanup" "leavers" {
  count      = length(local.with_leavers)
  controller = local.with_leavers[count.index]
  user_ids   = local.leavers_by_controller[local.with_leavers[count.index]]
}
data "jenkins_fleet_tokens" "after" {
  user_ids   = [%[1]s]
  depends_on = [jenkins_user_token_cleanup.leavers]
}
output "report" {
  value = data.jenkins_fleet_tokens.after.summary
}
`, strings.Join(quoted, ", "))
}

// jenkinsCheck is a state check that runs f: a check of Jenkins rather than of the state. The
// legacy Check functions cannot be used with for_each (terraform-plugin-testing's shimmed state
// has no string instance keys).
type jenkinsCheck func()

func (f jenkinsCheck) CheckState(context.Context, statecheck.CheckStateRequest, *statecheck.CheckStateResponse) {
	f()
}

// tokensAnswer fails the test unless each token answers whoAmI on m with want.
func tokensAnswer(t *testing.T, m testFleetMember, user string, want int, when string, toks ...acctest.FixtureToken) {
	t.Helper()
	for _, tok := range toks {
		if code := whoAmIStatus(m.URL, user, tok.Value); code != want {
			t.Errorf("%s: %s's token %s on %s answers HTTP %d, want %d", when, user, tok.UUID, m.name, code, want)
		}
	}
}

// TestAccFleet_offboardingOnePlan: bob left. One plan over three controllers lists his tokens
// where he has a record (two of them, one on a case-sensitive Jenkins of another version), apply
// revokes them there and nowhere else, and the next plan changes nothing. The fleet view's
// summary says it in one line. (The plan's script calls per controller are counted in
// TestAccScenarioOffboardFleet, which runs the CLI.)
func TestAccFleet_offboardingOnePlan(t *testing.T) {
	members := ownFleet(t, []string{"eu", "us", "apac"}, map[string]jenkinssim.Options{
		"us": {Version: "2.541", IDStrategy: "case-sensitive"},
	})
	eu, us, apac := members[0], members[1], members[2]
	bob, amy := acctest.UniqueID("bob"), acctest.UniqueID("amy")
	eu.CreateUser(t, bob, "pw")
	us.CreateUser(t, bob, "pw")
	eu.CreateUser(t, amy, "pw")
	apac.CreateUser(t, amy, "pw")
	euBob := []acctest.FixtureToken{eu.NewToken(t, bob, "laptop"), eu.NewLegacyToken(t, bob)}
	usBob := []acctest.FixtureToken{us.NewToken(t, bob, "ci")}
	euAmy := eu.NewToken(t, amy, "laptop")
	// On the case-sensitive controller, BOB is not bob.
	us.CreateUser(t, strings.ToUpper(bob), "pw")
	usBOB := us.NewToken(t, strings.ToUpper(bob), "another person")

	config := fleetProviderBlock(members) + fleetOffboarding(bob)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(`jenkins_user_token_cleanup.leavers[0]`, plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(`jenkins_user_token_cleanup.leavers[1]`, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("report", knownvalue.StringExact(
						bob+": 3 controllers clean, 0 controllers with tokens (0 tokens, 0 legacy), 0 unreachable")),
					statecheck.ExpectKnownValue(`jenkins_user_token_cleanup.leavers[0]`, tfjsonpath.New("controller"), knownvalue.StringExact("eu")),
					statecheck.ExpectKnownValue(`jenkins_user_token_cleanup.leavers[0]`, tfjsonpath.New("revoked"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue(`jenkins_user_token_cleanup.leavers[1]`, tfjsonpath.New("controller"), knownvalue.StringExact("us")),
					statecheck.ExpectKnownValue(`jenkins_user_token_cleanup.leavers[1]`, tfjsonpath.New("revoked"), knownvalue.ListSizeExact(1)),
					jenkinsCheck(func() {
						tokensAnswer(t, eu, bob, http.StatusUnauthorized, "after offboarding", euBob...)
						tokensAnswer(t, us, bob, http.StatusUnauthorized, "after offboarding", usBob...)
						tokensAnswer(t, eu, amy, http.StatusOK, "after bob's offboarding", euAmy)
						tokensAnswer(t, us, strings.ToUpper(bob), http.StatusOK, "BOB on the case-sensitive controller", usBOB)
					})},
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("report", knownvalue.StringExact(
						bob+": 3 controllers clean, 0 controllers with tokens (0 tokens, 0 legacy), 0 unreachable")),
				},
			},
		},
	})
}

// TestAccFleet_viewWithControllerDown: one controller of three is down. The fleet view says so
// in its rows and its status, and plans the others; the cleanup of the controller that is down
// does not fail the plan (the warning it gives is checked in TestAccScenarioOffboardFleet); with
// on_unreachable = "error" the view fails, naming the controller.
func TestAccFleet_viewWithControllerDown(t *testing.T) {
	members := ownFleet(t, []string{"eu", "us", "apac"}, nil)
	eu, us := members[0], members[1]
	bob := acctest.UniqueID("bob")
	for _, m := range members {
		m.CreateUser(t, bob, "pw")
	}
	euTok := eu.NewToken(t, bob, "laptop")
	usTok := us.NewToken(t, bob, "laptop")
	config := fleetProviderBlock(members) + fleetOffboarding(bob) + `
output "rows" {
  value = { for r in data.jenkins_fleet_tokens.after.rows : r.controller => { reachable = r.reachable, tokens = r.token_count, error = r.error } }
}
`
	ctx := context.Background()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					if err := us.Sim.SetReachable(ctx, false); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("report", knownvalue.StringExact(
						bob+": 2 controllers clean, 0 controllers with tokens (0 tokens, 0 legacy), 1 unreachable")),
					statecheck.ExpectKnownOutputValue("rows", knownvalue.MapExact(map[string]knownvalue.Check{
						"eu":   knownvalue.ObjectExact(map[string]knownvalue.Check{"reachable": knownvalue.Bool(true), "tokens": knownvalue.Int64Exact(0), "error": knownvalue.Null()}),
						"apac": knownvalue.ObjectExact(map[string]knownvalue.Check{"reachable": knownvalue.Bool(true), "tokens": knownvalue.Int64Exact(0), "error": knownvalue.Null()}),
						"us": knownvalue.ObjectExact(map[string]knownvalue.Check{"reachable": knownvalue.Bool(false), "tokens": knownvalue.Int64Exact(0),
							"error": knownvalue.StringRegexp(regexp.MustCompile(`(?i)connect|refused`))}),
					})),
					jenkinsCheck(func() {
						tokensAnswer(t, eu, bob, http.StatusUnauthorized, "eu after the offboarding", euTok)
					})},
			},
			{
				// us is back: the next plan offboards bob there too.
				PreConfig: func() {
					if err := us.Sim.SetReachable(ctx, true); err != nil {
						t.Fatal(err)
					}
					tokensAnswer(t, us, bob, http.StatusOK, "us, down during the offboarding", usTok)
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(`jenkins_user_token_cleanup.leavers[2]`, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{jenkinsCheck(func() {
					tokensAnswer(t, us, bob, http.StatusUnauthorized, "us once back", usTok)
				})},
			},
			{
				// us goes down again: its cleanup cannot be refreshed (a warning, the state kept),
				// the view reports it, and the cleanup, no longer in for_each, is forgotten.
				PreConfig: func() {
					if err := us.Sim.SetReachable(ctx, false); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(`jenkins_user_token_cleanup.leavers[2]`, plancheck.ResourceActionDestroy),
					plancheck.ExpectResourceAction(`jenkins_user_token_cleanup.leavers[1]`, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("report", knownvalue.StringExact(
						bob+": 2 controllers clean, 0 controllers with tokens (0 tokens, 0 legacy), 1 unreachable")),
				},
			},
			{
				Config: fleetProviderBlock(members) + `
data "jenkins_fleet_tokens" "strict" {
  user_ids       = [` + acctest.Quote(bob) + `]
  on_unreachable = "error"
}
`,
				ExpectError: regexp.MustCompile(`(?s)Jenkins Controllers Unreachable.*controller\s+"us".*on_unreachable\s+=\s+"error"`),
			},
		},
	})
}

// TestAccFleet_tokenIdentity: a token on a named controller has the ID and identity that name
// it (`<controller>/<user>/<uuid>`, `{ controller, user_id, uuid }`), imports by both, and a
// token on the default controller keeps the identity it always had (controller null): an
// import block written before controllers existed still adopts it.
func TestAccFleet_tokenIdentity(t *testing.T) {
	members := ownFleet(t, []string{"main", "eu"}, nil)
	main, eu := members[0], members[1]
	lou := acctest.UniqueID("lou")
	main.CreateUser(t, lou, "pw")
	eu.CreateUser(t, lou, "pw")
	byHand := main.NewToken(t, lou, "made by hand")
	// The default controller is main (server_url), eu a named one.
	provider := withDefaultController(members[1:], main)
	const addr = "jenkins_user_api_token.eu"
	euToken := provider + fmt.Sprintf(`
resource "jenkins_user_api_token" "eu" {
  controller = "eu"
  user_id    = %s
  name       = "ci"
}
`, acctest.Quote(lou))
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: euToken,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(addr, map[string]knownvalue.Check{
						"controller": knownvalue.StringExact("eu"),
						"user_id":    knownvalue.StringExact(lou),
						"uuid":       knownvalue.StringRegexp(uuidRE),
					}),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^eu/`+regexp.QuoteMeta(lou)+`/[0-9a-f-]{36}$`))),
				},
				Check: func(s *terraform.State) error {
					if names := eu.TokenNames(t, lou); len(names) != 1 {
						t.Errorf("eu holds %d tokens of lou, want the one made: %v", len(names), names)
					}
					if names := main.TokenNames(t, lou); len(names) != 1 {
						t.Errorf("the default controller holds %d tokens of lou, want only the one made by hand: %v", len(names), names)
					}
					return nil
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateKind: resource.ImportBlockWithID, Config: euToken},
			{ResourceName: addr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity, Config: euToken},
		},
	})

	// An identity without controller, as written before controllers existed: the default controller.
	adopted := "jenkins_user_api_token.adopted"
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: provider + fmt.Sprintf(`
resource "jenkins_user_api_token" "adopted" {
  user_id = %[1]s
  name    = "made by hand"
}
import {
  to       = %[2]s
  identity = { user_id = %[1]s, uuid = %[3]q }
}`, acctest.Quote(lou), adopted, byHand.UUID),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(adopted, plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectIdentity(adopted, map[string]knownvalue.Check{
					"controller": knownvalue.Null(),
					"user_id":    knownvalue.StringExact(lou),
					"uuid":       knownvalue.StringExact(byHand.UUID),
				}),
				statecheck.ExpectKnownValue(adopted, tfjsonpath.New("id"), knownvalue.StringExact(lou+"/"+byHand.UUID)),
			},
		}},
	})
}

// TestAccFleet_renamedController: the entry "eu" renamed "europe" (same server_url). The plan
// replaces the token and says why; the apply creates the new token and revokes the old one on
// that Jenkins, found by the URL the state recorded, although no entry is named "eu" any more.
// A controller name that is no entry is a plan error listing the entries.
func TestAccFleet_renamedController(t *testing.T) {
	members := ownFleet(t, []string{"eu"}, nil)
	eu := members[0]
	kim := acctest.UniqueID("kim")
	eu.CreateUser(t, kim, "pw")
	token := func(name string) string {
		renamed := []testFleetMember{{name: name, Target: eu.Target}}
		return fleetProviderBlock(renamed) + fmt.Sprintf(`
resource "jenkins_user_api_token" "t" {
  controller = %q
  user_id    = %s
  name       = "deploy"
}
`, name, acctest.Quote(kim))
	}
	var first string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: token("eu"),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(tokenAddr, "controller", "eu"),
					func(s *terraform.State) error {
						first = s.RootModule().Resources[tokenAddr].Primary.Attributes["uuid"]
						return nil
					},
				),
			},
			{
				Config: token("europe"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: func(s *terraform.State) error {
					names := eu.TokenNames(t, kim)
					if _, old := names[first]; old || len(names) != 1 {
						t.Errorf("after the rename Jenkins holds %v: want only the new token, the old one (%s) revoked", names, first)
					}
					return nil
				},
			},
			{
				Config: token("europe") + `
resource "jenkins_user_api_token" "typo" {
  controller = "eruope"
  user_id    = "nobody"
  name       = "x"
}
`,
				ExpectError: regexp.MustCompile(`(?s)Unknown Jenkins Controller.*"eruope".*it\s+has\s+europe`),
			},
		},
	})
}

// TestAccFleet_revocationBudgetAcrossForEach: max_revocations_per_controller counts every
// for_each instance together, per controller: three cleanups of one user each on one controller
// exceed a budget of 2, while the same on two controllers (at most 2 users each) plans.
func TestAccFleet_revocationBudgetAcrossForEach(t *testing.T) {
	members := ownFleet(t, []string{"eu", "us"}, nil)
	users := []string{acctest.UniqueID("ann"), acctest.UniqueID("ben"), acctest.UniqueID("cat")}
	for _, m := range members {
		for _, u := range users {
			m.CreateUser(t, u, "pw")
			m.NewToken(t, u, "laptop")
		}
	}
	cleanups := func(pairs map[string]string) string {
		keys := make([]string, 0, len(pairs))
		for k := range pairs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		m := map[string]map[string]string{}
		for _, k := range keys {
			parts := strings.SplitN(pairs[k], "/", 2)
			m[k] = map[string]string{"controller": parts[0], "user": parts[1]}
		}
		b, _ := json.Marshal(m)
		return fmt.Sprintf(`
locals {
  pairs = jsondecode(%q)
}
resource "jenkins_user_token_cleanup" "c" {
  for_each   = local.pairs
  controller = each.value.controller
  user_ids   = [each.value.user]
}
`, string(b))
	}
	provider := fleetProviderBlock(members, "max_revocations_per_controller = 2")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: provider + cleanups(map[string]string{"1": "eu/" + users[0], "2": "eu/" + users[1], "3": "eu/" + users[2]}),
				ExpectError: regexp.MustCompile(`(?s)Run Would Revoke Tokens of Too Many Users.*3\s+users\s+on\s+controller\s+"eu".*` +
					`max_revocations_per_controller\s+\(2\)`),
			},
			{
				Config:             provider + cleanups(map[string]string{"1": "eu/" + users[0], "2": "eu/" + users[1], "3": "us/" + users[2]}),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// TestAccFleet_queryAndActionForEach: the list block and the action with for_each over the
// controllers (Terraform 1.14+): the query lists each controller's tokens under its name, with
// the controller in each identity, and the action revokes the leaver's tokens on each.
func TestAccFleet_queryAndActionForEach(t *testing.T) {
	skipOnOpenTofu(t, tofuLacksQuery)
	members := ownFleet(t, []string{"eu", "us"}, nil)
	eu, us := members[0], members[1]
	bob := acctest.UniqueID("bob")
	eu.CreateUser(t, bob, "pw")
	us.CreateUser(t, bob, "pw")
	euToks := []acctest.FixtureToken{eu.NewToken(t, bob, "laptop"), eu.NewToken(t, bob, "ci")}
	usToks := []acctest.FixtureToken{us.NewToken(t, bob, "laptop")}
	provider := fleetProviderBlock(members)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Query: true,
				Config: provider + fmt.Sprintf(`
list "jenkins_user_api_token" "fleet" {
  for_each = toset(["eu", "us"])
  provider = jenkins
  limit    = 10
  config {
    controller = each.key
    user_ids   = [%s]
  }
}`, acctest.Quote(bob)),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength(`jenkins_user_api_token.fleet["eu"]`, 2),
					querycheck.ExpectLength(`jenkins_user_api_token.fleet["us"]`, 1),
					querycheck.ExpectIdentity(`jenkins_user_api_token.fleet["us"]`, map[string]knownvalue.Check{
						"controller": knownvalue.StringExact("us"), "user_id": knownvalue.StringExact(bob), "uuid": knownvalue.StringExact(usToks[0].UUID),
					}),
				},
			},
			{
				Config: provider + fmt.Sprintf(`
action "jenkins_revoke_tokens" "leaver" {
  for_each = toset(["eu", "us"])
  config {
    controller = each.key
    user_ids   = [%s]
  }
}
# One trigger per controller, without for_each: see fleetOffboarding.
resource "terraform_data" "offboard_eu" {
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.jenkins_revoke_tokens.leaver["eu"]]
    }
  }
}
resource "terraform_data" "offboard_us" {
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.jenkins_revoke_tokens.leaver["us"]]
    }
  }
}`, acctest.Quote(bob)),
				ConfigStateChecks: []statecheck.StateCheck{jenkinsCheck(func() {
					tokensAnswer(t, eu, bob, http.StatusUnauthorized, "eu after the action", euToks...)
					tokensAnswer(t, us, bob, http.StatusUnauthorized, "us after the action", usToks...)
				})},
			},
		},
	})
}

// TestAccScenarioOffboardFleet applies examples/scenarios/offboard-fleet as written, with the
// CLI (Terraform or OpenTofu): one service account on three controllers (one of them Jenkins
// 2.541, without expiration dates), one of them down. The apply revokes bob's tokens where he
// has a record and the controller answers, the outputs report the one that is down, and the next
// plan changes nothing, at one or two script calls per controller. With a controller that has a
// cleanup down as well, the plan warns that the cleanup is not refreshed and goes on. On OpenTofu, the scenario's provider for_each variant does the same on
// the controllers that answer.
func TestAccScenarioOffboardFleet(t *testing.T) {
	cli, _ := cliVersion(t)
	shared := jenkinssim.Options{AdminPassword: "fleet-" + acctest.NewPassword()}
	old := shared
	old.Version = "2.541"
	members := ownFleet(t, []string{"eu", "us", "apac"}, map[string]jenkinssim.Options{"eu": shared, "us": old, "apac": shared})
	eu, us, apac := members[0], members[1], members[2]
	bob, amy := acctest.UniqueID("bob"), acctest.UniqueID("amy")
	for _, m := range members {
		m.CreateUser(t, bob, "pw")
		m.CreateUser(t, amy, "pw")
	}
	euBob := []acctest.FixtureToken{eu.NewToken(t, bob, "laptop"), eu.NewLegacyToken(t, bob)}
	usBob := []acctest.FixtureToken{us.NewToken(t, bob, "ci")}
	apacBob := []acctest.FixtureToken{apac.NewToken(t, bob, "laptop")}
	amyTok := eu.NewToken(t, amy, "laptop")

	run := func(dir string, down testFleetMember) {
		w := newCLIWorkdir(t, cli, jenkinsProviderOverrides(t))
		w.env = []string{"JENKINS_USERNAME=" + eu.Username, "JENKINS_PASSWORD=" + shared.AdminPassword}
		w.write("main.tf", scenario(t, dir))
		controllers := map[string]string{}
		for _, m := range members {
			controllers[m.name] = m.URL
		}
		vars, err := json.Marshal(map[string]any{"controllers": controllers, "leavers": []string{bob}})
		if err != nil {
			t.Fatal(err)
		}
		w.write("terraform.tfvars.json", string(vars))
		if down.Target != nil {
			if err := down.Sim.SetReachable(context.Background(), false); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = down.Sim.SetReachable(context.Background(), true) }()
		}
		out, code := w.run("apply", "-auto-approve", "-no-color")
		if code != 0 {
			t.Fatalf("%s: apply: exit %d\n%s", dir, code, out)
		}
		for _, m := range members {
			if m.name == down.name {
				continue // its control port is down with it
			}
			if err := m.Sim.ResetStats(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if out, code := w.run("plan", "-detailed-exitcode", "-no-color"); code != 0 {
			t.Errorf("%s: the plan after the apply is not empty (exit %d):\n%s", dir, code, out)
		}
		if dir != "offboard-fleet" {
			return
		}
		// The plan's cost: the fleet view's listing serves the cleanups' refresh (the memo).
		for _, m := range members {
			if m.name == down.name {
				continue
			}
			st, err := m.Sim.Stats(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("plan of the offboarding: %d script calls on %s", st["scriptText"], m.name)
			if st["scriptText"] > 2 {
				t.Errorf("plan of the offboarding: %d script calls on %s, want at most 2", st["scriptText"], m.name)
			}
		}
		report, _ := w.run("output", "-raw", "report")
		if want := bob + ": 2 controllers clean, 0 controllers with tokens (0 tokens, 0 legacy), 1 unreachable"; report != want {
			t.Errorf("report %q\nwant   %q", report, want)
		}
		unreachable, _ := w.run("output", "-json", "unreachable")
		if strings.TrimSpace(unreachable) != `["apac"]` {
			t.Errorf("unreachable output %s, want [\"apac\"]", unreachable)
		}
		// A controller with a cleanup goes down too: its cleanup is not refreshed (a warning), and
		// the plan goes on (it forgets the cleanup, no longer in for_each).
		if err := eu.Sim.SetReachable(context.Background(), false); err != nil {
			t.Fatal(err)
		}
		out, code = w.run("plan", "-detailed-exitcode", "-no-color")
		_ = eu.Sim.SetReachable(context.Background(), true)
		if code != 2 || !strings.Contains(out, "Warning: Jenkins Controller Unreachable: Cleanup Not Refreshed") ||
			!strings.Contains(out, `jenkins_user_token_cleanup.leavers["eu"] will be destroyed`) {
			t.Errorf("plan with eu down: exit %d, want 2 with the warning that eu's cleanup is not refreshed, and its removal:\n%s", code, out)
		}
	}

	// apac is down during the offboarding: the others are offboarded, apac is reported.
	run(filepath.Join("offboard-fleet"), apac)
	tokensAnswer(t, eu, bob, http.StatusUnauthorized, "after the fleet offboarding", euBob...)
	tokensAnswer(t, us, bob, http.StatusUnauthorized, "after the fleet offboarding", usBob...)
	tokensAnswer(t, apac, bob, http.StatusOK, "apac, down during the offboarding", apacBob...)
	tokensAnswer(t, eu, amy, http.StatusOK, "amy, who did not leave", amyTok)

	if onOpenTofu() {
		// The provider for_each variant, in a workspace of its own, with every controller up.
		run(filepath.Join("offboard-fleet", "opentofu-provider-for-each"), testFleetMember{})
		tokensAnswer(t, apac, bob, http.StatusUnauthorized, "apac, after the provider for_each variant", apacBob...)
		tokensAnswer(t, eu, amy, http.StatusOK, "amy, after the provider for_each variant", amyTok)
	}
}

// TestAccFleet_operationsCenter: a CloudBees CI cluster. The fleet view says which controller is
// the operations center and which are joined to it, and a plan that creates a token on a joined
// controller warns that the operations center manages its tokens; on the operations center
// itself it does not.
func TestAccFleet_operationsCenter(t *testing.T) {
	cli, _ := cliVersion(t)
	members := ownFleet(t, []string{"oc", "team"}, map[string]jenkinssim.Options{
		"oc":   {Plugins: []string{"operations-center-server"}},
		"team": {Plugins: []string{"operations-center-client"}},
	})
	oc, team := members[0], members[1]
	sam := acctest.UniqueID("sam")
	oc.CreateUser(t, sam, "pw")
	team.CreateUser(t, sam, "pw")
	w := newCLIWorkdir(t, cli, jenkinsProviderOverrides(t))
	w.write("main.tf", requireJenkins+fleetProviderBlock(members)+fmt.Sprintf(`
data "jenkins_fleet_tokens" "sam" {
  user_ids = [%[1]s]
}
output "roles" {
  value = { for c in data.jenkins_fleet_tokens.sam.controller_status : c.controller => c.operations_center }
}
resource "jenkins_user_api_token" "on_team" {
  controller = "team"
  user_id    = %[1]s
  name       = "deploy"
}
resource "jenkins_user_api_token" "on_oc" {
  controller = "oc"
  user_id    = %[1]s
  name       = "deploy"
}
`, acctest.Quote(sam)))
	out, code := w.run("apply", "-auto-approve", "-no-color")
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, out)
	}
	warned := map[string]bool{}
	for _, block := range strings.Split(out, "Warning: ")[1:] {
		if !strings.HasPrefix(block, "Token on a Controller Joined to an Operations Center") {
			continue
		}
		for _, addr := range []string{"on_team", "on_oc"} {
			if strings.Contains(block, "with jenkins_user_api_token."+addr) {
				warned[addr] = true
			}
		}
	}
	if !warned["on_team"] || warned["on_oc"] {
		t.Errorf("want the joined-controller warning for the token on team only, got %v:\n%s", warned, out)
	}
	roles, _ := w.run("output", "-json", "roles")
	var got map[string]string
	if err := json.Unmarshal([]byte(roles), &got); err != nil || got["oc"] != "server" || got["team"] != "client" {
		t.Errorf("roles output %s, want oc server and team client (%v)", roles, err)
	}
	if out, code := w.run("destroy", "-auto-approve", "-no-color"); code != 0 {
		t.Fatalf("destroy: exit %d\n%s", code, out)
	}
}

// TestAccFleet_repointedController: the entry "eu" keeps its name but points at another
// Jenkins. The token made on the first is not on the second: the plan fails, saying so, instead
// of reading it as revoked (which would forget a token that stays valid). With the first Jenkins
// back under another name, the plan replaces the token: revoked there, created on the new "eu".
// A Jenkins that only moved (the same one at another URL) keeps its token, and the plan is empty.
func TestAccFleet_repointedController(t *testing.T) {
	members, kim := fleetWithUser(t, []string{"first", "second"}, "kim")
	first, second := members[0], members[1]
	config := func(entries ...testFleetMember) string {
		return fleetProviderBlock(entries) + fmt.Sprintf(`
resource "jenkins_user_api_token" "t" {
  controller = "eu"
  user_id    = %s
  name       = "deploy"
}
`, acctest.Quote(kim))
	}
	as := func(name string, m testFleetMember) testFleetMember {
		return testFleetMember{name: name, Target: m.Target}
	}
	// The second Jenkins at another URL of the same listener: a Jenkins that moved.
	moved := *second.Target
	moved.URL = strings.Replace(second.URL, "127.0.0.1", "localhost", 1)
	if moved.URL == second.URL {
		t.Fatalf("the simulator's URL %s is not on 127.0.0.1", second.URL)
	}
	var made string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: config(as("eu", first)),
				Check: func(s *terraform.State) error {
					made = s.RootModule().Resources[tokenAddr].Primary.Attributes["uuid"]
					return nil
				},
			},
			{
				Config:      config(as("eu", second)),
				ExpectError: regexp.MustCompile(`(?s)Jenkins API Token Not on the Controller's New URL.*was made on\s+http://127\.0\.0\.1.*terraform\s+state\s+rm`),
			},
			{
				Config: config(as("eu", second), as("old", first)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: func(*terraform.State) error {
					if names := first.TokenNames(t, kim); len(names) != 0 {
						t.Errorf("the token made on the first Jenkins should be revoked there, it holds %v (made %s)", names, made)
					}
					if names := second.TokenNames(t, kim); len(names) != 1 {
						t.Errorf("the new \"eu\" should hold the replacement, it holds %v", names)
					}
					return nil
				},
			},
			{
				Config: config(as("eu", testFleetMember{Target: &moved}), as("old", first)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

// TestAccFleet_removedController: removing an entry from controllers. A cleanup on it does not
// fail the refresh (it warns and keeps its state) and is forgotten when the configuration drops
// it too: no plan is blocked.
// A token on it cannot be forgotten silently (it stays valid there): the plan fails, saying to
// put the entry back or to remove the token from the state; with the entry back, all is as before.
func TestAccFleet_removedController(t *testing.T) {
	members, kim := fleetWithUser(t, []string{"eu", "us"}, "kim")
	eu, us := members[0], members[1]
	handMade := eu.NewToken(t, kim, "laptop")
	cleanup := fmt.Sprintf(`
resource "jenkins_user_token_cleanup" "kim" {
  controller = "eu"
  user_ids   = [%s]
}
`, acctest.Quote(kim))
	token := fmt.Sprintf(`
resource "jenkins_user_api_token" "t" {
  controller = "us"
  user_id    = %s
  name       = "deploy"
}
`, acctest.Quote(kim))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: fleetProviderBlock(members) + cleanup + token,
				Check: func(*terraform.State) error {
					tokensAnswer(t, eu, kim, http.StatusUnauthorized, "after the cleanup", handMade)
					return nil
				},
			},
			{
				// "eu" and its cleanup removed in one change.
				Config: fleetProviderBlock([]testFleetMember{us}) + token,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("jenkins_user_token_cleanup.kim", plancheck.ResourceActionDestroy),
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionNoop),
				}},
			},
			{
				// "us" removed while its token is in the state.
				Config:      fleetProviderBlock([]testFleetMember{eu}),
				ExpectError: regexp.MustCompile(`(?s)Jenkins Controller of This Object Is Gone.*controller "us", which is no\s+longer an entry.*terraform\s+state\s+rm`),
			},
			{
				Config: fleetProviderBlock(members) + token,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

// TestAccFleet_defaultControllerNamedEmpty: the fleet view names the default controller "" in
// its rows, so the offboarding written as the scenario writes it (for_each over the rows'
// controllers) passes "" as controller: it acts on the default controller. A cleanup whose
// controller goes from "" to unset is updated in place, not replaced: both name one controller.
func TestAccFleet_defaultControllerNamedEmpty(t *testing.T) {
	members := ownFleet(t, []string{"main", "eu"}, nil)
	main, eu := members[0], members[1]
	bob := acctest.UniqueID("bob")
	main.CreateUser(t, bob, "pw")
	eu.CreateUser(t, bob, "pw")
	onMain, onEU := main.NewToken(t, bob, "laptop"), eu.NewToken(t, bob, "laptop")
	provider := withDefaultController([]testFleetMember{eu}, main)
	single := func(controller string) string {
		return provider + fmt.Sprintf(`
resource "jenkins_user_token_cleanup" "single" {
  %s
  user_ids = [%s]
}
`, controller, acctest.Quote(bob))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: provider + fleetOffboarding(bob),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr("jenkins_user_token_cleanup.leavers.0", "controller", ""),
					resource.TestCheckResourceAttr("jenkins_user_token_cleanup.leavers.1", "controller", "eu"),
					func(*terraform.State) error {
						tokensAnswer(t, main, bob, http.StatusUnauthorized, "after the offboarding", onMain)
						tokensAnswer(t, eu, bob, http.StatusUnauthorized, "after the offboarding", onEU)
						return nil
					},
				),
			},
			{Config: single(`controller = ""`)},
			{
				Config: single(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("jenkins_user_token_cleanup.single", plancheck.ResourceActionUpdate),
				}},
			},
		},
	})
}

// TestAccFleet_importFromAnotherController: a token imported from one controller into a
// configuration that puts it on another, adopting its value with token_wo: the plan would
// revoke the token it adopts, so it fails, naming both controllers.
func TestAccFleet_importFromAnotherController(t *testing.T) {
	members, kim := fleetWithUser(t, []string{"eu", "us"}, "kim")
	eu, us := members[0], members[1]
	laptop := eu.NewToken(t, kim, "laptop")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: fleetProviderBlock(members) + fmt.Sprintf(`
import {
  to = jenkins_user_api_token.t
  id = "eu/%[1]s/%[2]s"
}
resource "jenkins_user_api_token" "t" {
  controller       = "us"
  user_id          = %[3]s
  name             = "laptop"
  token_wo         = %[4]s
  token_wo_version = 1
}
`, kim, laptop.UUID, acctest.Quote(kim), acctest.Quote(laptop.Value)),
			ExpectError: regexp.MustCompile(`(?s)Imported Token Is on Another Controller.*imported from controller "eu".*on\s+controller\s+"us"`),
		}},
	})
	tokensAnswer(t, eu, kim, http.StatusOK, "after the refused plan", laptop)
	if names := us.TokenNames(t, kim); len(names) != 0 {
		t.Errorf("the refused plan made tokens on us: %v", names)
	}
}

// TestAccFleet_controllerKnownAtApply: a token and a cleanup whose controller comes from a value
// known only at apply. The plan cannot ask a controller, so the checks move to apply, which
// makes the token and runs the cleanup on the controller the value names.
func TestAccFleet_controllerKnownAtApply(t *testing.T) {
	members := ownFleet(t, []string{"eu", "us"}, nil)
	eu, us := members[0], members[1]
	kim, bob := acctest.UniqueID("kim"), acctest.UniqueID("bob")
	eu.CreateUser(t, kim, "pw")
	eu.CreateUser(t, bob, "pw")
	us.CreateUser(t, bob, "pw")
	euBob, usBob := eu.NewToken(t, bob, "laptop"), us.NewToken(t, bob, "laptop")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: fleetProviderBlock(members) + fmt.Sprintf(`
resource "terraform_data" "where" {
  input = "eu"
}
resource "jenkins_user_api_token" "t" {
  controller = terraform_data.where.output
  user_id    = %[1]s
  name       = "deploy"
}
resource "jenkins_user_token_cleanup" "bob" {
  controller = terraform_data.where.output
  user_ids   = [%[2]s]
}
`, acctest.Quote(kim), acctest.Quote(bob)),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectUnknownValue(tokenAddr, tfjsonpath.New("controller")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^eu/`+regexp.QuoteMeta(kim)+`/`))),
				statecheck.ExpectKnownValue("jenkins_user_token_cleanup.bob", tfjsonpath.New("revoked"), knownvalue.ListSizeExact(1)),
				jenkinsCheck(func() {
					if names := eu.TokenNames(t, kim); len(names) != 1 {
						t.Errorf("eu holds %v for kim, want the token made at apply", names)
					}
					tokensAnswer(t, eu, bob, http.StatusUnauthorized, "eu after the cleanup", euBob)
					tokensAnswer(t, us, bob, http.StatusOK, "us, which the cleanup does not name", usBob)
				}),
			},
		}},
	})
}

// TestAccFleet_swappedControllers: the URLs of "eu" and "us" swapped. Each token is on the Jenkins
// it was made on, which its name no longer points at: both are replaced, each old token revoked
// on its own Jenkins and each new one made where its name points now, the token whose value
// token_wo gives included (its value is null in the state, so only its UUID can show the move).
func TestAccFleet_swappedControllers(t *testing.T) {
	members, kim := fleetWithUser(t, []string{"first", "second"}, "kim")
	first, second := members[0], members[1]
	value := newValue(t)
	config := func(eu, us testFleetMember) string {
		return fleetProviderBlock([]testFleetMember{{name: "eu", Target: eu.Target}, {name: "us", Target: us.Target}}) + fmt.Sprintf(`
resource "jenkins_user_api_token" "on_eu" {
  controller       = "eu"
  user_id          = %[1]s
  name             = "on eu"
  token_wo         = %[2]s
  token_wo_version = 1
}
resource "jenkins_user_api_token" "on_us" {
  controller = "us"
  user_id    = %[1]s
  name       = "on us"
}
`, acctest.Quote(kim), acctest.Quote(value))
	}
	uuids := map[string]string{}
	remember := func(s *terraform.State) error {
		for _, addr := range []string{"jenkins_user_api_token.on_eu", "jenkins_user_api_token.on_us"} {
			uuids[addr] = s.RootModule().Resources[addr].Primary.Attributes["uuid"]
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config(first, second), Check: remember},
			{
				Config: config(second, first),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("jenkins_user_api_token.on_eu", plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectResourceAction("jenkins_user_api_token.on_us", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: func(s *terraform.State) error {
					old := map[string]string{}
					for k, v := range uuids {
						old[k] = v
					}
					_ = remember(s)
					// first now holds only the new "on us", second only the new "on eu".
					for _, c := range []struct {
						m    testFleetMember
						addr string
						name string
					}{{first, "jenkins_user_api_token.on_us", "on us"}, {second, "jenkins_user_api_token.on_eu", "on eu"}} {
						names := c.m.TokenNames(t, kim)
						if len(names) != 1 || names[uuids[c.addr]] != c.name || uuids[c.addr] == old[c.addr] {
							t.Errorf("%s holds %v, want only the new %q (%s; the old one was %s)", c.m.name, names, c.name, uuids[c.addr], old[c.addr])
						}
					}
					if code := whoAmIStatus(second.URL, kim, value); code != http.StatusOK {
						t.Errorf("the token_wo value on the new eu answers HTTP %d, want 200", code)
					}
					return nil
				},
			},
			{
				Config:           config(second, first),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// TestAccFleet_repointedDestroyWithoutRefresh: `terraform destroy -refresh=false` after "eu" was
// pointed at another Jenkins, which does not hold the token: the destroy fails, saying so, and
// the token stays valid on the Jenkins it was made on, still in the state, instead of being
// counted revoked because the other Jenkins has no such token.
func TestAccFleet_repointedDestroyWithoutRefresh(t *testing.T) {
	cli, _ := cliVersion(t)
	members, kim := fleetWithUser(t, []string{"first", "second"}, "kim")
	first, second := members[0], members[1]
	w := newCLIWorkdir(t, cli, jenkinsProviderOverrides(t))
	config := func(eu testFleetMember) string {
		return requireJenkins + fleetProviderBlock([]testFleetMember{{name: "eu", Target: eu.Target}}) + fmt.Sprintf(`
resource "jenkins_user_api_token" "t" {
  controller = "eu"
  user_id    = %s
  name       = "deploy"
}
`, acctest.Quote(kim))
	}
	w.write("main.tf", config(first))
	if out, code := w.run("apply", "-auto-approve", "-no-color"); code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, out)
	}
	w.write("main.tf", config(second))
	out, code := w.run("destroy", "-auto-approve", "-no-color", "-refresh=false")
	if code == 0 || !strings.Contains(flat(out), "Jenkins API Token Not on the Controller's New URL") {
		t.Errorf("destroy -refresh=false after the repoint: exit %d, want the error that the token is not on the new URL:\n%s", code, out)
	}
	if names := first.TokenNames(t, kim); len(names) != 1 {
		t.Errorf("the first Jenkins holds %v, want the token still there", names)
	}
	if n := len(stateTokens(t, w.dir)); n != 1 {
		t.Errorf("%d tokens in the state after the refused destroy, want 1", n)
	}
	// Back on its Jenkins, the destroy revokes it.
	w.write("main.tf", config(first))
	if out, code := w.run("destroy", "-auto-approve", "-no-color"); code != 0 {
		t.Fatalf("destroy: exit %d\n%s", code, out)
	}
	if names := first.TokenNames(t, kim); len(names) != 0 {
		t.Errorf("after the destroy the first Jenkins holds %v", names)
	}
}
