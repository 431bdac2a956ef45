package provider

import (
	"regexp"
	"strings"
	"testing"
	"time"

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
