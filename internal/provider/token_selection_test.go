package provider

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
)

func TestTokenSelectionMatches(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	ago := func(days int) *time.Time { v := now.Add(-time.Duration(days) * 24 * time.Hour); return &v }
	yes, no := true, false
	days := func(n int64) *int64 { return &n }
	before := now.Add(-30 * 24 * time.Hour)

	fresh := jenkins.Token{Name: "ci", CreatedAt: ago(1), LastUsedAt: ago(0)}
	oldUnused := jenkins.Token{Name: "old", CreatedAt: ago(200)}
	oldUsedRecently := jenkins.Token{Name: "old-busy", CreatedAt: ago(200), LastUsedAt: ago(3)}
	migratedLegacy := jenkins.Token{Name: "Legacy Token", Legacy: true}
	expired := jenkins.Token{Name: "gone", CreatedAt: ago(40), Expired: true, ExpirationDate: "2026-11-01"}
	dated := jenkins.Token{Name: "short", CreatedAt: ago(1), ExpirationDate: "2026-12-31"}

	tests := []struct {
		name string
		sel  tokenSelection
		tok  jenkins.Token
		want bool
	}{
		{"no filter selects everything", tokenSelection{}, fresh, true},
		{"legacy=true skips new tokens", tokenSelection{Legacy: &yes}, fresh, false},
		{"legacy=true selects legacy", tokenSelection{Legacy: &yes}, migratedLegacy, true},
		{"legacy=false skips legacy", tokenSelection{Legacy: &no}, migratedLegacy, false},
		{"expired=true selects expired", tokenSelection{Expired: &yes}, expired, true},
		{"expired=false skips expired", tokenSelection{Expired: &no}, expired, false},
		{"never_expires=true selects a token without a date", tokenSelection{NeverExpires: &yes}, fresh, true},
		{"never_expires=true counts legacy as never expiring", tokenSelection{NeverExpires: &yes}, migratedLegacy, true},
		{"never_expires=true skips a dated token", tokenSelection{NeverExpires: &yes}, dated, false},
		{"never_expires=true skips an expired token", tokenSelection{NeverExpires: &yes}, expired, false},
		{"never_expires=false selects a dated token", tokenSelection{NeverExpires: &no}, dated, true},
		{"never_expires=false selects an expired token", tokenSelection{NeverExpires: &no}, expired, true},
		{"never_expires=false skips a token without a date", tokenSelection{NeverExpires: &no}, fresh, false},
		{"never_expires=false skips legacy", tokenSelection{NeverExpires: &no}, migratedLegacy, false},
		{"never_expires=false, expired=false: dated and valid", tokenSelection{NeverExpires: &no, Expired: &no}, dated, true},
		{"never_expires=false, expired=false: skips expired", tokenSelection{NeverExpires: &no, Expired: &no}, expired, false},
		{"never_expires=true, legacy=false: skips legacy", tokenSelection{NeverExpires: &yes, Legacy: &no}, migratedLegacy, false},
		{"name regex match", tokenSelection{NameRegex: regexp.MustCompile(`^old`)}, oldUnused, true},
		{"name regex no match", tokenSelection{NameRegex: regexp.MustCompile(`^old$`)}, oldUsedRecently, false},
		{"never used counts from creation: old", tokenSelection{UnusedForDays: days(90)}, oldUnused, true},
		{"never used counts from creation: new", tokenSelection{UnusedForDays: days(90)}, jenkins.Token{CreatedAt: ago(10)}, false},
		{"recent use is not unused", tokenSelection{UnusedForDays: days(90)}, oldUsedRecently, false},
		{"no dates at all counts as unused", tokenSelection{UnusedForDays: days(90)}, migratedLegacy, true},
		{"exactly N days is unused", tokenSelection{UnusedForDays: days(90)}, jenkins.Token{CreatedAt: ago(90)}, true},
		{"created before: older", tokenSelection{CreatedBefore: &before}, oldUnused, true},
		{"created before: newer", tokenSelection{CreatedBefore: &before}, fresh, false},
		{"created before: unknown date is older", tokenSelection{CreatedBefore: &before}, migratedLegacy, true},
		{"filters combine with AND", tokenSelection{Legacy: &yes, UnusedForDays: days(1)}, oldUnused, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.sel.matches(tt.tok, now); got != tt.want {
				t.Errorf("matches = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestSelectionFromConfigNeverExpires: never_expires reaches the selection, and never_expires =
// true with expired = true, which selects nothing, is refused here too, as at plan time.
func TestSelectionFromConfigNeverExpires(t *testing.T) {
	null, unknown := types.BoolNull(), types.BoolUnknown()
	yes, no := types.BoolValue(true), types.BoolValue(false)
	ptr := func(v bool) *bool { return &v }
	tests := []struct {
		name                  string
		expired, neverExpires types.Bool
		want                  *bool // sel.NeverExpires
		wantErr               bool
	}{
		{"null does not filter", null, null, nil, false},
		{"unknown does not filter", yes, unknown, nil, false},
		{"true", null, yes, ptr(true), false},
		{"false", null, no, ptr(false), false},
		{"true with expired=false", no, yes, ptr(true), false},
		{"false with expired=true", yes, no, ptr(false), false},
		{"true with expired=true selects nothing", yes, yes, ptr(true), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel, diags := selectionFromConfig(null, tt.expired, tt.neverExpires, types.StringNull(), types.Int64Null(), types.StringNull())
			if diags.HasError() != tt.wantErr {
				t.Fatalf("errors = %v, want error %v", diags, tt.wantErr)
			}
			if tt.wantErr {
				d := diags.Errors()[0]
				if want := "never_expires = true and expired = true select nothing: a token without an expiration date never expires"; !strings.Contains(d.Detail(), want) {
					t.Errorf("detail %q, want it to contain %q", d.Detail(), want)
				}
				if p, ok := d.(diag.DiagnosticWithPath); !ok || !p.Path().Equal(path.Root("never_expires")) {
					t.Errorf("error not on never_expires: %v", d)
				}
				return
			}
			switch {
			case tt.want == nil && sel.NeverExpires != nil:
				t.Errorf("NeverExpires = %v, want nil", *sel.NeverExpires)
			case tt.want != nil && (sel.NeverExpires == nil || *sel.NeverExpires != *tt.want):
				t.Errorf("NeverExpires = %v, want %v", sel.NeverExpires, *tt.want)
			}
		})
	}
}

// TestNeverExpiresBesideExpired: every selection with the expired filter has never_expires, with
// the shared description and the check against expired = true. jenkins_revoke_tokens and the list
// resource need Terraform 1.14 to be tested end to end; their schemas are checked here.
func TestNeverExpiresBesideExpired(t *testing.T) {
	ctx := context.Background()
	schemas := map[string]map[string]any{}
	{
		var resp datasource.SchemaResponse
		NewUserTokensDataSource().Schema(ctx, datasource.SchemaRequest{}, &resp)
		schemas["data source jenkins_user_tokens"] = attributesOf(resp.Schema.Attributes)
	}
	for name, r := range map[string]resource.Resource{
		"jenkins_user_token_cleanup": NewUserTokenCleanupResource(), "jenkins_legacy_token_cleanup": NewLegacyTokenCleanupResource(),
	} {
		var resp resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &resp)
		schemas[name] = attributesOf(resp.Schema.Attributes)
	}
	{
		var resp list.ListResourceSchemaResponse
		NewUserAPITokenListResource().ListResourceConfigSchema(ctx, list.ListResourceSchemaRequest{}, &resp)
		schemas["list jenkins_user_api_token"] = attributesOf(resp.Schema.Attributes)
	}
	{
		var resp action.SchemaResponse
		NewRevokeTokensAction().Schema(ctx, action.SchemaRequest{}, &resp)
		schemas["action jenkins_revoke_tokens"] = attributesOf(resp.Schema.Attributes)
	}
	type boolFilter interface {
		GetMarkdownDescription() string
		BoolValidators() []validator.Bool
	}
	with := 0
	for name, attrs := range schemas {
		_, hasExpired := attrs["expired"]
		a, hasNever := attrs["never_expires"]
		if hasExpired != hasNever {
			t.Errorf("%s: expired %v but never_expires %v", name, hasExpired, hasNever)
		}
		if !hasNever {
			continue
		}
		with++
		f, ok := a.(boolFilter)
		if !ok {
			t.Errorf("%s: never_expires is a %T, want a bool attribute", name, a)
			continue
		}
		if f.GetMarkdownDescription() != filterDescriptions["never_expires"] {
			t.Errorf("%s: never_expires has its own description, want filterDescriptions[\"never_expires\"]", name)
		}
		checked := false
		for _, v := range f.BoolValidators() {
			_, checked = v.(neverExpiresValidator)
			if checked {
				break
			}
		}
		if !checked {
			t.Errorf("%s: never_expires lacks neverExpiresValidator", name)
		}
	}
	if with != 4 {
		t.Errorf("never_expires in %d selections, want 4 (data source, user cleanup, list resource, action)", with)
	}
}

// attributesOf turns any schema's attribute map into one the test can range over.
func attributesOf[A any](m map[string]A) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func TestCompileNameRegexError(t *testing.T) {
	_, err := compileNameRegex("ci-(")
	if err == nil {
		t.Fatal("want an error for an unbalanced parenthesis")
	}
	for _, want := range []string{`"ci-("`, "RE2", "missing closing )"} {
		if !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(err.Error()) {
			t.Errorf("error %q should mention %q", err, want)
		}
	}
}

// TestTokenNamesCannotDriveTheTerminal: an ordinary user names a token with escape sequences;
// the plan's dry run shows them escaped, never as raw control characters.
func TestTokenNamesCannotDriveTheTerminal(t *testing.T) {
	out := describeTokens([]jenkins.Token{
		{UserID: "mallory\x1b[2J", UUID: "0f6c4a3e-8d2b-4c1e-9a7f-3b5d2e1c0a9b", Name: "ci\x1b[1A\x1b[2Kdeploy\r"},
		{UserID: "ünïcode-ok", UUID: "1f6c4a3e-8d2b-4c1e-9a7f-3b5d2e1c0a9b", Name: "déploiement"},
	})
	if strings.ContainsAny(out, "\x1b\r") {
		t.Errorf("raw control characters reach the terminal: %q", out)
	}
	for _, want := range []string{`"mallory\x1b[2J"`, `\x1b[1A\x1b[2Kdeploy\r`, "ünïcode-ok: \"déploiement\""} {
		if !strings.Contains(out, want) {
			t.Errorf("want %s in:\n%s", want, out)
		}
	}
}
