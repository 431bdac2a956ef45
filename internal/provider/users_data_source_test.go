package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// TestAccUsersDataSource: who is still around. "stays" logs in on the web; "gone" was known to
// the directory, which removed them, yet their record and token stayed; "idle" holds a token
// nobody uses and never logged in.
func TestAccUsersDataSource(t *testing.T) {
	target := acctest.Shared(t)
	sim := target.RequireSim(t)
	ctx := context.Background()
	p := acctest.UniqueID("who")
	stays, gone, idle := p+"-stays", p+"-gone", p+"-idle"
	target.CreateUser(t, stays, "pw")
	target.CreateUser(t, idle, "pw")
	// The tokens were made 60 days ago: a token's creation counts as activity.
	if err := sim.SetClock(ctx, -60); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.SetClock(context.Background(), 0) })
	target.NewToken(t, idle, "unused")
	if err := sim.AddRealmUsers(ctx, gone); err != nil {
		t.Fatal(err)
	}
	target.Script(t, `User.getById(P.id, true).save(); emit([:])`, map[string]string{"id": gone}, nil)
	target.NewToken(t, gone, "left behind")
	if err := sim.SetClock(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.WebLogin(ctx, stays); err != nil {
		t.Fatal(err)
	}
	if err := sim.RemoveRealmUsers(ctx, gone); err != nil {
		t.Fatal(err)
	}
	ds := func(extra string) string {
		return target.ProviderBlock() + fmt.Sprintf("data \"jenkins_users\" \"u\" {\n  id_regex = %q\n%s\n}\n", "^"+regexp.QuoteMeta(p)+"-", extra)
	}
	ids := func(want ...string) statecheck.StateCheck {
		checks := make([]knownvalue.Check, len(want))
		for i, id := range want {
			checks[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact(id)})
		}
		return statecheck.ExpectKnownValue("data.jenkins_users.u", tfjsonpath.New("users"), knownvalue.SetExact(checks))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: ds(""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.jenkins_users.u", tfjsonpath.New("users"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id": knownvalue.StringExact(gone), "full_name": knownvalue.StringExact(gone), "realm_status": knownvalue.StringExact("unknown"),
							"last_login_at": knownvalue.Null(), "last_token_use_at": knownvalue.Null(),
							"last_token_created_at": knownvalue.StringRegexp(rfc3339UTC),
							"token_count":           knownvalue.Int64Exact(1), "has_legacy_token": knownvalue.Bool(false),
							"last_token_use_unknown": knownvalue.Bool(false), "sessions_invalidated_at": knownvalue.Null(),
						}),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"id": knownvalue.StringExact(idle), "realm_status": knownvalue.StringExact("known"),
							"last_login_at": knownvalue.Null(), "token_count": knownvalue.Int64Exact(1),
						}),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"id": knownvalue.StringExact(stays), "realm_status": knownvalue.StringExact("known"),
							"last_login_at": knownvalue.StringRegexp(rfc3339UTC), "token_count": knownvalue.Int64Exact(0),
						}),
					})),
				},
			},
			{Config: ds(`  realm_status = ["unknown"]`), ConfigStateChecks: []statecheck.StateCheck{ids(gone)}},
			{Config: ds(`  realm_status = ["known", "unverifiable"]`), ConfigStateChecks: []statecheck.StateCheck{ids(idle, stays)}},
			{Config: ds(`  with_tokens = true`), ConfigStateChecks: []statecheck.StateCheck{ids(gone, idle)}},
			{Config: ds(`  with_tokens = false`), ConfigStateChecks: []statecheck.StateCheck{ids(stays)}},
			{Config: ds(`  inactive_for_days = 30`), ConfigStateChecks: []statecheck.StateCheck{ids(gone, idle)}},
			{
				Config: ds(`  check_realm = false`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.jenkins_users.u", tfjsonpath.New("users").AtSliceIndex(0).AtMapKey("realm_status"), knownvalue.StringExact("not_checked")),
				},
			},
		},
	})
}

// TestAccUsersDataSource_realmCannotLookUp: with a realm that cannot look users up (many SSO
// realms), every status is unverifiable: the data source says it cannot tell.
func TestAccUsersDataSource_realmCannotLookUp(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{RealmLookup: "unsupported"})
	sso := acctest.UniqueID("sso")
	target.CreateUser(t, sso, "pw")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: target.ProviderBlock() + fmt.Sprintf("data \"jenkins_users\" \"u\" {\n  id_regex = %q\n}\n", "^"+regexp.QuoteMeta(sso)+"$"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.jenkins_users.u", tfjsonpath.New("users").AtSliceIndex(0).AtMapKey("realm_status"), knownvalue.StringExact("unverifiable")),
			},
		}},
	})
}

func TestAccUsersDataSource_badInput(t *testing.T) {
	target := acctest.Shared(t)
	for name, tc := range map[string]struct{ body, want string }{
		"unknown status":         {`realm_status = ["gone"]`, `(?s)realm_status.*value must be one of`},
		"status without a check": {"check_realm = false\n  realm_status = [\"known\"]", `(?s)Realm Status Needs check_realm`},
		"bad regex":              {`id_regex = "("`, `(?s)Invalid Regular Expression.*id_regex`},
		"zero days":              {`inactive_for_days = 0`, `(?s)inactive_for_days.*at least 1`},
	} {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config:      target.ProviderBlock() + "data \"jenkins_users\" \"u\" {\n  " + tc.body + "\n}\n",
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestAccUsersDataSource_legacyUseLostAtRestart: an API-only service account whose record was
// last saved before Jenkins 2.129 uses its legacy token; Jenkins restarts and gives that token a
// new UUID, whose statistics are empty. Its last use is unknown, not never: inactive_for_days
// leaves it out (and says why), while a user whose token really went unused is selected.
func TestAccUsersDataSource_legacyUseLostAtRestart(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{})
	ctx := context.Background()
	if err := target.Sim.SetClock(ctx, -60); err != nil {
		t.Fatal(err)
	}
	target.CreateUser(t, "idle", "pw")
	idle := target.NewToken(t, "idle", "unused")
	if err := target.Sim.SetClock(ctx, 0); err != nil {
		t.Fatal(err)
	}
	_, value, err := target.Sim.LegacyUser(ctx, "svc", "pw")
	if err != nil {
		t.Fatal(err)
	}
	if code := whoAmIStatus(target.URL, "svc", value); code != 200 {
		t.Fatalf("precondition: the legacy token answers %d", code)
	}
	restartJenkins(t, target)
	svc := acctest.FixtureToken{Value: value}
	users := func(extra string) string {
		return target.ProviderBlock() + "data \"jenkins_users\" \"u\" {\n  id_regex = \"^(svc|idle)$\"\n" + extra + "\n}\n"
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: users(""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.jenkins_users.u", tfjsonpath.New("users"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"id": knownvalue.StringExact("idle"), "last_token_use_unknown": knownvalue.Bool(false),
						}),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"id": knownvalue.StringExact("svc"), "last_token_use_at": knownvalue.Null(),
							"last_token_created_at": knownvalue.Null(), "last_token_use_unknown": knownvalue.Bool(true),
							"has_legacy_token": knownvalue.Bool(true),
						}),
					})),
				},
			},
			{
				Config: users("  inactive_for_days = 1"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.jenkins_users.u", tfjsonpath.New("users"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact("idle")}),
					})),
				},
			},
			{
				// The cleanup selects the same way: idle's token goes, svc's stays.
				Config: cleanupHCL(target, "jenkins_user_token_cleanup", "  user_ids = [\"svc\", \"idle\"]\n  inactive_for_days = 1"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("jenkins_user_token_cleanup.c", tfjsonpath.New("revoked"), revokedTokens(idle)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(rejected(target, "idle", idle), accepted(target, "svc", svc)),
			},
		},
	})
}

// TestAccUsersDataSource_sessionsInvalidatedIsNotALogin: "Invalidate sessions" stamps the record
// Jenkins keeps of web logins (LastGrantedAuthoritiesProperty.invalidate: roles null, the time
// now), so an admin offboarding a leaver made them look active. The stamp is reported as
// sessions_invalidated_at, the login as unknown, and inactive_for_days, in the data source and in
// a cleanup, does not count it. A login after it, or one whose groups changed, is a login again;
// one with unchanged groups leaves no trace (Jenkins stamps only changes).
func TestAccUsersDataSource_sessionsInvalidatedIsNotALogin(t *testing.T) {
	target := acctest.Shared(t)
	sim := target.RequireSim(t)
	ctx := context.Background()
	p := acctest.UniqueID("inval")
	leaver, back, mover, same := p+"-leaver", p+"-back", p+"-mover", p+"-same"
	at := func(days int) {
		t.Helper()
		if err := sim.SetClock(ctx, days); err != nil {
			t.Fatal(err)
		}
	}
	login := func(id string, groups ...string) int64 {
		t.Helper()
		ts, err := sim.WebLogin(ctx, id, groups...)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	invalidate := func(id string) {
		t.Helper()
		if err := sim.InvalidateSessions(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { _ = sim.SetClock(context.Background(), 0) })
	at(-200)
	tokens := map[string]acctest.FixtureToken{}
	for _, id := range []string{leaver, back, mover, same} {
		target.CreateUser(t, id, "pw")
		tokens[id] = target.NewToken(t, id, "unused")
	}
	login(leaver)
	login(back)
	login(mover, "authenticated", "dev")
	sameFirst := login(same, "authenticated", "dev")
	at(-10)
	invalidate(back)
	at(-5)
	invalidate(leaver)
	at(-3)
	login(back)
	at(-2)
	moverLast := login(mover, "authenticated", "ops")
	login(same, "authenticated", "dev")
	at(0)
	stamp := func(ms int64) knownvalue.Check {
		return knownvalue.StringExact(time.UnixMilli(ms).UTC().Format(time.RFC3339))
	}
	ds := func(extra string) string {
		return target.ProviderBlock() + fmt.Sprintf("data \"jenkins_users\" \"u\" {\n  id_regex = %q\n  check_realm = false\n%s\n}\n", "^"+regexp.QuoteMeta(p)+"-", extra)
	}
	ids := func(want ...string) statecheck.StateCheck {
		checks := make([]knownvalue.Check, len(want))
		for i, id := range want {
			checks[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact(id)})
		}
		return statecheck.ExpectKnownValue("data.jenkins_users.u", tfjsonpath.New("users"), knownvalue.SetExact(checks))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: ds(""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.jenkins_users.u", tfjsonpath.New("users"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact(leaver),
							"last_login_at": knownvalue.Null(), "sessions_invalidated_at": knownvalue.StringRegexp(rfc3339UTC)}),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact(back),
							"last_login_at": knownvalue.StringRegexp(rfc3339UTC), "sessions_invalidated_at": knownvalue.Null()}),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact(mover),
							"last_login_at": stamp(moverLast), "sessions_invalidated_at": knownvalue.Null()}),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact(same),
							"last_login_at": stamp(sameFirst), "sessions_invalidated_at": knownvalue.Null()}),
					})),
				},
			},
			{Config: ds(`  inactive_for_days = 30`), ConfigStateChecks: []statecheck.StateCheck{ids(leaver, same)}},
			{
				Config: cleanupHCL(target, "jenkins_user_token_cleanup", "  user_ids = "+quotedSet(leaver, back, mover)+"\n  inactive_for_days = 30"),
				Check: resource.ComposeAggregateTestCheckFunc(
					rejected(target, leaver, tokens[leaver]),
					accepted(target, back, tokens[back]), accepted(target, mover, tokens[mover]),
				),
			},
		},
	})
}
