package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
)

type jenkinsTokenSettings struct {
	OnCreation bool `json:"onCreation"`
	Legacy     bool `json:"legacy"`
	Stats      bool `json:"stats"`
}

// tokenSettings reads the global configuration the way an admin would from the script console.
func tokenSettings(t *testing.T, target *acctest.Target) jenkinsTokenSettings {
	var s jenkinsTokenSettings
	target.Script(t, `
import jenkins.security.apitoken.ApiTokenPropertyConfiguration
def c = ApiTokenPropertyConfiguration.get()
emit([onCreation: c.isTokenGenerationOnCreationEnabled(), legacy: c.isCreationOfLegacyTokenEnabled(), stats: c.isUsageStatisticsEnabled()])
`, nil, &s)
	return s
}

func expectSettings(t *testing.T, target *acctest.Target, want jenkinsTokenSettings) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := tokenSettings(t, target); got != want {
			return fmt.Errorf("Jenkins holds %+v, want %+v", got, want)
		}
		return nil
	}
}

func TestAccAPITokenSettings(t *testing.T) {
	target := acctest.Shared(t)
	addr := "jenkins_api_token_settings.s"
	defaults := jenkinsTokenSettings{Stats: true}
	config := func(body string) string {
		return target.ProviderBlock() + "resource \"jenkins_api_token_settings\" \"s\" {\n" + body + "\n}\n"
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		// Destroy restores Jenkins's defaults.
		CheckDestroy: expectSettings(t, target, defaults),
		Steps: []resource.TestStep{
			{
				Config: config("  creation_of_legacy_token_enabled = true\n  usage_statistics_enabled = false"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("global")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("token_generation_on_creation_enabled"), knownvalue.Bool(false)),
				},
				Check: expectSettings(t, target, jenkinsTokenSettings{Legacy: true}),
			},
			{
				// Changed by hand on the Security page: the plan puts it back.
				PreConfig: func() {
					target.Script(t, `
import jenkins.security.apitoken.ApiTokenPropertyConfiguration
ApiTokenPropertyConfiguration.get().setUsageStatisticsEnabled(true)
emit([:])
`, nil, nil)
				},
				Config: config("  creation_of_legacy_token_enabled = true\n  usage_statistics_enabled = false"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: expectSettings(t, target, jenkinsTokenSettings{Legacy: true}),
			},
			{
				// Attributes left out mean Jenkins's defaults.
				Config: config(""),
				Check:  expectSettings(t, target, defaults),
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     "global",
				ImportStateVerify: true,
			},
			{
				ResourceName:  addr,
				ImportState:   true,
				ImportStateId: "settings",
				ExpectError:   regexp.MustCompile(`(?s)Invalid Import ID.*"global"`),
			},
		},
	})
}
