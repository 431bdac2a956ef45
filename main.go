// Command terraform-provider-jenkins serves the Jenkins access-management provider over
// Terraform plugin protocol 6.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"runtime/debug"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/provider"
)

// registryAddress is the provider's address on the Terraform and OpenTofu registries. It is the one
// place the address is written; dev_overrides and `terraform providers schema` key on it.
const registryAddress = "registry.terraform.io/jenkins-access/jenkins"

// version is set by goreleaser at release time (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	if !debug {
		// Terraform parses and drops provider log lines above its level: not writing them saves
		// a third of the provider's CPU in a large plan (see provider.LogOnlyWhatTheCLIKeeps).
		provider.LogOnlyWhatTheCLIKeeps()
	}
	collectGarbageLessOften()
	process := provider.NewProcess(version)
	err := providerserver.Serve(context.Background(), process.Provider, providerserver.ServeOpts{
		Address: registryAddress,
		Debug:   debug,
	})
	// The server returns when Terraform shuts the plugin down (after the run, or after an
	// interrupt that skipped the ephemeral resources' Close) or the debug session ends: revoke
	// the ephemeral tokens still open before the process exits.
	process.Shutdown()
	if err != nil {
		log.Fatal(err)
	}
}

// collectGarbageLessOften sets the garbage collector's target to twice the live heap, unless
// the user set GOGC. A plugin process lives for one CLI run and allocates mostly short-lived
// request data (the framework's per-request values and loggers): in make bench, collecting at
// 200% instead of 100% cut the provider's CPU by 12-15% (the plan of 1,000 tokens: 7.0-7.5 s to
// 6.6-6.7 s) for 35-40% more peak memory; 400% doubled the memory for no further steady gain.
func collectGarbageLessOften() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
}
