package provider

import (
	"context"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// TestAccUserAPIToken_createOnLDAPSavesTheRecordOnce: on an LDAP realm, whose public lookup saves
// the user's record (the ldap plugin's updateUserDetails adds the directory's mail address), a
// create for a user with a record saves that record once, for the token. The create asks the
// realm what a login with the token will ask (the realm's user details service), which the ldap
// plugin answers without writing. The token logs in.
func TestAccUserAPIToken_createOnLDAPSavesTheRecordOnce(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{RealmDirectory: "ldap"})
	ctx := context.Background()
	if err := target.Sim.AddRealmUsers(ctx, "dana"); err != nil {
		t.Fatal(err)
	}
	target.Script(t, `User.getById(P.id, true).save(); emit([:])`, map[string]string{"id": "dana"}, nil)
	saves := func() int {
		t.Helper()
		st, err := target.Sim.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st["userSave/dana"]
	}
	before := saves()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: target.ProviderBlock() + `
resource "jenkins_user_api_token" "dana" {
  user_id = "dana"
  name    = "ci"
}
`,
			Check: func(s *terraform.State) error {
				if got := saves() - before; got != 1 {
					t.Errorf("the create saved dana's record %d times, want 1 (the token alone)", got)
				}
				value := s.RootModule().Resources["jenkins_user_api_token.dana"].Primary.Attributes["token"]
				if code := whoAmIStatus(target.URL, "dana", value); code != http.StatusOK {
					t.Errorf("dana's new token answers %d, want 200", code)
				}
				return nil
			},
		}},
	})
}
