package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
)

// TestAccExamples plans every example under examples/ that needs only this provider against the
// Jenkins target, so that an example that no longer matches the schema (a renamed attribute, a
// wrong type, a user ID the example forgot to mention) fails here, not in a user's first plan.
//
// Each file is one subtest named by its path. Its `terraform {}` and `provider "jenkins" {}`
// blocks are dropped (the test framework serves the provider as registry.terraform.io/hashicorp/
// jenkins) and the target's provider block, credentials from the environment, comes first. The
// plan must succeed; it must be non-empty when the example declares something to create
// (resources, outputs, check blocks) and empty otherwise. A file that only configures the
// provider (examples/provider/provider.tf) keeps its own provider block, so its attribute names
// are checked too; a data source that lists no user makes Terraform configure the provider
// without a request to the example's server_url.
//
// Skipped, found from the file's content (the reason is logged by the subtest):
//   - files that need another provider: a required_providers entry other than jenkins, a
//     provider block for another provider, or a resource, data source or ephemeral resource
//     type that is neither jenkins_* nor Terraform's built-in terraform_data. Today:
//     examples/scenarios/ci-short-lived-token/main.tf (taiidani/jenkins, which does not build from
//     the module proxy: it needs github.com/bndr/gojenkins, which the proxy refuses) and
//     examples/scenarios/rotating-token/main.tf (hashicorp/time), which
//     TestAccExampleRotatingTokenWithHashicorpTime applies with the CLI and hashicorp/time built
//     from the module proxy.
//   - import blocks whose ID or identity contains a UUID: the UUID is made up, no Jenkins holds
//     that token (examples/resources/jenkins_user_api_token/import-by-string-id.tf and
//     import-by-identity.tf). Other import blocks
//     are planned together with the resource.tf beside them, which declares the import target
//     (examples/resources/jenkins_api_token_settings/import-by-string-id.tf): the plan must
//     import it, and is otherwise empty (Jenkins's settings already match the example's).
//
// Actions need Terraform 1.14 (and are not tested with OpenTofu). Ephemeral resources need
// Terraform 1.11 here (tfversion compares OpenTofu by Terraform's
// numbering, and OpenTofu 1.10 has none).
func TestAccExamples(t *testing.T) {
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance test: set %s=1", resource.EnvTfAcc)
	}
	target := acctest.Shared(t)

	root := filepath.Join("..", "..")
	files, err := exampleFiles(filepath.Join(root, "examples"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no example found under examples/")
	}

	// The users the examples name must exist: plans read them, and an unknown user is an error.
	var all []string
	for _, f := range files {
		all = append(all, f.src)
	}
	for _, id := range exampleUserIDs(all) {
		if !target.UserExists(t, id) {
			target.CreateUser(t, id, acctest.NewPassword())
		}
	}

	for _, f := range files {
		name := filepath.ToSlash(f.rel)
		t.Run(name, func(t *testing.T) {
			if f.skip != "" {
				t.Skip(f.skip)
			}
			// Setenv: no t.Parallel in this test.
			providerBlock := target.ProviderBlockFromEnv(t)
			if f.ownProvider {
				providerBlock = ""
			}
			step := resource.TestStep{
				Config:             providerBlock + f.config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: f.nonEmpty,
			}
			for _, addr := range f.imports {
				step.ConfigPlanChecks.PostApplyPreRefresh = append(step.ConfigPlanChecks.PostApplyPreRefresh, expectImport{addr})
			}
			tc := resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps:                    []resource.TestStep{step},
			}
			if f.ephemeral {
				tc.TerraformVersionChecks = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)}
			}
			if f.actions {
				skipOnOpenTofu(t, tofuLacksActions)
				tc.TerraformVersionChecks = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)}
			}
			resource.Test(t, tc)
		})
	}
}

// example is one .tf file under examples/ and what the test makes of it.
type example struct {
	rel       string // path from the repository root
	src       string // the file as written
	config    string // what is planned: src without its terraform and provider blocks, plus companions
	skip      string // why it is not planned, or ""
	nonEmpty  bool   // the plan creates or reads something
	ephemeral bool   // declares an ephemeral resource
	actions   bool   // declares an action (Terraform 1.14+)
	// ownProvider: the file only configures the provider; plan it with its own provider block.
	ownProvider bool
	imports     []string // addresses the plan must import
}

var (
	reImportBlock  = regexp.MustCompile(`(?m)^import\s*\{`)
	reImportUUID   = regexp.MustCompile(`(?m)^\s*(?:id|uuid)\s*=\s*"[^"]*[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
	reBlockType    = regexp.MustCompile(`(?m)^\s*(resource|data|ephemeral)\s+"([^"]+)"`)
	reProviderName = regexp.MustCompile(`(?m)^\s*provider\s+"([^"]+)"`)
	reCreates      = regexp.MustCompile(`(?m)^(resource|output|check|ephemeral)\s+"`)
	reEphemeral    = regexp.MustCompile(`(?m)^\s*ephemeral\s+"`)
	reCheck        = regexp.MustCompile(`(?m)^check\s+"`)
	reAction       = regexp.MustCompile(`(?m)^action\s+"`)
	reVariable     = regexp.MustCompile(`(?m)^variable\s+"`)
	reImportTo     = regexp.MustCompile(`(?m)^\s*to\s*=\s*([A-Za-z0-9_.\[\]"-]+)`)
	reUserID       = regexp.MustCompile(`(?m)^\s*user_id\s*=\s*"([^"]+)"`)
	reUserIDList   = regexp.MustCompile(`(?m)^\s*(?:user_ids|exclude_user_ids)\s*=\s*\[([^\]]*)\]`)
	reQuoted       = regexp.MustCompile(`"([^"]+)"`)
)

// exampleFiles reads every .tf file under dir and decides how to plan it.
func exampleFiles(dir string) ([]example, error) {
	var out []example
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".tf" {
			return err
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(filepath.Join(dir, ".."), p)
		if err != nil {
			return err
		}
		src := string(raw)
		ex := example{rel: rel, src: src}
		ex.config = stripTopLevelBlocks(src)
		if !reBlockType.MatchString(src) && !reImportBlock.MatchString(src) && !reCheck.MatchString(src) && !reAction.MatchString(src) {
			ex.ownProvider = true
			// Terraform validates and configures a provider only when something uses it: a data
			// source that lists no user makes it do both without a request to server_url.
			ex.config = stripTerraformBlock(src) + "\ndata \"jenkins_user_tokens\" \"examples_test_probe\" {\n  user_ids = []\n}\n"
		}
		if reCreates.MatchString(ex.config) {
			ex.nonEmpty = true
		}
		if reason := otherProvider(src); reason != "" {
			ex.skip = "needs another provider: " + reason
		}
		if reVariable.MatchString(src) && ex.skip == "" {
			ex.skip = "takes input variables: applied with them by its own test (offboard-from-identity-provider: TestAccGuideIdentityProviderOffboarding; offboard-on-destroy: TestAccScenarioOffboardOnDestroy; offboard-fleet and its OpenTofu variant: TestAccScenarioOffboardFleet)"
		}
		if reImportBlock.MatchString(src) {
			if reImportUUID.MatchString(src) {
				ex.skip = "imports a made-up token UUID that no Jenkins holds"
			} else if ex.skip == "" {
				// The import target is declared in the resource.tf beside it.
				companion, err := os.ReadFile(filepath.Join(filepath.Dir(p), "resource.tf"))
				if err != nil {
					ex.skip = "import block without a resource.tf beside it to declare its target"
				} else {
					ex.config += "\n" + stripTopLevelBlocks(string(companion))
					for _, m := range reImportTo.FindAllStringSubmatch(src, -1) {
						ex.imports = append(ex.imports, m[1])
					}
				}
			}
		}
		ex.ephemeral = reEphemeral.MatchString(ex.config)
		ex.actions = reAction.MatchString(ex.config)
		out = append(out, ex)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].rel < out[j].rel })
	return out, err
}

// otherProvider says which other provider src needs, or "" when it needs only this one.
func otherProvider(src string) string {
	var needs []string
	if i := strings.Index(src, "required_providers"); i >= 0 {
		block := src[i:]
		if end := strings.Index(block, "\n  }"); end >= 0 {
			block = block[:end]
		}
		for _, m := range regexp.MustCompile(`(?m)^\s{4}([A-Za-z0-9_-]+)\s*=`).FindAllStringSubmatch(block, -1) {
			if m[1] != "jenkins" {
				needs = append(needs, "required_providers."+m[1])
			}
		}
	}
	for _, m := range reProviderName.FindAllStringSubmatch(src, -1) {
		if m[1] != "jenkins" {
			needs = append(needs, `provider "`+m[1]+`"`)
		}
	}
	for _, m := range reBlockType.FindAllStringSubmatch(src, -1) {
		if !strings.HasPrefix(m[2], "jenkins_") && m[2] != "terraform_data" {
			needs = append(needs, m[1]+` "`+m[2]+`"`)
		}
	}
	return strings.Join(needs, ", ")
}

// stripTopLevelBlocks drops the terraform block and the provider "jenkins" block of a
// `terraform fmt`-ed file, where a top-level block ends with "}" in column 0.
func stripTopLevelBlocks(src string) string {
	return stripBlocks(src, "terraform {", `provider "jenkins" {`)
}

// stripTerraformBlock drops only the terraform block.
func stripTerraformBlock(src string) string {
	return stripBlocks(src, "terraform {")
}

// stripBlocks drops the top-level blocks whose first line starts with one of the openings.
func stripBlocks(src string, openings ...string) string {
	var b strings.Builder
	skipping := false
	for _, line := range strings.SplitAfter(src, "\n") {
		trimmed := strings.TrimRight(line, "\r\n")
		opens := false
		for _, o := range openings {
			opens = opens || strings.HasPrefix(trimmed, o)
		}
		if !skipping && opens {
			skipping = !strings.HasSuffix(trimmed, "}") // a one-line block ends where it starts
			continue
		}
		if skipping {
			if trimmed == "}" {
				skipping = false
			}
			continue
		}
		b.WriteString(line)
	}
	return b.String()
}

// exampleUserIDs lists the user IDs the examples name in user_id, user_ids and
// exclude_user_ids.
func exampleUserIDs(srcs []string) []string {
	seen := map[string]bool{}
	for _, src := range srcs {
		for _, m := range reUserID.FindAllStringSubmatch(src, -1) {
			seen[m[1]] = true
		}
		for _, m := range reUserIDList.FindAllStringSubmatch(src, -1) {
			for _, q := range reQuoted.FindAllStringSubmatch(m[1], -1) {
				seen[q[1]] = true
			}
		}
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// expectImport is a plan check: the plan imports addr.
type expectImport struct{ addr string }

func (e expectImport) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address == e.addr {
			if rc.Change == nil || rc.Change.Importing == nil {
				resp.Error = fmt.Errorf("%s is in the plan but not imported", e.addr)
			}
			return
		}
	}
	resp.Error = fmt.Errorf("the plan does not import %s", e.addr)
}
