package conformance

import (
	"net/url"
	"strings"
	"testing"
)

// Mirrors test/src/test/java/jenkins/security/ApiTokenPropertyTest.java. JenkinsRule's dummy
// realm (password = id) is an account made with dummyUser; the test thread runs as SYSTEM, which
// the scripts reproduce with asSystem.

const fixedTokenValue = "110123456789abcdef0123456789abcdef"

// TestApiTokenProperty_basics mirrors ApiTokenPropertyTest#basics (without the /security/
// page and its form round-trip, which the simulator does not render).
func TestApiTokenProperty_basics(t *testing.T) {
	fresh(t)
	setTokenGenerationOnCreation(t, true)
	dummyUser(t, "foo")
	var r struct{ System, Self string }
	scriptJSON(t, `def u = User.getById('foo', false)
def p = u.getProperty(ApiTokenProperty)
println JsonOutput.toJson([system: asSystem { p.getApiToken() }, self: asUser(u) { p.getApiToken() }])`, nil, &r)
	// "User is unable to get its own token"
	if r.Self != r.System || len(r.Self) != 32 || !hexRE.MatchString(r.Self) {
		t.Fatalf("getApiToken as SYSTEM %q, as the user %q", r.System, r.Self)
	}
	// Authentication via a token: User.current() is the user.
	_, token := newToken(t, "foo", "test")
	checkUserIsConnected(t, "foo", token)
}

// TestApiTokenProperty_security49Upgrade mirrors ApiTokenPropertyTest#security49Upgrade.
func TestApiTokenProperty_security49Upgrade(t *testing.T) {
	fresh(t)
	var r struct {
		Token1, HistoricalDigest, Token2, Token3, OtherDigest string
	}
	scriptJSON(t, `def md5 = { String s -> java.security.MessageDigest.getInstance('MD5').digest(s.getBytes('UTF-8')).encodeHex().toString() }
def out = [:]
asSystem {
    def u = User.getOrCreateByIdOrFullName('foo')
    String historicalInitialValue = md5(Jenkins.get().getSecretKey() + ':' + u.getId())
    def t = new ApiTokenProperty(historicalInitialValue)
    u.addProperty(t)
    out.token1 = t.getApiToken()
    out.historicalDigest = md5(historicalInitialValue)
    def t2 = new ApiTokenProperty(historicalInitialValue)
    u.addProperty(t2)
    out.token2 = t2.getApiToken()
    t = new ApiTokenProperty(historicalInitialValue + 'somethingElse')
    u.addProperty(t)
    out.token3 = t.getApiToken()
    out.otherDigest = md5(historicalInitialValue + 'somethingElse')
}
println JsonOutput.toJson(out)`, nil, &r)
	// The historically used initial value is not accepted as it may be compromised.
	if r.Token1 == r.HistoricalDigest || len(r.Token1) != 32 {
		t.Errorf("pre-SECURITY-49 seed kept: %+v", r)
	}
	// The replacement is consistent, not random.
	if r.Token2 != r.Token1 {
		t.Errorf("replacement not stable: %q then %q", r.Token1, r.Token2)
	}
	// Any other value is kept.
	if r.Token3 != r.OtherDigest {
		t.Errorf("other seed: token %q, want %q", r.Token3, r.OtherDigest)
	}
}

// TestApiTokenProperty_adminsShouldBeUnableToSeeTokensByDefault mirrors
// ApiTokenPropertyTest#adminsShouldBeUnableToSeeTokensByDefault: the field the security page
// shows another (admin) user is getApiToken() evaluated as that user.
func TestApiTokenProperty_adminsShouldBeUnableToSeeTokensByDefault(t *testing.T) {
	fresh(t)
	setTokenGenerationOnCreation(t, true)
	var r struct{ Shown string }
	scriptJSON(t, `def u = asSystem { User.getOrCreateByIdOrFullName('foo') }
def p = u.getProperty(ApiTokenProperty)
asSystem { p.generateNewToken('test') }
println JsonOutput.toJson([shown: p.getApiToken()])`, nil, &r)
	if r.Shown != msgTokenIsHidden {
		t.Fatalf("the admin sees %q, want %q", r.Shown, msgTokenIsHidden)
	}
}

// TestApiTokenProperty_adminsShouldBeUnableToChangeTokensByDefault mirrors
// ApiTokenPropertyTest#adminsShouldBeUnableToChangeTokensByDefault ("bar" is an admin there,
// JenkinsRule's authorization being unsecured; here it is the admin).
func TestApiTokenProperty_adminsShouldBeUnableToChangeTokensByDefault(t *testing.T) {
	fresh(t)
	setTokenGenerationOnCreation(t, true)
	scriptOK(t, `asSystem { User.getOrCreateByIdOrFullName('foo'); User.getOrCreateByIdOrFullName('bar') }`, nil)
	_, adminToken := newToken(t, "admin", "bar")
	path := "user/foo/" + tokenPropertyURL + "changeToken"
	mustStatus(t, call(t, "GET", path, "admin", adminToken, nil, nil), 405) // "method should not be allowed"
	r := call(t, "POST", path, "admin", adminToken, nil, nil)
	mustStatus(t, r, 200)
	if got := strings.TrimSpace(r.Body); got != msgSuccessHidden {
		t.Fatalf("Update token response is incorrect: %q", got)
	}
}

// TestApiTokenProperty_generateNewTokenWithoutName mirrors ApiTokenPropertyTest#generateNewTokenWithoutName.
func TestApiTokenProperty_generateNewTokenWithoutName(t *testing.T) {
	fresh(t)
	setCrumbIssuer(t, false)
	_, name1, _ := generateNewTokenHTTP(t, "admin", "admin", "admin", "", nil)
	if strings.TrimSpace(name1) == "" {
		t.Errorf("blank name kept: %q", name1)
	}
	_, name2, _ := generateNewTokenHTTP(t, "admin", "admin", "admin", "New Token", nil)
	if name2 != "New Token" {
		t.Errorf("name %q", name2)
	}
}

// TestApiTokenProperty_migrationFromLegacyToken mirrors ApiTokenPropertyTest#migrationFromLegacyToken.
// The @LocalData user (a legacy seed and no token store: saved before 2.129) comes from
// /__sim/legacy-user; it is "migrated" rather than "admin", whose token the helpers use.
func TestApiTokenProperty_migrationFromLegacyToken(t *testing.T) {
	fresh(t)
	setCrumbIssuer(t, false)
	const id = "migrated"
	_, seeded, err := sim.LegacyUser(testCtx(t), id, id)
	if err != nil {
		t.Fatal(err)
	}

	// The user is still able to connect with the password and the legacy token.
	checkUserIsConnected(t, id, id)
	localLegacyToken := legacyToken(t, id) // getApiTokenInsecure()
	if localLegacyToken != seeded {
		t.Fatalf("getApiTokenInsecure %q, the record's token %q", localLegacyToken, seeded)
	}
	checkUserIsConnected(t, id, localLegacyToken)

	// It can still be renewed (API).
	if n := len(tokenList(t, id)); n != 1 {
		t.Fatalf("token list before change: %d entries", n)
	}
	newLegacyToken := changeLegacyTokenDirectly(t, id)
	if n := len(tokenList(t, id)); n != 1 {
		t.Fatalf("token list after change: %d entries", n)
	}
	checkUserIsConnected(t, id, newLegacyToken)
	checkUserIsNotConnected(t, id, localLegacyToken)

	// New system: revoke the legacy token.
	legacy := storeUUIDs(t, id, true)
	if len(legacy) != 1 {
		t.Fatalf("getLegacyToken: %v", legacy)
	}
	revokeToken(t, id, newLegacyToken, id, legacy[0])
	if n := len(tokenList(t, id)); n != 0 {
		t.Fatalf("token list after revoke: %d entries", n)
	}
	checkUserIsNotConnected(t, id, newLegacyToken)
	checkUserIsNotConnected(t, id, localLegacyToken)
	checkUserIsConnected(t, id, id)

	// A new token from the new system works.
	_, _, value := generateNewTokenHTTP(t, id, id, id, "New Token", nil)
	checkUserIsConnected(t, id, value)
}

// changeLegacyToken posts .../changeToken/ as the user (password) and checks whether the
// answer is the "capability not allowed" message.
func changeLegacyToken(t *testing.T, login string, success bool) {
	t.Helper()
	r := call(t, "POST", "user/"+url.PathEscape(login)+"/"+tokenPropertyURL+"changeToken/", login, login, nil, nil)
	mustStatus(t, r, 200)
	if got := strings.Contains(r.Body, msgCapabilityDisabled); got == success {
		t.Fatalf("changeToken (success expected: %v): %q", success, r.Body)
	}
}

func revokeAllTokenUsingFilter(t *testing.T, login string, onlyLegacy bool) {
	t.Helper()
	for _, uuid := range storeUUIDs(t, login, onlyLegacy) {
		revokeToken(t, login, login, login, uuid)
	}
}

func checkCombinationWithConfigAndMethodForLegacyTokenCreation(t *testing.T, login string) {
	t.Helper()
	setCreationOfLegacyToken(t, true)
	changeLegacyToken(t, login, true)
	if tok := legacyToken(t, login); tok == msgCapabilityDisabled || len(tok) != 32 {
		t.Fatalf("after changeToken with creation enabled: %q", tok)
	}
	revokeAllTokenUsingFilter(t, login, true)
	// always possible
	if tok := changeLegacyTokenDirectly(t, login); len(tok) != 32 {
		t.Fatalf("changeApiToken: %q", tok)
	}
	revokeAllTokenUsingFilter(t, login, true)

	revokeAllTokenUsingFilter(t, login, false)

	setCreationOfLegacyToken(t, false)
	changeLegacyToken(t, login, false)
	if tok := legacyToken(t, login); tok != msgNoLegacyToken {
		t.Fatalf("after a refused changeToken: %q", tok)
	}
	revokeAllTokenUsingFilter(t, login, true)
	if tok := changeLegacyTokenDirectly(t, login); len(tok) != 32 {
		t.Fatalf("changeApiToken with creation disabled: %q", tok)
	}
	revokeAllTokenUsingFilter(t, login, true)
}

// TestApiTokenProperty_legacyTokenChange mirrors ApiTokenPropertyTest#legacyTokenChange.
func TestApiTokenProperty_legacyTokenChange(t *testing.T) {
	fresh(t)
	setCrumbIssuer(t, false)
	setTokenGenerationOnCreation(t, true)
	const id = "user"
	dummyUser(t, id)

	// With one legacy token, it can be changed through the web UI or the direct call.
	current := legacyToken(t, id)
	if n := len(tokenList(t, id)); n != 1 {
		t.Fatalf("token list: %d entries", n)
	}
	for _, creation := range []bool{true, false} {
		setCreationOfLegacyToken(t, creation)
		changeLegacyToken(t, id, true)
		viaWeb := legacyToken(t, id)
		if viaWeb == current {
			t.Fatalf("changeToken (creation %v) kept the token", creation)
		}
		direct := changeLegacyTokenDirectly(t, id)
		if direct == viaWeb || direct == current {
			t.Fatalf("changeApiToken (creation %v) kept a token", creation)
		}
		current = direct
	}
	// Without any legacy token, the direct call remains but the web UI depends on the configuration.
	revokeAllTokenUsingFilter(t, id, false)
	checkCombinationWithConfigAndMethodForLegacyTokenCreation(t, id)
	// Only the legacy token has an impact on that capability.
	generateNewTokenHTTP(t, id, id, id, "New token", nil)
	checkCombinationWithConfigAndMethodForLegacyTokenCreation(t, id)
}

// TestApiTokenProperty_script_addFixedNewToken_Regular mirrors ApiTokenPropertyTest#script_addFixedNewToken_Regular.
func TestApiTokenProperty_script_addFixedNewToken_Regular(t *testing.T) {
	fresh(t)
	dummyUser(t, "user")
	var r struct{ Before, After int }
	scriptJSON(t, `def p = User.getById('user', true).getProperty(ApiTokenProperty)
int before = p.getTokenStore().getTokenListSortedByName().size()
p.addFixedNewToken('fixed-token', params.value)
println JsonOutput.toJson([before: before, after: p.getTokenStore().getTokenListSortedByName().size()])`,
		map[string]any{"value": fixedTokenValue}, &r)
	if r.After != r.Before+1 {
		t.Fatalf("sizes %+v", r)
	}
	checkUserIsConnected(t, "user", fixedTokenValue)
}

// TestApiTokenProperty_script_addFixedNewToken_Invalid mirrors ApiTokenPropertyTest#script_addFixedNewToken_Invalid.
func TestApiTokenProperty_script_addFixedNewToken_Invalid(t *testing.T) {
	fresh(t)
	invalid := [][2]string{
		{"invalid-token: too-long", "110123456789abcdef0123456789abcdefg"},
		{"invalid-token: too-short", "110123456789abcdef0123456789abcde"},
		{"invalid-token: non-hex", "110123456789abcdef0123456789abcdeg"},
		{"invalid-token: invalid-version", "120123456789abcdef0123456789abcdef"},
	}
	var r struct {
		Before, After int
		Outcomes      []string
	}
	scriptJSON(t, `def p = User.getById('user', true).getProperty(ApiTokenProperty)
int before = p.getTokenStore().getTokenListSortedByName().size()
def outcomes = params.cases.collect { c ->
    try { p.addFixedNewToken(c[0], c[1]); 'accepted' } catch (IllegalArgumentException e) { 'IllegalArgumentException' } catch (Throwable e) { e.getClass().name }
}
println JsonOutput.toJson([before: before, after: p.getTokenStore().getTokenListSortedByName().size(), outcomes: outcomes])`,
		map[string]any{"cases": invalid}, &r)
	for i, o := range r.Outcomes {
		if o != "IllegalArgumentException" {
			t.Errorf("The invalid token %s with value %s: %s, want IllegalArgumentException", invalid[i][0], invalid[i][1], o)
		}
	}
	if len(r.Outcomes) != len(invalid) || r.After != r.Before {
		t.Errorf("sizes %+v", r)
	}
}

// generateThree runs generateNewToken('token1'..'token3'[, today + days]) and returns the values
// and list sizes; days nil means no expiration date.
func generateThree(t *testing.T, days *int) (before, afterFirst, afterAll int, values []string) {
	t.Helper()
	var r struct {
		Before, AfterFirst, AfterAll int
		Values                       []string
	}
	scriptJSON(t, `def p = User.getById('user', true).getProperty(ApiTokenProperty)
def size = { p.getTokenStore().getTokenListSortedByName().size() }
def date = params.days == null ? null : LocalDate.now().plusDays(params.days)
def gen = { String n -> date == null ? p.generateNewToken(n) : p.generateNewToken(n, date) }
int before = size()
def values = [gen('token1').plainValue]
int afterFirst = size()
values << gen('token2').plainValue
values << gen('token3').plainValue
println JsonOutput.toJson([before: before, afterFirst: afterFirst, afterAll: size(), values: values])`,
		map[string]any{"days": days}, &r)
	return r.Before, r.AfterFirst, r.AfterAll, r.Values
}

// TestApiTokenProperty_script_generateNewExpiringToken mirrors ApiTokenPropertyTest#script_generateNewExpiringToken.
func TestApiTokenProperty_script_generateNewExpiringToken(t *testing.T) {
	fresh(t)
	dummyUser(t, "user")
	before, first, all, values := generateThree(t, ptr(1))
	if first != before+1 || all != before+3 {
		t.Fatalf("sizes %d %d %d", before, first, all)
	}
	for _, v := range values {
		checkUserIsConnected(t, "user", v)
	}
}

// TestApiTokenProperty_script_expiredTokenIsInvalid mirrors ApiTokenPropertyTest#script_expiredTokenIsInvalid.
func TestApiTokenProperty_script_expiredTokenIsInvalid(t *testing.T) {
	fresh(t)
	dummyUser(t, "user")
	before, first, all, values := generateThree(t, ptr(-1))
	if first != before+1 || all != before+3 {
		t.Fatalf("sizes %d %d %d", before, first, all)
	}
	for _, v := range values {
		checkUserIsNotConnected(t, "user", v)
	}
}

// TestApiTokenProperty_script_generateNewToken mirrors ApiTokenPropertyTest#script_generateNewToken.
func TestApiTokenProperty_script_generateNewToken(t *testing.T) {
	fresh(t)
	dummyUser(t, "user")
	before, first, all, values := generateThree(t, nil)
	if first != before+1 || all != before+3 {
		t.Fatalf("sizes %d %d %d", before, first, all)
	}
	for _, v := range values {
		checkUserIsConnected(t, "user", v)
	}
}

// TestApiTokenProperty_script_revokeAllTokens mirrors ApiTokenPropertyTest#script_revokeAllTokens.
func TestApiTokenProperty_script_revokeAllTokens(t *testing.T) {
	fresh(t)
	setTokenGenerationOnCreation(t, true)
	dummyUser(t, "user")
	var r struct{ Sizes []int }
	scriptJSON(t, `def p = User.getById('user', false).getProperty(ApiTokenProperty)
def size = { p.getTokenStore().getTokenListSortedByName().size() }
def sizes = []
p.revokeAllTokens(); sizes << size() // legacy token removed
p.generateNewToken('token1'); p.revokeAllTokens(); sizes << size()
p.generateNewToken('token2', LocalDate.now().plusDays(1)); p.revokeAllTokens(); sizes << size()
p.addFixedNewToken('fixed-token', params.value)
println JsonOutput.toJson([sizes: sizes])`, map[string]any{"value": fixedTokenValue}, &r)
	if len(r.Sizes) != 3 || r.Sizes[0] != 0 || r.Sizes[1] != 0 || r.Sizes[2] != 0 {
		t.Fatalf("list sizes after revokeAllTokens: %v", r.Sizes)
	}
	checkUserIsConnected(t, "user", fixedTokenValue)
	scriptOK(t, `User.getById('user', false).getProperty(ApiTokenProperty).revokeAllTokens()`, nil)
	checkUserIsNotConnected(t, "user", fixedTokenValue)
	if l := storeUUIDs(t, "user", false); len(l) != 0 {
		t.Fatalf("tokens left: %v", l)
	}
}

// TestApiTokenProperty_script_revokeAllTokensExceptOne mirrors ApiTokenPropertyTest#script_revokeAllTokensExceptOne.
func TestApiTokenProperty_script_revokeAllTokensExceptOne(t *testing.T) {
	fresh(t)
	setTokenGenerationOnCreation(t, true)
	dummyUser(t, "user")
	var r struct{ Uuid1, Value1, Value2 string }
	scriptJSON(t, `def p = User.getById('user', false).getProperty(ApiTokenProperty)
p.generateNewToken('token0')
def t1 = p.generateNewToken('token1')
def t2 = p.generateNewToken('token2')
p.generateNewToken('token3')
println JsonOutput.toJson([uuid1: t1.tokenUuid, value1: t1.plainValue, value2: t2.plainValue])`, nil, &r)
	checkUserIsConnected(t, "user", r.Value1)
	checkUserIsConnected(t, "user", r.Value2)
	scriptOK(t, `User.getById('user', false).getProperty(ApiTokenProperty).revokeAllTokensExceptOne(params.uuid)`, map[string]any{"uuid": r.Uuid1})
	checkUserIsConnected(t, "user", r.Value1)
	checkUserIsNotConnected(t, "user", r.Value2)
	if l := storeUUIDs(t, "user", false); len(l) != 1 || l[0] != r.Uuid1 {
		t.Fatalf("tokens left %v, want only %s", l, r.Uuid1)
	}

	var r4 struct{ Uuid4, Value4 string }
	scriptJSON(t, `def p = User.getById('user', false).getProperty(ApiTokenProperty)
p.addFixedNewToken('fixed-token', params.value)
def t4 = p.generateNewToken('token4')
p.revokeAllTokensExceptOne(t4.tokenUuid)
println JsonOutput.toJson([uuid4: t4.tokenUuid, value4: t4.plainValue])`, map[string]any{"value": fixedTokenValue}, &r4)
	if l := storeUUIDs(t, "user", false); len(l) != 1 || l[0] != r4.Uuid4 {
		t.Fatalf("tokens left %v, want only %s", l, r4.Uuid4)
	}
	checkUserIsNotConnected(t, "user", r.Value1)
	checkUserIsNotConnected(t, "user", fixedTokenValue)
	checkUserIsConnected(t, "user", r4.Value4)
}

// TestApiTokenProperty_script_revokeToken mirrors ApiTokenPropertyTest#script_revokeToken.
func TestApiTokenProperty_script_revokeToken(t *testing.T) {
	fresh(t)
	setTokenGenerationOnCreation(t, true)
	dummyUser(t, "user")
	var r struct{ Uuids, Values []string }
	scriptJSON(t, `def p = User.getById('user', false).getProperty(ApiTokenProperty)
p.revokeAllTokens()
def ts = ['token1', 'token2', 'token3'].collect { p.generateNewToken(it) }
println JsonOutput.toJson([uuids: ts*.tokenUuid, values: ts*.plainValue])`, nil, &r)
	revoke := func(uuid string) {
		t.Helper()
		scriptOK(t, `User.getById('user', false).getProperty(ApiTokenProperty).revokeToken(params.uuid)`, map[string]any{"uuid": uuid})
	}
	check := func(working ...bool) {
		t.Helper()
		for i, w := range working {
			if w {
				checkUserIsConnected(t, "user", r.Values[i])
			} else {
				checkUserIsNotConnected(t, "user", r.Values[i])
			}
		}
	}
	check(true, true, true)
	revoke(r.Uuids[0])
	check(false, true, true)
	revoke(r.Uuids[2])
	check(false, true, false)
	revoke("invalid-uuid") // no effect
	check(false, true, false)
}

func ptr(i int) *int { return &i }
