package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// TestRevokeReportingSaysWhatWasRevokedBeforeAFailure: a bulk revocation that works to a time
// budget (one token per call here) and fails at its third call has revoked two tokens. The error
// names those two, which are dead credentials although nothing records this run's work, and
// Jenkins agrees; a failure before anything was confirmed says so.
func TestRevokeReportingSaysWhatWasRevokedBeforeAFailure(t *testing.T) {
	target := ownSim(t, jenkinssim.Options{})
	ctx := context.Background()
	client, err := jenkins.New(jenkins.Config{BaseURL: target.URL, Username: target.Username, Password: target.Password,
		MaxRetries: -1, ScriptTimeBudget: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	d := &providerData{client: client, reader: newTokenReader(client, 0), now: time.Now}
	var refs []jenkins.TokenRef
	for i := range 4 {
		user := fmt.Sprintf("leaver%d", i)
		target.CreateUser(t, user, "pw")
		tok := target.NewToken(t, user, "laptop "+user)
		refs = append(refs, jenkins.TokenRef{UserID: user, UUID: tok.UUID, Name: "laptop " + user})
	}
	if _, err := client.ServerInfo(ctx); err != nil { // the client's first call, not the walk's
		t.Fatal(err)
	}

	if err := target.Sim.SetFault(ctx, jenkinssim.Fault{Path: "/scriptText", Mode: "status", Status: 500}); err != nil {
		t.Fatal(err)
	}
	var diags diag.Diagnostics
	if _, ok := d.revokeReporting(ctx, refs, &diags); ok || !strings.Contains(detailOf(diags), "Jenkins confirmed no revocation before the failure") {
		t.Errorf("a revocation failing at once: ok %v, want an error saying nothing was revoked: %s", ok, detailOf(diags))
	}
	if err := target.Sim.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}

	if err := target.Sim.SetFault(ctx, jenkinssim.Fault{Path: "/scriptText", Mode: "status", Status: 500, Skip: 2}); err != nil {
		t.Fatal(err)
	}
	diags = nil
	_, ok := d.revokeReporting(ctx, refs, &diags)
	if err := target.Sim.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}
	detail := detailOf(diags)
	want := `Jenkins confirmed revoking 2 of the 4 tokens`
	if ok || !strings.Contains(detail, want) {
		t.Fatalf("a revocation failing at its third call: ok %v, want an error saying %q:\n%s", ok, want, detail)
	}
	for i, r := range refs {
		listed := strings.Contains(detail, fmt.Sprintf("%s: %q (%s)", r.UserID, r.Name, r.UUID))
		held := len(target.TokenNames(t, r.UserID)) == 1
		if listed != (i < 2) || held != (i >= 2) {
			t.Errorf("token %d (%s): listed as revoked %v, still in Jenkins %v; want the first two revoked and listed", i, r.UserID, listed, held)
		}
	}
	acctest.CheckScriptLeaks(t, target.Sim)
}

func detailOf(diags diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Summary() + ": " + d.Detail() + "\n")
	}
	return b.String()
}
