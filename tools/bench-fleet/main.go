// Command bench-fleet measures the offboarding of one user across a fleet of controllers
// (`make bench-fleet`): the examples/scenarios/offboard-fleet configuration, as written, over
// -controllers simulated controllers in one JVM (one of them down, one at Jenkins 2.541 without
// expiration dates, one a CloudBees CI operations center), each script-console call made
// -script-delay slower (the Groovy compile a real Jenkins does per call). Side by side in the same
// run, the same configuration over one controller. It prints the plan times (median of -runs), the
// script calls per controller, and what the apply did: the revocations, the instance that fails
// (one controller answers 500 to every script during the apply), the unreachable one, and whether
// the plan after the retry is empty.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

type config struct {
	controllers int
	runs        int
	delay       time.Duration
	terraform   string
}

func main() {
	var c config
	flag.IntVar(&c.controllers, "controllers", 40, "controllers in the fleet")
	flag.IntVar(&c.runs, "runs", 3, "plans timed per configuration (the median is printed)")
	flag.DurationVar(&c.delay, "script-delay", 50*time.Millisecond, "simulated cost of one script-console call")
	flag.StringVar(&c.terraform, "terraform", "terraform", "Terraform or OpenTofu CLI")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "bench-fleet:", err)
		os.Exit(1)
	}
}

// Roles in the fleet, by index.
const (
	oldJenkins       = 1 // Jenkins 2.541: no expiration dates
	operationsCenter = 2
	unreachable      = 3 // down for the whole run
	failing          = 4 // answers 500 to every script during the first apply
	minControllers   = 5
)

const leaver, colleague = "bob", "amy"

func run(c config) error {
	if c.controllers < minControllers || c.runs < 1 {
		return fmt.Errorf("need -controllers >= %d and -runs >= 1", minControllers)
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "jenkins-bench-fleet-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	step("building the provider")
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-jenkins"), ".") //nolint:gosec // our own temp dir
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"jenkins-access/jenkins\" = %q\n  }\n  direct {}\n}\n", dir)
	if err := os.WriteFile(filepath.Join(dir, "dev.tfrc"), []byte(rc), 0o600); err != nil {
		return err
	}
	scenario, err := os.ReadFile(filepath.Join("examples", "scenarios", "offboard-fleet", "main.tf"))
	if err != nil {
		return err
	}

	step(fmt.Sprintf("starting %d simulated controllers in one JVM, and one more in another", c.controllers))
	const password = "bench-fleet-admin"
	opts := make([]jenkinssim.Options, c.controllers)
	for i := range opts {
		opts[i] = jenkinssim.Options{AdminPassword: password}
	}
	opts[oldJenkins].Version = "2.541"
	opts[operationsCenter].Plugins = []string{"operations-center-server"}
	started := time.Now()
	sctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	fleet, err := jenkinssim.StartFleet(sctx, opts)
	cancel()
	if err != nil {
		return err
	}
	defer func() { _ = fleet.Close() }()
	fleetStart := time.Since(started)
	sctx, cancel = context.WithTimeout(ctx, 2*time.Minute)
	single, err := jenkinssim.StartFleet(sctx, []jenkinssim.Options{{AdminPassword: password}})
	cancel()
	if err != nil {
		return err
	}
	defer func() { _ = single.Close() }()

	step("giving the admin one API token on every controller, bob two (and a legacy one on every fifth), amy one")
	// The provider logs in with an API token, as recommended: requests then need no CSRF crumb,
	// so every script call counted is a script Jenkins ran.
	credential, err := newTokenValue()
	if err != nil {
		return err
	}
	legacy := 0
	for i, s := range append(append([]*jenkinssim.Sim{}, fleet.Controllers...), single.Controllers...) {
		// Jenkins 2.548 added the expiration date to addFixedNewToken.
		out, err := s.ScriptWithFields(ctx, `def v = org.kohsuke.stapler.Stapler.getCurrentRequest2().getParameter('credential')
def admin = hudson.model.User.getById('admin', false)
def store = admin.getProperty(jenkins.security.ApiTokenProperty).getTokenStore()
if (store.metaClass.respondsTo(store, 'addFixedNewToken', String, String, java.time.LocalDate)) {
    store.addFixedNewToken('bench', v, null)
} else {
    store.addFixedNewToken('bench', v)
}
admin.save()
print('credential added')`, url.Values{"credential": {credential}})
		if err != nil {
			return err
		}
		if !strings.Contains(out, "credential added") {
			return fmt.Errorf("adding the admin's API token: %.300s", out)
		}
		for _, u := range []string{leaver, colleague} {
			if err := s.CreateUser(ctx, u, "pw-"+u+"-12345"); err != nil {
				return err
			}
		}
		for _, name := range []string{"laptop", "ci"} {
			if _, _, err := s.NewAPIToken(ctx, leaver, name); err != nil {
				return err
			}
		}
		if _, _, err := s.NewAPIToken(ctx, colleague, "laptop"); err != nil {
			return err
		}
		if i%5 == 0 && i < c.controllers {
			if _, err := s.Script(ctx, `def u = hudson.model.User.getById('`+leaver+`', false)
u.getProperty(jenkins.security.ApiTokenProperty).changeApiToken()
u.save()`); err != nil {
				return err
			}
			legacy++
		}
		if err := s.SetFault(ctx, jenkinssim.Fault{Path: "/scriptText", Mode: "delay", DelayMS: int(c.delay / time.Millisecond)}); err != nil {
			return err
		}
	}
	if err := fleet.Controllers[unreachable].SetReachable(ctx, false); err != nil {
		return err
	}

	many := workspace{dir: filepath.Join(dir, "fleet"), c: c, rc: filepath.Join(dir, "dev.tfrc"), password: credential}
	one := workspace{dir: filepath.Join(dir, "single"), c: c, rc: many.rc, password: credential}
	if err := many.write(scenario, fleet.Controllers); err != nil {
		return err
	}
	if err := one.write(scenario, single.Controllers); err != nil {
		return err
	}

	step(fmt.Sprintf("timing terraform plan, %d runs each, one controller and %d, alternated", c.runs, c.controllers))
	var tOne, tMany []time.Duration
	var callsMany, callsOne []int
	for r := 0; r < c.runs; r++ {
		d, calls, err := one.plan(ctx, single.Controllers)
		if err != nil {
			return err
		}
		tOne = append(tOne, d)
		callsOne = calls
		d, calls, err = many.plan(ctx, fleet.Controllers)
		if err != nil {
			return err
		}
		tMany = append(tMany, d)
		callsMany = calls
	}
	maxCalls := 0
	for i, n := range callsMany {
		if i != unreachable && n > maxCalls {
			maxCalls = n
		}
	}

	step("terraform apply, with one controller failing every script")
	// One fault applies to a request: this one replaces the controller's delay.
	if err := fleet.Controllers[failing].ClearFaults(ctx); err != nil {
		return err
	}
	if err := fleet.Controllers[failing].SetFault(ctx, jenkinssim.Fault{Path: "/scriptText", Mode: "status", Status: http.StatusInternalServerError, Count: 100000,
		// Through: the fleet view and the cleanup's listing at plan and when the apply plans
		// again; failed: the cleanup's selection and revocation in the apply.
		Skip: 3}); err != nil {
		return err
	}
	applyStart := time.Now()
	applyOut, applyCode := many.cli(ctx, "apply", "-auto-approve", "-no-color")
	applyTook := time.Since(applyStart)
	if err := fleet.Controllers[failing].ClearFaults(ctx); err != nil {
		return err
	}
	revokedOn := 0
	for i, s := range fleet.Controllers {
		if i == unreachable || i == failing {
			continue
		}
		names, err := tokenCount(ctx, s)
		if err != nil {
			return err
		}
		if names == 0 {
			revokedOn++
		}
	}
	failure := firstError(applyOut)
	report, code := many.cli(ctx, "output", "-raw", "report")
	if code != 0 {
		// The view after the cleanups depends on every cleanup: one failed, so it was not read.
		report = "(none: the view after the cleanups waits for all of them, and one failed)"
	}

	step("terraform apply again once the failing controller is back, then terraform plan")
	again, code := many.cli(ctx, "apply", "-auto-approve", "-no-color")
	if code != 0 {
		return fmt.Errorf("second apply: exit %d\n%s", code, again)
	}
	final, _ := many.cli(ctx, "output", "-raw", "report")
	planOut, planCode := many.cli(ctx, "plan", "-detailed-exitcode", "-no-color")

	fmt.Println()
	fmt.Printf("Offboarding %q over %d simulated controllers (one JVM, started in %s), %s per script call, %s:\n",
		leaver, c.controllers, fleetStart.Round(100*time.Millisecond), c.delay, version(c.terraform))
	fmt.Printf("  controllers: #%d at Jenkins 2.541, #%d an operations center, #%d down, #%d failing during the apply; %d legacy tokens\n",
		oldJenkins, operationsCenter, unreachable, failing, legacy)
	fmt.Println()
	fmt.Println("| | 1 controller | " + fmt.Sprint(c.controllers) + " controllers | ratio |")
	fmt.Println("|---|---|---|---|")
	mo, mm := median(tOne), median(tMany)
	fmt.Printf("| terraform plan (median of %d) | %s | %s | %.2fx |\n", c.runs, mo.Round(10*time.Millisecond), mm.Round(10*time.Millisecond), float64(mm)/float64(mo))
	fmt.Printf("| script calls per controller in a plan (most) | %d | %d | |\n", callsOne[0], maxCalls)
	fmt.Printf("script calls per controller in the last plan: %v\n", callsMany)
	fmt.Println()
	fmt.Printf("apply (%s, exit %d): revoked on %d of %d controllers; the failing one: %s\n", applyTook.Round(100*time.Millisecond), applyCode, revokedOn,
		c.controllers-2, failure)
	fmt.Printf("report after the apply: %s\n", report)
	fmt.Printf("report after the second apply: %s\n", final)
	fmt.Printf("plan after that: exit %d (0: no changes)\n", planCode)
	if planCode != 0 {
		fmt.Println(planOut)
	}
	return nil
}

// workspace is a Terraform working directory with the scenario and its variables.
type workspace struct {
	dir, rc, password string
	c                 config
}

func (w workspace) write(scenario []byte, controllers []*jenkinssim.Sim) error {
	if err := os.MkdirAll(w.dir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(w.dir, "main.tf"), scenario, 0o600); err != nil {
		return err
	}
	urls := map[string]string{}
	for i, s := range controllers {
		urls[fmt.Sprintf("c%02d", i)] = s.URL
	}
	b, err := json.Marshal(map[string]any{"controllers": urls, "leavers": []string{leaver}})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(w.dir, "terraform.tfvars.json"), b, 0o600)
}

func (w workspace) cli(ctx context.Context, args ...string) (string, int) {
	cmd := exec.CommandContext(ctx, w.c.terraform, args...) //nolint:gosec // the CLI the user named
	cmd.Dir = w.dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+w.rc, "TF_IN_AUTOMATION=1", "TF_LOG=",
		"JENKINS_USERNAME=admin", "JENKINS_PASSWORD="+w.password)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(out), ee.ExitCode()
	}
	if err != nil {
		return err.Error(), -1
	}
	return string(out), 0
}

// plan times one `terraform plan` and counts the script calls each controller answered.
func (w workspace) plan(ctx context.Context, controllers []*jenkinssim.Sim) (time.Duration, []int, error) {
	for _, s := range controllers {
		if s == nil {
			continue
		}
		_ = s.ResetStats(ctx) // an unreachable controller cannot be reset: it counts nothing either
	}
	start := time.Now()
	out, code := w.cli(ctx, "plan", "-no-color", "-out=plan.tfplan")
	took := time.Since(start)
	if code != 0 {
		return 0, nil, fmt.Errorf("plan in %s: exit %d\n%s", w.dir, code, out)
	}
	calls := make([]int, len(controllers))
	for i, s := range controllers {
		st, err := s.Stats(ctx)
		if err == nil {
			calls[i] = st["scriptText"]
		}
	}
	return took, calls, nil
}

func tokenCount(ctx context.Context, s *jenkinssim.Sim) (int, error) {
	out, err := s.Script(ctx, `print(hudson.model.User.getById('`+leaver+`', false).getProperty(jenkins.security.ApiTokenProperty).getTokenList().size())`)
	if err != nil {
		return 0, err
	}
	var n int
	_, err = fmt.Sscan(strings.TrimSpace(out), &n)
	return n, err
}

// firstError is the first error block of a CLI output, on one line.
func firstError(out string) string {
	i := strings.Index(out, "Error: ")
	if i < 0 {
		return "(no error)"
	}
	block := out[i:]
	if j := strings.Index(block[1:], "\n\n\n"); j > 0 {
		block = block[:j+1]
	}
	block = strings.Join(strings.Fields(strings.NewReplacer("│", " ", "╷", " ", "╵", " ").Replace(block)), " ")
	if len(block) > 400 {
		block = block[:400] + "..."
	}
	return block
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func version(cli string) string {
	out, err := exec.Command(cli, "version").Output() //nolint:gosec // the CLI the user named
	if err != nil {
		return cli
	}
	line := strings.SplitN(string(out), "\n", 2)[0]
	if i := strings.LastIndex(line, "\n"); i >= 0 {
		line = line[i+1:]
	}
	return strings.TrimSpace(line)
}

func step(s string) { fmt.Println("==> " + s) }

// newTokenValue draws a value in Jenkins's API token format: "11" and 32 hex digits.
func newTokenValue() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "11" + hex.EncodeToString(b), nil
}
