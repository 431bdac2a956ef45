package provider

// Tests of Jenkins behaviours that an earlier simulator did not reproduce and the provider got
// wrong: each runs against a simulator that now behaves as Jenkins does (see the Jenkins source
// lines named in each comment) and failed before the provider was fixed.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// ownSim starts a simulator with opts for one test and returns it as a target.
func ownSim(t *testing.T, opts jenkinssim.Options) *acctest.Target {
	t.Helper()
	acctest.Shared(t).RequireSim(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sim, err := jenkinssim.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		acctest.CheckScriptLeaks(t, sim)
		_ = sim.Close()
	})
	return &acctest.Target{URL: sim.URL, Username: sim.AdminUser, Password: sim.AdminPassword, Sim: sim}
}

func setUsageStatistics(t *testing.T, target *acctest.Target, on bool) {
	t.Helper()
	target.Script(t, `
import jenkins.security.apitoken.ApiTokenPropertyConfiguration
ApiTokenPropertyConfiguration.get().setUsageStatisticsEnabled(P.on)
emit([:])
`, map[string]bool{"on": on}, nil)
}

// With usage statistics off, ApiTokenStats.findTokenStatsById answers empty statistics for
// every token (ApiTokenStats.java 179-187 at 2.260, 181-189 at 2.579). A cleanup with
// unused_for_days would then revoke tokens in daily use: it is refused, and use counts are null.
func TestAccUsageStatisticsOff(t *testing.T) {
	target := acctest.Shared(t)
	target.RequireSim(t)
	pia := acctest.UniqueID("pia")
	target.CreateUser(t, pia, "pw")
	daily := target.NewToken(t, pia, "daily")
	if code := whoAmIStatus(target.URL, pia, daily.Value); code != http.StatusOK {
		t.Fatalf("precondition: token rejected, HTTP %d", code)
	}
	if err := target.Sim.SetClock(context.Background(), 100); err != nil {
		t.Fatal(err)
	}
	if code := whoAmIStatus(target.URL, pia, daily.Value); code != http.StatusOK {
		t.Fatalf("precondition: token rejected, HTTP %d", code)
	}
	setUsageStatistics(t, target, false)
	t.Cleanup(func() {
		setUsageStatistics(t, target, true)
		_ = target.Sim.SetClock(context.Background(), 0)
	})
	dataSource := func(extra string) string {
		return target.ProviderBlock() + fmt.Sprintf("data \"jenkins_user_tokens\" \"pia\" {\n  user_id = %s\n%s\n}\n", acctest.Quote(pia), extra)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				// Jenkins says 0 uses and no last use: the provider says it does not know.
				Config: dataSource(""),
				ConfigStateChecks: []statecheck.StateCheck{expectTokens("pia", knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"uuid": knownvalue.StringExact(daily.UUID), "use_count": knownvalue.Null(), "last_used_at": knownvalue.Null(),
				}))},
			},
			{
				Config:      dataSource("  unused_for_days = 90"),
				ExpectError: regexp.MustCompile(`(?s)Usage Statistics Are Off.*unused_for_days.*usage_statistics_enabled`),
			},
			{
				Config:      cleanupHCL(target, "jenkins_user_token_cleanup", "  user_ids = "+quotedSet(pia)+"\n  unused_for_days = 90"),
				ExpectError: regexp.MustCompile(`(?s)Usage Statistics Are Off.*tokens in daily use`),
				Check:       accepted(target, pia, daily),
			},
		},
	})
	if code := whoAmIStatus(target.URL, pia, daily.Value); code != http.StatusOK {
		t.Fatalf("the token in daily use was revoked: HTTP %d", code)
	}
}

// SecurityRealm.loadUserByUsername2 appeared in Jenkins 2.266 (JEP-227); 2.260 to 2.265 have
// only the Acegi loadUserByUsername. Creating a token for a user the realm knows but who has no
// record yet asks the realm: on 2.262 that must use the older method.
func TestAccUserAPIToken_jenkins2262(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{Version: "2.262"})
	ldapOnly := acctest.UniqueID("ldap-only")
	if err := target.Sim.AddRealmUsers(context.Background(), ldapOnly); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: tokenConfig(target, ldapOnly, "ci"),
			Check:  tokenWorks(target, ldapOnly),
		}},
	})
}

// Token expiry compares with LocalDate.now() in the Jenkins JVM's time zone
// (ApiTokenStore.HashedToken.isExpired, 2.548+). A date before Jenkins's today makes a token
// that is expired at once; Jenkins's today itself is valid. Run with one controller ahead of
// UTC and one behind it: at any hour at least one of them has another date than UTC.
func TestAccUserAPIToken_expirationUsesJenkinsToday(t *testing.T) {
	for _, zone := range []string{"Pacific/Kiritimati", "Etc/GMT+12"} {
		t.Run(zone, func(t *testing.T) {
			target := ownSim(t, jenkinssim.Options{TimeZone: zone})
			loc, err := time.LoadLocation(zone)
			if err != nil {
				t.Fatal(err)
			}
			jenkinsToday := time.Now().In(loc)
			quinn := acctest.UniqueID("quinn")
			target.CreateUser(t, quinn, "pw")
			expiring := func(date time.Time) string {
				return tokenConfig(target, quinn, "x", fmt.Sprintf("  expiration_date = %q", date.Format(dateLayout)))
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{
					{
						Config:      expiring(jenkinsToday.AddDate(0, 0, -1)),
						ExpectError: regexp.MustCompile(`(?s)Expiration Date in the Past.*before Jenkins's today \(` + jenkinsToday.Format(dateLayout)),
					},
					{
						// Jenkins's today is the last valid day: the token logs in.
						Config: expiring(jenkinsToday),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("expired"), knownvalue.Bool(false)),
						},
						Check: tokenWorks(target, quinn),
					},
				},
			})
		})
	}
}

// A security realm decides how user ids compare (SecurityRealm.getUserIdStrategy). On a
// case-sensitive one, "bob" and "Bob" are two users: moving a token from one to the other is a
// replacement, and each reads back its own tokens.
func TestAccUserAPIToken_caseSensitiveRealm(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{IDStrategy: "case-sensitive"})
	target.CreateUser(t, "bob", "pw-lower")
	target.CreateUser(t, "Bob", "pw-upper")
	two := target.ProviderBlock() + `
resource "jenkins_user_api_token" "lower" {
  user_id = "bob"
  name    = "same name"
}
resource "jenkins_user_api_token" "upper" {
  user_id = "Bob"
  name    = "same name"
}`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: two,
				Check: resource.ComposeAggregateTestCheckFunc(
					tokenOf(target, "jenkins_user_api_token.lower", "bob"),
					tokenOf(target, "jenkins_user_api_token.upper", "Bob"),
				),
			},
			{
				Config:           two,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config: tokenConfig(target, "bob", "moving"),
			},
			{
				// Another user on this Jenkins: the token is replaced, not kept.
				Config: tokenConfig(target, "Bob", "moving"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionReplace),
				}},
				Check: tokenWorks(target, "Bob"),
			},
		},
	})
}

// On Jenkins's own case-insensitive user database a change of case names the same user: the
// plan is empty, and the state keeps the spelling it had.
func TestAccUserAPIToken_caseInsensitiveRealm(t *testing.T) {
	target := acctest.Shared(t)
	rae := acctest.UniqueID("rae")
	target.CreateUser(t, rae, "pw")
	upper := regexp.MustCompile(`[a-z]`).ReplaceAllStringFunc(rae, func(s string) string { return string(s[0] - 32) })
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: tokenConfig(target, rae, "x")},
			{
				Config:           tokenConfig(target, upper, "x"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// tokenOf checks that the token in state at addr logs in as userID and as nobody else with the
// same id in another case.
func tokenOf(target *acctest.Target, addr, userID string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs := s.RootModule().Resources[addr]
		if rs == nil {
			return fmt.Errorf("%s not in state", addr)
		}
		value := rs.Primary.Attributes["token"]
		if code := whoAmIStatus(target.URL, userID, value); code != http.StatusOK {
			return fmt.Errorf("%s: the token does not log in as %s: HTTP %d", addr, userID, code)
		}
		return nil
	}
}

// User.getById(id, false) also finds users that exist only in memory, such as the ones Jenkins
// makes for SCM committers (User.getOrCreateById saves only when id != fullName). The security
// realm does not know them, so impersonation fails and their tokens never log in
// (BasicHeaderApiTokenAuthenticator). The provider refuses them as unknown users.
func TestAccUserAPIToken_userOnlyInMemory(t *testing.T) {
	target := acctest.Shared(t)
	committer := acctest.UniqueID("committer")
	target.Script(t, `User.getById(P.id, true); emit([:])`, map[string]string{"id": committer}, nil)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:      tokenConfig(target, committer, "x"),
			ExpectError: regexp.MustCompile(`(?s)Jenkins has no user "` + regexp.QuoteMeta(committer) + `"`),
		}},
	})
}

// A security realm that cannot look users up (UserMayOrMayNotExistException2, many SSO realms)
// does not deny knowing a user, and Jenkins lets that user's API tokens log in
// (User.getUserDetailsForImpersonation2). So a token is created for a user with a record; a
// user without one is not created on the realm's word, since it cannot give one.
func TestAccUserAPIToken_realmCannotLookUpUsers(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{RealmLookup: "unsupported"})
	sam := acctest.UniqueID("sam")
	target.CreateUser(t, sam, "pw")
	stranger := acctest.UniqueID("stranger")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      tokenConfig(target, stranger, "x"),
				ExpectError: regexp.MustCompile(`(?s)Jenkins has no user "` + regexp.QuoteMeta(stranger) + `".*log in to Jenkins once`),
			},
			{
				Config: tokenConfig(target, sam, "x"),
				Check:  tokenWorks(target, sam),
			},
		},
	})
}

// A proxy that drops Jenkins's session cookie makes every crumb useless (crumbs are bound to the
// session that fetched them). The error must say so, not blame a missing permission.
func TestAccProvider_crumbRefusedIsASessionProblem(t *testing.T) {
	target := acctest.Shared(t)
	sim := target.RequireSim(t)
	backend, err := url.Parse(sim.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(backend)
	proxy.ModifyResponse = func(r *http.Response) error {
		r.Header.Del("Set-Cookie")
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	behind := *target
	behind.URL = srv.URL + backend.Path
	uma := acctest.UniqueID("uma")
	target.CreateUser(t, uma, "pw")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			// The admin's password (not a token): Jenkins asks for a crumb on POST.
			Config:      tokenConfig(&behind, uma, "x"),
			ExpectError: regexp.MustCompile(`(?s)CSRF crumb.*session problem.*session cookie`),
		}},
	})
}

// User ids "." and ".." are legal in Jenkins, but the servlet container resolves dot segments,
// so /user/./... lands on another URL, which answers 404. A revocation that took a 404 for
// "already gone" would report success while the token still logs in; it must be confirmed by
// Jenkins itself.
func TestAccUserAPIToken_destroyConfirmedForDotUserIDs(t *testing.T) {
	target := acctest.Shared(t)
	target.RequireSim(t)
	for _, id := range []string{".", ".."} {
		t.Run(id, func(t *testing.T) {
			target.CreateUser(t, id, "pw")
			var value string
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				CheckDestroy: func(*terraform.State) error {
					if code := whoAmIStatus(target.URL, id, value); code != http.StatusUnauthorized {
						return fmt.Errorf("after destroy the token of user %q answers HTTP %d, want 401", id, code)
					}
					return nil
				},
				Steps: []resource.TestStep{{
					Config: tokenConfig(target, id, "dots"),
					Check: resource.ComposeAggregateTestCheckFunc(
						tokenWorks(target, id),
						resource.TestCheckResourceAttrWith(tokenAddr, "token", func(v string) error { value = v; return nil }),
					),
				}},
			})
		})
	}
}

// Jenkins folds case with Java's toLowerCase(Locale.ENGLISH), which differs from Go's rules
// (Greek final sigma): "ΟΔΥΣΣΕΥΣ" is the user "οδυσσευς" to Jenkins, and Go's strings.ToLower
// gives "οδυσσευσ". The provider never folds case itself: every plan finds the token, and no
// apply mints another one.
func TestAccUserAPIToken_caseFoldedAsJenkinsDoes(t *testing.T) {
	target := acctest.Shared(t)
	// Whole words: Java's final-sigma rule depends on what follows the last sigma.
	lower, upper := "οδυσσευς", "ΟΔΥΣΣΕΥΣ"
	if strings.ToLower(upper) == lower {
		t.Fatal("precondition: Go's folding should differ from Java's here")
	}
	target.CreateUser(t, lower, "pw")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: tokenConfig(target, upper, "odyssey"), Check: tokenWorks(target, lower)},
			{
				Config:           tokenConfig(target, upper, "odyssey"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: func(*terraform.State) error {
					if n := len(target.TokenNames(t, lower)); n != 1 {
						return fmt.Errorf("user %s holds %d tokens, want 1", lower, n)
					}
					return nil
				},
			},
		},
	})
}

// expires_in_days counts Jenkins's days to the expiration date: in the data source, null for a
// token that never expires.
func TestAccUserTokensDataSource_expiresInDays(t *testing.T) {
	target := acctest.Shared(t)
	vic := acctest.UniqueID("vic")
	target.CreateUser(t, vic, "pw")
	never := target.NewToken(t, vic, "never")
	soon := target.NewExpiringToken(t, vic, "soon", time.Now().UTC().AddDate(0, 0, 3).Format(dateLayout))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: target.ProviderBlock() + fmt.Sprintf("data \"jenkins_user_tokens\" \"vic\" {\n  user_id = %s\n}\n", acctest.Quote(vic)),
			ConfigStateChecks: []statecheck.StateCheck{expectTokens("vic",
				knownvalue.ObjectPartial(map[string]knownvalue.Check{"uuid": knownvalue.StringExact(never.UUID), "expires_in_days": knownvalue.Null()}),
				knownvalue.ObjectPartial(map[string]knownvalue.Check{"uuid": knownvalue.StringExact(soon.UUID), "expires_in_days": knownvalue.Int64Exact(3)}),
			)},
		}},
	})
}
