package provider

// Tests of the features of newer CLIs: resource identity (Terraform 1.12+, OpenTofu 1.12+), list
// resources for `terraform query` and actions (Terraform 1.14+). They skip themselves, saying
// why, on older CLIs, and the query and action tests on OpenTofu, which has neither.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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

// onOpenTofu reports whether the tests run OpenTofu: terraform-plugin-testing needs
// TF_ACC_PROVIDER_HOST to name OpenTofu's registry to drive it.
func onOpenTofu() bool {
	return strings.Contains(os.Getenv("TF_ACC_PROVIDER_HOST"), "opentofu")
}

// OpenTofu features this provider uses that OpenTofu lacks (checked in OpenTofu 1.12.6's
// source: its configuration language has no list or action blocks, and no query command).
const (
	tofuLacksQuery   = "list resources and `terraform query` (Terraform 1.14+): OpenTofu 1.12 has no list blocks and no query command"
	tofuLacksActions = "actions (Terraform 1.14+): OpenTofu 1.12 has no action blocks"
)

// skipOnOpenTofu skips a test of a Terraform feature OpenTofu does not have, saying which.
func skipOnOpenTofu(t *testing.T, lacks string) {
	t.Helper()
	if onOpenTofu() {
		t.Skip("not in OpenTofu: " + lacks)
	}
}

// TestAccUserAPIToken_identity: the identity is { user_id as Jenkins spells it, uuid }, and an
// import block with that identity adopts the token.
func TestAccUserAPIToken_identity(t *testing.T) {
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
						"controller": knownvalue.Null(),
						"user_id":    knownvalue.StringExact(lou),
						"uuid":       knownvalue.StringRegexp(uuidRE),
					}),
				},
			},
			{
				ResourceName:    tokenAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				Config:          tokenConfig(target, strings.ToUpper(lou), "managed"),
			},
		},
	})

	// A token made by hand, adopted by an import block with its identity.
	adopted := "jenkins_user_api_token.adopted"
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: target.ProviderBlock() + fmt.Sprintf(`
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
			},
			Check: accepted(target, lou, byHand),
		}},
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
	skipOnOpenTofu(t, tofuLacksQuery)
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
	// An API token as the provider's password: no crumb round trip blurs the count.
	withToken := *target
	withToken.Password = target.NewToken(t, target.Username, acctest.UniqueID("query")).Value
	var base, calls int
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: withToken.ProviderBlock()},
			{
				PreConfig: func() {
					st, err := sim.Stats(context.Background())
					if err != nil {
						t.Fatal(err)
					}
					base = st["scriptText"]
				},
				// The provider block comes from the first step's configuration.
				Query: true,
				Config: fmt.Sprintf(`
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
						"controller": knownvalue.Null(), "user_id": knownvalue.StringExact(mae), "uuid": knownvalue.StringExact(laptop.UUID),
					}),
					querycheck.ExpectIdentity("jenkins_user_api_token.hand_made", map[string]knownvalue.Check{
						"controller": knownvalue.Null(), "user_id": knownvalue.StringExact(ned), "uuid": knownvalue.StringExact(ci.UUID),
					}),
					querycheck.ExpectResourceDisplayName("jenkins_user_api_token.hand_made",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{
							"controller": knownvalue.Null(), "user_id": knownvalue.StringExact(mae), "uuid": knownvalue.StringExact(laptop.UUID),
						}), knownvalue.StringExact(mae+": laptop")),
					scriptCallsOfQuery{sim: sim, base: &base, calls: &calls},
				},
			},
			{
				// Terraform stops a list at its limit (100 unless set): the provider stops
				// sending results there.
				Query: true,
				Config: fmt.Sprintf(`
list "jenkins_user_api_token" "hand_made" {
  provider = jenkins
  limit    = 1
  config {
    user_ids = [%s, %s]
  }
}`, acctest.Quote(mae), acctest.Quote(ned)),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("jenkins_user_api_token.hand_made", 1),
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
  triggers_replace = %q
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
	skipOnOpenTofu(t, tofuLacksActions)
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
				ExpectError: regexp.MustCompile(`(?s)No Users Selected.*all_users`),
			},
			{
				Config:      actionHCL(target, "    user_ids = ["+acctest.Quote("no-such-"+bob)+"]", "typo"),
				ExpectError: regexp.MustCompile(`(?s)Unknown Jenkins User.*no-such-`),
			},
			{
				// The safety catches of the cleanup hold for the action too.
				Config:      actionHCL(target, "    user_ids = ["+acctest.Quote(target.Username)+"]", "own user"),
				ExpectError: regexp.MustCompile(`(?s)Selection Includes the Provider's Own User`),
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

// cliVersion is the Terraform CLI the acceptance tests use and its version ("" when unknown).
func cliVersion(t *testing.T) (path, version string) {
	t.Helper()
	path = os.Getenv("TF_ACC_TERRAFORM_PATH")
	if path == "" {
		p, err := exec.LookPath("terraform")
		if err != nil {
			t.Skip("no Terraform CLI")
		}
		path = p
	}
	out, err := exec.Command(path, "version", "-json").Output()
	if err != nil {
		return path, ""
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	// OpenTofu prints its warning about a missing CLI configuration file on stdout, before the JSON.
	if i := strings.IndexByte(string(out), '{'); i > 0 {
		out = out[i:]
	}
	_ = json.Unmarshal(out, &v)
	return path, v.Version
}

// TestAccQueryGenerateConfigAdoptsHandMadeTokens is the workflow the list resource is for, run
// with the real CLI: `terraform query -generate-config-out` writes import blocks and resources
// for tokens made by hand (over REST and through the script console), `terraform apply` adopts
// them, and the next plan is empty. The tokens keep working: adopted, never replaced.
func TestAccQueryGenerateConfigAdoptsHandMadeTokens(t *testing.T) {
	skipOnOpenTofu(t, tofuLacksQuery)
	target := acctest.Shared(t)
	target.RequireSim(t)
	cli := cliAtLeast(t, 1, 14, "terraform query")
	ola, pat := acctest.UniqueID("ola"), acctest.UniqueID("pat")
	target.CreateUser(t, ola, "pw")
	target.CreateUser(t, pat, "pw")
	overREST := target.NewToken(t, ola, "made over REST")
	var viaScript acctest.FixtureToken
	target.Script(t, `
import jenkins.security.ApiTokenProperty
def r = User.getById(P.user, false).getProperty(ApiTokenProperty).generateNewToken("made in the script console")
emit([uuid: r.tokenUuid, value: r.plainValue])
`, map[string]string{"user": pat}, &struct {
		UUID  *string `json:"uuid"`
		Value *string `json:"value"`
	}{&viaScript.UUID, &viaScript.Value})

	w := newCLIWorkdir(t, cli, map[string]string{"registry.terraform.io/jenkins-access/jenkins": buildProvider(t)})
	w.write("main.tf", requireJenkins+target.ProviderBlock())
	w.write("adopt.tfquery.hcl", fmt.Sprintf(`list "jenkins_user_api_token" "hand_made" {
  provider         = jenkins
  include_resource = true
  config {
    user_ids = [%s, %s]
  }
}
`, acctest.Quote(ola), acctest.Quote(pat)))
	run, work := w.run, w.dir
	if out, code := run("query", "-generate-config-out=adopted.tf", "-no-color"); code != 0 {
		t.Fatalf("terraform query: exit %d\n%s", code, out)
	}
	generated, err := os.ReadFile(filepath.Join(work, "adopted.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{overREST.UUID, viaScript.UUID, "made over REST", "made in the script console", "import {"} {
		if !strings.Contains(string(generated), want) {
			t.Errorf("the generated configuration lacks %q:\n%s", want, generated)
		}
	}
	if out, code := run("apply", "-auto-approve", "-no-color"); code != 0 {
		t.Fatalf("terraform apply of the generated configuration: exit %d\n%s", code, out)
	} else if !strings.Contains(out, "2 imported") {
		t.Errorf("apply did not import the two tokens:\n%s", out)
	}
	if out, code := run("plan", "-detailed-exitcode", "-no-color"); code != 0 {
		t.Errorf("the plan after adopting is not empty (exit %d):\n%s", code, out)
	}
	if code := whoAmIStatus(target.URL, ola, overREST.Value); code != 200 {
		t.Errorf("the token made over REST answers HTTP %d after adoption, want 200", code)
	}
	if code := whoAmIStatus(target.URL, pat, viaScript.Value); code != 200 {
		t.Errorf("the token made in the script console answers HTTP %d after adoption, want 200", code)
	}
	t.Logf("generated configuration:\n%s", generated)
}

// cliWorkdir is a directory where a test runs the Terraform CLI itself, with providers taken
// from local builds through dev_overrides: for workflows terraform-plugin-testing cannot drive
// (query -generate-config-out, other providers than this one).
type cliWorkdir struct {
	t         *testing.T
	cli       string
	dir       string
	cliConfig string
	env       []string
}

func newCLIWorkdir(t *testing.T, cli string, overrides map[string]string) *cliWorkdir {
	t.Helper()
	w := &cliWorkdir{t: t, cli: cli, dir: t.TempDir()}
	var b strings.Builder
	b.WriteString("provider_installation {\n  dev_overrides {\n")
	for source, dir := range overrides {
		fmt.Fprintf(&b, "    %q = %q\n", source, dir)
	}
	b.WriteString("  }\n  direct {}\n}\n")
	w.cliConfig = filepath.Join(t.TempDir(), "terraform.rc")
	if err := os.WriteFile(w.cliConfig, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *cliWorkdir) write(name, content string) {
	w.t.Helper()
	if err := os.WriteFile(filepath.Join(w.dir, name), []byte(content), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// run runs the CLI with args and returns its combined output and exit code.
func (w *cliWorkdir) run(args ...string) (string, int) {
	w.t.Helper()
	out, err := w.command(args...).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	} else if err != nil {
		w.t.Fatalf("terraform %s: %v", strings.Join(args, " "), err)
	}
	return string(out), 0
}

// command is the CLI with args, in the directory, with its CLI configuration and w.env.
func (w *cliWorkdir) command(args ...string) *exec.Cmd {
	cmd := exec.Command(w.cli, args...)
	cmd.Dir = w.dir
	cmd.Env = append(append(os.Environ(), "TF_CLI_CONFIG_FILE="+w.cliConfig, "TF_IN_AUTOMATION=1", "TF_LOG="), w.env...)
	return cmd
}

// buildProvider builds this provider into a directory for dev_overrides.
func buildProvider(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-jenkins"), "github.com/jenkins-access/terraform-provider-jenkins")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	return bin
}

// TestAccRevokeTokensActionInvokedOnDemand runs the incident workflow with the real CLI:
// `terraform apply -invoke=action.jenkins_revoke_tokens.NAME` revokes everything bob holds and
// reports its progress (how many, then bob's tokens by name and UUID, then the total), with no
// state written.
func TestAccRevokeTokensActionInvokedOnDemand(t *testing.T) {
	skipOnOpenTofu(t, tofuLacksActions)
	target := acctest.Shared(t)
	target.RequireSim(t)
	cli := cliAtLeast(t, 1, 14, "terraform apply -invoke")
	bob := acctest.UniqueID("bob")
	target.CreateUser(t, bob, "pw")
	laptop, ci := target.NewToken(t, bob, "laptop"), target.NewToken(t, bob, "ci")
	w := newCLIWorkdir(t, cli, map[string]string{"registry.terraform.io/jenkins-access/jenkins": buildProvider(t)})
	w.write("main.tf", requireJenkins+target.ProviderBlock()+
		fmt.Sprintf("action \"jenkins_revoke_tokens\" \"bob_incident\" {\n  config {\n    user_ids = [%s]\n  }\n}\n", acctest.Quote(bob)))
	out, code := w.run("apply", "-invoke=action.jenkins_revoke_tokens.bob_incident", "-auto-approve", "-no-color")
	if code != 0 {
		t.Fatalf("terraform apply -invoke: exit %d\n%s", code, out)
	}
	for _, want := range []string{
		"Revoking 2 API token(s) of 1 user(s)",
		bob + ": revoked", laptop.UUID, ci.UUID,
		"Revoked 2 API token(s) of 1 user(s)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the invocation's output lacks %q:\n%s", want, out)
		}
	}
	if err := rejected(target, bob, laptop, ci)(nil); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(w.dir, "terraform.tfstate")); err == nil {
		if st, _ := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate")); strings.Contains(string(st), laptop.UUID) {
			t.Error("the action left token data in the state")
		}
	}
}
