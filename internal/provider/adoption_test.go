package provider

// Tests of adopting tokens made outside Terraform (import, terraform query), run with the real
// CLI where the behaviour is the CLI's: import blocks, saved plans, spellings of user IDs.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
)

// cliAt is a CLI workdir with this provider built for dev_overrides, on a CLI of at least
// major.minor (the test skips otherwise, saying why). OpenTofu's numbering is compared as is:
// a test of a feature OpenTofu lacks calls skipOnOpenTofu first.
func cliAt(t *testing.T, major, minor int, feature string) *cliWorkdir {
	t.Helper()
	return newCLIWorkdir(t, cliAtLeast(t, major, minor, feature), jenkinsProviderOverrides(t))
}

// cliAtLeast is the path of the CLI the tests use, Terraform or OpenTofu, when its version is at
// least major.minor (OpenTofu's numbering is compared as is); the test skips otherwise, saying why.
func cliAtLeast(t *testing.T, major, minor int, feature string) string {
	t.Helper()
	cli, version := cliVersion(t)
	var ma, mi int
	if _, err := fmt.Sscanf(version, "%d.%d", &ma, &mi); err != nil || ma < major || (ma == major && mi < minor) {
		t.Skipf("%s needs a CLI of version %d.%d or later; the CLI is %q", feature, major, minor, version)
	}
	return cli
}

// withAPIToken is target with a fresh API token of its admin as the password, so that script
// call counts are not blurred by crumb round trips.
func withAPIToken(t *testing.T, target *acctest.Target) *acctest.Target {
	t.Helper()
	w := *target
	w.Password = target.NewToken(t, target.Username, acctest.UniqueID("adoption")).Value
	return &w
}

// stateAttrs reads an attribute of every resource of a type in the workdir's state.
func stateAttrs(t *testing.T, w *cliWorkdir, typ, attr string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Type      string `json:"type"`
			Instances []struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range st.Resources {
		if r.Type != typ {
			continue
		}
		for _, in := range r.Instances {
			out = append(out, fmt.Sprint(in.Attributes[attr]))
		}
	}
	return out
}

// TestAccUserAPIToken_importOtherSpelling: tokens imported with another spelling of the owner's
// id (DAVE for Jenkins's dave) are stored as Jenkins spells the id, so a configuration written
// that way (as terraform query generates it) plans with no comparison: a plan of six imported
// tokens costs what it costs for tokens Terraform made, not one script call more per token.
func TestAccUserAPIToken_importOtherSpelling(t *testing.T) {
	target := acctest.Shared(t)
	target.RequireSim(t)
	w := cliAt(t, 1, 5, "import blocks")
	dave := acctest.UniqueID("dave")
	target.CreateUser(t, dave, "pw")
	const n = 6
	var cfg strings.Builder
	cfg.WriteString(requireJenkins + withAPIToken(t, target).ProviderBlock())
	for i := 0; i < n; i++ {
		tok := target.NewToken(t, dave, fmt.Sprintf("made by hand %d", i))
		fmt.Fprintf(&cfg, `
resource "jenkins_user_api_token" "t%[1]d" {
  user_id = %[2]s
  name    = "made by hand %[1]d"
}
import {
  to = jenkins_user_api_token.t%[1]d
  id = "%[3]s/%[4]s"
}
`, i, acctest.Quote(dave), strings.ToUpper(dave), tok.UUID)
	}
	w.write("main.tf", cfg.String())
	if out, code := w.run("apply", "-auto-approve", "-no-color"); code != 0 {
		t.Fatalf("terraform apply: exit %d\n%s", code, out)
	} else if !strings.Contains(out, fmt.Sprintf("%d imported", n)) {
		t.Fatalf("apply did not import the tokens:\n%s", out)
	}
	for _, got := range stateAttrs(t, w, "jenkins_user_api_token", "user_id") {
		if got != dave {
			t.Errorf("the state holds user_id %q, want Jenkins's spelling %q", got, dave)
		}
	}
	calls := scriptCalls(t, target, func() {
		if out, code := w.run("plan", "-detailed-exitcode", "-no-color"); code != 0 {
			t.Fatalf("the plan after the import is not empty (exit %d):\n%s", code, out)
		}
	})
	t.Logf("the plan made %d script calls", calls)
	// The refresh reads every token of the run in one batch; the version is read once.
	if calls > 2 {
		t.Errorf("a plan of %d imported tokens made %d script calls, want at most 2 (no per-token comparison of spellings)", n, calls)
	}
}

// TestAccUserAPIToken_importLegacyRefused: a legacy token is refused at import, naming the
// legacy cleanup. Adopted, it would be lost at the next restart (a user last saved before 2.129
// gets a new legacy UUID at every start) and the plan would then mint a new "Legacy Token"
// while the real one stays valid. Nothing is imported or created, and the token still works.
func TestAccUserAPIToken_importLegacyRefused(t *testing.T) {
	target := acctest.Shared(t)
	sim := target.RequireSim(t)
	w := cliAt(t, 1, 5, "import blocks")
	old := acctest.UniqueID("old")
	uuid, value, err := sim.LegacyUser(context.Background(), old, "pw")
	if err != nil {
		t.Fatal(err)
	}
	w.write("main.tf", requireJenkins+target.ProviderBlock()+fmt.Sprintf(`
resource "jenkins_user_api_token" "legacy" {
  user_id = %[1]s
  name    = "Legacy Token"
}
import {
  to = jenkins_user_api_token.legacy
  id = "%[2]s/%[3]s"
}
`, acctest.Quote(old), old, uuid))
	out, code := w.run("apply", "-auto-approve", "-no-color")
	if code == 0 {
		t.Fatalf("terraform apply imported a legacy token:\n%s", out)
	}
	for _, want := range []string{"Legacy API Token Cannot Be Imported", "jenkins_legacy_token_cleanup", "new UUID at every restart"} {
		if !regexp.MustCompile(wrappedText(want)).MatchString(out) {
			t.Errorf("the refusal lacks %q:\n%s", want, out)
		}
	}
	if names := target.TokenNames(t, old); len(names) != 1 {
		t.Errorf("%s holds %v after the refused import, want only the legacy token", old, names)
	}
	if code := whoAmIStatus(target.URL, old, value); code != 200 {
		t.Errorf("the legacy token answers HTTP %d after the refused import, want 200", code)
	}
}

// TestAccUserAPITokenList_leavesOutLegacy: `terraform query -generate-config-out` writes no
// import for a legacy token unless the query asks for legacy tokens, and then each comes with a
// warning that says why importing it is refused.
func TestAccUserAPITokenList_leavesOutLegacy(t *testing.T) {
	target := acctest.Shared(t)
	sim := target.RequireSim(t)
	skipOnOpenTofu(t, tofuLacksQuery)
	w := cliAt(t, 1, 14, "terraform query")
	old := acctest.UniqueID("old")
	legacyUUID, _, err := sim.LegacyUser(context.Background(), old, "pw")
	if err != nil {
		t.Fatal(err)
	}
	laptop := target.NewToken(t, old, "laptop")
	w.write("main.tf", requireJenkins+target.ProviderBlock())
	query := func(filter string) (string, string) {
		t.Helper()
		w.write("adopt.tfquery.hcl", fmt.Sprintf(`list "jenkins_user_api_token" "hand_made" {
  provider         = jenkins
  include_resource = true
  config {
    user_ids = [%s]
%s
  }
}
`, acctest.Quote(old), filter))
		_ = os.Remove(filepath.Join(w.dir, "adopted.tf"))
		out, code := w.run("query", "-generate-config-out=adopted.tf", "-no-color")
		if code != 0 {
			t.Fatalf("terraform query: exit %d\n%s", code, out)
		}
		generated, err := os.ReadFile(filepath.Join(w.dir, "adopted.tf"))
		if err != nil {
			t.Fatal(err)
		}
		return out, string(generated)
	}

	out, generated := query("")
	if !strings.Contains(generated, laptop.UUID) {
		t.Errorf("the generated configuration lacks the new token:\n%s", generated)
	}
	if strings.Contains(generated, legacyUUID) || strings.Contains(out, legacyUUID) {
		t.Errorf("a query that did not ask for legacy tokens lists one:\n%s\n%s", out, generated)
	}

	out, generated = query("    legacy = true")
	if !strings.Contains(generated, legacyUUID) || strings.Contains(generated, laptop.UUID) {
		t.Errorf("legacy = true should list the legacy token only:\n%s", generated)
	}
	if !regexp.MustCompile(`(?s)Legacy API Token Cannot Be Imported.*jenkins_legacy_token_cleanup`).MatchString(out) {
		t.Errorf("the query lists a legacy token without saying that importing it is refused:\n%s", out)
	}
}

// TestAccUserAPIToken_adoptionRevokedAfterPlan: a token_wo adoption planned with `plan -out`,
// the token revoked by hand before `apply`: the apply fails saying so and what to do, instead of
// Terraform's "inconsistent final plan ... bug in the provider"; the next apply creates the token
// with the value token_wo gives.
func TestAccUserAPIToken_adoptionRevokedAfterPlan(t *testing.T) {
	target := acctest.Shared(t)
	target.RequireSim(t)
	w := cliAt(t, 1, 11, "write-only attributes")
	gil := acctest.UniqueID("gil")
	target.CreateUser(t, gil, "pw")
	byHand := target.NewToken(t, gil, "made by hand")
	resourceHCL := func(extra string) string {
		return requireJenkins + target.ProviderBlock() + fmt.Sprintf(`
resource "jenkins_user_api_token" "t" {
  user_id = %s
  name    = "made by hand"
%s
}
`, acctest.Quote(gil), extra)
	}
	w.write("main.tf", resourceHCL(""))
	w.write("import.tf", fmt.Sprintf("import {\n  to = jenkins_user_api_token.t\n  id = \"%s/%s\"\n}\n", gil, byHand.UUID))
	if out, code := w.run("apply", "-auto-approve", "-no-color"); code != 0 {
		t.Fatalf("terraform apply (import): exit %d\n%s", code, out)
	}
	_ = os.Remove(filepath.Join(w.dir, "import.tf"))
	// The test's own value, not a secret: written to the configuration for brevity.
	w.write("main.tf", resourceHCL(fmt.Sprintf("  token_wo         = %q\n  token_wo_version = 1", byHand.Value)))
	if out, code := w.run("plan", "-out=adopt.tfplan", "-no-color"); code != 0 {
		t.Fatalf("terraform plan: exit %d\n%s", code, out)
	} else if !strings.Contains(out, "1 to change, 0 to destroy") {
		t.Fatalf("the plan does not adopt the token in place:\n%s", out)
	}
	target.Script(t, `
import jenkins.security.ApiTokenProperty
User.getById(P.user, false).getProperty(ApiTokenProperty).revokeToken(P.uuid)
emit([:])
`, map[string]string{"user": gil, "uuid": byHand.UUID}, nil)

	out, code := w.run("apply", "-no-color", "adopt.tfplan")
	if code == 0 {
		t.Fatalf("applying the adoption of a revoked token succeeded:\n%s", out)
	}
	if strings.Contains(out, "inconsistent final plan") {
		t.Errorf("the apply reports an inconsistent plan (a provider bug, to the user):\n%s", out)
	}
	if !regexp.MustCompile(`(?s)Imported Token Revoked After the Plan.*` + wrappedText("Run terraform apply again")).MatchString(out) {
		t.Errorf("the apply does not say the token was revoked after the plan and to apply again:\n%s", out)
	}
	if out, code := w.run("apply", "-auto-approve", "-no-color"); code != 0 {
		t.Fatalf("terraform apply again: exit %d\n%s", code, out)
	}
	if code := whoAmIStatus(target.URL, gil, byHand.Value); code != 200 {
		t.Errorf("after applying again, token_wo's value answers HTTP %d, want 200", code)
	}
}

// TestAccUserAPITokenList_unknownUserInItsOwnWords: a query naming a user Jenkins does not have
// fails on the attribute that names them, in words about listing, not the create's ("before a
// token can be created").
func TestAccUserAPITokenList_unknownUserInItsOwnWords(t *testing.T) {
	target := acctest.Shared(t)
	target.RequireSim(t)
	skipOnOpenTofu(t, tofuLacksQuery)
	w := cliAt(t, 1, 14, "terraform query")
	kit := acctest.UniqueID("kit")
	target.CreateUser(t, kit, "pw")
	ghost := "no-such-" + kit
	w.write("main.tf", requireJenkins+target.ProviderBlock())
	for _, c := range []struct{ attr, value string }{
		{"user_ids", "[" + acctest.Quote(kit) + ", " + acctest.Quote(ghost) + "]"},
		{"user_id", acctest.Quote(ghost)},
	} {
		w.write("q.tfquery.hcl", fmt.Sprintf("list \"jenkins_user_api_token\" \"q\" {\n  provider = jenkins\n  config {\n    %s = %s\n  }\n}\n", c.attr, c.value))
		out, code := w.run("query", "-no-color")
		if code == 0 {
			t.Fatalf("%s: terraform query with an unknown user succeeded:\n%s", c.attr, out)
		}
		// Terraform 1.14 shows the attribute's line. Terraform 1.16 resolves a list's diagnostic
		// path no deeper than the config block and shows its first line (measured with 1.16.4;
		// config.user_ids and config[0].user_ids alike), so there the detail naming the attribute
		// is what points at it.
		subject := regexp.QuoteMeta(c.attr) + ` = `
		if _, v := cliVersion(t); !strings.HasPrefix(v, "1.14.") {
			subject = `(?:` + subject + `|\d+:\s+config \{)`
		}
		want := `(?s)Unknown Jenkins User.*` + subject + `.*` + wrappedText(`Jenkins has no user "`+ghost+`", so the query has no tokens of theirs to list`) +
			`.*` + wrappedText("Check the spelling in "+c.attr)
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("%s: the error is not on the attribute, in the list's words:\n%s", c.attr, out)
		}
		if strings.Contains(out, "before a token can be created") {
			t.Errorf("%s: the list's error reuses the create's words:\n%s", c.attr, out)
		}
	}
}
