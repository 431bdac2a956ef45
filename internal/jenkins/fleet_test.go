package jenkins

import (
	"context"
	"testing"
	"time"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// TestServerInfoReportsOperationsCenter: the server facts say whether a Jenkins is a CloudBees CI
// operations center ("server"), a controller joined to one ("client") or neither, from its
// active plugins, as a script reads them from Jenkins's PluginManager.
func TestServerInfoReportsOperationsCenter(t *testing.T) {
	needSim(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	f, err := jenkinssim.StartFleet(ctx, []jenkinssim.Options{
		{Plugins: []string{"operations-center-server"}},
		{Plugins: []string{"operations-center-client", "ldap"}},
		{Plugins: []string{"ldap"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i, want := range []string{"server", "client", ""} {
		info, err := simClient(t, f.Controllers[i], "").ServerInfo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.OperationsCenter != want {
			t.Errorf("controller %d: operationsCenter %q, want %q", i, info.OperationsCenter, want)
		}
	}
}
