package provider

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

const tokenAddr = "jenkins_user_api_token.t"

var tokenValuePattern = regexp.MustCompile(`^11[0-9a-f]{32}$`)

func tokenConfig(target *acctest.Target, userID, name string, extra ...string) string {
	return target.ProviderBlock() + fmt.Sprintf(`
resource "jenkins_user_api_token" "t" {
  user_id = %s
  name    = %s
%s
}`, acctest.Quote(userID), acctest.Quote(name), strings.Join(extra, "\n"))
}

// tokenWorks checks, as a user would, that the token in state authenticates as userID.
func tokenWorks(target *acctest.Target, userID string) resource.TestCheckFunc {
	return resource.TestCheckResourceAttrWith(tokenAddr, "token", func(value string) error {
		if !tokenValuePattern.MatchString(value) {
			return fmt.Errorf("token value does not have Jenkins's format (11 + 32 lowercase hex)")
		}
		if code := whoAmIStatus(target.URL, userID, value); code != http.StatusOK {
			return fmt.Errorf("Jenkins answered HTTP %d to the token of %s on /whoAmI/api/json", code, userID)
		}
		return nil
	})
}

// tokenRevoked checks that Jenkins no longer holds the token and rejects its value.
func tokenRevoked(t *testing.T, target *acctest.Target, userID string, uuid, value *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if _, ok := target.TokenNames(t, userID)[*uuid]; ok {
			return fmt.Errorf("token %s of %s still in Jenkins after destroy", *uuid, userID)
		}
		if code := whoAmIStatus(target.URL, userID, *value); code != http.StatusUnauthorized {
			return fmt.Errorf("revoked token of %s: Jenkins answered HTTP %d, want 401", userID, code)
		}
		return nil
	}
}

// captureAttr copies an attribute of the token resource out of the state, for later checks.
func captureAttr(name string, dst *string) resource.TestCheckFunc {
	return resource.TestCheckResourceAttrWith(tokenAddr, name, func(v string) error { *dst = v; return nil })
}

func TestAccUserAPIToken_lifecycle(t *testing.T) {
	target := acctest.Shared(t)
	alice := acctest.UniqueID("alice")
	target.CreateUser(t, alice, "pw")
	sameUUID := statecheck.CompareValue(compare.ValuesSame())
	var uuid, value string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             tokenRevoked(t, target, alice, &uuid, &value),
		Steps: []resource.TestStep{
			{
				Config: tokenConfig(target, alice, "deploy"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectSensitiveValue(tokenAddr, tfjsonpath.New("token")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameUUID.AddStateValue(tokenAddr, tfjsonpath.New("uuid")),
					statecheck.ExpectSensitiveValue(tokenAddr, tfjsonpath.New("token")),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(rfc3339UTC)),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("expired"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("expiration_date"), knownvalue.Null()),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					tokenWorks(target, alice),
					captureAttr("uuid", &uuid),
					captureAttr("token", &value),
					resource.TestCheckResourceAttrWith(tokenAddr, "id", func(id string) error {
						if id != alice+"/"+uuid {
							return fmt.Errorf("id = %q, want <user_id>/<uuid>", id)
						}
						return nil
					}),
				),
			},
			{
				// Rename in place: same UUID, same value, new name in Jenkins.
				Config: tokenConfig(target, alice, "deploy-renamed"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{sameUUID.AddStateValue(tokenAddr, tfjsonpath.New("uuid"))},
				Check: resource.ComposeAggregateTestCheckFunc(
					tokenWorks(target, alice),
					resource.TestCheckResourceAttrWith(tokenAddr, "token", func(v string) error {
						if v != value {
							return fmt.Errorf("rename changed the token value")
						}
						return nil
					}),
					func(*terraform.State) error {
						if got := target.TokenNames(t, alice)[uuid]; got != "deploy-renamed" {
							return fmt.Errorf("Jenkins has the token named %q, want deploy-renamed", got)
						}
						return nil
					},
				),
			},
			{
				// Jenkins user IDs are case-insensitive: a change of case only is no change.
				Config: tokenConfig(target, strings.ToUpper(alice), "deploy-renamed"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{
				// Renamed by hand in Jenkins: the plan renames it back.
				PreConfig: func() { renameByHand(t, target, alice, uuid, "renamed by hand") },
				Config:    tokenConfig(target, alice, "deploy-renamed"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{sameUUID.AddStateValue(tokenAddr, tfjsonpath.New("uuid"))},
				Check: func(*terraform.State) error {
					if got := target.TokenNames(t, alice)[uuid]; got != "deploy-renamed" {
						return fmt.Errorf("Jenkins has the token named %q after apply, want deploy-renamed", got)
					}
					return nil
				},
			},
			{
				ResourceName:            tokenAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"token"},
			},
			{
				// The same through an import {} block, planned with terraform plan.
				ResourceName:    tokenAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				Config:          tokenConfig(target, alice, "deploy-renamed"),
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("name"), knownvalue.StringExact("deploy-renamed")),
					plancheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("token"), knownvalue.Null()),
				}},
			},
		},
	})
}

func TestAccUserAPIToken_revokedOutsideTerraform(t *testing.T) {
	target := acctest.Shared(t)
	bob := acctest.UniqueID("bob")
	target.CreateUser(t, bob, "pw")
	differentUUID := statecheck.CompareValue(compare.ValuesDiffer())
	var uuid, value string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:            tokenConfig(target, bob, "ci"),
				ConfigStateChecks: []statecheck.StateCheck{differentUUID.AddStateValue(tokenAddr, tfjsonpath.New("uuid"))},
				Check:             resource.ComposeAggregateTestCheckFunc(captureAttr("uuid", &uuid), captureAttr("token", &value)),
			},
			{
				// An admin revoked it with the usual curl call: the next plan creates a new one.
				PreConfig: func() { revokeByHand(t, target, bob, uuid) },
				Config:    tokenConfig(target, bob, "ci"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{differentUUID.AddStateValue(tokenAddr, tfjsonpath.New("uuid"))},
				Check: resource.ComposeAggregateTestCheckFunc(
					tokenWorks(target, bob),
					func(*terraform.State) error {
						if code := whoAmIStatus(target.URL, bob, value); code != http.StatusUnauthorized {
							return fmt.Errorf("the revoked token answers HTTP %d, want 401", code)
						}
						return nil
					},
				),
			},
		},
	})
}

// TestAccUserAPIToken_userDeletedOutsideTerraform: the user deleted by hand takes the token
// with it; refresh forgets the token instead of failing.
func TestAccUserAPIToken_userDeletedOutsideTerraform(t *testing.T) {
	target := acctest.Shared(t)
	carl := acctest.UniqueID("carl")
	target.CreateUser(t, carl, "pw")
	var uuid string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: tokenConfig(target, carl, "x"),
				Check:  captureAttr("uuid", &uuid),
			},
			{
				// The user is deleted; the configuration stops managing the token. Refresh must
				// drop it without an error, leaving nothing to do.
				PreConfig: func() {
					target.Script(t, `User.getById(P.user, false).delete(); emit([:])`, map[string]string{"user": carl}, nil)
				},
				Config:             target.ProviderBlock(),
				ConfigPlanChecks:   resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ExpectNonEmptyPlan: false,
			},
		},
	})
}

func TestAccUserAPIToken_hostileNames(t *testing.T) {
	target := acctest.Shared(t)
	dora := acctest.UniqueID("dora")
	target.CreateUser(t, dora, "pw")
	names := map[string]string{
		"quotes":      `it's "quoted" ''' """`,
		"interpolate": "${jenkins.model.Jenkins.instance} $x %{if true}x%{endif} $$",
		"backslashes": `C:\new\table \\server\share \u0041 \' \"`,
		"newlines":    "line one\nline two\r\n\ttabbed",
		"unicode":     "Zoë 🚀 中文 Ω ∑ \u200b end",
		"long":        strings.Repeat("0123456789", 20),
		"groovy":      `'; Jenkins.instance.doSafeRestart(); def x = '`,
	}
	for label, name := range names {
		t.Run(label, func(t *testing.T) {
			var uuid string
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config: tokenConfig(target, dora, name),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					},
					Check: resource.ComposeAggregateTestCheckFunc(
						captureAttr("uuid", &uuid),
						func(*terraform.State) error {
							if got := target.TokenNames(t, dora)[uuid]; got != name {
								return fmt.Errorf("Jenkins stored the name as %q, want %q", got, name)
							}
							return nil
						},
					),
				}},
			})
		})
	}
}

func TestAccUserAPIToken_unknownUser(t *testing.T) {
	target := acctest.Shared(t)
	ghost := acctest.UniqueID("ghost")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:      tokenConfig(target, ghost, "x"),
			ExpectError: regexp.MustCompile(`(?s)Unable to Create Jenkins API Token.*` + regexp.QuoteMeta(ghost)),
		}},
	})
	if target.UserExists(t, ghost) {
		t.Errorf("creating a token for unknown user %q left a user record behind", ghost)
	}
}

// TestAccUserAPIToken_realmUser: a user the security realm knows (LDAP, SSO) who never logged
// in has no user record yet; the provider creates it as Jenkins does at first login.
func TestAccUserAPIToken_realmUser(t *testing.T) {
	target := acctest.Shared(t)
	sim := target.RequireSim(t)
	ldap := acctest.UniqueID("ldap")
	if err := sim.AddRealmUsers(context.Background(), ldap); err != nil {
		t.Fatal(err)
	}
	if target.UserExists(t, ldap) {
		t.Fatalf("realm user %s already has a record", ldap)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: tokenConfig(target, ldap, "first"),
			Check:  tokenWorks(target, ldap),
		}},
	})
}

func TestAccUserAPIToken_badInput(t *testing.T) {
	target := acctest.Shared(t)
	cases := []struct{ name, config, want string }{
		{"empty user", tokenConfig(target, "", "x"), `(?s)user_id.*length`},
		{"empty name", tokenConfig(target, "admin", ""), `(?s)Blank Token Name.*empty or only blanks`},
		{"bad date", tokenConfig(target, "admin", "x", `expiration_date = "31.12.2027"`), `(?s)Invalid Date.*YYYY-MM-DD`},
		{"impossible date", tokenConfig(target, "admin", "x", `expiration_date = "2027-02-30"`), `(?s)Invalid Date`},
		{"past date", tokenConfig(target, "admin", "x", `expiration_date = "2020-01-01"`), `(?s)Expiration Date in the Past`},
		{"rotation without date", tokenConfig(target, "admin", "x", `rotate_before_days = 7`), `(?s)expiration_date.*must be specified`},
		{"rotation zero", tokenConfig(target, "admin", "x", `expiration_date = "2099-01-01"`, `rotate_before_days = 0`), `(?s)rotate_before_days.*at least 1`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps:                    []resource.TestStep{{Config: tc.config, ExpectError: regexp.MustCompile(tc.want)}},
			})
		})
	}
}

func TestAccUserAPIToken_importBadID(t *testing.T) {
	target := acctest.Shared(t)
	for _, id := range []string{"alice", "alice/", "/0f6c4a3e-8d2b-4c1e-9a7f-3b5d2e1c0a9b", "alice/not-a-uuid"} {
		t.Run(id, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config:        tokenConfig(target, "alice", "x"),
					ResourceName:  tokenAddr,
					ImportState:   true,
					ImportStateId: id,
					ExpectError:   regexp.MustCompile(`(?s)Invalid Import ID.*<user_id>/<uuid>`),
				}},
			})
		})
	}
}

// TestAccUserAPIToken_lostCreateResponse: Jenkins makes the token but the answer never arrives
// (a proxy drops it). The retried script finds the token by its value instead of making a
// second one.
func TestAccUserAPIToken_lostCreateResponse(t *testing.T) {
	target := acctest.Shared(t)
	sim := target.RequireSim(t)
	for _, drops := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d dropped", drops), func(t *testing.T) {
			erik := acctest.UniqueID("erik")
			target.CreateUser(t, erik, "pw")
			var uuid string
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					PreConfig: func() {
						// The plan reads nothing for a new resource, so the next script call is the create.
						if err := sim.SetFault(context.Background(), jenkinssim.Fault{Path: "/scriptText", Mode: "drop_response", Count: drops}); err != nil {
							t.Fatal(err)
						}
					},
					Config: tokenConfig(target, erik, "retried"),
					Check: resource.ComposeAggregateTestCheckFunc(
						captureAttr("uuid", &uuid),
						tokenWorks(target, erik),
						func(*terraform.State) error {
							names := target.TokenNames(t, erik)
							if len(names) != 1 {
								return fmt.Errorf("%s holds %d tokens after a retried create, want exactly 1", erik, len(names))
							}
							if _, ok := names[uuid]; !ok {
								return fmt.Errorf("the token in Jenkins is not the one in state")
							}
							return nil
						},
					),
				}},
			})
			_ = sim.ClearFaults(context.Background())
		})
	}
}

func TestAccUserAPIToken_expirationAndRotation(t *testing.T) {
	target := acctest.Shared(t)
	sim := target.RequireSim(t)
	fay := acctest.UniqueID("fay")
	target.CreateUser(t, fay, "pw")
	now := time.Now().UTC() // the simulator's zone is UTC: its today is UTC's, shifted by its clock
	in10 := now.AddDate(0, 0, 10).Format(dateLayout)
	in40 := now.AddDate(0, 0, 40).Format(dateLayout)
	sameUUID := statecheck.CompareValue(compare.ValuesSame())
	differentUUID := statecheck.CompareValue(compare.ValuesDiffer())
	rotating := func(date string) string {
		return tokenConfig(target, fay, "rotating", fmt.Sprintf("  expiration_date    = %q\n  rotate_before_days = 3", date))
	}
	ctx := context.Background()
	jenkinsDaysLater := func(days int) func() {
		return func() {
			if err := sim.SetClock(ctx, days); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Cleanup(func() { _ = sim.SetClock(ctx, 0) })

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: rotating(in10),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("expiration_date"), knownvalue.StringExact(in10)),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("rotation_due"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("expires_in_days"), knownvalue.Int64Exact(10)),
					sameUUID.AddStateValue(tokenAddr, tfjsonpath.New("uuid")),
					differentUUID.AddStateValue(tokenAddr, tfjsonpath.New("uuid")),
				},
				Check: tokenWorks(target, fay),
			},
			{
				// Six days later for Jenkins: not yet inside the 3-day window.
				PreConfig:        jenkinsDaysLater(6),
				Config:           rotating(in10),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameUUID.AddStateValue(tokenAddr, tfjsonpath.New("uuid")),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("expires_in_days"), knownvalue.Int64Exact(4)),
				},
			},
			{
				// Eight days later, inside the window: the refresh says so, the plan replaces the
				// token. The date is unchanged, so the new token is inside the window too and the
				// next plan wants to rotate again (the docs say to move the date forward).
				PreConfig: jenkinsDaysLater(8),
				Config:    rotating(in10),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionReplace),
				}},
				ConfigStateChecks:  []statecheck.StateCheck{differentUUID.AddStateValue(tokenAddr, tfjsonpath.New("uuid"))},
				Check:              tokenWorks(target, fay),
				ExpectNonEmptyPlan: true,
			},
			{
				// With the date moved forward, as the docs advise: replaced once more...
				Config: rotating(in40),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionReplace),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					differentUUID.AddStateValue(tokenAddr, tfjsonpath.New("uuid")),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("expiration_date"), knownvalue.StringExact(in40)),
				},
				Check: tokenWorks(target, fay),
			},
			{
				// ...and then left alone: outside the new window.
				Config:           rotating(in40),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// Jenkins's clock passes the date: Jenkins rejects the token. A replacement with the
				// same date would be expired too: one error says to move the date forward.
				PreConfig:   jenkinsDaysLater(41),
				Config:      rotating(in40),
				ExpectError: regexp.MustCompile(`(?s)Jenkins API Token Expired.*move expiration_date forward`),
			},
		},
	})
}

// clockMovesBeforeApply moves Jenkins's clock, and the provider's, between plan and apply: a
// saved plan approved the next day. It passes itself as a plan check because that is the moment
// between the two.
type clockMovesBeforeApply struct {
	t        *testing.T
	sim      *jenkinssim.Sim
	days     int
	provider *time.Time
}

func (c clockMovesBeforeApply) CheckPlan(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse) {
	if err := c.sim.SetClock(context.Background(), c.days); err != nil {
		c.t.Fatal(err)
	}
	*c.provider = time.Now().UTC().AddDate(0, 0, c.days)
}

// TestAccUserAPIToken_rotationWindowOpensBetweenPlanAndApply: a rename planned on day 6 is
// applied on day 8, inside the rotation window. Apply must do what the plan showed (rename in
// place), not fail with "Provider produced inconsistent final plan"; the next refresh then
// decides the rotation.
func TestAccUserAPIToken_rotationWindowOpensBetweenPlanAndApply(t *testing.T) {
	target := acctest.Shared(t)
	sim := target.RequireSim(t)
	gil := acctest.UniqueID("gil")
	target.CreateUser(t, gil, "pw")
	providerNow := time.Now().UTC()
	providers := map[string]func() (tfprotov6.ProviderServer, error){
		"jenkins": providerserver.NewProtocol6WithError(NewWithClock("test", func() time.Time { return providerNow })()),
	}
	in10 := time.Now().UTC().AddDate(0, 0, 10).Format(dateLayout)
	config := func(name string) string {
		return tokenConfig(target, gil, name, fmt.Sprintf("  expiration_date    = %q\n  rotate_before_days = 3", in10))
	}
	t.Cleanup(func() { _ = sim.SetClock(context.Background(), 0) })
	sameUUID := statecheck.CompareValue(compare.ValuesSame())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providers,
		Steps: []resource.TestStep{
			{
				Config:            config("before"),
				ConfigStateChecks: []statecheck.StateCheck{sameUUID.AddStateValue(tokenAddr, tfjsonpath.New("uuid"))},
			},
			{
				PreConfig: func() {
					if err := sim.SetClock(context.Background(), 6); err != nil {
						t.Fatal(err)
					}
					providerNow = providerNow.AddDate(0, 0, 6)
				},
				Config: config("after"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionUpdate),
					clockMovesBeforeApply{t: t, sim: sim, days: 8, provider: &providerNow},
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameUUID.AddStateValue(tokenAddr, tfjsonpath.New("uuid")),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("name"), knownvalue.StringExact("after")),
				},
				// The refresh after apply sees day 8: the next plan rotates.
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

func TestAccUserAPIToken_expirationNeedsJenkins2548(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{Version: "2.462"})
	gus := acctest.UniqueID("gus")
	target.CreateUser(t, gus, "pw")
	date := time.Now().AddDate(0, 0, 30).Format(dateLayout)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      tokenConfig(target, gus, "x", fmt.Sprintf("expiration_date = %q", date)),
				ExpectError: regexp.MustCompile(`(?s)Token Expiration Not Supported.*2\.548.*2\.462`),
			},
			{
				// Without a date the token works on the older Jenkins.
				Config: tokenConfig(target, gus, "x"),
				Check:  tokenWorks(target, gus),
			},
		},
	})
}

func TestAccUserAPIToken_rotationTriggers(t *testing.T) {
	target := acctest.Shared(t)
	hal := acctest.UniqueID("hal")
	target.CreateUser(t, hal, "pw")
	differentUUID := statecheck.CompareValue(compare.ValuesDiffer())
	config := func(v string) string {
		return tokenConfig(target, hal, "x", fmt.Sprintf("  rotation_triggers = { rotation = %q }\n  lifecycle {\n    create_before_destroy = true\n  }", v))
	}
	var oldValue string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:            config("1"),
				ConfigStateChecks: []statecheck.StateCheck{differentUUID.AddStateValue(tokenAddr, tfjsonpath.New("uuid"))},
				Check:             captureAttr("token", &oldValue),
			},
			{
				Config: config("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionCreateBeforeDestroy),
				}},
				ConfigStateChecks: []statecheck.StateCheck{differentUUID.AddStateValue(tokenAddr, tfjsonpath.New("uuid"))},
				Check: resource.ComposeAggregateTestCheckFunc(
					tokenWorks(target, hal),
					func(*terraform.State) error {
						if code := whoAmIStatus(target.URL, hal, oldValue); code != http.StatusUnauthorized {
							return fmt.Errorf("the replaced token answers HTTP %d, want 401", code)
						}
						return nil
					},
				),
			},
		},
	})
}

// whoAmIStatus is whoAmI for check functions, which have no *testing.T.
func whoAmIStatus(baseURL, user, secret string) int {
	req, err := http.NewRequest(http.MethodGet, baseURL+"whoAmI/api/json", nil)
	if err != nil {
		return 0
	}
	req.SetBasicAuth(user, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// revokeByHand is what an admin does today: POST .../ApiTokenProperty/revoke with tokenUuid.
func revokeByHand(t *testing.T, target *acctest.Target, userID, uuid string) {
	t.Helper()
	target.Script(t, `
import jenkins.security.ApiTokenProperty
User.getById(P.user, false).getProperty(ApiTokenProperty).revokeToken(P.uuid)
emit([:])
`, map[string]string{"user": userID, "uuid": uuid}, nil)
}

func renameByHand(t *testing.T, target *acctest.Target, userID, uuid, name string) {
	t.Helper()
	target.Script(t, `
import jenkins.security.ApiTokenProperty
def u = User.getById(P.user, false)
u.getProperty(ApiTokenProperty).getTokenStore().renameToken(P.uuid, P.name)
u.save()
emit([:])
`, map[string]string{"user": userID, "uuid": uuid, "name": name}, nil)
}

// TestAccUserAPIToken_importWithRotationTriggersAdopts: after an import the state has no
// rotation_triggers, so a configuration with triggers (as in the docs' rotation example) would
// plan a replacement, revoking the token just adopted. An import adopts; it never replaces.
func TestAccUserAPIToken_importWithRotationTriggersAdopts(t *testing.T) {
	target := acctest.Shared(t)
	for _, how := range []string{"import command", "import block"} {
		t.Run(how, func(t *testing.T) {
			ivy := acctest.UniqueID("ivy")
			target.CreateUser(t, ivy, "pw")
			byHand := target.NewToken(t, ivy, "made by hand")
			config := tokenConfig(target, ivy, "made by hand", `  rotation_triggers = { rotation = "1" }`)
			id := ivy + "/" + byHand.UUID
			adopted := resource.TestStep{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("uuid"), knownvalue.StringExact(byHand.UUID)),
				},
				Check: accepted(target, ivy, byHand),
			}
			var steps []resource.TestStep
			if how == "import command" {
				steps = []resource.TestStep{
					{Config: config, ResourceName: tokenAddr, ImportState: true, ImportStateId: id, ImportStatePersist: true},
					adopted,
				}
			} else {
				adopted.Config = config + fmt.Sprintf("\nimport {\n  to = %s\n  id = %q\n}\n", tokenAddr, id)
				steps = []resource.TestStep{adopted}
			}
			steps = append(steps, resource.TestStep{
				// Changing the triggers afterwards rotates, as documented.
				Config: tokenConfig(target, ivy, "made by hand", `  rotation_triggers = { rotation = "2" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionReplace),
				}},
				Check: rejected(target, ivy, byHand),
			})
			resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProviders, Steps: steps})
		})
	}
}

// TestAccUserAPIToken_userIDUnknownAtPlan: a user_id known only after apply plans a
// replacement, not an in-place update that apply would then have to turn into one ("Provider
// produced inconsistent final plan").
func TestAccUserAPIToken_userIDUnknownAtPlan(t *testing.T) {
	target := acctest.Shared(t)
	jo, kai := acctest.UniqueID("jo"), acctest.UniqueID("kai")
	target.CreateUser(t, jo, "pw")
	target.CreateUser(t, kai, "pw")
	config := func(input string) string {
		return target.ProviderBlock() + fmt.Sprintf(`
resource "terraform_data" "u" {
  input = %q
}
resource "jenkins_user_api_token" "t" {
  user_id = terraform_data.u.output
  name    = "from another resource"
}`, input)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config(jo), Check: tokenWorks(target, jo)},
			{
				Config: config(kai),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(tokenAddr, tfjsonpath.New("user_id")),
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionReplace),
				}},
				Check: tokenWorks(target, kai),
			},
		},
	})
}
