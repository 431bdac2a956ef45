package provider

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// wrappedText is a regular expression for text as Terraform prints it in a diagnostic, where
// any space may have become a line break.
func wrappedText(s string) string {
	return strings.ReplaceAll(regexp.QuoteMeta(s), " ", `\s+`)
}

// newValue draws a token value for a test.
func newValue(t *testing.T) string {
	t.Helper()
	v, err := jenkins.NewTokenValue()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func writeOnlyConfig(target *acctest.Target, userID, name, value string, version int) string {
	return tokenConfig(target, userID, name, fmt.Sprintf("  token_wo         = %q\n  token_wo_version = %d", value, version))
}

// TestAccUserAPIToken_writeOnly: a token created with the value token_wo gives logs in with that
// value, and the state holds no value (token null, token_wo null). A new value alone changes
// nothing (Terraform cannot see it); a new token_wo_version replaces the token with the value
// of that run; a token revoked by hand is created again with the value token_wo has.
func TestAccUserAPIToken_writeOnly(t *testing.T) {
	target := acctest.Shared(t)
	wyn := acctest.UniqueID("wyn")
	target.CreateUser(t, wyn, "pw")
	v1, v2 := newValue(t), newValue(t)
	var uuid1 string
	noValueInState := func(addr string) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("token"), knownvalue.Null()),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("token_wo"), knownvalue.Null()),
		}
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   ephemeralTerraformVersions,
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:            writeOnlyConfig(target, wyn, "wo", v1, 1),
				ConfigStateChecks: noValueInState(tokenAddr),
				Check: resource.ComposeAggregateTestCheckFunc(
					captureAttr("uuid", &uuid1),
					accepted(target, wyn, acctest.FixtureToken{Value: v1}),
				),
			},
			{
				// A new value without a new version: nothing to do, the first value still logs in.
				Config: writeOnlyConfig(target, wyn, "wo", v2, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionNoop),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					accepted(target, wyn, acctest.FixtureToken{Value: v1}),
					rejected(target, wyn, acctest.FixtureToken{Value: v2}),
				),
			},
			{
				Config: writeOnlyConfig(target, wyn, "wo", v2, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionReplace),
					plancheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("token"), knownvalue.Null()),
				}},
				ConfigStateChecks: noValueInState(tokenAddr),
				Check: resource.ComposeAggregateTestCheckFunc(
					accepted(target, wyn, acctest.FixtureToken{Value: v2}),
					rejected(target, wyn, acctest.FixtureToken{Value: v1}),
					resource.TestCheckResourceAttrWith(tokenAddr, "uuid", func(u string) error {
						if u == uuid1 {
							return fmt.Errorf("the replacement kept UUID %s", u)
						}
						uuid1 = u // the token the next step revokes by hand
						return nil
					}),
				),
			},
			{
				// Revoked by hand: the next apply creates the token again, with the value token_wo has.
				PreConfig: func() { revokeByHand(t, target, wyn, uuid1) },
				Config:    writeOnlyConfig(target, wyn, "wo", v2, 2),
				Check: resource.ComposeAggregateTestCheckFunc(
					accepted(target, wyn, acctest.FixtureToken{Value: v2}),
					holdsTokens(t, target, wyn, 1),
				),
			},
			{
				// Back to a value the provider draws: replaced, and the value is in the state again.
				Config: tokenConfig(target, wyn, "wo"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionReplace),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					tokenWorks(target, wyn),
					rejected(target, wyn, acctest.FixtureToken{Value: v2}),
				),
			},
		},
	})
}

// TestAccUserAPIToken_writeOnlyBadValues: values Jenkins refuses, or would accept and never let
// log in (upper-case hex), fail at plan time, and the error does not repeat the value.
func TestAccUserAPIToken_writeOnlyBadValues(t *testing.T) {
	target := acctest.Shared(t)
	good := newValue(t)
	cases := map[string]struct {
		value string
		want  string
	}{
		"short":          {good[:33], `34 characters ("11" and 32 hex digits); this one has 33`},
		"long":           {good + "0", `this one has 35`},
		"other version":  {"12" + good[2:], `starts with "11"`},
		"upper case hex": {"11" + strings.ToUpper(good[2:]), `must be lower case: Jenkins accepts upper case`},
		"not hex":        {"11" + strings.Repeat("g", 32), `32 hex digits (0-9, a-f)`},
		"spaces":         {" " + good[:33], `starts with "11"`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			// From a sensitive variable, as a secret comes: Terraform then shows the source line,
			// not the value, and the message is the provider's alone.
			config := `variable "v" {
  type      = string
  sensitive = true
  default   = ` + acctest.Quote(c.value) + `
}
` + tokenConfig(target, "nobody-needed", "bad", "  token_wo         = var.v\n  token_wo_version = 1")
			resource.Test(t, resource.TestCase{
				TerraformVersionChecks:   ephemeralTerraformVersions,
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config:      config,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(`(?s)Invalid Jenkins API Token Value.*` + wrappedText(c.want)),
				}},
			})
			if err := tokenValueValidator.check(path.Root("token_wo"), c.value); err == nil ||
				strings.Contains(err.Error(), strings.TrimSpace(c.value)) || strings.Contains(err.Error(), c.value[2:18]) {
				t.Errorf("the error for a bad value is %v: it must exist and not repeat the value", err)
			}
		})
	}
	t.Run("version without value", func(t *testing.T) {
		resource.Test(t, resource.TestCase{
			TerraformVersionChecks:   ephemeralTerraformVersions,
			ProtoV6ProviderFactories: testAccProviders,
			Steps: []resource.TestStep{{
				Config:      tokenConfig(target, "nobody-needed", "bad", "  token_wo_version = 1"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)token_wo_version.*token_wo`),
			}},
		})
	})
	t.Run("value without version", func(t *testing.T) {
		resource.Test(t, resource.TestCase{
			TerraformVersionChecks:   ephemeralTerraformVersions,
			ProtoV6ProviderFactories: testAccProviders,
			Steps: []resource.TestStep{{
				Config:      tokenConfig(target, "nobody-needed", "bad", fmt.Sprintf("  token_wo = %q", good)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)token_wo.*token_wo_version`),
			}},
		})
	})
}

// TestAccUserAPIToken_writeOnlyValueInUse: a value another token of the user already holds is
// refused (two resources owning one token would revoke each other's), naming that token; the
// other token is untouched.
func TestAccUserAPIToken_writeOnlyValueInUse(t *testing.T) {
	target := acctest.Shared(t)
	xia := acctest.UniqueID("xia")
	target.CreateUser(t, xia, "pw")
	v := newValue(t)
	first := writeOnlyConfig(target, xia, "first", v, 1)
	second := strings.Replace(writeOnlyConfig(target, xia, "second", v, 1), `"jenkins_user_api_token" "t"`, `"jenkins_user_api_token" "u"`, 1)
	second = second[strings.Index(second, "resource "):]
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   ephemeralTerraformVersions,
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: first, Check: accepted(target, xia, acctest.FixtureToken{Value: v})},
			{
				Config:      first + "\n" + second,
				ExpectError: regexp.MustCompile(`(?s)Token Value Already in Use.*already\s+holds\s+a\s+token\s+with\s+the\s+value\s+token_wo\s+gives:\s+token\s+[0-9a-f-]{36}\s+\(first\)`),
			},
			{
				Config: first,
				Check: resource.ComposeAggregateTestCheckFunc(
					accepted(target, xia, acctest.FixtureToken{Value: v}),
					holdsTokens(t, target, xia, 1),
				),
			},
		},
	})
}

// TestAccUserAPIToken_writeOnlyImport: after an import, setting token_wo and token_wo_version
// adopts the token when its value is token_wo (the plan asks Jenkins, which keeps a hash), and
// replaces it when not: an import never revokes a token the configuration describes.
func TestAccUserAPIToken_writeOnlyImport(t *testing.T) {
	target := acctest.Shared(t)
	for _, same := range []bool{true, false} {
		t.Run(fmt.Sprintf("same value %v", same), func(t *testing.T) {
			yan := acctest.UniqueID("yan")
			target.CreateUser(t, yan, "pw")
			byHand := target.NewToken(t, yan, "made by hand")
			value := byHand.Value
			action, check := plancheck.ResourceActionUpdate, accepted(target, yan, byHand)
			if !same {
				value = newValue(t)
				action = plancheck.ResourceActionReplace
				check = resource.ComposeAggregateTestCheckFunc(rejected(target, yan, byHand),
					accepted(target, yan, acctest.FixtureToken{Value: value}))
			}
			config := writeOnlyConfig(target, yan, "made by hand", value, 1)
			resource.Test(t, resource.TestCase{
				TerraformVersionChecks:   ephemeralTerraformVersions,
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{
					{Config: config, ResourceName: tokenAddr, ImportState: true, ImportStateId: yan + "/" + byHand.UUID, ImportStatePersist: true},
					{
						Config: config,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(tokenAddr, action),
						}},
						Check: check,
					},
					{Config: config, PlanOnly: true},
				},
			})
		})
	}
}

// TestAccUserAPIToken_writeOnlyValueNeverStored runs the CLI as a user would, the value in an
// ephemeral variable (TF_VAR_, so that it is not on the command line, which Terraform logs):
// a saved plan, its JSON, the state and a TF_LOG=trace log of plan and apply hold neither the
// value nor its 32 secret digits, and the value logs in.
func TestAccUserAPIToken_writeOnlyValueNeverStored(t *testing.T) {
	target := acctest.Shared(t)
	cli := cliAtLeast(t, 1, 11, "write-only attributes")
	zed := acctest.UniqueID("zed")
	target.CreateUser(t, zed, "pw")
	value := newValue(t)
	w := newCLIWorkdir(t, cli, jenkinsProviderOverrides(t))
	w.write("main.tf", requireJenkins+target.ProviderBlock()+fmt.Sprintf(`
variable "token" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "jenkins_user_api_token" "t" {
  user_id          = %s
  name             = "from a secret"
  token_wo         = var.token
  token_wo_version = 1
}
`, acctest.Quote(zed)))
	logs := t.TempDir()
	w.env = []string{"TF_VAR_token=" + value, "TF_LOG=trace", "TF_LOG_PATH=" + filepath.Join(logs, "plan.log")}
	if out, code := w.run("plan", "-out=tfplan", "-no-color"); code != 0 {
		t.Fatalf("plan: exit %d\n%s", code, out)
	}
	planJSON, code := w.run("show", "-json", "tfplan")
	if code != 0 {
		t.Fatalf("show -json: exit %d\n%s", code, planJSON)
	}
	w.env = []string{"TF_VAR_token=" + value, "TF_LOG=trace", "TF_LOG_PATH=" + filepath.Join(logs, "apply.log")}
	if out, code := w.run("apply", "-no-color", "tfplan"); code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, out)
	}
	if code := whoAmIStatus(target.URL, zed, value); code != 200 {
		t.Errorf("the value given in token_wo answers HTTP %d, want 200", code)
	}
	places := map[string]string{"plan JSON": planJSON}
	for name, file := range map[string]string{
		"state":          filepath.Join(w.dir, "terraform.tfstate"),
		"plan trace log": filepath.Join(logs, "plan.log"), "apply trace log": filepath.Join(logs, "apply.log"),
	} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		places[name] = string(b)
	}
	// A saved plan is a zip archive: search what it holds, not its compressed bytes.
	archive, err := zip.OpenReader(filepath.Join(w.dir, "tfplan"))
	if err != nil {
		t.Fatal(err)
	}
	defer archive.Close()
	for _, f := range archive.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		places["saved plan's "+f.Name] += string(b)
	}
	for name, text := range places {
		if len(text) < 100 && !strings.HasPrefix(name, "saved plan's ") {
			t.Errorf("%s is nearly empty (%d bytes): nothing was checked", name, len(text))
		}
		if strings.Contains(text, value[2:]) {
			t.Errorf("the token value appears in the %s", name)
		}
	}
	if !strings.Contains(places["apply trace log"], "ApplyResourceChange") {
		t.Errorf("the apply log does not show the provider being called; is TF_LOG honoured?")
	}
}

// TestAccUserAPIToken_writeOnlySameNameSameValue: two resources with the same name and value
// for one user, and a create_before_destroy replacement that keeps the value, are refused as
// well: only the provider's own retry of a create takes a token it finds. Before retries were
// told apart, both took the existing token, and destroying either revoked the other's.
func TestAccUserAPIToken_writeOnlySameNameSameValue(t *testing.T) {
	target := acctest.Shared(t)
	ada := acctest.UniqueID("ada")
	target.CreateUser(t, ada, "pw")
	v := newValue(t)
	first := writeOnlyConfig(target, ada, "same", v, 1)
	second := strings.Replace(first, `"jenkins_user_api_token" "t"`, `"jenkins_user_api_token" "u"`, 1)
	second = second[strings.Index(second, "resource "):]
	cbd := func(version int) string {
		return strings.Replace(writeOnlyConfig(target, ada, "same", v, version), "  token_wo_version",
			"  lifecycle {\n    create_before_destroy = true\n  }\n  token_wo_version", 1)
	}
	var uuid string
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   ephemeralTerraformVersions,
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: first, Check: captureAttr("uuid", &uuid)},
			{
				Config:      first + "\n" + second,
				ExpectError: regexp.MustCompile(`(?s)Token Value Already in Use.*\(same\)`),
			},
			{Config: cbd(1)},
			{
				// A new version with the same value, the new token made first: it cannot have the
				// old one's value, and the old token stays.
				Config: cbd(2),
				ExpectError: regexp.MustCompile(`(?s)Token Value Already in Use.*` + wrappedText("If that is the token this resource replaces (create_before_destroy") +
					`.*` + wrappedText("change token_wo (for example to a new jenkins_api_token_value) and token_wo_version together")),
			},
			{
				Config: cbd(1),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPtr(tokenAddr, "uuid", &uuid),
					accepted(target, ada, acctest.FixtureToken{Value: v}),
					holdsTokens(t, target, ada, 1),
				),
			},
		},
	})
}

// TestAccUserAPIToken_writeOnlyLostCreateResponse: with token_wo too, a create whose answer is
// lost is retried and the retry takes the token the first attempt made: one token, the one in
// the state, with the given value.
func TestAccUserAPIToken_writeOnlyLostCreateResponse(t *testing.T) {
	target := acctest.Shared(t)
	sim := target.RequireSim(t)
	bea := acctest.UniqueID("bea")
	target.CreateUser(t, bea, "pw")
	v := newValue(t)
	var uuid string
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   ephemeralTerraformVersions,
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				// The plan reads nothing for a new resource; the apply reads Jenkins's clock (the
				// bound of what the retry may adopt), then creates: the create's answer is lost.
				if err := sim.SetFault(context.Background(), jenkinssim.Fault{Path: "/scriptText", Mode: "drop_response", Skip: 1, Count: 1}); err != nil {
					t.Fatal(err)
				}
			},
			Config: writeOnlyConfig(target, bea, "retried", v, 1),
			Check: resource.ComposeAggregateTestCheckFunc(
				captureAttr("uuid", &uuid),
				accepted(target, bea, acctest.FixtureToken{Value: v}),
				func(*terraform.State) error { faultsUsedUp(t, target); return nil },
				func(*terraform.State) error {
					names := target.TokenNames(t, bea)
					if _, ok := names[uuid]; len(names) != 1 || !ok {
						return fmt.Errorf("%s holds %v after a retried create, want exactly the token in the state", bea, names)
					}
					return nil
				},
			),
		}},
	})
	_ = sim.ClearFaults(context.Background())
}

// TestAccUserAPIToken_writeOnlyImportValueUnknown: after an import, a token_wo known only at
// apply cannot decide between adopting and replacing; the plan fails rather than revoke a token
// that may have that value, and the token keeps working.
func TestAccUserAPIToken_writeOnlyImportValueUnknown(t *testing.T) {
	target := acctest.Shared(t)
	cai := acctest.UniqueID("cai")
	target.CreateUser(t, cai, "pw")
	byHand := target.NewToken(t, cai, "made by hand")
	config := fmt.Sprintf("resource \"terraform_data\" \"v\" {\n  input = %q\n}\n", byHand.Value) +
		tokenConfig(target, cai, "made by hand", "  token_wo         = terraform_data.v.output\n  token_wo_version = 1")
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   ephemeralTerraformVersions,
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config, ResourceName: tokenAddr, ImportState: true, ImportStateId: cai + "/" + byHand.UUID, ImportStatePersist: true},
			{
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Cannot Decide Whether to Adopt the Imported Token`),
				Check:       accepted(target, cai, byHand),
			},
			{
				Config: tokenConfig(target, cai, "made by hand"),
				Check:  accepted(target, cai, byHand),
			},
		},
	})
}

// TestAccUserAPIToken_rotationWithTokenWO: a token whose value token_wo gives, inside its
// rotation window: the plan replaces it (its value is null in the state and in the plan, so the
// replacement must rest on something else that changes), and the new token logs in with the
// value of this run's token_wo while the old one is revoked.
func TestAccUserAPIToken_rotationWithTokenWO(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{})
	ctx := context.Background()
	ivy := acctest.UniqueID("ivy")
	target.CreateUser(t, ivy, "pw")
	value := newValue(t)
	in10 := time.Now().UTC().AddDate(0, 0, 10).Format(dateLayout)
	config := tokenConfig(target, ivy, "rotating", fmt.Sprintf(
		"  expiration_date    = %q\n  rotate_before_days = 3\n  token_wo           = %q\n  token_wo_version   = 1", in10, value))
	var first string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					first = s.RootModule().Resources[tokenAddr].Primary.Attributes["uuid"]
					return nil
				},
			},
			{
				PreConfig: func() {
					if err := target.Sim.SetClock(ctx, 8); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionReplace),
				}},
				Check: func(s *terraform.State) error {
					names := target.TokenNames(t, ivy)
					now := s.RootModule().Resources[tokenAddr].Primary.Attributes["uuid"]
					if _, old := names[first]; old || len(names) != 1 || names[now] != "rotating" {
						t.Errorf("after the rotation Jenkins holds %v: want only the new token %s (the old %s revoked)", names, now, first)
					}
					if code := whoAmIStatus(target.URL, ivy, value); code != http.StatusOK {
						t.Errorf("the new token answers HTTP %d with token_wo's value, want 200", code)
					}
					return nil
				},
				// The date is unchanged, so the new token is inside the window too.
				ExpectNonEmptyPlan: true,
			},
		},
	})
}
