// Command bench-query measures `terraform query` with the jenkins_user_api_token list resource
// on a large Jenkins (`make bench-query`): it builds the provider, starts the Jenkins simulator,
// fills it with U users holding T tokens each in one script, then times a query that lists every
// token, counting the results and, from /__sim/stats, the script-console calls. Needs Terraform
// 1.14 or later (-terraform; `make bench-query` builds it into .cache/).
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

func main() {
	users := flag.Int("users", 10000, "number of users")
	perUser := flag.Int("tokens-per-user", 5, "tokens each user holds")
	terraform := flag.String("terraform", "terraform", "Terraform 1.14+ CLI")
	flag.Parse()
	if err := run(*users, *perUser, *terraform); err != nil {
		fmt.Fprintln(os.Stderr, "bench-query:", err)
		os.Exit(1)
	}
}

func run(users, perUser int, terraform string) error {
	dir, err := os.MkdirTemp("", "jenkins-bench-query-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()

	fmt.Println("== building the provider")
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-jenkins"), ".") //nolint:gosec // our own temp dir
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
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
	fmt.Printf("== filling: %d users x %d tokens\n", users, perUser)
	start := time.Now()
	if _, err := sim.ScriptArgs(ctx, `import jenkins.security.ApiTokenProperty
def realm = Jenkins.get().getSecurityRealm()
for (int u = 0; u < (params.users as int); u++) {
    def user = realm.createAccount('query-' + u, 'pw')
    def p = user.getProperty(ApiTokenProperty)
    for (int t = 0; t < (params.perUser as int); t++) { p.getTokenStore().generateNewToken('t' + t) }
    user.save()
}`, map[string]any{"users": users, "perUser": perUser}); err != nil {
		return fmt.Errorf("filling: %w", err)
	}
	fmt.Printf("filled in %.1f s\n", time.Since(start).Seconds())

	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"jenkins-access/jenkins\" = %q\n  }\n  direct {}\n}\n", dir)
	files := map[string]string{
		"dev.tfrc": rc,
		"main.tf":  "terraform {\n  required_providers {\n    jenkins = { source = \"jenkins-access/jenkins\" }\n  }\n}\nprovider \"jenkins\" {}\n",
		"all.tfquery.hcl": fmt.Sprintf("list \"jenkins_user_api_token\" \"all\" {\n  provider = jenkins\n  limit    = %d\n  config {}\n}\n",
			users*perUser+100),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			return err
		}
	}
	if err := sim.ResetStats(ctx); err != nil {
		return err
	}
	fmt.Println("== terraform query, every token")
	cmd := exec.Command(terraform, "query", "-json") //nolint:gosec // the CLI the user chose with -terraform
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+filepath.Join(dir, "dev.tfrc"),
		"JENKINS_URL="+sim.URL, "JENKINS_USERNAME="+sim.AdminUser, "JENKINS_PASSWORD="+adminToken, "TF_IN_AUTOMATION=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start = time.Now()
	out, err := cmd.Output()
	elapsed := time.Since(start)
	if err != nil {
		return fmt.Errorf("terraform query: %v\n%s\n%.2000s", err, stderr.String(), out)
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
	stats, err := sim.Stats(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("terraform query of %d users / %d tokens: %d results, %d script call(s), %.1f s\n",
		users, users*perUser, found, stats["scriptText"], elapsed.Seconds())
	return nil
}
