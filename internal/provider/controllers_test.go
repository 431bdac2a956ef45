package provider

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
)

// TestTokenIDForms: an import ID names the default controller's token as <user>/<uuid> and a
// named controller's as <controller>/<user>/<uuid>; anything else is refused with the forms.
func TestTokenIDForms(t *testing.T) {
	const uuid = "0f6c4a3e-8d2b-4c1e-9a7f-3b5d2e1c0a9b"
	for _, c := range []struct {
		id, controller, user, err string
	}{
		{id: "alice/" + uuid, user: "alice"},
		{id: "ci-eu/alice/" + strings.ToUpper(uuid), controller: "ci-eu", user: "alice"},
		{id: "ci eu/alice/" + uuid, err: `"ci eu" is not a controller name`},
		{id: "a/b/c/" + uuid, err: "expected an ID of the form <user_id>/<uuid> (default controller) or <controller>/<user_id>/<uuid>"},
		{id: "alice/not-a-uuid", err: `"not-a-uuid" is not a token UUID`},
		{id: "/" + uuid, err: "expected an ID of the form"},
		{id: uuid, err: "expected an ID of the form"},
	} {
		controller, user, got, err := parseTokenID(c.id)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: want an error saying %q, got %v", c.id, c.err, err)
			}
		case err != nil:
			t.Errorf("%q: %v", c.id, err)
		case controller.ValueString() != c.controller || controller.IsNull() != (c.controller == "") || user != c.user || got != uuid:
			t.Errorf("%q: got controller %s, user %q, uuid %q", c.id, controller, user, got)
		default:
			if back := tokenID(controller, user, got); !strings.EqualFold(back, c.id) {
				t.Errorf("%q: tokenID gives %q back", c.id, back)
			}
		}
	}
}

// controllersConfig is a provider configuration with the given server_url (nil: unset), the
// controllers entries (name -> attributes, nil attribute values unset), and more attributes.
func controllersConfig(t *testing.T, serverURL *string, entries map[string]map[string]tftypes.Value, more map[string]tftypes.Value) (tfprotov6.ProviderServer, *tfprotov6.DynamicValue) {
	t.Helper()
	return providerConfig(t, func(typ tftypes.Object, vals map[string]tftypes.Value) {
		if serverURL != nil {
			vals["server_url"] = tftypes.NewValue(tftypes.String, *serverURL)
		}
		for k, v := range more {
			vals[k] = v
		}
		if entries == nil {
			return
		}
		entryType := typ.AttributeTypes["controllers"].(tftypes.Map).ElementType.(tftypes.Object)
		m := map[string]tftypes.Value{}
		for name, attrs := range entries {
			ev := map[string]tftypes.Value{}
			for an, at := range entryType.AttributeTypes {
				ev[an] = tftypes.NewValue(at, nil)
			}
			for an, v := range attrs {
				ev[an] = v
			}
			m[name] = tftypes.NewValue(entryType, ev)
		}
		vals["controllers"] = tftypes.NewValue(typ.AttributeTypes["controllers"], m)
	})
}

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

func errorTexts(diags []*tfprotov6.Diagnostic) []string {
	var out []string
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			out = append(out, d.Summary+": "+d.Detail)
		}
	}
	return out
}

// TestControllersConfiguration: what a controllers map must hold, each problem one clear error
// naming the entry; a fleet needs no default controller, and entries take the provider's
// username and password.
func TestControllersConfiguration(t *testing.T) {
	ctx := context.Background()
	url := "https://ci.example.com/"
	t.Setenv(envPassword, "")
	t.Setenv(envURL, "")
	for _, c := range []struct {
		name      string
		serverURL *string
		entries   map[string]map[string]tftypes.Value
		validate  string // an error of ValidateProviderConfig (terraform validate)
		configure string // an error of ConfigureProvider
		more      map[string]tftypes.Value
	}{
		{name: "bad name", serverURL: &url, entries: map[string]map[string]tftypes.Value{"eu/west": {"server_url": str(url)}},
			validate: `controllers has an entry named "eu/west"`},
		{name: "no password anywhere", entries: map[string]map[string]tftypes.Value{"eu": {"server_url": str(url)}},
			configure: "Missing Jenkins Password or API Token"},
		{name: "bad url", entries: map[string]map[string]tftypes.Value{"eu": {"server_url": str("ftp://x/"), "password": str("pw")}},
			configure: "Invalid Jenkins URL"},
		{name: "fleet without default", entries: map[string]map[string]tftypes.Value{"eu": {"server_url": str(url), "password": str("pw")}}},
		{name: "no default and no fleet", configure: "Missing Jenkins URL"},
		{name: "two entries, one URL", entries: map[string]map[string]tftypes.Value{
			"eu": {"server_url": str(url), "password": str("pw")}, "europe": {"server_url": str(strings.TrimSuffix(url, "/")), "password": str("pw")}},
			configure: `Two Controllers With One URL: controllers entry "europe" has the same server_url as entry "eu"`},
		{name: "an entry at the default's URL", serverURL: &url, entries: map[string]map[string]tftypes.Value{
			"main": {"server_url": str(url)}}, more: map[string]tftypes.Value{"password": str("pw")},
			configure: `Two Controllers With One URL: controllers entry "main" has the same server_url as the provider's server_url`},
		{name: "limit unknown at plan", entries: map[string]map[string]tftypes.Value{"eu": {"server_url": str(url), "password": str("pw")}},
			more:      map[string]tftypes.Value{"max_revocations_per_controller": tftypes.NewValue(tftypes.Number, tftypes.UnknownValue)},
			configure: "Revocation Limit Not Known Yet"},
	} {
		server, config := controllersConfig(t, c.serverURL, c.entries, c.more)
		v, err := server.ValidateProviderConfig(ctx, &tfprotov6.ValidateProviderConfigRequest{Config: config})
		if err != nil {
			t.Fatal(err)
		}
		verrs := errorTexts(v.Diagnostics)
		if c.validate != "" {
			if len(verrs) != 1 || !strings.Contains(verrs[0], c.validate) {
				t.Errorf("%s: validate: want one error saying %q, got %q", c.name, c.validate, verrs)
			}
			continue
		}
		if len(verrs) > 0 {
			t.Errorf("%s: validate: %q", c.name, verrs)
		}
		resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: config})
		if err != nil {
			t.Fatal(err)
		}
		cerrs := errorTexts(resp.Diagnostics)
		switch {
		case c.configure == "" && len(cerrs) > 0:
			t.Errorf("%s: configure: want no error, got %q", c.name, cerrs)
		case c.configure != "" && (len(cerrs) == 0 || !strings.HasPrefix(cerrs[0], c.configure)):
			t.Errorf("%s: configure: want the error %q, got %q", c.name, c.configure, cerrs)
		}
		for _, e := range cerrs {
			if strings.HasPrefix(e, "Unable to Create Jenkins Client") {
				t.Errorf("%s: configure: the entry's problem was already said, no client error on top: %q", c.name, cerrs)
			}
		}
		for _, d := range resp.Diagnostics {
			if c.entries != nil && c.more == nil && d.Severity == tfprotov6.DiagnosticSeverityError && d.Attribute != nil &&
				!strings.Contains(d.Attribute.String(), "controllers") {
				t.Errorf("%s: the error should point into controllers, points at %s", c.name, d.Attribute)
			}
		}
	}
}

// testFleet is a fleet of two named controllers and a default one, without network.
func testFleet(t *testing.T, withDefault bool) *providerData {
	t.Helper()
	f := &fleet{byName: map[string]*providerData{}, pending: map[string]bool{"later": true}}
	add := func(name, url string) *providerData {
		c, err := jenkins.New(jenkins.Config{BaseURL: url, Username: "admin", Password: "pw"})
		if err != nil {
			t.Fatal(err)
		}
		d := &providerData{controller: name, fleet: f, client: c}
		f.byName[name] = d
		return d
	}
	add("eu", "https://eu.example.com/")
	add("us", "https://us.example.com/jenkins/")
	d := &providerData{fleet: f}
	if withDefault {
		d = add("", "https://ci.example.com/")
	}
	var diags diag.Diagnostics
	if indexURLs(f, &diags); diags.HasError() {
		t.Fatal(diags)
	}
	return d
}

// TestControllerResolution: on names the controller a type asks, and says what to fix when it
// cannot: an unknown name lists the known ones, a pending entry says why, a missing default
// says to set controller.
func TestControllerResolution(t *testing.T) {
	d := testFleet(t, true)
	for _, c := range []struct {
		name types.String
		want string // the controller, or the error's summary
	}{
		{types.StringNull(), ""},
		{types.StringValue("eu"), "eu"},
		{types.StringValue("EU"), "Unknown Jenkins Controller"},
		{types.StringValue("later"), "Controller Not Configured Yet"},
		{types.StringUnknown(), "Controller Not Known Yet"},
	} {
		var diags diag.Diagnostics
		got := d.on(c.name, &diags)
		switch {
		case diags.HasError() && diags.Errors()[0].Summary() != c.want:
			t.Errorf("%s: error %q, want %q", c.name, diags.Errors()[0].Summary(), c.want)
		case !diags.HasError() && (got == nil || got.controller != c.want):
			t.Errorf("%s: got %+v, want controller %q", c.name, got, c.want)
		}
	}
	var diags diag.Diagnostics
	d.on(types.StringValue("asia"), &diags)
	if !diags.HasError() || !strings.Contains(diags.Errors()[0].Detail(), "it has eu, later, us") {
		t.Errorf("unknown name: the error should list the entries, got %v", diags)
	}
	noDefault := testFleet(t, false)
	diags = nil
	if noDefault.on(types.StringNull(), &diags) != nil || !diags.HasError() || diags.Errors()[0].Summary() != "No Default Jenkins Controller" {
		t.Errorf("no default: want No Default Jenkins Controller, got %v", diags)
	}
	if c := d.fleet.byURL("https://us.example.com/jenkins"); c == nil || c.controller != "us" {
		t.Errorf("byURL: got %+v, want us", c)
	}
}

// TestErrorsNameTheirController: in a fleet, an error says which controller it happened on.
func TestErrorsNameTheirController(t *testing.T) {
	d := testFleet(t, true)
	eu := d.fleet.byName["eu"]
	var diags diag.Diagnostics
	diags.AddWarning("w", "a warning stays as it is")
	from := len(diags)
	addError(&diags, "Unable to Read Jenkins API Token", errors.New("connection refused"))
	eu.onController(&diags, from)
	eu.onController(&diags, from) // twice: one prefix
	if got := diags.Errors()[0].Detail(); got != `On Jenkins controller "eu" (https://eu.example.com/): connection refused` {
		t.Errorf("detail %q", got)
	}
	if diags.Warnings()[0].Detail() != "a warning stays as it is" {
		t.Errorf("the warning changed: %q", diags.Warnings()[0].Detail())
	}
	var def diag.Diagnostics
	addError(&def, "x", errors.New("connection refused"))
	d.onController(&def, 0)
	if def.Errors()[0].Detail() != "connection refused" {
		t.Errorf("the default controller's errors stay as they were, got %q", def.Errors()[0].Detail())
	}
}

// TestFleetSummary: the rows and the one-line summary an offboarding output shows, with one
// controller down.
func TestFleetSummary(t *testing.T) {
	d := testFleet(t, true)
	tok := func(user, name string, legacy bool) jenkins.Token {
		return jenkins.Token{UserID: user, UUID: "0f6c4a3e-8d2b-4c1e-9a7f-3b5d2e1c0a9" + name[len(name)-1:], Name: name, Legacy: legacy}
	}
	answers := []fleetAnswer{
		{name: "", data: d, list: jenkins.TokenList{Missing: []string{"carol"}, Canonical: map[string]string{"bob": "bob"}}},
		{name: "eu", data: d.fleet.byName["eu"], list: jenkins.TokenList{
			Tokens:    []jenkins.Token{tok("Bob", "t1", false), tok("Bob", "t2", true), tok("carol", "t3", false)},
			Canonical: map[string]string{"bob": "Bob", "carol": "carol"},
			Info:      jenkins.ServerInfo{Version: "2.541", OperationsCenter: "client"}}},
		{name: "us", data: d.fleet.byName["us"], err: &jenkins.TransportError{Method: "POST", URL: "https://us.example.com/jenkins/scriptText", Err: errors.New("connection refused")}},
		{name: "asia", data: d.fleet.byName["us"], err: &jenkins.APIError{StatusCode: 401, Jenkins: true}},
	}
	rows, controllers, summary, failed := fleetRows([]string{"carol", "bob"}, answers)
	if want := "bob, carol: 1 controller clean, 1 controller with tokens (3 tokens, 1 legacy), 1 unreachable, 1 failing"; summary != want {
		t.Errorf("summary %q\nwant    %q", summary, want)
	}
	if len(rows) != 8 || len(controllers) != 4 || len(failed) != 2 || !strings.Contains(failed[0], `controller "us"`) {
		t.Fatalf("rows %d, controllers %d, failed %q", len(rows), len(controllers), failed)
	}
	eubob := rows[2]
	if eubob.UserID.ValueString() != "bob" || eubob.JenkinsUserID.ValueString() != "Bob" || eubob.TokenCount.ValueInt64() != 2 || eubob.LegacyTokenCount.ValueInt64() != 1 {
		t.Errorf("eu/bob row: %+v", eubob)
	}
	if rows[1].UserFound.ValueBool() || !rows[0].UserFound.ValueBool() {
		t.Errorf("default controller: bob found, carol not: %+v %+v", rows[0], rows[1])
	}
	if us := rows[4]; us.Reachable.ValueBool() || us.Error.ValueString() == "" || !us.UserFound.IsNull() {
		t.Errorf("unreachable row: %+v", us)
	}
	if asia := rows[6]; !asia.Reachable.ValueBool() || asia.Error.ValueString() == "" || !asia.UserFound.IsNull() {
		t.Errorf("a controller that answered with an error is reachable, with the error: %+v", asia)
	}
	if controllers[1].OperationsCenter.ValueString() != "client" || controllers[1].JenkinsVersion.ValueString() != "2.541" {
		t.Errorf("eu status: %+v", controllers[1])
	}
}

// recordedURL is a private state holding only the controller URL recorded for an object.
type recordedURL string

func (u recordedURL) GetKey(_ context.Context, key string) ([]byte, diag.Diagnostics) {
	if key != controllerURLKey || u == "" {
		return nil, nil
	}
	return []byte(`"` + string(u) + `"`), nil
}

// TestStoredControllerResolution: where an object in the state is acted on, when the entries
// have changed since it was made. A token follows the URL it was made on (its Jenkins), and is
// marked moved when no entry has that URL but its name points elsewhere; a cleanup or the
// settings follow their name, and the URL only when the name is gone; a controller that neither
// finds is gone, with what to do.
func TestStoredControllerResolution(t *testing.T) {
	ctx := context.Background()
	const eu, us, old = "https://eu.example.com/", "https://us.example.com/jenkins/", "https://old.example.com/"
	withPending := testFleet(t, true) // its entry "later" is known only at apply
	withDefault, noDefault := testFleet(t, true), testFleet(t, false)
	clear(withDefault.fleet.pending)
	clear(noDefault.fleet.pending)
	for _, c := range []struct {
		what     string
		d        *providerData
		name     types.String
		recorded recordedURL
		token    string // controller for a token ("" default), or an error summary
		moved    string
		other    string // controller for a cleanup or the settings, or an error summary
	}{
		{what: "unchanged", d: withDefault, name: types.StringValue("eu"), recorded: eu, token: "eu", other: "eu"},
		{what: "stored before URLs were recorded", d: withDefault, name: types.StringValue("eu"), token: "eu", other: "eu"},
		{what: "names swapped", d: withDefault, name: types.StringValue("eu"), recorded: us, token: "us", other: "eu"},
		{what: "entry repointed", d: withDefault, name: types.StringValue("eu"), recorded: old, token: "eu", moved: old, other: "eu"},
		{what: "default repointed", d: withDefault, name: types.StringNull(), recorded: old, token: "", moved: old, other: ""},
		{what: "default named \"\"", d: withDefault, name: types.StringValue(""), recorded: "https://ci.example.com/", token: "", other: ""},
		{what: "entry renamed", d: withDefault, name: types.StringValue("europe"), recorded: eu, token: "eu", other: "eu"},
		{what: "default now an entry", d: noDefault, name: types.StringNull(), recorded: eu, token: "eu", other: "eu"},
		{what: "entry removed", d: withDefault, name: types.StringValue("asia"), recorded: old,
			token: "Jenkins Controller of This Object Is Gone", other: "Jenkins Controller of This Object Is Gone"},
		{what: "default removed", d: noDefault, name: types.StringNull(), recorded: old,
			token: "Jenkins Controller of This Object Is Gone", other: "Jenkins Controller of This Object Is Gone"},
		{what: "entry pending", d: withPending, name: types.StringValue("later"), recorded: old,
			token: "Controller Not Configured Yet", other: "Controller Not Configured Yet"},
		{what: "URL unknown while an entry is pending", d: withPending, name: types.StringValue("eu"), recorded: old,
			token: "Controller Not Configured Yet", other: "eu"},
		{what: "URL found while an entry is pending", d: withPending, name: types.StringValue("eu"), recorded: us, token: "us", other: "eu"},
		{what: "URL spelled otherwise", d: withDefault, name: types.StringValue("eu"), recorded: "HTTPS://EU.example.com:443", token: "eu", other: "eu"},
	} {
		var diags diag.Diagnostics
		got, moved := c.d.onStoredToken(ctx, c.name, c.recorded, &diags)
		if s := resolved(got, diags); s != c.token || moved != c.moved {
			t.Errorf("%s: a token resolves to %q (moved from %q), want %q (moved from %q)", c.what, s, moved, c.token, c.moved)
		}
		diags = nil
		if s := resolved(c.d.onStored(ctx, c.name, c.recorded, &diags), diags); s != c.other {
			t.Errorf("%s: a cleanup resolves to %q, want %q", c.what, s, c.other)
		}
		gone := c.d.storedControllerGone(c.name, string(c.recorded))
		if (gone != "") != strings.HasSuffix(c.other, "Is Gone") {
			t.Errorf("%s: storedControllerGone = %q", c.what, gone)
		}
		if gone != "" && c.recorded != "" && !strings.Contains(gone, string(c.recorded)) {
			t.Errorf("%s: the explanation %q does not name the URL the object was on", c.what, gone)
		}
	}
}

// resolved is the controller name got resolves to, or the first error's summary.
func resolved(got *providerData, diags diag.Diagnostics) string {
	if diags.HasError() {
		return diags.Errors()[0].Summary()
	}
	if got == nil {
		return "<nil without an error>"
	}
	return got.controller
}
