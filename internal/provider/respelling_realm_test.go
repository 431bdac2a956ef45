package provider

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// respellingSim is a Jenkins whose security realm respells the names it is asked for (the ldap
// plugin with forceUsernameLowercase, under a case-sensitive id strategy; its lookups write the
// record as the plugin's do), and a directory user "rita" without a Jenkins record: a token for
// "Rita" is made for Jenkins's user "rita".
func respellingSim(t *testing.T) *acctest.Target {
	t.Helper()
	target := ownSim(t, jenkinssim.Options{IDStrategy: "case-sensitive", RealmRespell: "lowercase", RealmDirectory: "ldap"})
	if err := target.Sim.AddRealmUsers(context.Background(), "rita"); err != nil {
		t.Fatal(err)
	}
	return target
}

// ritaHolds checks how many tokens Jenkins's user "rita" holds, and that no user "Rita" exists.
func ritaHolds(t *testing.T, target *acctest.Target, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := len(target.TokenNames(t, "rita")); n != want {
			return fmt.Errorf("Jenkins's user rita holds %d tokens, want %d", n, want)
		}
		if target.UserExists(t, "Rita") {
			return fmt.Errorf("a user record Rita exists beside rita")
		}
		return nil
	}
}

// TestAccUserAPIToken_realmThatRespells: the configuration says "Rita", the realm answers
// "rita", and the create makes Jenkins's user rita. Every later step must follow rita: the
// second and third plans are empty and Jenkins holds one token (before, every apply minted a
// new token for rita, and destroy revoked nothing), a rename renames it, an import by Jenkins's
// id adopts it, and destroy revokes it so that its value no longer logs in.
func TestAccUserAPIToken_realmThatRespells(t *testing.T) {
	target := respellingSim(t)
	var uuid, value string
	config := tokenConfig(target, "Rita", "ci")
	empty := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             tokenRevoked(t, target, "rita", &uuid, &value),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					// The configured spelling stays: no diff on the next plan.
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("user_id"), knownvalue.StringExact("Rita")),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^rita/`))),
				},
				Check: resource.ComposeAggregateTestCheckFunc(tokenWorks(target, "rita"), captureAttr("uuid", &uuid),
					captureAttr("token", &value), ritaHolds(t, target, 1)),
			},
			{Config: config, ConfigPlanChecks: empty, Check: ritaHolds(t, target, 1)},
			{Config: config, ConfigPlanChecks: empty, Check: ritaHolds(t, target, 1)},
			{
				Config: tokenConfig(target, "Rita", "ci renamed"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(ritaHolds(t, target, 1), func(*terraform.State) error {
					if name := target.TokenNames(t, "rita")[uuid]; name != "ci renamed" {
						return fmt.Errorf("after the rename Jenkins names token %s %q", uuid, name)
					}
					return nil
				}),
			},
			{
				Config: tokenConfig(target, "Rita", "ci renamed"), ResourceName: tokenAddr, ImportState: true,
				ImportStateIdFunc: func(*terraform.State) (string, error) { return "rita/" + uuid, nil },
				ImportStateVerify: true,
				// Jenkins's spelling, as the import names it; the value Jenkins keeps only as a hash.
				ImportStateVerifyIgnore: []string{"user_id", "token"},
			},
		},
	})
	if code := whoAmIStatus(target.URL, "rita", value); code != http.StatusUnauthorized {
		t.Errorf("after destroy the token answers HTTP %d as rita, want 401", code)
	}
}

// TestAccUserAPITokenEphemeral_realmThatRespells: the ephemeral token of "Rita" is made for
// rita, and Close revokes it there (before, Close looked for it under Rita, found no such user,
// and reported success while the token stayed valid).
func TestAccUserAPITokenEphemeral_realmThatRespells(t *testing.T) {
	target := respellingSim(t)
	var token string
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   ephemeralTerraformVersions,
		ProtoV6ProviderFactories: testAccProvidersWithEcho(),
		Steps: []resource.TestStep{{
			Config: target.ProviderBlock() + `
ephemeral "jenkins_user_api_token" "ci" {
  user_id = "Rita"
  name    = "run"
}
provider "echo" {
  data = ephemeral.jenkins_user_api_token.ci
}
resource "echo" "ci" {}
`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttrWith("echo.ci", "data.token", func(v string) error { token = v; return nil }),
				func(*terraform.State) error {
					if !tokenValuePattern.MatchString(token) {
						return fmt.Errorf("ephemeral token does not have Jenkins's format")
					}
					// The run is over: Terraform closed every token it opened (plan and apply).
					if code := whoAmIStatus(target.URL, "rita", token); code != http.StatusUnauthorized {
						return fmt.Errorf("after Close the ephemeral token answers HTTP %d as rita, want 401", code)
					}
					return ritaHolds(t, target, 0)(nil)
				},
			),
		}},
	})
}

// TestRevokeTrustsNoSuchUserOnlyForJenkinsIDs: "no such user" means the token is gone only for
// an id Jenkins returned for it. A configured spelling Jenkins never confirmed ("Rita", whose
// token the realm made for rita) is an error that says where the token may be, and the token
// stays until it is revoked under Jenkins's id.
func TestRevokeTrustsNoSuchUserOnlyForJenkinsIDs(t *testing.T) {
	target := respellingSim(t)
	ctx := context.Background()
	d := createTestData(t, target, 0)
	tok, value, err := d.createToken(ctx, newToken{userID: "Rita", name: "kept"})
	if err != nil {
		t.Fatal(err)
	}
	if tok.UserID != "rita" {
		t.Fatalf("the create answered user %q, want Jenkins's rita", tok.UserID)
	}
	err = d.revokeToken(ctx, "Rita", tok.UUID, false)
	if err == nil || !regexp.MustCompile(`(?s)no Jenkins user has the id Rita,.*cannot be confirmed revoked.*respells`).MatchString(err.Error()) {
		t.Fatalf("revoking under a spelling Jenkins never returned: got %v, want an error saying the token is unconfirmed", err)
	}
	if code := whoAmIStatus(target.URL, "rita", value); code != http.StatusOK {
		t.Fatalf("the token answers HTTP %d before its revocation under Jenkins's id, want 200", code)
	}
	// An id Jenkins returned: a user gone is gone, and rita's token is revoked.
	if err := d.revokeToken(ctx, "nobody-here", tok.UUID, true); err != nil {
		t.Errorf("revoking for a user gone, by an id Jenkins returned: %v", err)
	}
	if err := d.revokeToken(ctx, tok.UserID, tok.UUID, true); err != nil {
		t.Fatal(err)
	}
	if code := whoAmIStatus(target.URL, "rita", value); code != http.StatusUnauthorized {
		t.Errorf("after the revocation under Jenkins's id the token answers HTTP %d, want 401", code)
	}
}
