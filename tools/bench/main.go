// Command bench measures what a full refresh of many jenkins_user_api_token resources costs, with
// and without batched reads (`make bench`). It builds the provider, starts the Jenkins simulator,
// creates N tokens across M users with `terraform apply`, then times `terraform plan` with each
// script-console call made 50 ms slower (the simulator's delay fault, standing in for the Groovy
// compile a real Jenkins does per call), reading the script-call counts from /__sim/stats. The
// apply and the final `terraform destroy` are timed and counted too (batched writes); -provider
// measures a provider built elsewhere (another commit) the same way.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

func main() {
	tokens := flag.Int("tokens", 1000, "number of managed tokens (N)")
	users := flag.Int("users", 100, "number of users holding them (M)")
	delay := flag.Duration("script-delay", 50*time.Millisecond, "simulated cost of one script-console call")
	terraform := flag.String("terraform", "terraform", "Terraform or OpenTofu CLI")
	window := flag.String("window", "", "read_batch_window of the batched run (empty: the provider's default)")
	flag.StringVar(&prebuilt, "provider", "", "a provider binary to measure instead of building this one")
	flag.BoolVar(&writesOnly, "writes-only", false, "measure the apply and the destroy only, not the plans")
	flag.Parse()
	if err := run(*tokens, *users, *delay, *terraform, *window); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

var (
	prebuilt   string
	writesOnly bool
)

func run(n, m int, delay time.Duration, terraform, window string) error {
	if n < 1 || m < 1 {
		return fmt.Errorf("need at least one token and one user")
	}
	dir, err := os.MkdirTemp("", "jenkins-bench-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()

	bin := filepath.Join(dir, "terraform-provider-jenkins")
	if prebuilt != "" {
		step("using the provider " + prebuilt)
		b, err := os.ReadFile(prebuilt) //nolint:gosec // the binary the user chose with -provider
		if err != nil {
			return err
		}
		if err := os.WriteFile(bin, b, 0o700); err != nil { //nolint:gosec // an executable in our own temp dir
			return err
		}
	} else {
		step("building the provider")
		build := exec.Command("go", "build", "-o", bin, ".") //nolint:gosec // our own temp dir
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("go build: %v\n%s", err, out)
		}
	}

	step("starting the Jenkins simulator")
	ctx := context.Background()
	sim, err := jenkinssim.Start(ctx, jenkinssim.Options{})
	if err != nil {
		return err
	}
	defer func() { _ = sim.Close() }()

	// The provider authenticates with an admin API token, as the docs advise (no crumbs).
	_, adminToken, err := sim.NewAPIToken(ctx, sim.AdminUser, "bench")
	if err != nil {
		return err
	}
	if _, err := sim.ScriptArgs(ctx, `
def realm = Jenkins.get().getSecurityRealm()
for (int i = 0; i < (params.users as int); i++) { realm.createAccount('bench-user-' + i, 'pw') }
`, map[string]any{"users": m}); err != nil {
		return fmt.Errorf("creating users: %w", err)
	}

	if err := writeConfig(dir, n, m); err != nil {
		return err
	}
	env := append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+filepath.Join(dir, "dev.tfrc"),
		"JENKINS_URL="+sim.URL, "JENKINS_USERNAME="+sim.AdminUser, "JENKINS_PASSWORD="+adminToken,
		"TF_IN_AUTOMATION=1")
	tf := func(args ...string) (time.Duration, error) {
		cmd := exec.Command(terraform, args...) //nolint:gosec // the CLI the user chose with -terraform
		cmd.Dir, cmd.Env = dir, env
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			return 0, fmt.Errorf("%s %s: %v\n%s", terraform, strings.Join(args, " "), err, tail(string(out), 40))
		}
		return time.Since(start), nil
	}

	// counted runs the CLI with args and returns its script calls and wall time.
	counted := func(args ...string) (int, time.Duration, error) {
		if err := sim.ResetStats(ctx); err != nil {
			return 0, 0, err
		}
		d, err := tf(args...)
		if err != nil {
			return 0, 0, err
		}
		stats, err := sim.Stats(ctx)
		return stats["scriptText"], d, err
	}
	step(fmt.Sprintf("terraform apply: %d tokens across %d users", n, m))
	applyCalls, applyTime, err := counted("apply", "-auto-approve", "-no-color", "-input=false")
	if err != nil {
		return err
	}
	fmt.Printf("apply of %d creates: %d script calls, %.1f s\n", n, applyCalls, applyTime.Seconds())
	destroy := func() error {
		step(fmt.Sprintf("terraform destroy: %d tokens", n))
		c, d, err := counted("destroy", "-auto-approve", "-no-color", "-input=false")
		if err != nil {
			return err
		}
		fmt.Printf("destroy of %d tokens: %d script calls, %.1f s\n", n, c, d.Seconds())
		return nil
	}
	if writesOnly {
		return destroy()
	}

	if err := sim.SetFault(ctx, jenkinssim.Fault{Path: "/scriptText", Mode: "delay", DelayMS: int(delay / time.Millisecond)}); err != nil {
		return err
	}
	plan := func(window string, extra ...string) (int, time.Duration, error) {
		if err := sim.ResetStats(ctx); err != nil {
			return 0, 0, err
		}
		d, err := tf(append([]string{"plan", "-no-color", "-input=false", "-detailed-exitcode", "-var", "batch_window=" + window}, extra...)...)
		if err != nil {
			return 0, 0, err
		}
		stats, err := sim.Stats(ctx)
		return stats["scriptText"], d, err
	}
	step("terraform plan -refresh=false: Terraform's own cost, no reads")
	c0, t0, err := plan("", "-refresh=false")
	if err != nil {
		return err
	}
	fmt.Printf("plan without refresh: %d script calls, %.1f s\n", c0, t0.Seconds())
	step("terraform plan, batched reads (read_batch_window = " + or(window, "default") + ")")
	c1, t1, err := plan(window)
	if err != nil {
		return err
	}
	step("terraform plan, batching off (read_batch_window = 0s)")
	c2, t2, err := plan("0s")
	if err != nil {
		return err
	}
	// Terraform's own cost of planning N resources is the same in both runs and is no part of
	// what batching can save; say how much of each run is above it.
	fmt.Printf("above Terraform's own plan cost (%.1f s): batched %.1f s, per-resource %.1f s\n",
		t0.Seconds(), (t1 - t0).Seconds(), (t2 - t0).Seconds())
	fmt.Printf("refresh %d tokens / %d users: batched %d script calls, %.1f s; per-resource %d script calls, %.1f s; speedup %.1fx\n",
		n, m, c1, t1.Seconds(), c2, t2.Seconds(), t2.Seconds()/t1.Seconds())
	if err := sim.ClearFaults(ctx); err != nil {
		return err
	}
	return destroy()
}

// writeConfig writes the dev_overrides CLI config and N tokens spread over M users. An empty
// batch_window leaves the provider's default.
func writeConfig(dir string, n, m int) error {
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"jenkins-access/jenkins\" = %q\n  }\n  direct {}\n}\n", dir)
	if err := os.WriteFile(filepath.Join(dir, "dev.tfrc"), []byte(rc), 0o600); err != nil {
		return err
	}
	// The tokens are written out one per line: Terraform's range() stops at 1,024 values.
	var tokens strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&tokens, "    t%05d = \"bench-user-%d\"\n", i, i%m)
	}
	tf := fmt.Sprintf(`terraform {
  required_providers {
    jenkins = { source = "jenkins-access/jenkins" }
  }
}

variable "batch_window" {
  type    = string
  default = ""
}

provider "jenkins" {
  read_batch_window = var.batch_window == "" ? null : var.batch_window
}

locals {
  tokens = {
%s  }
}

resource "jenkins_user_api_token" "t" {
  for_each = local.tokens
  user_id  = each.value
  name     = each.key
}
`, tokens.String())
	return os.WriteFile(filepath.Join(dir, "main.tf"), []byte(tf), 0o600)
}

func or(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}

func step(s string) { fmt.Println("==> " + s) }

func tail(s string, lines int) string {
	parts := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	return strings.Join(parts, "\n")
}
