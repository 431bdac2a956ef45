package provider

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
)

// TestAccAPITokenValueToTokenAndSecretStore is the pattern jenkins_api_token_value is for: one
// run hands the drawn value to the token (token_wo) and to a secret store's write-only argument,
// here the echo provider standing in for the store. The stored value logs in as the user, the
// token's state holds no value, and a run without a version change draws a value nobody uses.
func TestAccAPITokenValueToTokenAndSecretStore(t *testing.T) {
	target := acctest.Shared(t)
	vic := acctest.UniqueID("vic")
	target.CreateUser(t, vic, "pw")
	config := func(version int) string {
		return target.ProviderBlock() + fmt.Sprintf(`
ephemeral "jenkins_api_token_value" "v" {}

resource "jenkins_user_api_token" "t" {
  user_id          = %s
  name             = "deploy"
  token_wo         = ephemeral.jenkins_api_token_value.v.value
  token_wo_version = %d
}

# Stands in for a secret store's write-only argument (vault_kv_secret_v2.data_json_wo).
provider "echo" {
  data = ephemeral.jenkins_api_token_value.v.value
}
resource "echo" "store" {
  # The echo provider stores its data at create only: replace it with the token, as a store's
  # *_wo_version changing with token_wo_version would write the new value.
  lifecycle {
    replace_triggered_by = [jenkins_user_api_token.t]
  }
}
`, acctest.Quote(vic), version)
	}
	var stored string
	storedLogsIn := func(*terraform.State) error {
		if !tokenValuePattern.MatchString(stored) {
			return fmt.Errorf("the value handed to the store is not a Jenkins token value")
		}
		if code := whoAmIStatus(target.URL, vic, stored); code != http.StatusOK {
			return fmt.Errorf("the value in the store answers HTTP %d as %s, want 200", code, vic)
		}
		return nil
	}
	var first string
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   ephemeralTerraformVersions,
		ProtoV6ProviderFactories: testAccProvidersWithEcho(),
		Steps: []resource.TestStep{
			{
				Config: config(1),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("token"), knownvalue.Null()),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrWith("echo.store", "data", func(v string) error { stored, first = v, v; return nil }),
					storedLogsIn,
				),
			},
			{
				// Rotation: both versions change together; the old value stops working.
				Config: config(2),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrWith("echo.store", "data", func(v string) error { stored = v; return nil }),
					storedLogsIn,
					func(*terraform.State) error {
						if stored == first {
							return fmt.Errorf("the rotation stored the same value")
						}
						if code := whoAmIStatus(target.URL, vic, first); code != http.StatusUnauthorized {
							return fmt.Errorf("the first value answers HTTP %d after the rotation, want 401", code)
						}
						if n := len(target.TokenNames(t, vic)); n != 1 {
							return fmt.Errorf("%s holds %d tokens after the rotation, want 1", vic, n)
						}
						return nil
					},
				),
			},
		},
	})
}
