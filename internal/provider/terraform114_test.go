package provider

// Tests of the features of Terraform 1.12 and later (resource identity) and 1.14 and later
// (list resources for `terraform query`). They skip themselves, saying why, on older CLIs and
// on OpenTofu, whose support for these protocol features we do not test.

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// requireTerraformCLI skips on OpenTofu (TF_ACC_PROVIDER_HOST names its registry).
func requireTerraformCLI(t *testing.T, feature string) {
	t.Helper()
	if strings.Contains(os.Getenv("TF_ACC_PROVIDER_HOST"), "opentofu") {
		t.Skipf("%s: tested with Terraform only; OpenTofu's support for it is not part of this provider's tests", feature)
	}
}

// TestAccUserAPIToken_identity: the identity is { user_id as Jenkins spells it, uuid }, and an
// import block with that identity adopts the token.
func TestAccUserAPIToken_identity(t *testing.T) {
	requireTerraformCLI(t, "resource identity (Terraform 1.12+)")
	target := acctest.Shared(t)
	lou := acctest.UniqueID("lou")
	target.CreateUser(t, lou, "pw")
	byHand := target.NewToken(t, lou, "made by hand")
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				// Configured in upper case; the identity has Jenkins's spelling.
				Config: tokenConfig(target, strings.ToUpper(lou), "managed"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(tokenAddr, map[string]knownvalue.Check{
						"user_id": knownvalue.StringExact(lou),
						"uuid":    knownvalue.StringRegexp(uuidRE),
					}),
				},
			},
			{
				ResourceName:    tokenAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				Config:          tokenConfig(target, strings.ToUpper(lou), "managed"),
			},
			{
				// A token made by hand, adopted by identity.
				Config: tokenConfig(target, lou, "made by hand") + fmt.Sprintf(`
import {
  to       = %s
  identity = { user_id = %s, uuid = %q }
}`, tokenAddr, acctest.Quote(lou), byHand.UUID),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(tokenAddr, map[string]knownvalue.Check{
						"user_id": knownvalue.StringExact(lou),
						"uuid":    knownvalue.StringExact(byHand.UUID),
					}),
				},
				Check: accepted(target, lou, byHand),
			},
		},
	})
}

// scriptCallsOfQuery is a query check that records how many script calls the query step made.
type scriptCallsOfQuery struct {
	sim   *jenkinssim.Sim
	base  *int
	calls *int
}

func (c scriptCallsOfQuery) CheckQuery(_ context.Context, _ querycheck.CheckQueryRequest, resp *querycheck.CheckQueryResponse) {
	st, err := c.sim.Stats(context.Background())
	if err != nil {
		resp.Error = err
		return
	}
	*c.calls = st["scriptText"] - *c.base
}

// TestAccUserAPITokenList_query: `terraform query` lists tokens made by hand (over REST and
// through the script console) with the data source's selection, as importable resources, in
// one script call.
func TestAccUserAPITokenList_query(t *testing.T) {
	requireTerraformCLI(t, "list resources (Terraform 1.14+)")
	target := acctest.Shared(t)
	sim := target.RequireSim(t)
	mae, ned := acctest.UniqueID("mae"), acctest.UniqueID("ned")
	target.CreateUser(t, mae, "pw")
	target.CreateUser(t, ned, "pw")
	laptop := target.NewToken(t, mae, "laptop")
	ci := target.NewToken(t, ned, "ci")
	var legacyUUID string
	target.Script(t, `
import jenkins.security.ApiTokenProperty
def u = User.getById(P.user, false)
u.getProperty(ApiTokenProperty).changeApiToken()
emit([uuid: u.getProperty(ApiTokenProperty).getTokenStore().getLegacyToken().getUuid()])
`, map[string]string{"user": ned}, &struct{ UUID *string }{&legacyUUID})
	var base, calls int
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: target.ProviderBlock()},
			{
				PreConfig: func() {
					st, err := sim.Stats(context.Background())
					if err != nil {
						t.Fatal(err)
					}
					base = st["scriptText"]
				},
				Query: true,
				Config: target.ProviderBlock() + fmt.Sprintf(`
list "jenkins_user_api_token" "hand_made" {
  provider = jenkins
  config {
    user_ids = [%s, %s]
    legacy   = false
  }
}`, acctest.Quote(mae), acctest.Quote(ned)),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("jenkins_user_api_token.hand_made", 2),
					querycheck.ExpectIdentity("jenkins_user_api_token.hand_made", map[string]knownvalue.Check{
						"user_id": knownvalue.StringExact(mae), "uuid": knownvalue.StringExact(laptop.UUID),
					}),
					querycheck.ExpectIdentity("jenkins_user_api_token.hand_made", map[string]knownvalue.Check{
						"user_id": knownvalue.StringExact(ned), "uuid": knownvalue.StringExact(ci.UUID),
					}),
					querycheck.ExpectResourceDisplayName("jenkins_user_api_token.hand_made",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{
							"user_id": knownvalue.StringExact(mae), "uuid": knownvalue.StringExact(laptop.UUID),
						}), knownvalue.StringExact(mae+": laptop")),
					scriptCallsOfQuery{sim: sim, base: &base, calls: &calls},
				},
			},
		},
	})
	if legacyUUID == "" {
		t.Fatal("precondition: no legacy token made")
	}
	if calls != 1 {
		t.Errorf("the query took %d script calls, want 1", calls)
	}
}

// actionHCL is an action jenkins_revoke_tokens named incident with body as its config, invoked
// once when a terraform_data resource is created.
func actionHCL(target *acctest.Target, body, trigger string) string {
	return target.ProviderBlock() + fmt.Sprintf(`
action "jenkins_revoke_tokens" "incident" {
  config {
%s
  }
}
resource "terraform_data" "trigger" {
  input = %q
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.jenkins_revoke_tokens.incident]
    }
  }
}
`, body, trigger)
}

// TestAccRevokeTokensAction: incident response without state. The action revokes every token of
// the users in scope (the legacy one with its seed) and leaves the others; an empty selection is
// an error unless all_users says everyone on purpose.
func TestAccRevokeTokensAction(t *testing.T) {
	requireTerraformCLI(t, "actions (Terraform 1.14+)")
	target := acctest.Shared(t)
	bob, amy := acctest.UniqueID("bob"), acctest.UniqueID("amy")
	target.CreateUser(t, bob, "pw")
	target.CreateUser(t, amy, "pw")
	bobTokens := []acctest.FixtureToken{target.NewToken(t, bob, "laptop"), target.NewToken(t, bob, "ci"), target.NewLegacyToken(t, bob)}
	amyToken := target.NewToken(t, amy, "kept")
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      actionHCL(target, "", "no selection"),
				ExpectError: regexp.MustCompile(`(?s)No Users Selected.*all_users = true`),
			},
			{
				Config:      actionHCL(target, "    user_ids = ["+acctest.Quote("no-such-"+bob)+"]", "typo"),
				ExpectError: regexp.MustCompile(`(?s)Unknown Jenkins User.*no-such-`),
			},
			{
				Config: actionHCL(target, "    user_ids = ["+acctest.Quote(bob)+"]", "incident 1"),
				Check: resource.ComposeAggregateTestCheckFunc(
					rejected(target, bob, bobTokens...),
					accepted(target, amy, amyToken),
				),
			},
		},
	})
	restartJenkins(t, target)
	if code := whoAmIStatus(target.URL, bob, bobTokens[2].Value); code != 401 {
		t.Errorf("after a restart bob's legacy token answers HTTP %d, want 401 (its seed must be cleared)", code)
	}
}
