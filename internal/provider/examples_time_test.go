package provider

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
)

// timeProviderVersion is the hashicorp/time release the rotating-token example is tested with,
// built from the Go module proxy (no registry download is reachable from our machines).
const timeProviderVersion = "v0.14.2"

// buildTimeProvider builds hashicorp/time into a directory for dev_overrides, in its module
// directory as its own go.mod wants (about 15 s; Go's build cache makes later runs quick).
func buildTimeProvider(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "mod", "download", "-json", "github.com/hashicorp/terraform-provider-time@"+timeProviderVersion).Output()
	if err != nil {
		t.Fatalf("downloading hashicorp/time %s from the Go module proxy: %v", timeProviderVersion, err)
	}
	var mod struct{ Dir string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		t.Fatalf("go mod download answered %q: %v", out, err)
	}
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-time"), ".")
	build.Dir = mod.Dir
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building hashicorp/time %s: %v\n%s", timeProviderVersion, err, out)
	}
	return bin
}

// TestAccExampleRotatingTokenWithHashicorpTime applies examples/scenarios/rotating-token as a
// user would, with hashicorp/time built from the module proxy: the token is created with its
// expiration date derived from time_rotating, logs in, and the next plan is empty.
// (TestAccExamples plans the examples that need only this provider.)
func TestAccExampleRotatingTokenWithHashicorpTime(t *testing.T) {
	target := acctest.Shared(t)
	target.RequireSim(t)
	cli, _ := cliVersion(t)
	target.CreateUser(t, "deployer", "pw")
	src, err := os.ReadFile(filepath.Join("..", "..", "examples", "scenarios", "rotating-token", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	overrides := jenkinsProviderOverrides(t)
	overrides[registryHost()+"/hashicorp/time"] = buildTimeProvider(t)
	w := newCLIWorkdir(t, cli, overrides)
	w.env = []string{"JENKINS_URL=" + target.URL, "JENKINS_USERNAME=" + target.Username, "JENKINS_PASSWORD=" + target.Password}
	w.write("main.tf", string(src))
	if out, code := w.run("apply", "-auto-approve", "-no-color"); code != 0 {
		t.Fatalf("terraform apply of the rotating-token example: exit %d\n%s", code, out)
	}
	value, code := w.run("output", "-raw", "deployer_token")
	if code != 0 || !tokenValuePattern.MatchString(value) {
		t.Fatalf("the example's token output is not a token value (exit %d)", code)
	}
	if status := whoAmIStatus(target.URL, "deployer", value); status != 200 {
		t.Errorf("the rotating token answers HTTP %d, want 200", status)
	}
	if out, code := w.run("plan", "-detailed-exitcode", "-no-color"); code != 0 {
		t.Errorf("the plan after apply is not empty (exit %d):\n%s", code, out)
	}
	if out, code := w.run("destroy", "-auto-approve", "-no-color"); code != 0 {
		t.Errorf("terraform destroy: exit %d\n%s", code, out)
	}
	if status := whoAmIStatus(target.URL, "deployer", value); status != 401 {
		t.Errorf("after destroy the token answers HTTP %d, want 401", status)
	}
}
