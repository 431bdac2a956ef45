package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
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
	target.CreateUser(t, "dave", "pw")
	bob, dave := target.NewLegacyToken(t, "bob"), target.NewLegacyToken(t, "dave")
	asLegacy := loggedInWith(target, own.Value)
	addr := "jenkins_legacy_token_cleanup.c"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				// max_revocations holds for the legacy cleanup too; the provider's own token
				// does not count, as it is left out.
				Config:      cleanupHCL(asLegacy, "jenkins_legacy_token_cleanup", "  max_revocations = 1"),
				ExpectError: regexp.MustCompile(`(?s)Too Many Users Selected.*2 users`),
			},
			{
				Config: cleanupHCL(asLegacy, "jenkins_legacy_token_cleanup", "  max_revocations = 2"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("revoked"), revokedTokens(bob, dave)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("legacy_tokens"), knownvalue.ListSizeExact(0)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(rejected(target, "bob", bob), accepted(target, "admin", own)),
			},
			{
				// Refresh keeps it out of the pending list: the plan stays empty.
				Config:           cleanupHCL(asLegacy, "jenkins_legacy_token_cleanup", "  max_revocations = 2"),
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

// TestAccGuideIdentityProviderOffboarding applies the identity-provider guide as written, on an
// LDAP realm (whose lookups save user records). Its exclusions come from an identity-provider
// group, whose members mostly never opened Jenkins: Jenkins has no record of them. They are
// accepted without asking the realm about them, so no record is made for them; when a new hire
// joins the group, the next plan still works; jack, who left the group, loses his token. The
// guide's other cleanup selects by realm_status, and so does check its exclusions.
func TestAccGuideIdentityProviderOffboarding(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{RealmDirectory: "ldap"})
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
				// another system): accepted too; it protects nobody, and finding that out would
				// take a realm lookup, which on LDAP saves a record for every member.
				Config:          cfg,
				ConfigVariables: group("admin", "ivy", "nora", "noah", "ivy-typo"),
				Check:           accepted(target, "ivy", ivy),
			},
		},
	})
	// No realm lookup of the excluded members: the directory plugin saved no record for them.
	st, err := target.Sim.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"nora", "noah", "ivy-typo"} {
		if n := st["userSave/"+id]; n != 0 {
			t.Errorf("the plans saved a user record for the excluded %s %d times (a realm lookup nobody asked for)", id, n)
		}
	}
	var records struct{ IDs []string }
	target.Script(t, `emit([ids: ['nora', 'noah', 'ivy-typo'].findAll { User.getById(it, false) != null }])`, nil, &records)
	if len(records.IDs) != 0 {
		t.Errorf("Jenkins now holds records for the excluded %v, who never opened it", records.IDs)
	}

	// As the CLI shows it: no warning about members without a record; the realm_status cleanup
	// asks the realm, and warns about its exclusion nobody knows (no "terraform" user here).
	cli, _ := cliVersion(t)
	w := newCLIWorkdir(t, cli, jenkinsProviderOverrides(t))
	w.write("main.tf", requireJenkins+cfg)
	out, code := w.run("plan", "-no-color", `-var=active_accounts=["admin","ivy","nora","ivy-typo"]`)
	const title = "Excluded Users Unknown to Jenkins and Its Security Realm"
	warnings := ""
	if i := strings.Index(out, "Warning: "+title); i >= 0 {
		warnings = out[i:] // the plan before it lists the exclusions themselves
	}
	if code != 0 || strings.Count(out, title) != 1 || !strings.Contains(warnings, "nobody: terraform.") ||
		strings.Contains(warnings, "ivy-typo") || strings.Contains(warnings, "nora") {
		t.Errorf("terraform plan: exit %d, want one warning, naming terraform only:\n%s", code, out)
	}
}

// TestAccUserTokenCleanup_heldWhenTheSelectionGrows: a cleanup applied long ago whose selection
// grows past max_revocations (here a directory outage that makes everyone unknown) holds: the
// plan warns and revokes nothing, and the workspace's other changes still plan and apply. Raising
// max_revocations releases it.
func TestAccUserTokenCleanup_heldWhenTheSelectionGrows(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{})
	ctx := context.Background()
	staff := []string{"s1", "s2", "s3"}
	var tokens []acctest.FixtureToken
	for _, id := range staff {
		tokens = append(tokens, directoryUser(t, target, id))
	}
	cleanup := func(maxUsers int) string {
		return target.ProviderBlock() + fmt.Sprintf(`
resource "jenkins_user_token_cleanup" "gone" {
  realm_status    = ["unknown"]
  max_revocations = %d
}

resource "terraform_data" "other" {
  input = "unrelated"
}
`, maxUsers)
	}
	addr := "jenkins_user_token_cleanup.gone"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: cleanup(2)},
			{
				PreConfig: func() {
					if err := target.Sim.RemoveRealmUsers(ctx, staff...); err != nil {
						t.Fatal(err)
					}
				},
				Config:           cleanup(2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				// Jenkins refuses the tokens of users its realm forgot; they must still be there.
				Check: func(*terraform.State) error {
					for i, id := range staff {
						if _, ok := target.TokenNames(t, id)[tokens[i].UUID]; !ok {
							return fmt.Errorf("the held cleanup revoked %s's token", id)
						}
					}
					return nil
				},
			},
			{
				// Deliberate now: the catch no longer trips and apply revokes.
				Config: cleanup(3),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					rejected(target, "s1", tokens[0]), rejected(target, "s2", tokens[1]), rejected(target, "s3", tokens[2])),
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

// TestAccRevokeTokensAction_checkedAtPlan: the action refuses at `terraform validate` and at plan
// time what it would refuse when it runs, so that a trigger is not spent on a refusal after the
// triggering change was applied; `terraform plan -invoke` is its dry run and revokes nothing.
func TestAccRevokeTokensAction_checkedAtPlan(t *testing.T) {
	target := acctest.Shared(t)
	target.RequireSim(t)
	skipOnOpenTofu(t, tofuLacksActions)
	w := cliAt(t, 1, 14, "actions")
	bob, amy := acctest.UniqueID("bob"), acctest.UniqueID("amy")
	target.CreateUser(t, bob, "pw")
	target.CreateUser(t, amy, "pw")
	laptop, kept := target.NewToken(t, bob, "laptop"), target.NewToken(t, amy, "kept")
	action := func(body string) string {
		return requireJenkins + target.ProviderBlock() + "action \"jenkins_revoke_tokens\" \"x\" {\n  config {\n" + body + "\n  }\n}\n"
	}

	for name, tc := range map[string]struct{ body, want string }{
		"both scopes": {"    user_ids = [" + acctest.Quote(bob) + "]\n    all_users = true", `(?s)Conflicting Selection.*not both`},
		"no scope":    {"    legacy = true", `(?s)No Users Selected.*all_users`},
	} {
		w.write("main.tf", action(tc.body))
		out, code := w.run("validate", "-no-color")
		if code == 0 || !regexp.MustCompile(tc.want).MatchString(out) {
			t.Errorf("%s: terraform validate exit %d, want an error matching %s:\n%s", name, code, tc.want, out)
		}
	}

	// The dry run lists bob's token and revokes nothing.
	w.write("main.tf", action("    user_ids = ["+acctest.Quote(bob)+"]"))
	out, code := w.run("plan", "-invoke=action.jenkins_revoke_tokens.x", "-no-color")
	if code != 0 || !strings.Contains(out, "Selected for Revocation") || !strings.Contains(out, laptop.UUID) {
		t.Errorf("terraform plan -invoke: exit %d, want 0 and the dry run naming %s:\n%s", code, laptop.UUID, out)
	}
	if err := accepted(target, bob, laptop)(nil); err != nil {
		t.Errorf("the dry run revoked: %v", err)
	}

	// Over max_revocations: refused by the plan.
	w.write("main.tf", action("    user_ids = ["+acctest.Quote(bob)+", "+acctest.Quote(amy)+"]\n    max_revocations = 1"))
	out, code = w.run("plan", "-invoke=action.jenkins_revoke_tokens.x", "-no-color")
	if code == 0 || !strings.Contains(out, "Too Many Users Selected") {
		t.Errorf("terraform plan -invoke over max_revocations: exit %d, want the refusal:\n%s", code, out)
	}

	// Triggered by a change: the refusal comes at plan time, before the triggering change is
	// applied, so the trigger is not spent.
	w.write("main.tf", requireJenkins+target.ProviderBlock()+`
action "jenkins_revoke_tokens" "x" {
  config {
    user_ids = [`+acctest.Quote(target.Username)+`]
  }
}
resource "terraform_data" "offboarding" {
  input = "admin leaves"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.jenkins_revoke_tokens.x]
    }
  }
}
`)
	out, code = w.run("apply", "-auto-approve", "-no-color")
	if code == 0 || !strings.Contains(out, "Selection Includes the Provider's Own User") {
		t.Errorf("apply with a trigger selecting the provider's own user: exit %d, want the refusal:\n%s", code, out)
	}
	if strings.Contains(out, "terraform_data.offboarding: Creation complete") {
		t.Errorf("the triggering change was applied before the refusal:\n%s", out)
	}
	if err := accepted(target, amy, kept)(nil); err != nil {
		t.Error(err)
	}
}

// TestAccSelectionMistakesRefusedByValidate: mistakes visible in the configuration alone are
// refused by `terraform validate`, before any plan talks to Jenkins.
func TestAccSelectionMistakesRefusedByValidate(t *testing.T) {
	target := acctest.Shared(t)
	cli, _ := cliVersion(t)
	w := newCLIWorkdir(t, cli, jenkinsProviderOverrides(t))
	w.write("main.tf", requireJenkins+target.ProviderBlock()+`
data "jenkins_users" "x" {
  check_realm  = false
  realm_status = ["unknown"]
}
`)
	out, code := w.run("validate", "-no-color")
	if code == 0 || !strings.Contains(out, "Realm Status Needs check_realm") {
		t.Errorf("terraform validate: exit %d, want the realm_status refusal:\n%s", code, out)
	}
}

// TestAccUserTokenCleanup_forEachWarnsAboutTheRunTotal: max_revocations is per resource
// instance, so for_each over users gives each its own budget; the plan says when the instances
// together go past it.
func TestAccUserTokenCleanup_forEachWarnsAboutTheRunTotal(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{})
	leavers := []string{"l1", "l2", "l3"}
	for _, id := range leavers {
		directoryUser(t, target, id)
	}
	w := newCLIWorkdir(t, cliAtLeast(t, 1, 0, "plans"), jenkinsProviderOverrides(t))
	w.write("main.tf", requireJenkins+target.ProviderBlock()+`
resource "jenkins_user_token_cleanup" "leaver" {
  for_each        = toset(["l1", "l2", "l3"])
  user_ids        = [each.key]
  max_revocations = 2
}
`)
	out, code := w.run("plan", "-no-color")
	if code != 0 || !strings.Contains(out, "Revocations Planned in This Run Exceed max_revocations Together") ||
		!regexp.MustCompile(`(?s)3\s+users\s+together`).MatchString(out) {
		t.Errorf("terraform plan: exit %d, want a warning about 3 users together:\n%s", code, out)
	}
}
