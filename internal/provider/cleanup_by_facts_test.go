package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// directoryUser makes id a user the directory knows, with a Jenkins record and one token, as
// after a first login through LDAP or SSO.
func directoryUser(t *testing.T, target *acctest.Target, id string) acctest.FixtureToken {
	t.Helper()
	if err := target.Sim.AddRealmUsers(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	target.Script(t, `User.getById(P.id, true).save(); emit([:])`, map[string]string{"id": id}, nil)
	return target.NewToken(t, id, "cli")
}

// TestAccUserTokenCleanup_drivenByFacts: revoke the tokens of the people the directory no longer
// knows, and of those who neither logged in nor used a token for 30 days, without typing their
// names; the safety catches refuse a directory outage that makes everyone unknown and any
// selection that touches the provider's own user.
func TestAccUserTokenCleanup_drivenByFacts(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{})
	ctx := context.Background()
	alice := directoryUser(t, target, "alice")
	carol := directoryUser(t, target, "carol")
	dan := directoryUser(t, target, "dan")
	if code := whoAmIStatus(target.URL, "alice", alice.Value); code != 200 {
		t.Fatalf("precondition: alice's token answers %d", code)
	}
	if _, err := target.Sim.WebLogin(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	// carol and dan leave: the directory forgets them, Jenkins keeps their records and tokens.
	if err := target.Sim.RemoveRealmUsers(ctx, "carol", "dan"); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: cleanupHCL(target, "jenkins_user_token_cleanup", `  realm_status = ["unknown"]`),
				Check: resource.ComposeAggregateTestCheckFunc(
					rejected(target, "carol", carol), rejected(target, "dan", dan), accepted(target, "alice", alice),
				),
			},
		},
	})

	// Idle: erin's token was made 60 days ago and never used, and she never logged in; alice
	// logged in today.
	if err := target.Sim.SetClock(ctx, -60); err != nil {
		t.Fatal(err)
	}
	erin := directoryUser(t, target, "erin")
	if err := target.Sim.SetClock(ctx, 0); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: cleanupHCL(target, "jenkins_user_token_cleanup", "  inactive_for_days = 30\n  exclude_user_ids = [\"admin\"]"),
			Check:  resource.ComposeAggregateTestCheckFunc(rejected(target, "erin", erin), accepted(target, "alice", alice)),
		}},
	})

	// A directory outage: it forgets everyone at once. Twelve users become unknown; the default
	// max_revocations (10) refuses, naming the count.
	var many []string
	for i := 0; i < 12; i++ {
		id := fmt.Sprintf("staff-%02d", i)
		directoryUser(t, target, id)
		many = append(many, id)
	}
	if err := target.Sim.RemoveRealmUsers(ctx, append(many, "alice")...); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      cleanupHCL(target, "jenkins_user_token_cleanup", `  realm_status = ["unknown"]`),
				ExpectError: regexp.MustCompile(`(?s)Too Many Users Selected.*13 users.*max_revocations\s+\(10\)`),
			},
			{
				// The provider's own user, whatever the count.
				Config:      cleanupHCL(target, "jenkins_user_token_cleanup", "  user_ids = [\"admin\"]"),
				ExpectError: regexp.MustCompile(`(?s)Selection Includes the Provider's Own User.*exclude_user_ids`),
			},
		},
	})
}

// TestAccUserTokenCleanup_identityProviderScenario: the people allowed to hold tokens come from
// the identity provider (here a variable, as another provider's data source would give it);
// every token of anyone else goes at the next apply.
func TestAccUserTokenCleanup_identityProviderScenario(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{})
	kept := directoryUser(t, target, "ivy")
	left := directoryUser(t, target, "jack")
	cfg := cleanupHCL(target, "jenkins_user_token_cleanup", "  exclude_user_ids = var.active_accounts") + `
variable "active_accounts" {
  type = set(string)
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:          cfg,
			ConfigVariables: config.Variables{"active_accounts": config.SetVariable(config.StringVariable("admin"), config.StringVariable("ivy"))},
			Check:           resource.ComposeAggregateTestCheckFunc(rejected(target, "jack", left), accepted(target, "ivy", kept)),
		}},
	})
}

func TestAccUserTokenCleanup_factsBadInput(t *testing.T) {
	target := acctest.Shared(t)
	for name, tc := range map[string]struct{ body, want string }{
		"unknown status":     {`realm_status = ["gone"]`, `(?s)realm_status.*value must be one of`},
		"not_checked status": {`realm_status = ["not_checked"]`, `(?s)realm_status.*value must be one of`},
		"zero days":          {`inactive_for_days = 0`, `(?s)inactive_for_days.*at least 1`},
		"zero revocations":   {`max_revocations = 0`, `(?s)max_revocations.*at least 1`},
	} {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config:      cleanupHCL(target, "jenkins_user_token_cleanup", "  "+tc.body),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}
