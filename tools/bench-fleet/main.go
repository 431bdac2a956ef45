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
	"runtime"
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
	const password = "bench-fleet-admin" //nolint:gosec // the simulated controllers' admin password, nothing real
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
	var ones, manys []planRun
	for r := 0; r < c.runs; r++ {
		p, err := one.plan(ctx, single)
		if err != nil {
			return err
		}
		ones = append(ones, p)
		p, err = many.plan(ctx, fleet)
		if err != nil {
			return err
		}
		manys = append(manys, p)
	}
	maxCalls := 0
	for i, n := range manys[len(manys)-1].calls {
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
	if code != 0 || strings.Contains(report, "Warning") {
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
	mo, mm := medianRun(ones), medianRun(manys)
	fmt.Printf("| terraform plan, wall clock (median of %d) | %s | %s | %.2fx |\n", c.runs, mo.wall.Round(10*time.Millisecond),
		mm.wall.Round(10*time.Millisecond), float64(mm.wall)/float64(mo.wall))
	fmt.Printf("| CPU of the CLI and the provider | %s | %s | %.2fx |\n", mo.cliCPU.Round(10*time.Millisecond),
		mm.cliCPU.Round(10*time.Millisecond), float64(mm.cliCPU)/float64(mo.cliCPU))
	fmt.Printf("| CPU of the simulator (all controllers' scripts, on this machine) | %s | %s | |\n", mo.simCPU.Round(10*time.Millisecond),
		mm.simCPU.Round(10*time.Millisecond))
	fmt.Printf("| script calls per controller (most) | %d | %d | |\n", mo.calls[0], maxCalls)
	fmt.Printf("\nThe CLI, the provider and every simulated controller share this machine's %d cores: the simulator's\n"+
		"CPU time is work each controller of a real fleet does on its own machine, in parallel with the others.\n",
		runtime.NumCPU())
	fmt.Println()
	fmt.Printf("apply (%s, exit %d): bob's tokens revoked on %d of the %d controllers neither down nor failing; the failing one: %s\n",
		applyTook.Round(100*time.Millisecond), applyCode, revokedOn, c.controllers-2, failure)
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
	if err := os.WriteFile(filepath.Join(w.dir, "main.tf"), scenario, 0o600); err != nil { //nolint:gosec // our own temp dir
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

func (w workspace) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, w.c.terraform, args...) //nolint:gosec // the CLI the user named
	cmd.Dir = w.dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+w.rc, "TF_IN_AUTOMATION=1", "TF_LOG=",
		"JENKINS_USERNAME=admin", "JENKINS_PASSWORD="+w.password)
	return cmd
}

func (w workspace) cli(ctx context.Context, args ...string) (string, int) {
	out, err := w.command(ctx, args...).CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(out), ee.ExitCode()
	}
	if err != nil {
		return err.Error(), -1
	}
	return string(out), 0
}

// planRun is what one `terraform plan` cost.
type planRun struct {
	wall   time.Duration
	calls  []int         // script calls each controller answered
	simCPU time.Duration // the simulator JVM's CPU time (every controller's scripts)
	cliCPU time.Duration // the CLI's and the provider's CPU time
}

// plan times one `terraform plan` and counts the script calls each controller answered.
func (w workspace) plan(ctx context.Context, f *jenkinssim.Fleet) (planRun, error) {
	for _, s := range f.Controllers {
		_ = s.ResetStats(ctx) // an unreachable controller cannot be reset: it counts nothing either
	}
	cpu0, err := f.CPUTime()
	if err != nil {
		return planRun{}, err
	}
	start := time.Now()
	cmd := w.command(ctx, "plan", "-no-color", "-out=plan.tfplan")
	out, err := cmd.CombinedOutput()
	r := planRun{wall: time.Since(start)}
	if err != nil {
		return planRun{}, fmt.Errorf("plan in %s: %v\n%s", w.dir, err, out)
	}
	// The CLI's usage includes the provider's: the plugin is its child, waited for.
	r.cliCPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	cpu1, err := f.CPUTime()
	if err != nil {
		return planRun{}, err
	}
	r.simCPU = cpu1 - cpu0
	r.calls = make([]int, len(f.Controllers))
	for i, s := range f.Controllers {
		st, err := s.Stats(ctx)
		if err == nil {
			r.calls[i] = st["scriptText"]
		}
	}
	return r, nil
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

// medianRun is the run with the median wall clock.
func medianRun(rs []planRun) planRun {
	s := append([]planRun(nil), rs...)
	sort.Slice(s, func(i, j int) bool { return s[i].wall < s[j].wall })
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
