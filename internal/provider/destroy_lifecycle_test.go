package provider

// Tests of what happens to tokens when Terraform destroys or forgets something: offboarding by a
// before_destroy action trigger (Terraform 1.16+), and handing a token over without revoking it
// (removed blocks, Terraform 1.7+ and OpenTofu; `lifecycle { destroy = false }`, Terraform 1.16+
// and OpenTofu 1.12+). Each scenario under examples/scenarios/ is applied as written, with the
// CLI itself: the behaviour under test is the CLI's.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// scenario reads examples/scenarios/<name>/main.tf as written.
func scenario(t *testing.T, name string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "examples", "scenarios", name, "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	return string(src)
}

// stateAddrs lists the workdir state's resource instance addresses (`terraform state list`).
func stateAddrs(t *testing.T, w *cliWorkdir) string {
	t.Helper()
	out, code := w.run("state", "list")
	if code != 0 && !strings.Contains(out, "No state file") {
		t.Fatalf("state list: exit %d\n%s", code, out)
	}
	return out
}

// expectStatus fails the test unless each token answers whoAmI with want.
func expectStatus(t *testing.T, target *acctest.Target, user string, want int, when string, toks ...acctest.FixtureToken) {
	t.Helper()
	for _, tok := range toks {
		if code := whoAmIStatus(target.URL, user, tok.Value); code != want {
			t.Errorf("%s: %s's token %s answers HTTP %d, want %d", when, user, tok.UUID, code, want)
		}
	}
}

// TestAccScenarioOffboardOnDestroy applies examples/scenarios/offboard-on-destroy as written:
// deleting bob's entry from var.employees revokes every token he holds in the same apply, and
// leaves amy's. A revocation that fails (Jenkins answers 500 to every script) stops the apply
// with bob still in the state and his tokens still valid; the next apply revokes them. That
// retry is why the trigger is before_destroy with on_failure = halt: with after_destroy (or
// on_failure = continue) the failed apply has already forgotten bob, and the last check fails.
func TestAccScenarioOffboardOnDestroy(t *testing.T) {
	skipOnOpenTofu(t, tofuLacksActions)
	cli := cliAtLeast(t, 1, 16, "before_destroy action triggers")
	target := ownSim(t, jenkinssim.Options{}) // faults below must not reach other tests
	w := newCLIWorkdir(t, cli, jenkinsProviderOverrides(t))
	amy, bob := acctest.UniqueID("amy"), acctest.UniqueID("bob")
	target.CreateUser(t, amy, "pw")
	target.CreateUser(t, bob, "pw")
	amyTokens := []acctest.FixtureToken{target.NewToken(t, amy, "laptop")}
	bobTokens := []acctest.FixtureToken{target.NewToken(t, bob, "laptop"), target.NewToken(t, bob, "ci"), target.NewLegacyToken(t, bob)}

	w.write("main.tf", requireJenkins+target.ProviderBlock()+stripTopLevelBlocks(scenario(t, "offboard-on-destroy")))
	employees := func(ids ...string) {
		m := map[string]map[string]string{}
		for _, id := range ids {
			m[id] = map[string]string{"team": "platform"}
		}
		b, err := json.Marshal(map[string]any{"employees": m})
		if err != nil {
			t.Fatal(err)
		}
		w.write("terraform.tfvars.json", string(b))
	}

	employees(amy, bob)
	if out, code := w.run("apply", "-auto-approve", "-no-color"); code != 0 {
		t.Fatalf("apply with amy and bob: exit %d\n%s", code, out)
	}
	expectStatus(t, target, bob, http.StatusOK, "after joining", bobTokens...)

	// Bob leaves; Jenkins fails every script between the plan and the apply.
	employees(amy)
	out, code := w.run("plan", "-out=bob-left.tfplan", "-no-color")
	if code != 0 {
		t.Fatalf("plan without bob: exit %d\n%s", code, out)
	}
	for _, want := range []string{fmt.Sprintf("terraform_data.employee[%q] will be destroyed", bob), "action.jenkins_revoke_tokens.offboard"} {
		if !strings.Contains(out, want) {
			t.Errorf("the plan lacks %q:\n%s", want, out)
		}
	}
	ctx := context.Background()
	if err := target.Sim.SetFault(ctx, jenkinssim.Fault{Path: "/scriptText", Mode: "status", Status: http.StatusInternalServerError, Count: 1000}); err != nil {
		t.Fatal(err)
	}
	out, code = w.run("apply", "-no-color", "bob-left.tfplan")
	if err := target.Sim.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}
	if code == 0 {
		t.Errorf("the apply succeeded although Jenkins failed the revocation:\n%s", out)
	}
	if !strings.Contains(stateAddrs(t, w), fmt.Sprintf("terraform_data.employee[%q]", bob)) {
		t.Errorf("after the failed revocation bob is no longer in the state, so no later apply revokes his tokens:\n%s", out)
	}
	expectStatus(t, target, bob, http.StatusOK, "after the failed apply", bobTokens...)

	// Jenkins is back: the next apply revokes bob's tokens, then forgets him.
	if out, code := w.run("apply", "-auto-approve", "-no-color"); code != 0 {
		t.Fatalf("apply after Jenkins came back: exit %d\n%s", code, out)
	} else if !strings.Contains(out, "Revoked 3 API token(s) of 1 user(s)") {
		t.Errorf("the apply does not report the revocation of bob's three tokens:\n%s", out)
	}
	if strings.Contains(stateAddrs(t, w), bob) {
		t.Error("bob is still in the state after the apply that revoked his tokens")
	}
	expectStatus(t, target, bob, http.StatusUnauthorized, "after offboarding", bobTokens...)
	expectStatus(t, target, amy, http.StatusOK, "after bob's offboarding", amyTokens...)
}

// commentedBlock is the HCL a scenario shows in its comments, indented by "#   ", uncommented.
func commentedBlock(src string) string {
	var b strings.Builder
	for _, line := range strings.Split(src, "\n") {
		if rest, ok := strings.CutPrefix(line, "#   "); ok {
			b.WriteString(rest + "\n")
		}
	}
	return b.String()
}

// TestAccScenarioHandOverToken applies examples/scenarios/hand-over-token as written: the token
// its comment shows as managed until now, then the removed block with destroy = false. The
// apply forgets the token and it still logs in. Deleting the resource block without the removed
// block (the control) revokes it, which is what makes the check able to fail.
func TestAccScenarioHandOverToken(t *testing.T) {
	target := acctest.Shared(t)
	src := scenario(t, "hand-over-token")
	before := commentedBlock(src)
	if !strings.Contains(before, `resource "jenkins_user_api_token" "deploy"`) {
		t.Fatalf("the scenario's comment no longer shows the managed token:\n%s", before)
	}
	for _, handOver := range []bool{true, false} {
		name := map[bool]string{true: "removed block", false: "resource block deleted (control)"}[handOver]
		t.Run(name, func(t *testing.T) {
			w := cliAt(t, 1, 7, "removed blocks")
			svc := acctest.UniqueID("svc-deploy")
			target.CreateUser(t, svc, "pw")
			w.write("main.tf", requireJenkins+target.ProviderBlock()+strings.ReplaceAll(before, `"svc-deploy"`, acctest.Quote(svc)))
			if out, code := w.run("apply", "-auto-approve", "-no-color"); code != 0 {
				t.Fatalf("apply of the managed token: exit %d\n%s", code, out)
			}
			var tok acctest.FixtureToken
			for key, value := range stateTokens(t, w.dir) {
				tok = acctest.FixtureToken{UUID: strings.TrimPrefix(key, svc+"/"), Value: value}
			}
			expectStatus(t, target, svc, http.StatusOK, "while managed", tok)

			after := requireJenkins + target.ProviderBlock()
			if handOver {
				after += stripTopLevelBlocks(src)
			}
			w.write("main.tf", after)
			out, code := w.run("apply", "-auto-approve", "-no-color")
			if code != 0 {
				t.Fatalf("apply: exit %d\n%s", code, out)
			}
			if len(stateTokens(t, w.dir)) != 0 {
				t.Errorf("the token is still in the state:\n%s", out)
			}
			if handOver {
				// Terraform's wording, then OpenTofu's.
				if !strings.Contains(out, "will no longer be managed by") && !strings.Contains(out, "will not be destroyed") {
					t.Errorf("the apply does not say the token is no longer managed:\n%s", out)
				}
				expectStatus(t, target, svc, http.StatusOK, "after the hand-over", tok)
				if _, ok := target.TokenNames(t, svc)[tok.UUID]; !ok {
					t.Errorf("Jenkins no longer lists the handed-over token %s", tok.UUID)
				}
			} else {
				expectStatus(t, target, svc, http.StatusUnauthorized, "after deleting the resource block", tok)
			}
		})
	}
}

// TestAccUserAPIToken_lifecycleDestroyFalse: with `lifecycle { destroy = false }` (Terraform
// 1.16+, OpenTofu 1.12+) a token whose for_each entry is removed is forgotten, not revoked, and
// so is the old token of a replacement (a rotation leaves the previous token valid: the docs
// warn about it). Deleting the whole resource block differs: OpenTofu records destroy = false in
// the state and forgets the tokens; Terraform 1.16 reads it only from the configuration, which
// is gone, and revokes them.
func TestAccUserAPIToken_lifecycleDestroyFalse(t *testing.T) {
	target := acctest.Shared(t)
	var w *cliWorkdir
	if onOpenTofu() {
		w = cliAt(t, 1, 12, "lifecycle { destroy = false } (OpenTofu 1.12+)")
	} else {
		w = cliAt(t, 1, 16, "lifecycle { destroy = false } (Terraform 1.16+)")
	}
	svc := acctest.UniqueID("svc")
	target.CreateUser(t, svc, "pw")
	config := func(triggers string, keys ...string) string {
		return requireJenkins + target.ProviderBlock() + fmt.Sprintf(`
resource "jenkins_user_api_token" "pipeline" {
  for_each          = toset([%s])
  user_id           = %s
  name              = each.key
  rotation_triggers = { build = %q }

  lifecycle {
    destroy = false
  }
}
`, quoteAll(keys), acctest.Quote(svc), triggers)
	}
	tokenOf := func(name string) acctest.FixtureToken {
		t.Helper()
		names := target.TokenNames(t, svc)
		for key, value := range stateTokens(t, w.dir) {
			uuid := strings.TrimPrefix(key, svc+"/")
			if names[uuid] == name {
				return acctest.FixtureToken{UUID: uuid, Value: value}
			}
		}
		t.Fatalf("no token named %q in the state", name)
		return acctest.FixtureToken{}
	}
	apply := func(cfg, what string) string {
		t.Helper()
		w.write("main.tf", cfg)
		out, code := w.run("apply", "-auto-approve", "-no-color")
		if code != 0 {
			t.Fatalf("apply (%s): exit %d\n%s", what, code, out)
		}
		return out
	}

	apply(config("1", "build", "deploy", "nightly"), "three tokens")
	build, deploy := tokenOf("build"), tokenOf("deploy")

	// An entry removed from for_each: forgotten, still valid.
	apply(config("1", "build", "nightly"), "deploy removed")
	expectStatus(t, target, svc, http.StatusOK, "deploy removed from for_each", deploy)
	if len(stateTokens(t, w.dir)) != 2 {
		t.Errorf("the state holds %d tokens, want 2", len(stateTokens(t, w.dir)))
	}

	// A replacement (of both tokens): the new tokens are created, the old ones forgotten, not
	// revoked.
	apply(config("2", "build", "nightly"), "rotation")
	expectStatus(t, target, svc, http.StatusOK, "the replaced token, destroy = false", build)
	if tokenOf("build").UUID == build.UUID {
		t.Error("the rotation did not replace the token")
	}

	// The resource block deleted: what happens to the tokens in the state now.
	nightly := tokenOf("nightly")
	apply(requireJenkins+target.ProviderBlock(), "resource block deleted")
	if n := len(stateTokens(t, w.dir)); n != 0 {
		t.Errorf("the state still holds %d token(s) after the resource block was deleted", n)
	}
	if onOpenTofu() {
		expectStatus(t, target, svc, http.StatusOK, "block deleted, OpenTofu", nightly)
	} else {
		expectStatus(t, target, svc, http.StatusUnauthorized, "block deleted, Terraform", nightly)
	}
}
