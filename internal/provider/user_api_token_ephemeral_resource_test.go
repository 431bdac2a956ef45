package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
)

// ephemeralTerraformVersions gates ephemeral-resource tests at 1.11: OpenTofu 1.10 reports a
// version that passes a 1.10 check but has no ephemeral resources.
var ephemeralTerraformVersions = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)}

// TestAccUserAPITokenEphemeral proves the token works while Terraform holds it open, and that
// Close really revokes it: a second provider block authenticates with the ephemeral token and
// lists the admin's tokens, and once the run is over the value gets 401.
func TestAccUserAPITokenEphemeral(t *testing.T) {
	target := acctest.Shared(t)
	admin := target.Username
	prefix := acctest.UniqueID("ci-run")
	var echoed struct{ uuid, token, name string }

	resource.Test(t, resource.TestCase{
		TerraformVersionChecks: ephemeralTerraformVersions,
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"jenkins": testAccProviders["jenkins"],
			"echo":    echoprovider.NewProviderServer(),
		},
		Steps: []resource.TestStep{{
			Config: target.ProviderBlock() + fmt.Sprintf(`
ephemeral "jenkins_user_api_token" "ci" {
  user_id = %[1]s
  name    = %[2]s
}

# Authenticates with the ephemeral token, which must therefore work while it is open.
provider "jenkins" {
  alias      = "with_token"
  server_url = %[3]s
  username   = %[1]s
  password   = ephemeral.jenkins_user_api_token.ci.token
}

data "jenkins_user_tokens" "seen_with_token" {
  provider   = jenkins.with_token
  user_id    = %[1]s
  name_regex = %[4]s
}

provider "echo" {
  data = ephemeral.jenkins_user_api_token.ci
}

resource "echo" "ci" {}
`, acctest.Quote(admin), acctest.Quote(prefix), acctest.Quote(target.URL), acctest.Quote("^"+regexp.QuoteMeta(prefix)+` \(ephemeral [0-9a-f]{8}\)$`)),
			ConfigStateChecks: []statecheck.StateCheck{
				// The token opened while planning was listed through itself.
				statecheck.ExpectKnownValue("data.jenkins_user_tokens.seen_with_token", tfjsonpath.New("tokens"),
					knownvalue.ListPartial(map[int]knownvalue.Check{0: knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"user_id": knownvalue.StringExact(admin),
					})})),
				statecheck.ExpectKnownValue("echo.ci", tfjsonpath.New("data").AtMapKey("token_name"),
					knownvalue.StringRegexp(regexp.MustCompile("^"+regexp.QuoteMeta(prefix)+` \(ephemeral [0-9a-f]{8}\)$`))),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttrWith("echo.ci", "data.uuid", func(v string) error { echoed.uuid = v; return nil }),
				resource.TestCheckResourceAttrWith("echo.ci", "data.token", func(v string) error { echoed.token = v; return nil }),
				func(*terraform.State) error {
					// The run is over: Terraform closed the ephemeral resource.
					if !tokenValuePattern.MatchString(echoed.token) {
						return fmt.Errorf("ephemeral token does not have Jenkins's format")
					}
					if code := whoAmIStatus(target.URL, admin, echoed.token); code != http.StatusUnauthorized {
						return fmt.Errorf("after Close the ephemeral token answers HTTP %d, want 401", code)
					}
					for uuid, name := range target.TokenNames(t, admin) {
						if regexp.MustCompile("^" + regexp.QuoteMeta(prefix)).MatchString(name) {
							return fmt.Errorf("ephemeral token %s (%q) still in Jenkins after the run", uuid, name)
						}
					}
					return nil
				},
			),
		}},
	})
}

func TestAccUserAPITokenEphemeral_unknownUser(t *testing.T) {
	target := acctest.Shared(t)
	ghost := acctest.UniqueID("ghost")
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks: ephemeralTerraformVersions,
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"jenkins": testAccProviders["jenkins"],
			"echo":    echoprovider.NewProviderServer(),
		},
		Steps: []resource.TestStep{{
			Config: target.ProviderBlock() + fmt.Sprintf(`
ephemeral "jenkins_user_api_token" "ci" {
  user_id = %s
  name    = "x"
}
provider "echo" {
  data = ephemeral.jenkins_user_api_token.ci
}
resource "echo" "ci" {}
`, acctest.Quote(ghost)),
			ExpectError: regexp.MustCompile(`(?s)Unable to Create Jenkins API Token.*` + regexp.QuoteMeta(ghost)),
		}},
	})
	if target.UserExists(t, ghost) {
		t.Errorf("opening a token for unknown user %q created a user record", ghost)
	}
}
