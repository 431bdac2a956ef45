package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

func lifetimeConfig(target *acctest.Target, days int, userID string, extra ...string) string {
	return target.ProviderBlock(fmt.Sprintf("max_token_lifetime_days = %d", days)) +
		tokenConfig(target, userID, "under a policy", extra...)[len(target.ProviderBlock()):]
}

// TestAccTokenLifetimePolicy: with max_token_lifetime_days, a token without an expiration
// date or with one beyond the limit (counted from Jenkins's today) fails at plan time, naming
// the limit and the latest date, and nothing is created; a date within it is created. A token
// created before the policy is kept, with a warning (not replaced).
func TestAccTokenLifetimePolicy(t *testing.T) {
	target := acctest.Shared(t)
	pia := acctest.UniqueID("pia")
	target.CreateUser(t, pia, "pw")
	today := jenkinsToday(t, target)
	latest := addDays(t, today, 30)
	nothingCreated := func(*terraform.State) error {
		if n := len(target.TokenNames(t, pia)); n != 0 {
			return fmt.Errorf("%s holds %d tokens, want none", pia, n)
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: lifetimeConfig(target, 30, pia),
				ExpectError: regexp.MustCompile(`(?s)Token Lifetime Policy: Expiration Date Required.*` +
					wrappedText(fmt.Sprintf("max_token_lifetime_days is 30: every token it creates must have an expiration_date from %s (Jenkins's today) to %s", today, latest))),
			},
			{
				Config: lifetimeConfig(target, 30, pia, fmt.Sprintf("  expiration_date = %q", addDays(t, today, 31))),
				ExpectError: regexp.MustCompile(`(?s)Expiration Date Too Late.*` +
					wrappedText(fmt.Sprintf("the latest date allowed is %s", latest))),
			},
			{
				Config: lifetimeConfig(target, 30, pia, fmt.Sprintf("  expiration_date = %q", latest)),
				PreConfig: func() {
					if err := nothingCreated(nil); err != nil {
						t.Error(err) // the refused plans created nothing
					}
				},
				Check: resource.TestCheckResourceAttr(tokenAddr, "expiration_date", latest),
			},
		},
	})
	if err := nothingCreated(nil); err != nil {
		t.Error(err) // the destroy at the end revoked the one token made
	}
}

// TestAccTokenLifetimePolicyLeavesExistingTokens: a token made before the policy is neither
// replaced nor an error; the plan is empty and warns, naming the token and the latest date. Run
// with the CLI, which shows warnings.
func TestAccTokenLifetimePolicyLeavesExistingTokens(t *testing.T) {
	target := acctest.Shared(t)
	cli, _ := cliVersion(t)
	quinn := acctest.UniqueID("quinn")
	target.CreateUser(t, quinn, "pw")
	w := newCLIWorkdir(t, cli, jenkinsProviderOverrides(t))
	w.write("main.tf", requireJenkins+tokenConfig(target, quinn, "made before the policy"))
	if out, code := w.run("apply", "-auto-approve", "-no-color"); code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, out)
	}
	w.write("main.tf", requireJenkins+target.ProviderBlock("max_token_lifetime_days = 30")+
		tokenConfig(target, quinn, "made before the policy")[len(target.ProviderBlock()):])
	out, code := w.run("plan", "-detailed-exitcode", "-no-color")
	if code != 0 {
		t.Fatalf("the plan under the new policy is not empty (exit %d):\n%s", code, out)
	}
	latest := addDays(t, jenkinsToday(t, target), 30)
	for _, want := range []string{"Token Outside the Lifetime Policy", `"made before the policy"`, quinn, "expiration date: none", latest} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
			t.Errorf("the plan's warning does not mention %q:\n%s", want, out)
		}
	}
	if out, code := w.run("destroy", "-auto-approve", "-no-color"); code != 0 {
		t.Fatalf("destroy: exit %d\n%s", code, out)
	}
}

// TestAccTokenLifetimePolicyDateKnownAtApply: a date known only at apply is checked then,
// before anything is created.
func TestAccTokenLifetimePolicyDateKnownAtApply(t *testing.T) {
	target := acctest.Shared(t)
	rae := acctest.UniqueID("rae")
	target.CreateUser(t, rae, "pw")
	late := addDays(t, jenkinsToday(t, target), 90)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf("resource \"terraform_data\" \"date\" {\n  input = %q\n}\n", late) +
				lifetimeConfig(target, 30, rae, "  expiration_date = terraform_data.date.output"),
			ExpectError: regexp.MustCompile(`(?s)Expiration Date Too Late`),
		}},
	})
	if n := len(target.TokenNames(t, rae)); n != 0 {
		t.Errorf("%s holds %d tokens after the refused apply, want none", rae, n)
	}
}

// TestAccTokenLifetimePolicyBadInput: the limit is a positive number of days.
func TestAccTokenLifetimePolicyBadInput(t *testing.T) {
	target := acctest.Shared(t)
	for _, days := range []int{0, -1} {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProviders,
			Steps: []resource.TestStep{{
				Config:      lifetimeConfig(target, days, "nobody-needed"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)max_token_lifetime_days.*between 1 and 36500`),
			}},
		})
	}
}

// TestAccTokenLifetimePolicyBeforeExpirationDates: Jenkins before 2.548 has no expiration
// dates, so no token can meet the policy; the error says which version is needed.
func TestAccTokenLifetimePolicyBeforeExpirationDates(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{Version: "2.462"})
	target.CreateUser(t, "sam", "pw")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:      lifetimeConfig(target, 30, "sam"),
			ExpectError: regexp.MustCompile(`(?s)Expiration Date Required.*Jenkins\s+2\.548\s+or\s+later`),
		}},
	})
}

// TestAccTokenLifetimePolicyEphemeral: the ephemeral resource's default date (Jenkins's
// tomorrow) is within any limit; a date beyond the limit fails before a token is created.
func TestAccTokenLifetimePolicyEphemeral(t *testing.T) {
	target := acctest.Shared(t)
	uma := acctest.UniqueID("uma")
	target.CreateUser(t, uma, "pw")
	today := jenkinsToday(t, target)
	ephemeralConfig := func(extra string) string {
		return target.ProviderBlock("max_token_lifetime_days = 1") + fmt.Sprintf(`
ephemeral "jenkins_user_api_token" "run" {
  user_id = %s
  name    = "one run"
%s
}

provider "echo" {
  data = ephemeral.jenkins_user_api_token.run.expiration_date
}

resource "echo" "date" {}
`, acctest.Quote(uma), extra)
	}
	var got string
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   ephemeralTerraformVersions,
		ProtoV6ProviderFactories: testAccProvidersWithEcho(),
		Steps: []resource.TestStep{
			{
				Config: ephemeralConfig(fmt.Sprintf("  expiration_date = %q", addDays(t, today, 2))),
				ExpectError: regexp.MustCompile(`(?s)Expiration Date Too Late.*` +
					wrappedText(fmt.Sprintf("the latest date allowed is %s", addDays(t, today, 1)))),
			},
			{
				Config: ephemeralConfig(""),
				Check:  resource.TestCheckResourceAttrWith("echo.date", "data", func(v string) error { got = v; return nil }),
			},
		},
	})
	if after := jenkinsToday(t, target); got != addDays(t, today, 1) && got != addDays(t, after, 1) {
		t.Errorf("under a one-day limit the ephemeral token got expiration_date %q, want Jenkins's tomorrow", got)
	}
	if n := len(target.TokenNames(t, uma)); n != 0 {
		t.Errorf("%s holds %d tokens after the runs, want none", uma, n)
	}
}
