package provider

import (
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
)

// TestMain starts one Jenkins simulator for the package's acceptance tests (with TF_ACC set).
func TestMain(m *testing.M) {
	acctest.Main(m)
}

// testAccProviders serves the provider in-process, as terraform-plugin-testing expects.
var testAccProviders = map[string]func() (tfprotov6.ProviderServer, error){
	"jenkins": providerserver.NewProtocol6WithError(New("test")()),
}

// testAccProvidersAt serves a provider whose clock reads now, for filters and rotation that
// depend on the date.
func testAccProvidersAt(now time.Time) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"jenkins": providerserver.NewProtocol6WithError(NewWithClock("test", func() time.Time { return now })()),
	}
}

// testAccProvidersWithEcho is this provider with terraform-plugin-testing's echo provider, which
// shows an ephemeral value (or stands in for a secret store's write-only argument) in state.
func testAccProvidersWithEcho() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"jenkins": testAccProviders["jenkins"],
		"echo":    echoprovider.NewProviderServer(),
	}
}
