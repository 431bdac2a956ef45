package provider

import (
	"context"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// TestAccRealmAccountStates: Active Directory offboards a leaver by disabling the account, and
// the ldap plugin then answers the lookup with an AccountStatusException. One such account must
// not break jenkins_users or a cleanup: it gets its own realm_status, a cleanup selects it, and a
// create for it is refused (Jenkins would refuse the token). A directory that fails to answer is
// still an error, never "unknown": a cleanup must not read an outage as people gone.
func TestAccRealmAccountStates(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{})
	ctx := context.Background()
	alice := directoryUser(t, target, "alice")
	dora := directoryUser(t, target, "dora")
	ezra := directoryUser(t, target, "ezra")
	lars := directoryUser(t, target, "lars")
	cleo := directoryUser(t, target, "cleo")
	for id, status := range map[string]string{"dora": "disabled", "ezra": "expired", "lars": "locked", "cleo": "credentials_expired"} {
		if err := target.Sim.SetRealmAccount(ctx, id, status); err != nil {
			t.Fatal(err)
		}
	}
	if code := whoAmIStatus(target.URL, "dora", dora.Value); code != http.StatusInternalServerError {
		t.Fatalf("precondition: a disabled account's token answers %d, want 500 (refused)", code)
	}
	user := func(id, status string) knownvalue.Check {
		return knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"id": knownvalue.StringExact(id), "realm_status": knownvalue.StringExact(status), "token_count": knownvalue.Int64Exact(1),
		})
	}
	users := func(extra string) string {
		return target.ProviderBlock() + "data \"jenkins_users\" \"u\" {\n  id_regex = \"^[a-z]+$\"\n" + extra + "\n}\n"
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: users(""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.jenkins_users.u", tfjsonpath.New("users"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact("admin"), "realm_status": knownvalue.StringExact("known")}),
						user("alice", "known"), user("dora", "disabled"), user("ezra", "account_expired"),
						user("lars", "locked"), user("cleo", "credentials_expired"),
					})),
				},
			},
			{
				Config: users(`  realm_status = ["disabled", "account_expired"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.jenkins_users.u", tfjsonpath.New("users"), knownvalue.SetExact([]knownvalue.Check{
						user("dora", "disabled"), user("ezra", "account_expired"),
					})),
				},
			},
			{
				// The leavers' cleanup: disabled and expired accounts, not a lockout.
				Config: cleanupHCL(target, "jenkins_user_token_cleanup", `  realm_status = ["unknown", "disabled", "account_expired"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("jenkins_user_token_cleanup.c", tfjsonpath.New("revoked"), revokedTokens(dora, ezra)),
				},
			},
			{
				// A token Jenkins would refuse is not made.
				Config: target.ProviderBlock() + `resource "jenkins_user_api_token" "t" {
  user_id = "lars"
  name    = "new"
}
`,
				ExpectError: regexp.MustCompile(`(?s)lars.*refuse`),
			},
		},
	})
	// Accounts enabled again: the revoked tokens stay revoked, the others log in.
	for _, id := range []string{"dora", "ezra", "lars", "cleo"} {
		if err := target.Sim.SetRealmAccount(ctx, id, "active"); err != nil {
			t.Fatal(err)
		}
	}
	for _, check := range []resource.TestCheckFunc{
		rejected(target, "dora", dora), rejected(target, "ezra", ezra),
		accepted(target, "lars", lars), accepted(target, "cleo", cleo), accepted(target, "alice", alice),
	} {
		if err := check(nil); err != nil {
			t.Error(err)
		}
	}

	// Outages: the directory fails to answer about mia. Every listing that asks the realm fails
	// with the realm's exception; mia's token stays.
	mia := directoryUser(t, target, "mia")
	for _, c := range []struct{ status, exception string }{
		{"unavailable", "AuthenticationServiceException"},
		{"data_access_failure", "DataAccessResourceFailureException"},
	} {
		if err := target.Sim.SetRealmAccount(ctx, "mia", c.status); err != nil {
			t.Fatal(err)
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProviders,
			Steps: []resource.TestStep{
				{Config: users(""), ExpectError: regexp.MustCompile(`(?s)Unable to List Jenkins Users.*` + c.exception)},
				{
					Config:      cleanupHCL(target, "jenkins_user_token_cleanup", `  realm_status = ["unknown", "disabled", "account_expired", "locked", "credentials_expired"]`),
					ExpectError: regexp.MustCompile(`(?s)` + c.exception),
				},
			},
		})
	}
	if err := target.Sim.SetRealmAccount(ctx, "mia", "active"); err != nil {
		t.Fatal(err)
	}
	if err := accepted(target, "mia", mia)(nil); err != nil {
		t.Error(err)
	}
}

// TestAccAllowNonExistentUserToLogin: on a Jenkins started with
// -Dhudson.model.User.allowNonExistentUserToLogin=true, local automation users the realm does not
// know use their tokens every day. A create for one works, a cleanup by realm_status "unknown"
// alone is refused, and with inactive_for_days only the unknown users whose tokens went unused
// are selected.
func TestAccAllowNonExistentUserToLogin(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{SystemProperties: map[string]string{"hudson.model.User.allowNonExistentUserToLogin": "true"}})
	ctx := context.Background()
	localUser := func(id string) acctest.FixtureToken {
		target.Script(t, `User.getById(P.id, true).save(); emit([:])`, map[string]string{"id": id}, nil)
		return target.NewToken(t, id, "automation")
	}
	if err := target.Sim.SetClock(ctx, -60); err != nil {
		t.Fatal(err)
	}
	ghost := localUser("ghost")
	if err := target.Sim.SetClock(ctx, 0); err != nil {
		t.Fatal(err)
	}
	robot := localUser("robot")
	if code := whoAmIStatus(target.URL, "robot", robot.Value); code != http.StatusOK {
		t.Fatalf("precondition: an unknown user's token answers %d, want 200 with the property", code)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: target.ProviderBlock() + "data \"jenkins_users\" \"u\" {\n  realm_status = [\"unknown\"]\n}\n",
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.jenkins_users.u", tfjsonpath.New("users"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact("ghost")}),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact("robot")}),
					})),
				},
			},
			{
				// Jenkins accepts the tokens of unknown users here, so the provider makes one.
				Config: target.ProviderBlock() + `resource "jenkins_user_api_token" "t" {
  user_id = "robot"
  name    = "deploy"
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("jenkins_user_api_token.t", tfjsonpath.New("uuid"), knownvalue.NotNull()),
				},
			},
			{
				Config:      cleanupHCL(target, "jenkins_user_token_cleanup", `  realm_status = ["unknown"]`),
				ExpectError: regexp.MustCompile(`(?s)Unknown Users' Tokens Still Log In on This Jenkins.*inactive_for_days`),
			},
			{
				Config: cleanupHCL(target, "jenkins_user_token_cleanup", "  realm_status = [\"unknown\"]\n  inactive_for_days = 30"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("jenkins_user_token_cleanup.c", tfjsonpath.New("revoked"), revokedTokens(ghost)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(rejected(target, "ghost", ghost), accepted(target, "robot", robot)),
			},
		},
	})
}
