package provider

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
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
		TerraformVersionChecks:   ephemeralTerraformVersions,
		ProtoV6ProviderFactories: testAccProvidersWithEcho(),
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
		TerraformVersionChecks:   ephemeralTerraformVersions,
		ProtoV6ProviderFactories: testAccProvidersWithEcho(),
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

func TestEphemeralDefaultExpiration(t *testing.T) {
	for today, want := range map[string]string{
		"2026-05-14": "2026-05-15",
		"2028-02-28": "2028-02-29", // a leap day
		"2027-02-28": "2027-03-01",
		"2026-12-31": "2027-01-01",
	} {
		if got, err := ephemeralDefaultExpiration(today); err != nil || got != want {
			t.Errorf("ephemeralDefaultExpiration(%q) = %q, %v; want %q", today, got, err, want)
		}
	}
	for _, today := range []string{"", "2026-13-01", "14.05.2026", "2026-05-14T00:00:00Z"} {
		if got, err := ephemeralDefaultExpiration(today); err == nil {
			t.Errorf("ephemeralDefaultExpiration(%q) = %q, want an error", today, got)
		}
	}
	name := "ci run (ephemeral 0a1b2c3d)"
	if !regexp.MustCompile(ephemeralNameRegex).MatchString(name) || regexp.MustCompile(ephemeralNameRegex).MatchString(name+" copy") {
		t.Errorf("ephemeralNameRegex %q does not select exactly the names Open gives", ephemeralNameRegex)
	}
}

// jenkinsToday is the target's date, LocalDate.now() in its time zone and on its clock.
func jenkinsToday(t *testing.T, target *acctest.Target) string {
	t.Helper()
	var r struct {
		Today string `json:"today"`
	}
	target.Script(t, `emit([today: java.time.LocalDate.now().toString()])`, nil, &r)
	return r.Today
}

func addDays(t *testing.T, date string, days int) string {
	t.Helper()
	d, err := time.Parse(dateLayout, date)
	if err != nil {
		t.Fatal(err)
	}
	return d.AddDate(0, 0, days).Format(dateLayout)
}

// TestAccUserAPITokenEphemeral_expiresJenkinsTomorrow: without expiration_date the token expires
// on Jenkins's tomorrow, by Jenkins's date, not the machine's: the simulator runs in UTC+14 with
// its clock three days ahead, so no date the provider could take from its own clock matches. An
// expiration_date in the configuration is kept.
func TestAccUserAPITokenEphemeral_expiresJenkinsTomorrow(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{TimeZone: "Pacific/Kiritimati"})
	if err := target.Sim.SetClock(context.Background(), 3); err != nil {
		t.Fatal(err)
	}
	before := jenkinsToday(t, target)
	explicit := addDays(t, before, 30)
	var got string
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   ephemeralTerraformVersions,
		ProtoV6ProviderFactories: testAccProvidersWithEcho(),
		Steps: []resource.TestStep{{
			Config: target.ProviderBlock() + fmt.Sprintf(`
ephemeral "jenkins_user_api_token" "by_default" {
  user_id = %[1]s
  name    = "by default"
}

ephemeral "jenkins_user_api_token" "explicit" {
  user_id         = %[1]s
  name            = "explicit"
  expiration_date = %[2]s
}

provider "echo" {
  data = {
    by_default = ephemeral.jenkins_user_api_token.by_default.expiration_date
    explicit   = ephemeral.jenkins_user_api_token.explicit.expiration_date
  }
}

resource "echo" "dates" {}
`, acctest.Quote(target.Username), acctest.Quote(explicit)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.dates", tfjsonpath.New("data").AtMapKey("explicit"), knownvalue.StringExact(explicit)),
			},
			Check: resource.TestCheckResourceAttrWith("echo.dates", "data.by_default", func(v string) error { got = v; return nil }),
		}},
	})
	// Midnight in Kiritimati may pass during the run: then either day's tomorrow is right.
	after := jenkinsToday(t, target)
	if got != addDays(t, before, 1) && got != addDays(t, after, 1) {
		t.Errorf("the default expiration_date is %q, want Jenkins's tomorrow %s (Jenkins's today %s)", got, addDays(t, before, 1), before)
	}
	for uuid, name := range target.TokenNames(t, target.Username) {
		if strings.Contains(name, "(ephemeral ") {
			t.Errorf("ephemeral token %s (%q) left after the run", uuid, name)
		}
	}
}

// ephemeralProtocol is the provider served over the plugin protocol and configured for a
// target, as Terraform drives it: Open's warnings reach the test, which
// terraform-plugin-testing does not show.
type ephemeralProtocol struct {
	t      *testing.T
	server tfprotov6.ProviderServer
	typ    tftypes.Object
}

func newEphemeralProtocol(t *testing.T, url, username, password string) *ephemeralProtocol {
	t.Helper()
	ctx := context.Background()
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	sch, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	ptyp := sch.Provider.ValueType().(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, at := range ptyp.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	vals["server_url"] = tftypes.NewValue(tftypes.String, url)
	vals["username"] = tftypes.NewValue(tftypes.String, username)
	vals["password"] = tftypes.NewValue(tftypes.String, password)
	cfg, err := tfprotov6.NewDynamicValue(ptyp, tftypes.NewValue(ptyp, vals))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Fatalf("configuring the provider: %s: %s", d.Summary, d.Detail)
		}
	}
	return &ephemeralProtocol{t: t, server: server, typ: sch.EphemeralResourceSchemas["jenkins_user_api_token"].ValueType().(tftypes.Object)}
}

// open opens a jenkins_user_api_token with config and returns the result's string attributes
// ("" for null), Open's diagnostics and a function that closes it.
func (p *ephemeralProtocol) open(config map[string]string) (map[string]string, []*tfprotov6.Diagnostic, func()) {
	p.t.Helper()
	ctx := context.Background()
	vals := map[string]tftypes.Value{}
	for name, at := range p.typ.AttributeTypes {
		if v, ok := config[name]; ok {
			vals[name] = tftypes.NewValue(at, v)
		} else {
			vals[name] = tftypes.NewValue(at, nil)
		}
	}
	cfg, err := tfprotov6.NewDynamicValue(p.typ, tftypes.NewValue(p.typ, vals))
	if err != nil {
		p.t.Fatal(err)
	}
	resp, err := p.server.OpenEphemeralResource(ctx, &tfprotov6.OpenEphemeralResourceRequest{TypeName: "jenkins_user_api_token", Config: &cfg})
	if err != nil {
		p.t.Fatal(err)
	}
	result := map[string]string{}
	if resp.Result != nil {
		raw, err := resp.Result.Unmarshal(p.typ)
		if err != nil {
			p.t.Fatal(err)
		}
		var attrs map[string]tftypes.Value
		if err := raw.As(&attrs); err != nil {
			p.t.Fatal(err)
		}
		for name, v := range attrs {
			var s *string
			if err := v.As(&s); err != nil {
				p.t.Fatal(err)
			}
			if s != nil {
				result[name] = *s
			}
		}
	}
	return result, resp.Diagnostics, func() {
		p.t.Helper()
		cresp, err := p.server.CloseEphemeralResource(ctx, &tfprotov6.CloseEphemeralResourceRequest{TypeName: "jenkins_user_api_token", Private: resp.Private})
		if err != nil {
			p.t.Fatal(err)
		}
		for _, d := range cresp.Diagnostics {
			p.t.Errorf("Close: %s: %s: %s", d.Severity, d.Summary, d.Detail)
		}
	}
}

// TestUserAPITokenEphemeral_olderJenkinsWarns: before Jenkins 2.548 tokens cannot expire. Open
// then creates the token without a date and warns, not fails, that a killed run leaves it valid
// until revoked, naming the cleanup that sweeps such leftovers; Close still revokes it. A
// Jenkins whose version says nothing (a development build) gets a date tried, and the same
// token and warning when it answers that it has no expiration dates. On 2.548 and later there
// is no warning, and the token expires on Jenkins's tomorrow.
func TestUserAPITokenEphemeral_olderJenkinsWarns(t *testing.T) {
	old := ownSim(t, jenkinssim.Options{Version: "2.462"})
	current := acctest.Shared(t)
	current.RequireSim(t)
	user := acctest.UniqueID("warned")
	current.CreateUser(t, user, "pw")

	// A proxy to the 2.462 simulator that hides its version, as a development build reports "?".
	backend, err := url.Parse(old.Sim.RootURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(backend)
	versionField := regexp.MustCompile(`"version":"[^"]*"`)
	proxy.ModifyResponse = func(r *http.Response) error {
		r.Header.Del("X-Jenkins")
		body, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			return err
		}
		body = versionField.ReplaceAll(body, []byte(`"version":"?"`))
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	hidden := httptest.NewServer(proxy)
	t.Cleanup(hidden.Close)
	hiddenURL := hidden.URL + strings.TrimPrefix(old.URL, strings.TrimSuffix(old.Sim.RootURL, "/"))

	for _, tc := range []struct {
		name, url, user string
		target          *acctest.Target
		warns           bool
	}{
		{"2.462", old.URL, old.Username, old, true},
		{"version unknown", hiddenURL, old.Username, old, true},
		{"2.579", current.URL, user, current, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newEphemeralProtocol(t, tc.url, tc.target.Username, tc.target.Password)
			result, diags, closeToken := p.open(map[string]string{"user_id": tc.user, "name": "ci"})
			var warnings []*tfprotov6.Diagnostic
			for _, d := range diags {
				if d.Severity == tfprotov6.DiagnosticSeverityError {
					t.Fatalf("Open failed: %s: %s", d.Summary, d.Detail)
				}
				warnings = append(warnings, d)
			}
			if result["uuid"] == "" || tc.target.TokenNames(t, tc.user)[result["uuid"]] != result["token_name"] {
				t.Fatalf("Open reported token %q (%q), which Jenkins does not hold: %v", result["uuid"], result["token_name"], tc.target.TokenNames(t, tc.user))
			}
			if !tc.warns {
				if len(warnings) != 0 {
					t.Errorf("Open warned on a Jenkins with expiration dates: %s: %s", warnings[0].Summary, warnings[0].Detail)
				}
				if want := addDays(t, jenkinsToday(t, tc.target), 1); result["expiration_date"] != want {
					t.Errorf("expiration_date = %q, want Jenkins's tomorrow %s", result["expiration_date"], want)
				}
			} else {
				if len(warnings) != 1 {
					t.Fatalf("Open gave %d warnings, want 1: %v", len(warnings), warnings)
				}
				w := warnings[0]
				for _, want := range []string{"2.548", "killed", "SIGKILL", "lost CI runner", "stays valid until someone revokes it",
					result["uuid"], "jenkins_user_token_cleanup", `name_regex = " \\(ephemeral [0-9a-f]{8}\\)$"`} {
					if !strings.Contains(w.Detail, want) {
						t.Errorf("the warning does not say %q:\n%s: %s", want, w.Summary, w.Detail)
					}
				}
				if !regexp.MustCompile(ephemeralNameRegex).MatchString(result["token_name"]) {
					t.Errorf("the name_regex of the warning does not select the token's name %q", result["token_name"])
				}
				if result["expiration_date"] != "" {
					t.Errorf("expiration_date = %q on a Jenkins without expiration dates, want null", result["expiration_date"])
				}
				t.Logf("%s: %s", w.Summary, w.Detail)
			}
			if code := whoAmIStatus(tc.target.URL, tc.user, result["token"]); code != http.StatusOK {
				t.Errorf("the opened token answers HTTP %d, want 200", code)
			}
			closeToken()
			if code := whoAmIStatus(tc.target.URL, tc.user, result["token"]); code != http.StatusUnauthorized {
				t.Errorf("after Close the token answers HTTP %d, want 401", code)
			}
		})
	}
}

// TestAccUserAPITokenEphemeral_planMintsTokens: `terraform plan` opens ephemeral resources, so a
// plan alone mints a real token for each ephemeral jenkins_user_api_token and revokes it when
// the plan closes it. The docs say so (a plan of an untrusted change must not run with these
// credentials); this counts it. Two tokens are opened; a data source read during the plan
// through a provider that logs in with one of them sees both, and after the plan the user holds
// no token: both were revoked when the plan closed them.
func TestAccUserAPITokenEphemeral_planMintsTokens(t *testing.T) {
	target := acctest.Shared(t)
	target.RequireSim(t)
	w := cliAt(t, 1, 11, "ephemeral resources")
	// Tokens of the admin: the data source lists tokens through the script console, which
	// needs Overall/Administer.
	admin, prefix := target.Username, acctest.UniqueID("plan")
	w.write("main.tf", requireJenkins+target.ProviderBlock()+fmt.Sprintf(`
ephemeral "jenkins_user_api_token" "job" {
  for_each = toset(["build", "deploy"])
  user_id  = %[1]s
  name     = "%[3]s ${each.key}"
}

provider "jenkins" {
  alias      = "as_ci"
  server_url = %[2]s
  username   = %[1]s
  password   = ephemeral.jenkins_user_api_token.job["build"].token
}

data "jenkins_user_tokens" "during_plan" {
  provider   = jenkins.as_ci
  user_id    = %[1]s
  name_regex = "^%[3]s "
}

output "tokens_during_plan" {
  value = length(data.jenkins_user_tokens.during_plan.tokens)
}
`, acctest.Quote(admin), acctest.Quote(target.URL), prefix))
	out, code := w.run("plan", "-no-color")
	if code != 0 {
		t.Fatalf("terraform plan: exit %d\n%s", code, out)
	}
	if !regexp.MustCompile(`tokens_during_plan\s*=\s*2\b`).MatchString(out) {
		t.Errorf("the plan does not show the two tokens its ephemeral resources minted:\n%s", out)
	}
	for uuid, name := range target.TokenNames(t, admin) {
		if strings.HasPrefix(name, prefix+" ") {
			t.Errorf("after the plan Jenkins still holds token %s (%q)", uuid, name)
		}
	}
}
