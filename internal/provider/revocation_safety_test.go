package provider

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// loggedInWith is target with the provider authenticating by secret instead of the password.
func loggedInWith(target *acctest.Target, secret string) *acctest.Target {
	t := *target
	t.Password = secret
	return &t
}

// TestAccTokenCleanup_ownLegacyCredentialLeftOut: a provider that logs in with a legacy token
// (an old API-only service account) applies the docs' own `jenkins_legacy_token_cleanup "all"
// {}`. Every other legacy token goes; the provider's own stays, so the next plan still logs in.
// The user cleanup selecting every legacy token leaves it out the same way instead of refusing
// the provider's own user.
func TestAccTokenCleanup_ownLegacyCredentialLeftOut(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{})
	own := target.NewLegacyToken(t, "admin")
	target.CreateUser(t, "bob", "pw")
	target.CreateUser(t, "carol", "pw")
	bob := target.NewLegacyToken(t, "bob")
	asLegacy := loggedInWith(target, own.Value)
	addr := "jenkins_legacy_token_cleanup.c"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: cleanupHCL(asLegacy, "jenkins_legacy_token_cleanup", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("revoked"), revokedTokens(bob)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("legacy_tokens"), knownvalue.ListSizeExact(0)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(rejected(target, "bob", bob), accepted(target, "admin", own)),
			},
			{
				// Refresh keeps it out of the pending list: the plan stays empty.
				Config:           cleanupHCL(asLegacy, "jenkins_legacy_token_cleanup", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})

	carol := target.NewLegacyToken(t, "carol")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: cleanupHCL(asLegacy, "jenkins_user_token_cleanup", "  legacy = true"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("jenkins_user_token_cleanup.c", tfjsonpath.New("revoked"), revokedTokens(carol)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(rejected(target, "carol", carol), accepted(target, "admin", own)),
		}},
	})

	// Another token of the provider's own user is still refused: the catch is about the user.
	other := target.NewToken(t, "admin", "old-automation")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:      cleanupHCL(asLegacy, "jenkins_user_token_cleanup", `  user_ids = ["admin"]`),
			ExpectError: regexp.MustCompile(`Selection Includes the Provider's Own User`),
		}},
	})
	if code := whoAmIStatus(target.URL, "admin", other.Value); code != 200 {
		t.Errorf("the refused selection's token answers HTTP %d, want 200", code)
	}
}

// identityProviderGuide is the guide's configuration (docs/guides/offboarding-from-identity-provider)
// as written, with the target's provider block.
func identityProviderGuide(t *testing.T, target *acctest.Target) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "examples", "scenarios", "offboard-from-identity-provider", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	return target.ProviderBlock() + stripTopLevelBlocks(string(src))
}

// TestAccGuideIdentityProviderOffboarding applies the identity-provider guide as written. Its
// exclusions come from an identity-provider group, whose members mostly never opened Jenkins:
// the realm knows them, Jenkins has no record of them. They are accepted; when a new hire joins
// the group, the next plan still works; jack, who left the group, loses his token.
func TestAccGuideIdentityProviderOffboarding(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{})
	ctx := context.Background()
	ivy := directoryUser(t, target, "ivy")
	jack := directoryUser(t, target, "jack")
	// In the directory, never in Jenkins: no record, no token.
	if err := target.Sim.AddRealmUsers(ctx, "nora", "noah"); err != nil {
		t.Fatal(err)
	}
	cfg := identityProviderGuide(t, target)
	group := func(ids ...string) config.Variables {
		vals := make([]config.Variable, len(ids))
		for i, id := range ids {
			vals[i] = config.StringVariable(id)
		}
		return config.Variables{"active_accounts": config.SetVariable(vals...)}
	}
	addr := "jenkins_user_token_cleanup.not_in_identity_provider"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:          cfg,
				ConfigVariables: group("admin", "ivy", "nora"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("revoked"), revokedTokens(jack)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(rejected(target, "jack", jack), accepted(target, "ivy", ivy)),
			},
			{
				// A new hire joins the group: still nobody to revoke, and no error.
				Config:          cfg,
				ConfigVariables: group("admin", "ivy", "nora", "noah"),
				Check:           accepted(target, "ivy", ivy),
			},
			{
				// A member the directory does not know either (a misspelling, or an account of
				// another system): a warning, not a plan that fails at every run.
				Config:          cfg,
				ConfigVariables: group("admin", "ivy", "nora", "noah", "ivy-typo"),
				Check:           accepted(target, "ivy", ivy),
			},
		},
	})
}

// TestAccUserTokenCleanup_inactiveCountsTokenCreation: a service account whose only token is 60
// days old and never used is inactive; the workspace that cleans up inactive users also gives it
// a managed token. The token's creation is activity: the cleanup must not revoke what the same
// workspace creates, or every apply would revoke and create it again.
func TestAccUserTokenCleanup_inactiveCountsTokenCreation(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{})
	ctx := context.Background()
	if err := target.Sim.SetClock(ctx, -60); err != nil {
		t.Fatal(err)
	}
	directoryUser(t, target, "svc")
	directoryUser(t, target, "idle")
	if err := target.Sim.SetClock(ctx, 0); err != nil {
		t.Fatal(err)
	}
	cfg := target.ProviderBlock() + `
resource "jenkins_user_api_token" "svc" {
  user_id = "svc"
  name    = "deploy"
}

resource "jenkins_user_token_cleanup" "idle" {
  user_ids          = ["svc", "idle"]
  inactive_for_days = 30
}

data "jenkins_users" "inactive" {
  inactive_for_days = 30
  id_regex          = "^(svc|idle)$"
  depends_on        = [jenkins_user_api_token.svc, jenkins_user_token_cleanup.idle]
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("data.jenkins_users.inactive", "users.#", "1"),
					resource.TestCheckResourceAttr("data.jenkins_users.inactive", "users.0.id", "idle"),
					// idle's token went: no date of activity at all, which counts as inactive.
					resource.TestCheckResourceAttr("data.jenkins_users.inactive", "users.0.token_count", "0"),
					resource.TestCheckNoResourceAttr("data.jenkins_users.inactive", "users.0.last_token_created_at"),
					resource.TestCheckResourceAttrSet("jenkins_user_api_token.svc", "token"),
				),
			},
			{
				// The loop: a second apply must change nothing (before the fix the refresh found
				// svc inactive and planned to revoke the managed token again).
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}
