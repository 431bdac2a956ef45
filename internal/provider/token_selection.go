package provider

import (
	"fmt"
	"regexp"
	"time"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
)

// tokenSelection is the token filter shared by the jenkins_user_tokens data source and the
// cleanup resources, so that "unused for 90 days" means the same thing everywhere. A nil field
// does not filter.
type tokenSelection struct {
	Legacy        *bool
	Expired       *bool
	NameRegex     *regexp.Regexp
	UnusedForDays *int64
	CreatedBefore *time.Time
}

// matches reports whether tok passes every filter, at time now.
func (s tokenSelection) matches(tok jenkins.Token, now time.Time) bool {
	if s.Legacy != nil && tok.Legacy != *s.Legacy {
		return false
	}
	if s.Expired != nil && tok.Expired != *s.Expired {
		return false
	}
	if s.NameRegex != nil && !s.NameRegex.MatchString(tok.Name) {
		return false
	}
	if s.CreatedBefore != nil {
		// A token whose creation date Jenkins does not know (a legacy token migrated from an old
		// config.xml) is older than any date a user can write: it predates the token store.
		if tok.CreatedAt != nil && !tok.CreatedAt.Before(*s.CreatedBefore) {
			return false
		}
	}
	if s.UnusedForDays != nil && !unusedFor(tok, now, *s.UnusedForDays) {
		return false
	}
	return true
}

// unusedFor reports whether tok has not been used in the last days days. A token never used
// counts as unused since its creation; one with neither date (a migrated legacy token that was
// never used) counts as unused for ever.
func unusedFor(tok jenkins.Token, now time.Time, days int64) bool {
	since := tok.LastUsedAt
	if since == nil {
		since = tok.CreatedAt
	}
	if since == nil {
		return true
	}
	return !since.After(now.Add(-time.Duration(days) * 24 * time.Hour))
}

// compileNameRegex compiles a user's name_regex with a message that says which syntax is meant.
func compileNameRegex(expr string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("name_regex %q is not a valid regular expression (RE2 syntax, as in Go and Terraform's regex()): %v", expr, err)
	}
	return re, nil
}

// parseRFC3339 parses a created_before value.
func parseRFC3339(attr, v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s must be an RFC 3339 timestamp such as \"2026-01-31T00:00:00Z\", got %q", attr, v)
	}
	return t, nil
}
