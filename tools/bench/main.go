// Command bench measures what N jenkins_user_api_token resources cost Terraform against the
// Jenkins simulator, side by side with N resources of two types that do no remote work: time_static
// (hashicorp/time v0.14.2, built from the Go module proxy and used through dev_overrides) and
// Terraform's built-in terraform_data (`make bench`). It builds the provider, starts the
// simulator, and times `terraform apply` creating the N resources, `terraform plan` refreshing
// them and `terraform destroy`, each for the three configurations one after the other, first with
// no delay added to the simulator's script calls, then with each script call made -script-delay
// slower (its delay fault, standing in for the Groovy compile a real Jenkins does per call). It
// counts the script calls from /__sim/stats and reads the provider's peak memory (VmHWM) from
// /proc while Terraform runs. -runs repeats every measurement and prints medians; -provider
// measures a provider built elsewhere (another commit) the same way.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
	"github.com/jenkins-access/terraform-provider-jenkins/tools/internal/procwatch"
)

// timeProvider is the hashicorp/time release the comparison is built from.
const timeProvider = "github.com/hashicorp/terraform-provider-time@v0.14.2"

func main() {
	tokens := flag.Int("tokens", 1000, "number of managed tokens (N), and of resources of each other type")
	users := flag.Int("users", 100, "number of users holding them (M)")
	delay := flag.Duration("script-delay", 50*time.Millisecond, "simulated cost of one script-console call in the second table (0: one table)")
	terraform := flag.String("terraform", "terraform", "Terraform or OpenTofu CLI")
	runs := flag.Int("runs", 1, "measure every cell this many times and print the medians")
	prebuilt := flag.String("provider", "", "a provider binary to measure instead of building this one")
	only := flag.Bool("jenkins-only", false, "measure the jenkins configuration alone (no comparison)")
	flag.Parse()
	if *only {
		configs = configs[:1]
	}
	b := &bench{n: *tokens, m: *users, terraform: *terraform, runs: *runs}
	if err := b.run(*delay, *prebuilt); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type bench struct {
	n, m, runs int
	terraform  string
	dir        string
	provider   string // the jenkins provider binary
	env        []string
	sim        *jenkinssim.Sim
}

// The configurations, in the order each operation runs them (-jenkins-only: the first).
var configs = []string{"jenkins", "time_static", "terraform_data"}

// The operations, in the order they run.
var ops = []struct{ name, row string }{
	{"apply", "apply creating %s"},
	{"plan", "plan (refresh of %s)"},
	{"destroy", "destroy of %s"},
}

// measure is one run of one operation on one configuration.
type measure struct {
	time  time.Duration
	calls int           // script calls (jenkins)
	rss   int64         // the provider's peak resident memory in KiB (jenkins)
	cpu   time.Duration // the CPU time of the provider processes (jenkins)
}

func (b *bench) run(delay time.Duration, prebuilt string) error {
	if b.n < 1 || b.m < 1 || b.runs < 1 {
		return fmt.Errorf("need at least one token, one user and one run")
	}
	dir, err := os.MkdirTemp("", "jenkins-bench-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	b.dir = dir
	if err := b.build(prebuilt); err != nil {
		return err
	}

	step("starting the Jenkins simulator")
	ctx := context.Background()
	sim, err := jenkinssim.Start(ctx, jenkinssim.Options{})
	if err != nil {
		return err
	}
	defer func() { _ = sim.Close() }()
	b.sim = sim
	// The provider authenticates with an admin API token, as the docs advise (no crumbs).
	_, adminToken, err := sim.NewAPIToken(ctx, sim.AdminUser, "bench")
	if err != nil {
		return err
	}
	if _, err := sim.ScriptArgs(ctx, `
def realm = Jenkins.get().getSecurityRealm()
for (int i = 0; i < (params.users as int); i++) { realm.createAccount('bench-user-' + i, 'pw') }
`, map[string]any{"users": b.m}); err != nil {
		return fmt.Errorf("creating users: %w", err)
	}
	if err := b.writeConfigs(); err != nil {
		return err
	}
	b.env = append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+filepath.Join(dir, "dev.tfrc"),
		"JENKINS_URL="+sim.URL, "JENKINS_USERNAME="+sim.AdminUser, "JENKINS_PASSWORD="+adminToken,
		"TF_IN_AUTOMATION=1")

	delays := []time.Duration{0}
	if delay > 0 {
		delays = append(delays, delay)
	}
	for _, d := range delays {
		if err := sim.ClearFaults(ctx); err != nil {
			return err
		}
		if d > 0 {
			if err := sim.SetFault(ctx, jenkinssim.Fault{Path: "/scriptText", Mode: "delay", DelayMS: int(d / time.Millisecond)}); err != nil {
				return err
			}
		}
		// results[op][config]: one measure per run.
		results := map[string]map[string][]measure{}
		for r := 1; r <= b.runs; r++ {
			for _, op := range ops {
				if results[op.name] == nil {
					results[op.name] = map[string][]measure{}
				}
				for _, c := range configs {
					step(fmt.Sprintf("%s, %s (script delay %s, run %d of %d)", op.name, c, d, r, b.runs))
					m, err := b.measure(ctx, c, op.name)
					if err != nil {
						return err
					}
					results[op.name][c] = append(results[op.name][c], m)
				}
			}
		}
		b.print(d, results)
	}
	return sim.ClearFaults(ctx)
}

// build builds (or copies) the jenkins provider and builds hashicorp/time from the module proxy.
func (b *bench) build(prebuilt string) error {
	jbin, tbin := filepath.Join(b.dir, "jenkins-bin"), filepath.Join(b.dir, "time-bin")
	for _, d := range []string{jbin, tbin} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return err
		}
	}
	b.provider = filepath.Join(jbin, "terraform-provider-jenkins")
	if prebuilt != "" {
		step("using the provider " + prebuilt)
		data, err := os.ReadFile(prebuilt) //nolint:gosec // the binary the user chose with -provider
		if err != nil {
			return err
		}
		if err := os.WriteFile(b.provider, data, 0o700); err != nil { //nolint:gosec // an executable in our own temp dir
			return err
		}
	} else {
		step("building the provider")
		if out, err := exec.Command("go", "build", "-o", b.provider, ".").CombinedOutput(); err != nil { //nolint:gosec // our own temp dir
			return fmt.Errorf("go build: %v\n%s", err, out)
		}
	}
	step("building " + timeProvider + " from the Go module proxy")
	out, err := exec.Command("go", "mod", "download", "-json", timeProvider).Output() //nolint:gosec // a constant
	if err != nil {
		return fmt.Errorf("go mod download %s: %v", timeProvider, err)
	}
	var mod struct{ Dir string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		return fmt.Errorf("go mod download %s: no module directory (%v)", timeProvider, err)
	}
	build := exec.Command("go", "build", "-o", filepath.Join(tbin, "terraform-provider-time"), ".") //nolint:gosec // our own temp dir
	build.Dir, build.Env = mod.Dir, append(os.Environ(), "GOFLAGS=-mod=mod")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building %s: %v\n%s", timeProvider, err, out)
	}
	return nil
}

// measure runs op (apply, plan, destroy) on configuration c and returns its wall time, and for
// jenkins its script calls and the provider's peak memory.
func (b *bench) measure(ctx context.Context, c, op string) (measure, error) {
	args := map[string][]string{
		"apply":   {"apply", "-auto-approve"},
		"plan":    {"plan", "-detailed-exitcode"}, // exit code 2: the plan is not empty
		"destroy": {"destroy", "-auto-approve"},
	}[op]
	args = append(args, "-no-color", "-input=false")
	if c == "jenkins" {
		if err := b.sim.ResetStats(ctx); err != nil {
			return measure{}, err
		}
	}
	cmd := exec.Command(b.terraform, args...) //nolint:gosec // the CLI the user chose with -terraform
	cmd.Dir, cmd.Env = filepath.Join(b.dir, c), b.env
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return measure{}, err
	}
	var m measure
	stop := make(chan struct{})
	var wg sync.WaitGroup
	if c == "jenkins" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.rss, m.cpu = procwatch.Children(cmd.Process.Pid, b.provider, stop)
		}()
	}
	err := cmd.Wait()
	m.time = time.Since(start)
	close(stop)
	wg.Wait()
	if err != nil {
		return measure{}, fmt.Errorf("%s %s (%s): %v\n%s", b.terraform, strings.Join(args, " "), c, err, tail(out.String(), 40))
	}
	if c == "jenkins" {
		stats, err := b.sim.Stats(ctx)
		if err != nil {
			return measure{}, err
		}
		m.calls = stats["scriptText"]
	}
	return m, nil
}

// print writes the table of one script delay: the median of the runs of each cell, and the
// jenkins time over each other configuration's.
func (b *bench) print(delay time.Duration, results map[string]map[string][]measure) {
	what := "no delay added to script calls"
	if delay > 0 {
		what = fmt.Sprintf("each script call %s slower", delay)
	}
	runs := ""
	if b.runs > 1 {
		runs = fmt.Sprintf(", medians of %d runs", b.runs)
	}
	n := count(b.n)
	fmt.Printf("\n%s tokens / %s users, %s%s\n\n", n, count(b.m), what, runs)
	fmt.Println("| | jenkins | time_static | terraform_data | jenkins / time_static | jenkins / terraform_data | provider peak RSS, CPU |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, op := range ops {
		j := median(results[op.name]["jenkins"])
		// The other columns and the ratios, "-" when not measured (-jenkins-only).
		times, ratios := []string{"-", "-"}, []string{"-", "-"}
		for i, c := range configs[1:] {
			o := median(results[op.name][c])
			times[i] = fmt.Sprintf("%.1f s", o.time.Seconds())
			ratios[i] = fmt.Sprintf("%.2fx", j.time.Seconds()/o.time.Seconds())
		}
		others := append(times, ratios...)
		fmt.Printf("| %s | %.1f s, %d script calls | %s | %.0f MiB, %.1f s |\n",
			fmt.Sprintf(op.row, n), j.time.Seconds(), j.calls, strings.Join(others, " | "), float64(j.rss)/1024, j.cpu.Seconds())
	}
	if b.runs > 1 {
		fmt.Println("\nevery run (s; jenkins: script calls, provider peak RSS and CPU):")
		for _, op := range ops {
			for _, c := range configs {
				var ts []string
				for _, m := range results[op.name][c] {
					if c == "jenkins" {
						ts = append(ts, fmt.Sprintf("%.1f (%d calls, %.0f MiB, CPU %.1f s)", m.time.Seconds(), m.calls, float64(m.rss)/1024, m.cpu.Seconds()))
					} else {
						ts = append(ts, fmt.Sprintf("%.1f", m.time.Seconds()))
					}
				}
				fmt.Printf("  %-8s %-15s %s\n", op.name, c, strings.Join(ts, " "))
			}
		}
	}
}

// median is the median time, script calls, peak memory and CPU of the runs, each on its own
// (the mean of the middle two for an even count).
func median(ms []measure) measure {
	mid := func(get func(m measure) int64) int64 {
		v := make([]int64, len(ms))
		for i, m := range ms {
			v[i] = get(m)
		}
		slices.Sort(v)
		return (v[(len(v)-1)/2] + v[len(v)/2]) / 2
	}
	return measure{
		time:  time.Duration(mid(func(m measure) int64 { return int64(m.time) })),
		calls: int(mid(func(m measure) int64 { return int64(m.calls) })),
		rss:   mid(func(m measure) int64 { return m.rss }),
		cpu:   time.Duration(mid(func(m measure) int64 { return int64(m.cpu) })),
	}
}

// writeConfigs writes the dev_overrides CLI config and, in a directory per configuration, N
// resources over M users: tokens, time_static and terraform_data with the same keys and values.
func (b *bench) writeConfigs() error {
	rc := fmt.Sprintf(`provider_installation {
  dev_overrides {
    "jenkins-access/jenkins" = %q
    "hashicorp/time"         = %q
  }
  direct {}
}
`, filepath.Dir(b.provider), filepath.Join(b.dir, "time-bin"))
	if err := os.WriteFile(filepath.Join(b.dir, "dev.tfrc"), []byte(rc), 0o600); err != nil {
		return err
	}
	// The keys are written out one per line: Terraform's range() stops at 1,024 values.
	var keys strings.Builder
	for i := 0; i < b.n; i++ {
		fmt.Fprintf(&keys, "    t%05d = \"bench-user-%d\"\n", i, i%b.m)
	}
	locals := "locals {\n  tokens = {\n" + keys.String() + "  }\n}\n"
	files := map[string]string{
		"jenkins": `terraform {
  required_providers {
    jenkins = { source = "jenkins-access/jenkins" }
  }
}

provider "jenkins" {}

resource "jenkins_user_api_token" "t" {
  for_each = local.tokens
  user_id  = each.value
  name     = each.key
}
`,
		"time_static": `terraform {
  required_providers {
    time = { source = "hashicorp/time" }
  }
}

resource "time_static" "t" {
  for_each = local.tokens
  triggers = { user_id = each.value, name = each.key }
}
`,
		"terraform_data": `resource "terraform_data" "t" {
  for_each = local.tokens
  input    = { user_id = each.value, name = each.key }
}
`,
	}
	for c, tf := range files {
		if err := os.Mkdir(filepath.Join(b.dir, c), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(b.dir, c, "main.tf"), []byte(tf+"\n"+locals), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// count writes n with thousands separators (1,000).
func count(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
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
