package provider

import (
	"context"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
)

// tokenSelection is the token filter shared by the jenkins_user_tokens data source and the
// cleanup resources, so that "unused for 90 days" means the same thing everywhere. A nil field
// does not filter.
type tokenSelection struct {
	Legacy        *bool
	Expired       *bool
	NeverExpires  *bool // true: no expiration date (legacy tokens, every token before Jenkins 2.548)
	NameRegex     *regexp.Regexp
	UnusedForDays *int64
	CreatedBefore *time.Time
	// Facts about the token's owner (jenkins_user_token_cleanup and jenkins_revoke_tokens).
	RealmStatuses   map[string]bool // nil: any
	InactiveForDays *int64
}

// needsFacts reports whether the selection looks at the owners, which costs the listing a realm
// lookup per user (realm_status) or the reading of their login records (inactive_for_days).
func (s tokenSelection) needsFacts() bool { return s.RealmStatuses != nil || s.InactiveForDays != nil }

// matchesOwner reports whether the token's owner passes the owner filters.
func (s tokenSelection) matchesOwner(f jenkins.UserFacts, now time.Time) bool {
	if s.RealmStatuses != nil && !s.RealmStatuses[f.RealmStatus] {
		return false
	}
	// A last use Jenkins lost is not "never used": such a user cannot be shown inactive.
	if s.InactiveForDays != nil && (f.LastTokenUseUnknown || !inactiveSince(now, *s.InactiveForDays, f.LastGrantedAt, f.LastTokenUseAt, f.LastTokenCreatedAt)) {
		return false
	}
	return true
}

// inactiveSince reports whether none of a user's activity dates (an interactive login recorded,
// a token use, a token's creation) falls in the last days days before now. A token's creation is
// activity: someone minted it for the user then, so a service account whose token was made a
// minute ago is not "inactive for 30 days" (which would make a cleanup revoke, at every apply,
// the token the same workspace creates). A user with none of the dates counts as inactive.
func inactiveSince(now time.Time, days int64, activity ...*time.Time) bool {
	cutoff := now.Add(-time.Duration(days) * 24 * time.Hour)
	for _, t := range activity {
		if t != nil && t.After(cutoff) {
			return false
		}
	}
	return true
}

// matches reports whether tok passes every filter, at time now.
func (s tokenSelection) matches(tok jenkins.Token, now time.Time) bool {
	if s.Legacy != nil && tok.Legacy != *s.Legacy {
		return false
	}
	if s.Expired != nil && tok.Expired != *s.Expired {
		return false
	}
	if s.NeverExpires != nil && (tok.ExpirationDate == "") != *s.NeverExpires {
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

// usageStatisticsOffError: the selection needs usage statistics and Jenkins keeps none.
type usageStatisticsOffError struct {
	days int64
	attr string // "" means unused_for_days
}

func (e *usageStatisticsOffError) attribute() string {
	if e.attr == "" {
		return "unused_for_days"
	}
	return e.attr
}

func (e *usageStatisticsOffError) Error() string {
	return fmt.Sprintf(e.attribute()+" needs Jenkins's API token usage statistics, and this Jenkins has them turned off. Jenkins "+
		"then reports every token as never used, so every token older than %d days would look unused, tokens in daily use "+
		"included. Turn them on (Manage Jenkins > Security > API Token > \"Enable API Token usage statistics\", or "+
		"jenkins_api_token_settings with usage_statistics_enabled = true), and wait until they cover %d days: uses while "+
		"they were off were not recorded. Or select without "+e.attribute()+".", e.days, e.days)
}

// supportedBy refuses a selection that this Jenkins cannot answer truthfully.
func (s tokenSelection) supportedBy(info jenkins.ServerInfo) error {
	if s.UnusedForDays != nil && !info.UsageStatistics {
		return &usageStatisticsOffError{days: *s.UnusedForDays}
	}
	if s.InactiveForDays != nil && !info.UsageStatistics {
		return &usageStatisticsOffError{days: *s.InactiveForDays, attr: "inactive_for_days"}
	}
	// With allowNonExistentUserToLogin, "unknown" is what local automation users are by design,
	// and their tokens are in use: the status alone must not revoke them. Token use can.
	if s.RealmStatuses[jenkins.RealmUnknown] && info.AllowNonExistentUserToLogin && s.InactiveForDays == nil {
		return unknownStillLogsInError{}
	}
	return nil
}

// unknownStillLogsInError: a selection by realm_status "unknown" alone on a Jenkins where the
// tokens of unknown users still log in.
type unknownStillLogsInError struct{}

func (unknownStillLogsInError) Error() string {
	return "This Jenkins runs with hudson.model.User.allowNonExistentUserToLogin=true: " +
		"the API tokens of users its security realm does not know still log in, which is how local automation users " +
		"without a directory account work. realm_status \"unknown\" then proves nothing about token access, and selecting " +
		"by it alone would revoke tokens in daily use. Add inactive_for_days, so that only unknown users whose tokens " +
		"went unused are selected, or name the users with user_ids."
}

// filterDescriptions describe the selection attributes, the same in the jenkins_user_tokens data
// source and in the cleanups, because they are the same filters (tokenSelection).
var filterDescriptions = map[string]string{
	"legacy": "`true`: only legacy tokens (the single pre-2.129 token, still accepted by Jenkins); `false`: only new ones.",
	"name_regex": "Only tokens whose name matches this regular expression (RE2 syntax, as Terraform's `regex()`; " +
		"unanchored).",
	"unused_for_days": "Only tokens not used in the last N days. A token never used counts as unused since its creation; " +
		"a migrated legacy token with no dates counts as unused. Needs usage statistics enabled in Jenkins (the default): " +
		"when they are off, Jenkins reports every token as never used, so this filter is refused with an error.",
	"created_before": "Only tokens created before this RFC 3339 timestamp. Tokens whose creation date Jenkins does not " +
		"know (migrated legacy tokens) count as created before any date.",
	"expired": "`true`: only tokens whose expiration date has passed (Jenkins 2.548 and later; by Jenkins's today, in " +
		"its time zone); `false`: only tokens still valid.",
	"never_expires": "`true`: only tokens without an expiration date, which never expire; `false`: only tokens with " +
		"one, expired or not. Legacy tokens have no expiration date: they count as never expiring. Expiration dates " +
		"exist since Jenkins " + expirationMinVersion + ": on an older Jenkins every token never expires, so `true` " +
		"selects every token and `false` none. `true` together with `expired = true` is an error: it would select nothing.",
}

// never_expires = true with expired = true selects nothing, whatever Jenkins holds: refused.
const (
	neverExpiresAndExpiredSummary = "Token Filters Select Nothing"
	neverExpiresAndExpired        = "never_expires = true and expired = true select nothing: a token without an " +
		"expiration date never expires. Keep never_expires = true for the tokens without a date, or expired = true for " +
		"those whose date has passed."
)

// neverExpiresValidator refuses never_expires = true beside expired = true. selectionFromConfig
// refuses it too, as it re-checks the other filters, for values that were unknown at plan time.
type neverExpiresValidator struct{}

func (neverExpiresValidator) Description(context.Context) string {
	return "must not be true when expired is true"
}

func (v neverExpiresValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (neverExpiresValidator) ValidateBool(ctx context.Context, req validator.BoolRequest, resp *validator.BoolResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || !req.ConfigValue.ValueBool() {
		return
	}
	var expired types.Bool
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, req.Path.ParentPath().AtName("expired"), &expired)...)
	if !expired.IsUnknown() && expired.ValueBool() {
		resp.Diagnostics.AddAttributeError(req.Path, neverExpiresAndExpiredSummary, neverExpiresAndExpired)
	}
}

// selectableRealmStatuses are the realm_status values the cleanup and the action select by:
// every answer of the realm (not_checked cannot happen there, the realm is always asked).
var selectableRealmStatuses = []string{jenkins.RealmKnown, jenkins.RealmUnknown, jenkins.RealmUnverifiable,
	jenkins.RealmDisabled, jenkins.RealmAccountExpired, jenkins.RealmCredentialsExpired, jenkins.RealmLocked}

// Owner filters and the safety catch, shared by jenkins_user_token_cleanup and
// jenkins_revoke_tokens.
const (
	realmStatusFilterDescription = "Only tokens of users whose status in the security realm is one of these (as the " +
		"`jenkins_users` data source reports it, where each value is explained): `unknown` selects the people the directory " +
		"no longer knows, whose records and tokens stayed; `disabled` and `account_expired` the accounts a directory turned " +
		"off (how Active Directory usually offboards, seen through the ldap plugin 2.2 and later); `locked` and " +
		"`credentials_expired` are often temporary (a lockout after wrong passwords, a password past its age). A leavers' " +
		"cleanup is `[\"unknown\", \"disabled\", \"account_expired\"]`. One realm lookup per user in scope (an LDAP query " +
		"each); a realm that fails to answer fails the selection. A directory outage can still make everyone `unknown` (an " +
		"LDAP configuration set to \"ignore if unavailable\"): `max_revocations` then refuses the selection. On a Jenkins " +
		"running with `hudson.model.User.allowNonExistentUserToLogin=true` the tokens of `unknown` users still log in (local " +
		"automation users): selecting `unknown` there is refused unless `inactive_for_days` is set too."
	inactiveFilterDescription = "Only tokens of users with no activity in the last N days: " + inactiveActivity
	// inactiveForDescription is jenkins_users's inactive_for_days.
	inactiveForDescription = "Only users with no activity in the last N days: " + inactiveActivity
	inactiveActivity       = "no interactive login recorded, no token used and no token created then (a token's creation " +
		"counts: someone minted it for the user). A user with none of these dates at all (no web login recorded, no token, or " +
		"tokens never used) counts as inactive, except one whose last token use Jenkins may have lost, who is never " +
		"selected: a legacy token without a creation date and without usage statistics of its own, as a record last saved " +
		"before Jenkins 2.129 has after every restart (its legacy token gets a new UUID and the statistics are keyed by UUID; " +
		"see `last_token_use_unknown` of the `jenkins_users` data source). \"Invalidate sessions\" on a user's security page " +
		"is an admin's action, not activity: Jenkins stamps it where it records logins, and it is not counted (see " +
		"`sessions_invalidated_at`). See `last_login_at` there for what Jenkins records of logins. Needs usage " +
		"statistics on in Jenkins: without them token use is unknown, and the filter is refused."
	maxRevocationsDescription = "The most users (not tokens) whose tokens one run of this resource instance (or action) may " +
		"revoke: a safety catch, default 10. It applies to each instance on its own: with `for_each` or `count` every " +
		"instance has its own, and the plan warns when the run's cleanups and actions together exceed it. " +
		"A selection over it is refused before anything is revoked, naming how many users it would touch (at plan time " +
		"when the selection is known then, else at apply): raise it for a deliberate bulk cleanup. A selection touching the " +
		"provider's own user is refused the same way: exclude it (`exclude_user_ids`); the one token the provider " +
		"authenticates with is left out with a warning instead. In a cleanup already applied whose selection did not " +
		"change, either catch holds the cleanup (a warning at every plan, nothing revoked) rather than failing every plan " +
		"of the workspace."
)

// excludeUserIDsDescription describes exclude_user_ids of the cleanups and the action.
const excludeUserIDsDescription = "Users left out of the scope (compared as Jenkins compares user IDs). Often fed from " +
	"an identity-provider group: an ID without a Jenkins record is accepted, since such a user holds no tokens. Where " +
	"the selection asks the security realm anyway (`realm_status`, on the types that have it), such an ID is checked " +
	"too, and one the realm does not know either is a warning naming it (a misspelled exclusion protects nobody). " +
	"Otherwise it is not looked up: on LDAP and Active Directory a realm lookup saves a Jenkins record for the ID."

// defaultMaxRevocations is max_revocations when unset.
const defaultMaxRevocations = 10

// checkRevocationSafety refuses revoking the provider's own tokens (it would lock itself out) and
// revoking the tokens of more than maxUsers users at once (a typo in a filter, a directory outage
// that makes everyone unknown), and reports whether either catch tripped. With hold, a tripped
// catch is a warning that nothing is revoked, not an error: see tokenCleanupResource.ModifyPlan.
func checkRevocationSafety(tokens []jenkins.Token, self string, maxUsers int64, hold bool, diags *diag.Diagnostics) bool {
	users := map[string]bool{}
	for _, t := range tokens {
		users[t.UserID] = true
	}
	add := func(attr, summary, detail string) {
		if hold {
			diags.AddAttributeWarning(path.Root(attr), "Cleanup Held: "+summary, detail+"\n\n"+heldDetail)
			return
		}
		diags.AddAttributeError(path.Root(attr), summary, detail)
	}
	tripped := false
	if self != "" && users[self] {
		tripped = true
		add("exclude_user_ids", "Selection Includes the Provider's Own User",
			fmt.Sprintf("The selection would revoke tokens of %q, the user this provider authenticates as: it would lose its "+
				"access to Jenkins. Add %q to exclude_user_ids (or its token UUIDs to keep_uuids).", self, self))
	}
	if int64(len(users)) > maxUsers {
		tripped = true
		add("max_revocations", "Too Many Users Selected",
			fmt.Sprintf("The selection would revoke the tokens of %d users, more than max_revocations (%d). If that is "+
				"deliberate, raise max_revocations to at least %d. If not, check the filters; with realm_status, a "+
				"directory outage makes every user unknown.", len(users), maxUsers, len(users)))
	}
	return tripped
}

// heldDetail explains a held cleanup. A cleanup already applied whose selection did not change
// can trip a safety catch later, as Jenkins changes (a directory outage, a new token of the
// provider's user). An error would then fail every plan of the workspace, unrelated changes
// included, until Jenkins or the configuration changed; the catch's purpose, revoking nothing,
// is met by holding the cleanup instead, and the warning says so at every plan.
const heldDetail = "This cleanup's selection has not changed since it was applied, so it is held instead of failing every " +
	"plan of the workspace: nothing is revoked, and this warning repeats at every plan, until the selection shrinks back " +
	"under the catch or you change the selection or max_revocations."

// Descriptions of the usage attributes, shared by every listing of tokens.
const (
	useCountDescription = "How many requests authenticated with the token. Null when Jenkins keeps no usage statistics " +
		"(they are off in its security settings): Jenkins then reports 0 for every token, which would be untrue."
	lastUsedDescription = "Last use, RFC 3339 UTC; null if never used, or when Jenkins keeps no usage statistics."
	uuidDescription     = "The token's UUID: what revocation needs. A legacy token's UUID is not a stable identifier: " +
		"for a user whose record was last saved before Jenkins 2.129, Jenkins rebuilds the legacy token with a new UUID " +
		"at every restart until the user is saved again."
)

// useCountValue and lastUsedValue are null when Jenkins keeps no usage statistics.
func useCountValue(t jenkins.Token) types.Int64 {
	if !t.UsageStats {
		return types.Int64Null()
	}
	return types.Int64Value(int64(t.UseCount))
}

func lastUsedValue(t jenkins.Token) types.String {
	if !t.UsageStats {
		return types.StringNull()
	}
	return timeValue(t.LastUsedAt)
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

// selectionFromConfig builds a tokenSelection from the filter attributes shared by the data
// source and the cleanup resources. Validators have already checked the syntax at plan time;
// the errors here only guard against values that arrived unknown then.
func selectionFromConfig(legacy, expired, neverExpires types.Bool, nameRegex types.String, unusedForDays types.Int64, createdBefore types.String) (tokenSelection, diag.Diagnostics) {
	var sel tokenSelection
	var diags diag.Diagnostics
	if !legacy.IsNull() && !legacy.IsUnknown() {
		v := legacy.ValueBool()
		sel.Legacy = &v
	}
	if !expired.IsNull() && !expired.IsUnknown() {
		v := expired.ValueBool()
		sel.Expired = &v
	}
	if !neverExpires.IsNull() && !neverExpires.IsUnknown() {
		v := neverExpires.ValueBool()
		sel.NeverExpires = &v
		if v && sel.Expired != nil && *sel.Expired {
			diags.AddAttributeError(path.Root("never_expires"), neverExpiresAndExpiredSummary, neverExpiresAndExpired)
		}
	}
	if !nameRegex.IsNull() && !nameRegex.IsUnknown() {
		re, err := compileNameRegex(nameRegex.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root("name_regex"), "Invalid Regular Expression", err.Error())
		}
		sel.NameRegex = re
	}
	if !unusedForDays.IsNull() && !unusedForDays.IsUnknown() {
		v := unusedForDays.ValueInt64()
		sel.UnusedForDays = &v
	}
	if !createdBefore.IsNull() && !createdBefore.IsUnknown() {
		t, err := parseRFC3339("created_before", createdBefore.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root("created_before"), "Invalid Timestamp", err.Error())
		}
		sel.CreatedBefore = &t
	}
	return sel, diags
}

// revocationTally is what the bulk revocations planned in this provider process (one provider
// configuration, one Terraform run phase) touch, by the configuration that planned them:
// max_revocations applies to each resource instance, so for_each over a list of users gives
// every instance its own budget. The tally makes that visible: a plan whose cleanups and actions
// together touch more users than one's max_revocations warns.
type revocationTally struct {
	mu    sync.Mutex
	users map[string]map[string]bool // planning configuration -> users
}

// add records that the configuration key plans to revoke tokens of tokens' users, and returns
// how many users every configuration recorded so far touches together, and how many recorded.
func (r *revocationTally) add(key string, tokens []jenkins.Token) (users, configs int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.users == nil {
		r.users = map[string]map[string]bool{}
	}
	mine := map[string]bool{}
	for _, t := range tokens {
		mine[t.UserID] = true
	}
	r.users[key] = mine
	all := map[string]bool{}
	for _, us := range r.users {
		for u := range us {
			all[u] = true
		}
	}
	return len(all), len(r.users)
}

// warnRunTotal warns when the bulk revocations planned in this run together touch more users
// than maxUsers, the limit of the one planning now.
func (d *providerData) warnRunTotal(key string, tokens []jenkins.Token, maxUsers int64, diags *diag.Diagnostics) {
	if d == nil || d.tally == nil || len(tokens) == 0 {
		return
	}
	users, configs := d.tally.add(key, tokens)
	if configs > 1 && int64(users) > maxUsers {
		diags.AddAttributeWarning(path.Root("max_revocations"), "Revocations Planned in This Run Exceed max_revocations Together",
			fmt.Sprintf("%d cleanups and actions planned so far in this run revoke the tokens of %d users together, more than "+
				"this one's max_revocations (%d). max_revocations applies to each resource instance on its own: with "+
				"for_each or count, each instance has its own. Check that so many revocations are meant.", configs, users, maxUsers))
	}
}
