// Command bench-query measures `terraform query` with the jenkins_user_api_token list resource
// on a large Jenkins (`make bench-query`): it builds the provider, starts the Jenkins simulator,
// fills it with U users holding T tokens each in one script, then times a query that lists every
// token, counting the results and, from /__sim/stats, the script-console calls, with the
// provider's peak memory and CPU time. Needs Terraform 1.14 or later (-terraform; `make
// bench-query` builds it into .cache/). -cleanup times instead the plan of a
// jenkins_user_token_cleanup over every user, whose first token of each user is in scope (a
// hygiene plan that finds U tokens to revoke); -provider measures a provider built elsewhere
// (another commit) the same way.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
	"github.com/jenkins-access/terraform-provider-jenkins/tools/internal/procwatch"
)

func main() {
	users := flag.Int("users", 10000, "number of users")
	perUser := flag.Int("tokens-per-user", 5, "tokens each user holds")
	terraform := flag.String("terraform", "terraform", "Terraform 1.14+ CLI")
	prebuilt := flag.String("provider", "", "a provider binary to measure instead of building this one")
	cleanup := flag.Bool("cleanup", false, "time the plan of a cleanup over every user instead of the query")
	flag.Parse()
	if err := run(*users, *perUser, *terraform, *prebuilt, *cleanup); err != nil {
		fmt.Fprintln(os.Stderr, "bench-query:", err)
		os.Exit(1)
	}
}

func run(users, perUser int, terraform, prebuilt string, cleanup bool) error {
	dir, err := os.MkdirTemp("", "jenkins-bench-query-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()

	provider := filepath.Join(dir, "terraform-provider-jenkins")
	if prebuilt != "" {
		fmt.Println("== using the provider " + prebuilt)
		data, err := os.ReadFile(prebuilt) //nolint:gosec // the binary the user chose with -provider
		if err != nil {
			return err
		}
		if err := os.WriteFile(provider, data, 0o700); err != nil { //nolint:gosec // an executable in our own temp dir
			return err
		}
	} else {
		fmt.Println("== building the provider")
		build := exec.Command("go", "build", "-o", provider, ".") //nolint:gosec // our own temp dir
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("go build: %v\n%s", err, out)
		}
	}
	fmt.Println("== starting the Jenkins simulator")
	ctx := context.Background()
	sim, err := jenkinssim.Start(ctx, jenkinssim.Options{})
	if err != nil {
		return err
	}
	defer func() { _ = sim.Close() }()
	_, adminToken, err := sim.NewAPIToken(ctx, sim.AdminUser, "bench")
	if err != nil {
		return err
	}
	b := &benchQuery{sim: sim, users: users, perUser: perUser, terraform: terraform, dir: dir, provider: provider,
		env: append(os.Environ(), "TF_CLI_CONFIG_FILE="+filepath.Join(dir, "dev.tfrc"),
			"JENKINS_URL="+sim.URL, "JENKINS_USERNAME="+sim.AdminUser, "JENKINS_PASSWORD="+adminToken, "TF_IN_AUTOMATION=1")}
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"jenkins-access/jenkins\" = %q\n  }\n  direct {}\n}\n", dir)
	files := map[string]string{
		"dev.tfrc": rc,
		"main.tf":  "terraform {\n  required_providers {\n    jenkins = { source = \"jenkins-access/jenkins\" }\n  }\n}\nprovider \"jenkins\" {}\n",
	}
	if cleanup {
		files["cleanup.tf"] = fmt.Sprintf("resource \"jenkins_user_token_cleanup\" \"first_tokens\" {\n  name_regex      = \"^t0$\"\n  max_revocations = %d\n}\n", users+1)
	} else {
		files["all.tfquery.hcl"] = fmt.Sprintf("list \"jenkins_user_api_token\" \"all\" {\n  provider = jenkins\n  limit    = %d\n  config {}\n}\n",
			users*perUser+100)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			return err
		}
	}
	if cleanup {
		return b.cleanupPlan(ctx)
	}
	return b.query(ctx)
}

type benchQuery struct {
	sim            *jenkinssim.Sim
	users, perUser int
	terraform, dir string
	provider       string
	env            []string
}

// fill creates the users (create) or finds them, and gives each perUser new tokens, in one script.
func (b *benchQuery) fill(ctx context.Context, create bool, perUser int) error {
	fmt.Printf("== filling: %d users x %d tokens\n", b.users, perUser)
	start := time.Now()
	if _, err := b.sim.ScriptArgs(ctx, `import jenkins.security.ApiTokenProperty
import hudson.model.User
def realm = Jenkins.get().getSecurityRealm()
for (int u = 0; u < (params.users as int); u++) {
    def user = params.create ? realm.createAccount('query-' + u, 'pw') : User.getById('query-' + u, false)
    def p = user.getProperty(ApiTokenProperty)
    for (int t = 0; t < (params.perUser as int); t++) { p.getTokenStore().generateNewToken('t' + t) }
    user.save()
}`, map[string]any{"users": b.users, "perUser": perUser, "create": create}); err != nil {
		return fmt.Errorf("filling: %w", err)
	}
	fmt.Printf("filled in %.1f s\n", time.Since(start).Seconds())
	return nil
}

// terraform runs the CLI with args, watching the provider processes it starts, and returns its
// standard output, its exit code, the time it took and the provider's peak memory and CPU.
func (b *benchQuery) terraformRun(args ...string) (out []byte, code int, elapsed time.Duration, rss int64, cpu time.Duration, err error) {
	cmd := exec.Command(b.terraform, args...) //nolint:gosec // the CLI the user chose with -terraform
	cmd.Dir, cmd.Env = b.dir, b.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, 0, 0, 0, err
	}
	stop, watched := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(watched)
		rss, cpu = procwatch.Children(cmd.Process.Pid, b.provider, stop)
	}()
	err = cmd.Wait()
	elapsed = time.Since(start)
	close(stop)
	<-watched
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code, err = exit.ExitCode(), nil
	}
	if err != nil || (code != 0 && code != 2) {
		return nil, code, elapsed, rss, cpu, fmt.Errorf("terraform %s: exit %d %v\n%s\n%.2000s", strings.Join(args, " "), code, err, stderr.String(), stdout.String())
	}
	return stdout.Bytes(), code, elapsed, rss, cpu, nil
}

func (b *benchQuery) query(ctx context.Context) error {
	if err := b.fill(ctx, true, b.perUser); err != nil {
		return err
	}
	if err := b.sim.ResetStats(ctx); err != nil {
		return err
	}
	fmt.Println("== terraform query, every token")
	out, _, elapsed, rss, cpu, err := b.terraformRun("query", "-json")
	if err != nil {
		return err
	}
	found := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var msg struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(sc.Bytes(), &msg) == nil && msg.Type == "list_resource_found" {
			found++
		}
	}
	stats, err := b.sim.Stats(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("terraform query of %d users / %d tokens: %d results, %d script call(s), %.1f s; provider peak RSS %d MiB, CPU %.1f s\n",
		b.users, b.users*b.perUser, found, stats["scriptText"], elapsed.Seconds(), rss/1024, cpu.Seconds())
	return nil
}

// cleanupPlan applies the cleanup while the users hold no token (nothing to revoke), gives them
// their tokens, and times the plan that finds each user's first token in scope.
func (b *benchQuery) cleanupPlan(ctx context.Context) error {
	if err := b.fill(ctx, true, 0); err != nil {
		return err
	}
	fmt.Println("== terraform apply: the cleanup, nothing in scope yet")
	if _, _, _, _, _, err := b.terraformRun("apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return err
	}
	if err := b.fill(ctx, false, b.perUser); err != nil {
		return err
	}
	if err := b.sim.ResetStats(ctx); err != nil {
		return err
	}
	fmt.Println("== terraform plan of the cleanup")
	out, code, elapsed, rss, cpu, err := b.terraformRun("plan", "-detailed-exitcode", "-input=false", "-no-color")
	if err != nil {
		return err
	}
	if code != 2 || !bytes.Contains(out, []byte("1 to change")) {
		return fmt.Errorf("the plan should change the cleanup (exit %d):\n%.2000s", code, out)
	}
	stats, err := b.sim.Stats(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("terraform plan of a cleanup over %d users / %d tokens (%d in scope): %d script call(s), %.1f s; provider peak RSS %d MiB, CPU %.1f s\n",
		b.users, b.users*b.perUser, b.users, stats["scriptText"], elapsed.Seconds(), rss/1024, cpu.Seconds())
	return nil
}
