package provider

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// crumbShape is a Jenkins crumb: 64 lowercase hex characters.
var crumbShape = regexp.MustCompile(`[0-9a-f]{64}`)

// TestAccSecretsNeverLogged runs a full apply, plan and destroy of a token with TF_LOG=trace,
// authenticating with a password (so crumbs and a session are involved), and searches every log
// line Terraform and the provider wrote for the password, the Basic credentials, the token value
// and anything shaped like a crumb.
func TestAccSecretsNeverLogged(t *testing.T) {
	acctest.Shared(t).RequireSim(t)
	const password = "Pa55-word-that-must-stay-secret"
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sim, err := jenkinssim.Start(ctx, jenkinssim.Options{AdminUser: "root", AdminPassword: password})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		acctest.CheckScriptLeaks(t, sim)
		_ = sim.Close()
	})
	target := &acctest.Target{URL: sim.URL, Username: sim.AdminUser, Password: password, Sim: sim}
	user := acctest.UniqueID("quinn")
	target.CreateUser(t, user, "pw")

	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	// The credentials come from the environment, as in CI: the test framework logs the
	// configuration itself, and a password written in it would be in the log by design.
	provider := target.ProviderBlockFromEnv(t)
	tokenHCL := func(name string) string {
		return provider + fmt.Sprintf(`
resource "jenkins_user_api_token" "t" {
  user_id = %s
  name    = %s
}`, acctest.Quote(user), acctest.Quote(name))
	}
	var value string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: tokenHCL("logged?") + `
data "jenkins_user_tokens" "all" {
  depends_on = [jenkins_user_api_token.t]
}`,
				Check: resource.ComposeAggregateTestCheckFunc(captureAttr("token", &value), tokenWorks(target, user)),
			},
			{
				Config: tokenHCL("renamed"),
			},
		},
	})

	raw, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	logs := string(raw)
	if len(logs) < 10000 || !strings.Contains(logs, "scriptText") {
		t.Fatalf("the trace log is suspiciously short (%d bytes) or never mentions a Jenkins call: the test would prove nothing", len(logs))
	}
	secrets := map[string]string{
		"the password":          password,
		"the Basic credentials": base64.StdEncoding.EncodeToString([]byte(target.Username + ":" + password)),
		"the token value":       value,
		"the token secret":      strings.TrimPrefix(value, "11"),
	}
	for what, secret := range secrets {
		if secret == "" {
			t.Fatalf("no value for %s", what)
		}
		if i := strings.Index(logs, secret); i >= 0 {
			// Show where, with the secret itself redacted.
			start, end := max(0, i-300), min(len(logs), i+len(secret)+100)
			t.Errorf("the trace log contains %s: ...%s...", what, strings.ReplaceAll(logs[start:end], secret, "<REDACTED>"))
		}
	}
	if m := crumbShape.FindString(logs); m != "" {
		t.Errorf("the trace log contains a 64-hex string, the shape of a crumb (first 8: %s...)", m[:8])
	}
}
