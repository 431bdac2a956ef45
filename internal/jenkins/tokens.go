package jenkins

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Token is an API token's metadata; Jenkins never gives its value back.
type Token struct {
	UserID    string     // Jenkins's canonical id (original case)
	UUID      string     //
	Name      string     //
	CreatedAt *time.Time // nil when Jenkins does not know it (migrated legacy token)
	Legacy    bool       //
	// UsageStats is false when Jenkins keeps no usage statistics: UseCount and LastUsedAt then
	// say nothing (Jenkins answers "never used" for every token).
	UsageStats     bool
	UseCount       int        //
	LastUsedAt     *time.Time // nil when never used (or usage statistics are off)
	ExpirationDate string     // "YYYY-MM-DD" or "" (never)
	Expired        bool       //
}

// tokenRow is the compact row the scripts print (see list_tokens.groovy).
type tokenRow Token

func (t *tokenRow) UnmarshalJSON(b []byte) error {
	var created, lastUse *int64
	var useCount *int
	var exp *string
	// One pass over the row: encoding/json decodes an array element into the value a non-nil
	// pointer in an interface points to. Listings reach hundreds of thousands of rows. An array
	// decodes into a Go array whatever its length, so the last field and a tenth one are
	// watched to tell a row of another length.
	last, extra := &seen{dst: &t.Expired}, &seen{dst: &json.RawMessage{}}
	fields := [10]any{&t.UserID, &t.UUID, &t.Name, &created, &t.Legacy, &useCount, &lastUse, &exp, last, extra}
	if err := json.Unmarshal(b, &fields); err != nil {
		return fmt.Errorf("token row: %w", err)
	}
	if !last.ok || extra.ok {
		return fmt.Errorf("token row has %d fields, want 9", rowLen(b))
	}
	t.CreatedAt, t.LastUsedAt = millis(created), millis(lastUse)
	if useCount != nil {
		t.UsageStats, t.UseCount = true, *useCount
	}
	if exp != nil {
		t.ExpirationDate = *exp
	}
	return nil
}

// factsRow is [id, lastLoginMillis|null, lastTokenUseMillis|null, lastTokenCreatedMillis|null,
// lastUseUnknown, sessionsInvalidatedMillis|null, realmStatus]: a field never null comes last, so
// that a short row is told apart (see tokenRow).
type factsRow struct {
	id string
	UserFacts
}

func (f *factsRow) UnmarshalJSON(b []byte) error {
	var granted, lastUse, lastCreated, invalidated *int64
	last, extra := &seen{dst: &f.RealmStatus}, &seen{dst: &json.RawMessage{}}
	fields := [8]any{&f.id, &granted, &lastUse, &lastCreated, &f.LastTokenUseUnknown, &invalidated, last, extra}
	if err := json.Unmarshal(b, &fields); err != nil {
		return fmt.Errorf("user facts row: %w", err)
	}
	if !last.ok || extra.ok {
		return fmt.Errorf("user facts row has %d fields, want 7", rowLen(b))
	}
	f.LastGrantedAt, f.LastTokenUseAt, f.LastTokenCreatedAt = millis(granted), millis(lastUse), millis(lastCreated)
	f.SessionsInvalidatedAt = millis(invalidated)
	return nil
}

// seen decodes into dst and records that the element was there.
type seen struct {
	dst any
	ok  bool
}

func (s *seen) UnmarshalJSON(b []byte) error {
	s.ok = true
	return json.Unmarshal(b, s.dst)
}

// rowLen counts a row's elements, for the error message only.
func rowLen(b []byte) int {
	var a []json.RawMessage
	if json.Unmarshal(b, &a) != nil {
		return -1
	}
	return len(a)
}

func millis(ms *int64) *time.Time {
	if ms == nil {
		return nil
	}
	t := time.UnixMilli(*ms).UTC()
	return &t
}

// sortTokens orders by user, then name, then uuid. Users and names compare
// case-insensitively first, as Jenkins's own token list
// (getTokenListSortedByName) does, so the order matches what admins see.
func sortTokens(ts []Token) {
	sort.SliceStable(ts, func(i, j int) bool {
		a, b := strings.ToLower(ts[i].UserID), strings.ToLower(ts[j].UserID)
		if a != b {
			return a < b
		}
		if x, y := strings.ToLower(ts[i].Name), strings.ToLower(ts[j].Name); x != y {
			return x < y
		}
		if ts[i].Name != ts[j].Name {
			return ts[i].Name < ts[j].Name
		}
		return ts[i].UUID < ts[j].UUID
	})
}

// ListTokens lists the tokens of userIDs (resolved by Jenkins's id strategy), or of every user
// when userIDs is empty, in one script call whatever the number of users. Unknown ids give a
// *UserNotFoundError naming them all. The result is sorted by user id (case-insensitive), name,
// uuid.
func (c *Client) ListTokens(ctx context.Context, userIDs []string) ([]Token, error) {
	l, err := c.listTokens(ctx, userIDs, nil, false)
	return l.Tokens, err
}

// TokenList is one listing: the tokens, and what Jenkins said about the ids asked for.
type TokenList struct {
	Tokens []Token
	// Missing: requested ids Jenkins has no user for (only with ListTokensOf).
	Missing []string
	// UnknownExcluded: excluded ids that neither Jenkins nor its security realm knows. Excluded
	// ids the realm knows (or cannot tell about) without a Jenkins record hold no tokens and are
	// not reported: most members of an identity-provider group never opened Jenkins. Only a
	// listing with checkRealm asks the realm about them (a directory realm's lookup saves a
	// record for the id); others leave this empty.
	UnknownExcluded []string
	// Canonical maps each requested id that Jenkins knows to the user's id as Jenkins spells
	// it, resolved by Jenkins's own id strategy.
	Canonical map[string]string
	// Facts, when asked for, says of each user listed whether they are still around.
	Facts map[string]UserFacts
	Info  ServerInfo
}

// UserFacts is what tells whether a user is still around (see UserRecord).
type UserFacts struct {
	RealmStatus string
	// LastGrantedAt is the last web login Jenkins recorded (see UserRecord); nil when the record's
	// last stamp is a sessions invalidation.
	LastGrantedAt  *time.Time
	LastTokenUseAt *time.Time
	// LastTokenCreatedAt is when the user's newest token was made (someone minted it for the
	// user then); nil without tokens or for a migrated legacy token, which has no date.
	LastTokenCreatedAt *time.Time
	// LastTokenUseUnknown: LastTokenUseAt may miss a use of a legacy token whose statistics a
	// restart lost (see UserRecord).
	LastTokenUseUnknown bool
	// SessionsInvalidatedAt: see UserRecord. Not activity of the user.
	SessionsInvalidatedAt *time.Time
}

// ListTokensWithFacts is ListTokensInScope also reporting, for each user listed, the facts that
// tell whether they are still around (with checkRealm, one realm lookup per user).
func (c *Client) ListTokensWithFacts(ctx context.Context, userIDs, excluded []string, checkRealm bool) (TokenList, error) {
	return c.listTokensWith(ctx, userIDs, excluded, true, true, checkRealm)
}

// ListTokensInScope lists the tokens of userIDs (nil: every user) leaving out the users in
// excluded, in one script call, and reports the ids of either list Jenkins does not know in
// Missing: callers decide what a user who is gone means (see providerData.listSelected).
func (c *Client) ListTokensInScope(ctx context.Context, userIDs, excluded []string) (TokenList, error) {
	return c.listTokens(ctx, userIDs, excluded, true)
}

// ListTokensOf lists the tokens of userIDs in one script call and reports the ids Jenkins does
// not know in Missing instead of failing: for reading many managed tokens at once, where a
// deleted user only means its tokens are gone.
func (c *Client) ListTokensOf(ctx context.Context, userIDs []string) (TokenList, error) {
	if len(userIDs) == 0 {
		return TokenList{Canonical: map[string]string{}}, nil
	}
	return c.listTokens(ctx, userIDs, nil, true)
}

func (c *Client) listTokens(ctx context.Context, userIDs, excluded []string, allowMissing bool) (TokenList, error) {
	return c.listTokensWith(ctx, userIDs, excluded, allowMissing, false, false)
}

func (c *Client) listTokensWith(ctx context.Context, userIDs, excluded []string, allowMissing, facts, checkRealm bool) (TokenList, error) {
	key := listingKey(userIDs, excluded, allowMissing, facts, checkRealm)
	if acceptsRecentListing(ctx) {
		if l, ok := c.listings.get(key); ok {
			return l, nil
		}
	}
	writes := c.listings.begin()
	l, err := c.listTokensOnce(ctx, userIDs, excluded, allowMissing, facts, checkRealm)
	if err == nil {
		c.listings.put(key, writes, l)
	}
	return l, err
}

// listTokensOnce is listTokensWith without the memo: the walk of list_tokens.groovy.
func (c *Client) listTokensOnce(ctx context.Context, userIDs, excluded []string, allowMissing, facts, checkRealm bool) (TokenList, error) {
	params := map[string]any{"userIds": nil, "excludeUserIds": []string{}, "allowMissing": allowMissing, "facts": facts, "checkRealm": checkRealm,
		"cursor": nil}
	if len(userIDs) > 0 {
		params["userIds"] = userIDs
	}
	if len(excluded) > 0 {
		params["excludeUserIds"] = excluded
	}
	l := TokenList{Canonical: map[string]string{}}
	if facts {
		l.Facts = map[string]UserFacts{}
	}
	w := c.newWalk("list_tokens")
	for first := true; ; first = false {
		var out struct {
			Tokens   []tokenRow  `json:"tokens"`
			Missing  []string    `json:"missing"`
			Unknown  []string    `json:"unknownExcluded"`
			Resolved [][2]string `json:"resolved"`
			Facts    []factsRow  `json:"facts"`
			Walk     walkState   `json:"walk"`
			Info     ServerInfo  `json:"info"`
		}
		if err := w.call(ctx, params, &out); err != nil {
			return TokenList{}, err
		}
		c.info.remember(&out.Info)
		l.Info = out.Info
		if first {
			// Missing and resolved are the same in every call.
			l.Missing = out.Missing
			for _, r := range out.Resolved {
				l.Canonical[r[0]] = r[1]
			}
		}
		// The realm is asked about each exclusion once, in the calls before the users' walk.
		l.UnknownExcluded = append(l.UnknownExcluded, out.Unknown...)
		for _, r := range out.Tokens {
			l.Tokens = append(l.Tokens, Token(r))
		}
		for _, f := range out.Facts {
			l.Facts[f.id] = f.UserFacts
		}
		finished := out.Walk.Next == nil && out.Walk.ExclusionsNext == nil
		w.progress(ctx, "users' tokens", out.Walk.Done, out.Walk.Total, finished)
		if finished {
			break
		}
		params["exclusionsFrom"] = -1
		if out.Walk.ExclusionsNext != nil {
			params["exclusionsFrom"] = *out.Walk.ExclusionsNext
		}
		if out.Walk.Next != nil {
			params["cursor"] = *out.Walk.Next
		}
	}
	sortTokens(l.Tokens)
	return l, nil
}

// tokenValueRE is Jenkins's format for new tokens: "11" + 32 lowercase hex.
var tokenValueRE = regexp.MustCompile(`^11[0-9a-f]{32}$`)

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// NewTokenValue draws a token value in Jenkins's own format. The provider
// draws the value itself (rather than letting Jenkins do it) so that a create
// retried after a lost response can find the token it already made.
func NewTokenValue() (string, error) {
	h, err := randomHex(16)
	if err != nil {
		return "", fmt.Errorf("drawing a token value: %w", err)
	}
	return "11" + h, nil
}

// CreateTokenInput describes a token to add.
type CreateTokenInput struct {
	UserID string
	Name   string
	// Value is the plain token, from NewTokenValue.
	Value string
	// ExpirationDate is "" (never) or YYYY-MM-DD; needs Jenkins 2.548+.
	ExpirationDate string
	// CreateUserIfRealmKnows: when Jenkins has no record of the user but the
	// security realm knows it (an LDAP or SSO user who never logged in),
	// create the record as a first login would.
	CreateUserIfRealmKnows bool
	// DefaultExpiryDays, with ExpirationDate "": on a Jenkins with expiration
	// dates (2.548+), the token expires this many days after Jenkins's today,
	// as Jenkins's clock has it when the token is made; 0: never. Older Jenkins
	// creates the token without a date (Token.ExpirationDate tells).
	DefaultExpiryDays int
	// CallerValue: Value comes from the caller's configuration, not from
	// NewTokenValue, so another token may already hold it. Such a token is
	// taken as this create's own only in a retry of this call (the first
	// attempt may have made it) and only when it has the same name and Jenkins
	// created it at or after NotBefore; any other gives a
	// *TokenValueInUseError.
	CallerValue bool
	// NotBefore, required with CallerValue: a point of Jenkins's clock
	// (JenkinsNow, milliseconds) taken before the first attempt was sent.
	NotBefore int64
}

// ValidateTokenValue says what is wrong with a token value given by a user,
// without repeating it: what ApiTokenStore.addFixedNewToken accepts, except
// upper-case hex, which Jenkins accepts but hashes lower-cased, so that the
// value as written never logs in (JENKINS.md 1.2, Q3).
func ValidateTokenValue(v string) error {
	switch {
	case len(v) != 34:
		return fmt.Errorf("a Jenkins API token value is 34 characters (\"11\" and 32 hex digits); this one has %d", len(v))
	case v[:2] != "11":
		return errors.New(`a Jenkins API token value starts with "11" (the only token version Jenkins accepts)`)
	case strings.ToLower(v) != v && tokenValueRE.MatchString(strings.ToLower(v)):
		return errors.New("the 32 hex digits of a Jenkins API token value must be lower case: Jenkins accepts upper case, " +
			"but stores the lower-cased value, so the value as written would never log in")
	case !tokenValueRE.MatchString(v):
		return errors.New(`after "11", a Jenkins API token value has 32 hex digits (0-9, a-f) and nothing else`)
	}
	return nil
}

// CreateToken adds a token with a value the caller chose. It is idempotent:
// if the user already holds a token matching in.Value (a retry after a lost
// response), that token is returned and nothing is added. An unknown user
// gives a *UserNotFoundError and creates nothing.
func (c *Client) CreateToken(ctx context.Context, in CreateTokenInput) (Token, error) {
	if err := in.validate(); err != nil {
		return Token{}, err
	}
	c.masker.add(in.Value, in.Value[2:])
	var out struct {
		Token tokenRow    `json:"token"`
		Info  *ServerInfo `json:"info"`
	}
	// The value is the one input that travels outside the script text (see scriptFields).
	err := c.runScriptTellingRetries(ctx, "create_token", in.params(), scriptFields{tokenValueField: in.Value}, &out)
	if err != nil {
		return Token{}, in.refusal(err)
	}
	c.info.remember(out.Info)
	return Token(out.Token), nil
}

// validate refuses, before anything is sent, a create Jenkins would refuse or that could not be
// settled.
func (in CreateTokenInput) validate() error {
	if in.UserID == "" {
		return &InvalidInputError{Err: errors.New("creating a token needs a user id")}
	}
	if err := ValidateTokenValue(in.Value); err != nil {
		return &InvalidInputError{Err: err}
	}
	if in.ExpirationDate != "" {
		if _, err := time.Parse(time.DateOnly, in.ExpirationDate); err != nil || !dateRE.MatchString(in.ExpirationDate) {
			return &InvalidInputError{Err: fmt.Errorf("expiration date %q is not YYYY-MM-DD", in.ExpirationDate)}
		}
	}
	if in.CallerValue && in.NotBefore <= 0 {
		return &InvalidInputError{Err: errors.New("creating a token with a caller's value needs a point of Jenkins's clock (NotBefore) taken before the first attempt")}
	}
	return nil
}

// params are the create's script parameters (create_token.groovy; one op of write_tokens), all
// but the value.
func (in CreateTokenInput) params() map[string]any {
	return map[string]any{
		"userId":             in.UserID,
		"name":               in.Name,
		"expirationDate":     emptyNil(in.ExpirationDate),
		"createIfRealmKnows": in.CreateUserIfRealmKnows,
		"callerValue":        in.CallerValue,
		"defaultExpiryDays":  emptyZero(in.DefaultExpiryDays),
		"notBefore":          emptyZero64(in.NotBefore),
	}
}

// refusal completes what Jenkins's refusal of the create says with what the create asked for.
func (in CreateTokenInput) refusal(err error) error {
	var u *UnsupportedError
	if errors.As(err, &u) {
		u.Feature = "an API token expiration date"
	}
	var past *ExpirationInPastError
	if errors.As(err, &past) {
		past.Date = in.ExpirationDate
	}
	return err
}

// RevokeTokenByValue revokes the token of userID (or of the user Jenkins's security realm answers
// for userID, as the create finds it) that has the given name and value and, with notBefore > 0,
// that Jenkins created at or after notBefore (Jenkins-clock milliseconds, JenkinsNow taken before
// the create's first attempt), if there is one, and returns its UUID ("" when there was none,
// or no such user). It settles a create whose answer never came: the token may or may not exist,
// and only its value and name are known. notBefore 0 is for values from NewTokenValue, which no
// other token holds. Safe to repeat. Jenkins is sent the SHA-256 it keeps of the value, never the
// value.
func (c *Client) RevokeTokenByValue(ctx context.Context, userID, name, value string, notBefore int64) (string, error) {
	if err := ValidateTokenValue(value); err != nil {
		return "", err
	}
	c.masker.add(value, value[2:])
	var out struct {
		Revoked *string `json:"revoked"`
	}
	params := map[string]any{"userId": userID, "name": name, "hash": credentialHash(value), "notBefore": emptyZero64(notBefore)}
	if err := c.runScript(ctx, "revoke_token_by_value", params, &out); err != nil {
		return "", err
	}
	return deref(out.Revoked), nil
}

// TokenValueCheck is what Jenkins says of a token and a value.
type TokenValueCheck struct {
	Exists  bool `json:"exists"`  // the user holds a token with that UUID
	Matches bool `json:"matches"` // and its value is the one given (an expired token matches nothing)
}

// TokenHasValue reports whether userID's token uuid exists and has the given value. Jenkins is
// sent the SHA-256 it keeps of the value, never the value.
func (c *Client) TokenHasValue(ctx context.Context, userID, uuid, value string) (TokenValueCheck, error) {
	if err := ValidateTokenValue(value); err != nil {
		return TokenValueCheck{}, err
	}
	c.masker.add(value, value[2:])
	var out TokenValueCheck
	err := c.runScript(ctx, "token_has_value", map[string]any{"userId": userID, "uuid": uuid, "hash": credentialHash(value)}, &out)
	return out, err
}

func emptyZero(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

func emptyZero64(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

func emptyNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// RenameToken renames a token in place (same UUID, same value). A user or
// token gone gives *UserNotFoundError / *TokenNotFoundError (IsNotFound).
func (c *Client) RenameToken(ctx context.Context, userID, uuid, newName string) (Token, error) {
	var out struct {
		Token tokenRow `json:"token"`
	}
	err := c.runScript(ctx, "rename_token", map[string]any{"userId": userID, "uuid": uuid, "name": newName}, &out)
	if err != nil {
		return Token{}, err
	}
	return Token(out.Token), nil
}

// RevokeToken revokes one token and succeeds only when Jenkins confirms it is gone: revoked now,
// or the user or token no longer there, as Jenkins's own lookup (by user id and UUID, in one
// script call) reports. It does not use the HTTP revoke endpoint: its 200 does not say whether
// the UUID existed, and a 404 there does not say the user is gone (a proxy answering 404, or a
// user id such as "." or ".." whose URL the servlet container normalises to another path).
// The result's UserFound tells "no such user" from "no such token": only a caller that has the
// id from Jenkins may take the first for "gone".
func (c *Client) RevokeToken(ctx context.Context, userID, uuid string) (RevokedToken, error) {
	if userID == "" || uuid == "" {
		return RevokedToken{}, errors.New("revoking a token needs a user id and a token UUID")
	}
	res, err := c.RevokeTokens(ctx, []TokenRef{{UserID: userID, UUID: uuid}})
	if err != nil {
		return RevokedToken{}, err
	}
	if len(res) != 1 {
		return RevokedToken{}, &ScriptError{Script: "revoke_tokens", Exception: fmt.Sprintf("%d results for one token", len(res))}
	}
	return res[0], res[0].problem("revoke_tokens", userID)
}

// problem is the error of a revocation Jenkins failed to make, or nil. userID is the user as
// requested.
func (r RevokedToken) problem(script, userID string) error {
	if r.Problem == "" {
		return nil
	}
	return &ScriptError{Script: script, Exception: fmt.Sprintf("Jenkins did not revoke the token %s of user %q: %s", r.RequestedUUID, userID, r.Problem)}
}

// TokenRef names one token.
type TokenRef struct {
	UserID string
	UUID   string
	// Legacy: the token was the user's legacy token when it was listed. Such a token's UUID can
	// change at a restart (a record written by Jenkins before 2.129 and never saved since gets a
	// new legacy UUID at every start), so if UUID is gone the user's current legacy token is
	// revoked instead.
	Legacy bool
	// Name is the token's name when it was listed: what a revocation reports for a token a
	// lost call revoked (RevokedToken.AfterLostAnswer).
	Name string
}

// RevokedToken is the outcome of one TokenRef in RevokeTokens.
type RevokedToken struct {
	UserID        string // canonical id when the user exists, else as requested
	RequestedUUID string // TokenRef.UUID
	// UUID is the token Jenkins revoked: RequestedUUID, the user's current legacy token for a
	// legacy TokenRef whose UUID changed, or "" when nothing was revoked (Problem says why, or
	// the user or token was already gone).
	UUID string
	Name string
	// Legacy: the revoked token was the legacy one, and its seed was cleared too so that it
	// cannot come back at the next restart (JENKINS.md Q7).
	Legacy bool
	// Problem is set when Jenkins failed to revoke the token (the exception, or what the check
	// after the revocation found).
	Problem string
	// UserFound: Jenkins has a user with the requested id (false: nothing was revoked because
	// Jenkins has no such user).
	UserFound bool
	// AfterLostAnswer: a call of this revocation was cut off before its answer (walk.go), and
	// Jenkins, which runs it to its end, revoked this token then: the call sent again found it
	// gone. UUID and Name are the ref's.
	AfterLostAnswer bool
}

// Revoked reports whether Jenkins revoked a token for this ref.
func (r RevokedToken) Revoked() bool { return r.UUID != "" }

// RevokeTokens revokes many tokens in one script call and reports, per ref, what Jenkins
// revoked. Legacy tokens have their seed cleared as well. Tokens or users already gone are not
// errors (nothing revoked, no Problem); a token Jenkins failed to revoke has a Problem, and the
// other refs are still revoked. Safe to repeat.
func (c *Client) RevokeTokens(ctx context.Context, refs []TokenRef) ([]RevokedToken, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	rows := make([][3]any, len(refs))
	for i, r := range refs {
		rows[i] = [3]any{r.UserID, r.UUID, r.Legacy}
	}
	res := make([]RevokedToken, 0, len(refs))
	w := c.newWalk("revoke_tokens")
	lostFrom := -1 // the position of the first call cut off, if any
	for len(res) < len(refs) {
		rest := rows[len(res):]
		var out struct {
			Results [][]json.RawMessage `json:"results"`
		}
		cuts := w.cuts
		err := w.call(ctx, map[string]any{"refs": rest}, &out)
		if w.cuts > cuts && lostFrom < 0 {
			// A call from here on was cut off: Jenkins may run it to the end of the refs sent.
			lostFrom = len(res)
		}
		if err != nil {
			return res, err
		}
		if len(out.Results) == 0 || len(out.Results) > len(rest) {
			return res, &ScriptError{Script: "revoke_tokens", Exception: fmt.Sprintf("answered for %d of %d tokens", len(out.Results), len(rest))}
		}
		for _, r := range out.Results {
			rt, err := revokedRow(r)
			if err != nil {
				return res, &ScriptError{Script: "revoke_tokens", Exception: err.Error()}
			}
			ref := refs[len(res)]
			if rt.RequestedUUID != ref.UUID {
				return res, &ScriptError{Script: "revoke_tokens", Exception: fmt.Sprintf("answered for token %s in the place of %s", rt.RequestedUUID, ref.UUID)}
			}
			// A token found gone from the position of a lost call on: that call revoked it, unless
			// someone else did in those seconds (a token revoked by someone else between plan and
			// apply, further on than the lost call got, is then reported as revoked by this run too:
			// the walk cannot tell how far the lost call got).
			if lostFrom >= 0 && rt.UUID == "" && rt.Problem == "" && rt.UserFound {
				rt.UUID, rt.Name, rt.Legacy, rt.AfterLostAnswer = ref.UUID, ref.Name, ref.Legacy, true
			}
			res = append(res, rt)
		}
		w.progress(ctx, "token revocations", len(res), len(refs), len(res) == len(refs))
	}
	return res, nil
}

// revokedRow decodes one revocation's row (lib/token_write.groovy, revokeOneToken).
func revokedRow(r []json.RawMessage) (RevokedToken, error) {
	var rt RevokedToken
	if len(r) != 7 {
		return rt, errors.New("unexpected result row")
	}
	var revoked, name, problem *string
	for i, dst := range []any{&rt.UserID, &rt.RequestedUUID, &revoked, &name, &rt.Legacy, &problem, &rt.UserFound} {
		if err := json.Unmarshal(r[i], dst); err != nil {
			return rt, errors.New("unexpected result row: " + err.Error())
		}
	}
	rt.UUID, rt.Name, rt.Problem = deref(revoked), deref(name), deref(problem)
	return rt, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
