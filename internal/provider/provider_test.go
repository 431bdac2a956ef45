package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
)

// TestProviderSchema serves the provider the way Terraform does and asks for its schema: every
// resource, data source and ephemeral resource schema must be valid, and the provider block must
// carry the attribute names users copy from the other Jenkins providers.
func TestProviderSchema(t *testing.T) {
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatalf("serving the provider: %v", err)
	}
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatalf("GetProviderSchema: %v", err)
	}
	for _, d := range resp.Diagnostics {
		t.Errorf("schema diagnostic: %s: %s", d.Summary, d.Detail)
	}
	attrs := map[string]*tfprotov6.SchemaAttribute{}
	for _, a := range resp.Provider.Block.Attributes {
		attrs[a.Name] = a
	}
	for _, name := range []string{"server_url", "username", "password", "ca_cert", "insecure", "request_timeout", "max_retries", "read_batch_window", "script_time_budget"} {
		a, ok := attrs[name]
		if !ok {
			t.Errorf("provider attribute %q missing", name)
			continue
		}
		if a.Required {
			t.Errorf("provider attribute %q is required; every attribute must be optional so that terraform validate runs without credentials", name)
		}
	}
	if a := attrs["password"]; a != nil && !a.Sensitive {
		t.Error("password must be Sensitive")
	}
}

// TestProviderValidatesDurations: request_timeout and read_batch_window are checked when
// Terraform validates the configuration (terraform validate), not only when the provider is
// configured for a plan.
func TestProviderValidatesDurations(t *testing.T) {
	ctx := context.Background()
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	schema, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schema.Provider.ValueType().(tftypes.Object)
	cases := []struct{ attr, value, want string }{
		{"request_timeout", "2 minutes", `request_timeout must be a duration from 1ms to 1h0m0s, such as "30s" or "2m", got "2 minutes"`},
		{"request_timeout", "-1s", "request_timeout must be a duration from 1ms"},
		{"request_timeout", "0s", "request_timeout must be a duration from 1ms"},
		{"read_batch_window", "fast", `read_batch_window must be a duration from 0s to 1m0s, such as "20ms", or "0s" for no batching, got "fast"`},
		{"read_batch_window", "2m", "read_batch_window must be a duration from 0s to 1m0s"},
		{"read_batch_window", "0s", ""},
		{"request_timeout", "90s", ""},
		{"script_time_budget", "20 seconds", `script_time_budget must be a duration from 1s to 10m0s, such as "20s" or "45s", got "20 seconds"`},
		{"script_time_budget", "500ms", "script_time_budget must be a duration from 1s to 10m0s"},
		{"script_time_budget", "11m", "script_time_budget must be a duration from 1s to 10m0s"},
		{"script_time_budget", "45s", ""},
	}
	for _, tc := range cases {
		vals := map[string]tftypes.Value{}
		for name, at := range typ.AttributeTypes {
			vals[name] = tftypes.NewValue(at, nil)
		}
		vals[tc.attr] = tftypes.NewValue(tftypes.String, tc.value)
		config, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := server.ValidateProviderConfig(ctx, &tfprotov6.ValidateProviderConfigRequest{Config: &config})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range resp.Diagnostics {
			got = append(got, d.Summary+": "+d.Detail)
		}
		switch {
		case tc.want == "" && len(got) > 0:
			t.Errorf("%s = %q: want no diagnostics, got %q", tc.attr, tc.value, got)
		case tc.want != "" && (len(got) != 1 || !strings.Contains(got[0], tc.want) || !strings.HasPrefix(got[0], "Invalid Duration")):
			t.Errorf("%s = %q: want one Invalid Duration error containing %q, got %q", tc.attr, tc.value, tc.want, got)
		}
	}
}

// TestScriptTimeBudgetShorterThanRequestTimeout: a call works for its budget and then finishes
// its unit, so a request timeout at or under the budget would cut every long call: refused at
// configure, naming both values; unset, the budget is at most half the request timeout, so a short
// request_timeout set before the budget existed keeps working.
func TestScriptTimeBudgetShorterThanRequestTimeout(t *testing.T) {
	for _, c := range []struct {
		budget, timeout string
		want            string
	}{
		{"30s", "30s", "script_time_budget (30s) must be shorter than request_timeout (30s)"},
		{"", "10s", ""}, // unset: half the request timeout
		{"", "2s", ""},
		{"", "1ms", ""}, // the derived budget is never an error of its own
		{"45s", "", ""},
		{"5s", "10s", ""},
	} {
		extra := map[string]string{}
		if c.budget != "" {
			extra["script_time_budget"] = c.budget
		}
		if c.timeout != "" {
			extra["request_timeout"] = c.timeout
		}
		var got []string
		for _, d := range configureDiagnosticsWith(t, "http://127.0.0.1:1/", "secret", extra) {
			if d.Severity == tfprotov6.DiagnosticSeverityError {
				got = append(got, d.Summary+": "+d.Detail)
			}
		}
		switch {
		case c.want == "" && len(got) > 0:
			t.Errorf("budget %q, timeout %q: want no error, got %q", c.budget, c.timeout, got)
		case c.want != "" && (len(got) != 1 || !strings.Contains(got[0], c.want) ||
			!strings.HasPrefix(got[0], "Script Time Budget Not Shorter Than the Request Timeout")):
			t.Errorf("budget %q, timeout %q: want one error saying %q, got %q", c.budget, c.timeout, c.want, got)
		}
	}
}

// TestProviderWarnsOnCleartext: an http:// server_url sends the credential and every new token
// value unencrypted: configure warns, except for loopback addresses (tests, the demo).
// configureDiagnostics configures a provider with server_url u, username admin and password,
// and returns the diagnostics.
func configureDiagnostics(t *testing.T, u, password string) []*tfprotov6.Diagnostic {
	t.Helper()
	return configureDiagnosticsWith(t, u, password, nil)
}

// configureDiagnosticsWith is configureDiagnostics with more string attributes set.
func configureDiagnosticsWith(t *testing.T, u, password string, extra map[string]string) []*tfprotov6.Diagnostic {
	t.Helper()
	server, config := providerConfig(t, func(typ tftypes.Object, vals map[string]tftypes.Value) {
		vals["server_url"] = tftypes.NewValue(tftypes.String, u)
		vals["password"] = tftypes.NewValue(tftypes.String, password)
		for k, v := range extra {
			vals[k] = tftypes.NewValue(tftypes.String, v)
		}
	})
	resp, err := server.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{Config: config})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics
}

// providerConfig is a provider server and a configuration of it: username "admin", the
// attributes set sets (given the provider block's type), every other attribute null.
func providerConfig(t *testing.T, set func(typ tftypes.Object, vals map[string]tftypes.Value)) (tfprotov6.ProviderServer, *tfprotov6.DynamicValue) {
	t.Helper()
	ctx := context.Background()
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	schema, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schema.Provider.ValueType().(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	vals["username"] = tftypes.NewValue(tftypes.String, "admin")
	set(typ, vals)
	config, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	return server, &config
}

// TestServerURLCredentialsNeverShown: credentials in server_url are refused, and neither the
// refusal nor any other message repeats them, whether the URL parses or not.
func TestServerURLCredentialsNeverShown(t *testing.T) {
	for _, u := range []string{
		"http://bob:hunter2-pw@ci.example.com/jenkins/",
		"https://bob:hunter2-pw@ci.example.com:8443/",
		"https://bob:hunter2-pw@ci.example.com/%zz",  // does not parse
		"http://bob:hunter2-pw@@ci example.com/?q#f", // neither
		"ftp://bob:hunter2-pw@ci.example.com/",
	} {
		diags := configureDiagnostics(t, u, "secret")
		refused := false
		for _, d := range diags {
			if strings.Contains(d.Summary+d.Detail, "hunter2-pw") {
				t.Errorf("%s: a diagnostic shows the password: %s: %s", jenkins.RedactURL(u), d.Summary, d.Detail)
			}
			refused = refused || (d.Severity == tfprotov6.DiagnosticSeverityError && strings.Contains(d.Detail, "credentials"))
		}
		if !refused {
			t.Errorf("%s: not refused for carrying credentials: %v", jenkins.RedactURL(u), diags)
		}
	}
}

func TestProviderWarnsOnCleartext(t *testing.T) {
	for u, warn := range map[string]bool{
		"http://ci.example.com/jenkins/": true,
		"http://10.0.0.8:8080/":          true,
		"https://ci.example.com/":        false,
		"http://127.0.0.1:8080/":         false,
		"http://[::1]:8080/":             false,
		"http://localhost:8080/":         false,
	} {
		got := false
		for _, d := range configureDiagnostics(t, u, "secret") {
			if d.Severity == tfprotov6.DiagnosticSeverityError {
				t.Errorf("%s: unexpected error %s: %s", u, d.Summary, d.Detail)
			}
			if d.Summary == "Jenkins Credentials Sent in Cleartext" {
				got = true
			}
		}
		if got != warn {
			t.Errorf("%s: cleartext warning %v, want %v", u, got, warn)
		}
	}
}
