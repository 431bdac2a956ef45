package conformance

import (
	"testing"
)

// Mirrors core/src/test/java/jenkins/model/IdStrategyTest.java through the script console.

// idStrategyGroovy evaluates params.calls, each [strategy, method, arg1, (arg2)], and prints
// the results (a string, boolean or the sign of compare) as a JSON list.
const idStrategyGroovy = `import jenkins.model.IdStrategy
def strategies = [insensitive: IdStrategy.CASE_INSENSITIVE, newInsensitive: new IdStrategy.CaseInsensitive(),
    sensitive: new IdStrategy.CaseSensitive(), email: new IdStrategy.CaseSensitiveEmailAddress()]
println JsonOutput.toJson(params.calls.collect { c ->
    def s = strategies[c[0]]
    switch (c[1]) {
        case 'idFromFilename': return s.idFromFilename(c[2])
        case 'keyFor': return s.keyFor(c[2])
        case 'equals': return s.equals(c[2], c[3])
        case 'compare': return Integer.signum(s.compare(c[2], c[3]))
    }
})`

// idCheck is one call and the value Jenkins's test asserts.
type idCheck struct {
	strategy, method string
	args             []string
	want             any // string, bool, or int (sign of compare)
}

func runIDChecks(t *testing.T, checks []idCheck) {
	t.Helper()
	calls := make([][]string, len(checks))
	for i, c := range checks {
		calls[i] = append([]string{c.strategy, c.method}, c.args...)
	}
	var got []any
	scriptJSON(t, idStrategyGroovy, map[string]any{"calls": calls}, &got)
	if len(got) != len(checks) {
		t.Fatalf("%d results for %d calls", len(got), len(checks))
	}
	for i, c := range checks {
		want := c.want
		if n, ok := want.(int); ok {
			want = float64(n)
		}
		if got[i] != want {
			t.Errorf("%s.%s(%q) = %#v, want %#v", c.strategy, c.method, c.args, got[i], c.want)
		}
	}
}

func fromFilename(strategy string, pairs ...string) []idCheck {
	var l []idCheck
	for i := 0; i < len(pairs); i += 2 {
		l = append(l, idCheck{strategy, "idFromFilename", []string{pairs[i]}, pairs[i+1]})
	}
	return l
}

// restrictedNames mirrors assertRestrictedNames.
func restrictedNames(strategy string) []idCheck {
	pairs := []string{"$002f", "/", "$002e$002e", "..", "$0063on", "con", "$0070rn", "prn", "$0061ux", "aux", "$006eul", "nul"}
	for _, n := range "123456789" {
		pairs = append(pairs, "$0063om"+string(n), "com"+string(n))
	}
	for _, n := range "123456789" {
		pairs = append(pairs, "$006cpt"+string(n), "lpt"+string(n))
	}
	return fromFilename(strategy, pairs...)
}

// TestIdStrategy_caseInsensitive mirrors IdStrategyTest#caseInsensitive.
func TestIdStrategy_caseInsensitive(t *testing.T) {
	checks := restrictedNames("newInsensitive")
	checks = append(checks, fromFilename("newInsensitive",
		"foo", "foo",
		"foo$002fbar", "foo/bar",
		"..$002ftest", "../test",
		"0123 _-@$007ea", "0123 _-@~a",
		"foo$002e", "foo.",
		"$002dfoo", "-foo",
		// not the same user name: case insensitive
		"Foo", "foo",
		"Foo$002fBar", "foo/bar",
		"..$002fTest", "../test",
		"$006eul", "nul",
		"~foo", "~foo",
		"0123 _-@~a", "0123 _-@~a",
		"big$money", "big$money",
		"$00c1aaa", "\u00e1aaa",
		"$00e1aaa", "\u00e1aaa",
		"aaaa$00e1", "aaaa\u00e1",
		"aaaa$00e1kkkk", "aaaa\u00e1kkkk",
		"aa$00e1zz$00e9pp", "aa\u00e1zz\u00e9pp",
		"$306f$56fd$5185$3067$6700$5927", "\u306f\u56fd\u5185\u3067\u6700\u5927",
		"$00E1aaa", "$00e1aaa",
		"$001gggg", "$001gggg",
		"rrr$t123", "rrr$t123",
	)...)
	runIDChecks(t, checks)
}

// TestIdStrategy_caseInsensitivePassesThroughOldLegacy mirrors IdStrategyTest#caseInsensitivePassesThroughOldLegacy.
func TestIdStrategy_caseInsensitivePassesThroughOldLegacy(t *testing.T) {
	runIDChecks(t, fromFilename("newInsensitive",
		"make\u1000000", "make\u1000000",
		"\u306f\u56fd\u5185\u3067\u6700\u5927", "\u306f\u56fd\u5185\u3067\u6700\u5927",
		"~fred", "~fred",
		"~1fred", "~1fred",
	))
}

// TestIdStrategy_caseSensitive mirrors IdStrategyTest#caseSensitive.
func TestIdStrategy_caseSensitive(t *testing.T) {
	checks := restrictedNames("sensitive")
	checks = append(checks, fromFilename("sensitive",
		"foo", "foo",
		"~foo", "Foo",
		"foo$002fbar", "foo/bar",
		"~foo$002f~bar", "Foo/Bar",
		"..$002ftest", "../test",
		"..$002f~test", "../Test",
		"0123 _-@$007ea", "0123 _-@~a",
		"0123 _-@~a", "0123 _-@A",
		"foo$002e", "foo.",
		"$002dfoo", "-foo",
		"~con", "Con",
		"~prn", "Prn",
		"~aux", "Aux",
		"~nul", "Nul",
		"~com1", "Com1",
		"~lpt1", "Lpt1",
		"big$money", "big$money",
		"$00c1aaa", "\u00c1aaa",
		"$00e1aaa", "\u00e1aaa",
		"aaaa$00e1", "aaaa\u00e1",
		"aaaa$00e1kkkk", "aaaa\u00e1kkkk",
		"aa$00e1zz$00e9pp", "aa\u00e1zz\u00e9pp",
		"$306f$56fd$5185$3067$6700$5927", "\u306f\u56fd\u5185\u3067\u6700\u5927",
		"$00E1aaa", "$00E1aaa",
		"$001gggg", "$001gggg",
		"rRr$t123", "rRr$t123",
		"iiii _-@$007~ea", "iiii _-@$007Ea",
	)...)
	runIDChecks(t, checks)
}

// TestIdStrategy_caseSensitivePassesThroughOldLegacy mirrors IdStrategyTest#caseSensitivePassesThroughOldLegacy.
func TestIdStrategy_caseSensitivePassesThroughOldLegacy(t *testing.T) {
	runIDChecks(t, fromFilename("sensitive",
		"make\u1000000", "make\u1000000",
		"\u306f\u56fd\u5185\u3067\u6700\u5927", "\u306f\u56fd\u5185\u3067\u6700\u5927",
		"~1fred", "~1fred",
	))
}

func eq(strategy, a, b string, want bool) idCheck {
	return idCheck{strategy, "equals", []string{a, b}, want}
}

func key(strategy, id, want string) idCheck {
	return idCheck{strategy, "keyFor", []string{id}, want}
}

func cmp(strategy, a, b string, sign int) idCheck {
	return idCheck{strategy, "compare", []string{a, b}, sign}
}

// TestIdStrategy_testEqualsCaseInsensitive mirrors IdStrategyTest#testEqualsCaseInsensitive.
func TestIdStrategy_testEqualsCaseInsensitive(t *testing.T) {
	runIDChecks(t, []idCheck{
		eq("insensitive", "user1", "User1", true),
		eq("insensitive", "User1", "user1", true),
		eq("insensitive", "User1", "user2", false),
		eq("insensitive", "sameUser", "sameUser", true),
	})
}

// TestIdStrategy_testEqualsCaseSensitive mirrors IdStrategyTest#testEqualsCaseSensitive.
func TestIdStrategy_testEqualsCaseSensitive(t *testing.T) {
	runIDChecks(t, []idCheck{
		eq("sensitive", "user1", "User1", false),
		eq("sensitive", "User1", "user1", false),
		eq("sensitive", "User1", "user2", false),
		eq("sensitive", "sameUser", "sameUser", true),
	})
}

// TestIdStrategy_testEqualsCaseSensitiveEmailAddress mirrors IdStrategyTest#testEqualsCaseSensitiveEmailAddress.
func TestIdStrategy_testEqualsCaseSensitiveEmailAddress(t *testing.T) {
	runIDChecks(t, []idCheck{
		eq("email", "john.smith@acme.org", "John.Smith@acme.org", false),
		eq("email", "john.smith@acme.org", "John.Smith@ACME.org", false),
		eq("email", "john.smith@acme.org", "John.Smith@acme.ORG", false),
		eq("email", "John@smith@acme.org", "john@Smith@acme.ORG", false),
		eq("email", "john.smith@acme.org", "john.smith@acme.org", true),
		eq("email", "John.Smith@ACME.org", "John.Smith@acme.org", true),
		eq("email", "John.Smith@acme.ORG", "John.Smith@acme.org", true),
		eq("email", "john@smith@ACME.org", "john@smith@acme.org", true),
	})
}

// TestIdStrategy_testKeyForCaseInsensitive mirrors IdStrategyTest#testKeyForCaseInsensitive.
func TestIdStrategy_testKeyForCaseInsensitive(t *testing.T) {
	runIDChecks(t, []idCheck{
		key("insensitive", "user1", "user1"),
		key("insensitive", "User1", "user1"),
		key("insensitive", "USER1", "user1"),
	})
}

// TestIdStrategy_testKeyForCaseSensitive mirrors IdStrategyTest#testKeyForCaseSensitive.
func TestIdStrategy_testKeyForCaseSensitive(t *testing.T) {
	runIDChecks(t, []idCheck{
		key("sensitive", "user1", "user1"),
		key("sensitive", "User1", "User1"),
		key("sensitive", "USER1", "USER1"),
	})
}

// TestIdStrategy_testKeyForCaseSensitiveEmailAddress mirrors IdStrategyTest#testKeyForCaseSensitiveEmailAddress.
func TestIdStrategy_testKeyForCaseSensitiveEmailAddress(t *testing.T) {
	runIDChecks(t, []idCheck{
		key("email", "john.smith@acme.org", "john.smith@acme.org"),
		key("email", "John.Smith@acme.org", "John.Smith@acme.org"),
		key("email", "John.Smith@ACME.org", "John.Smith@acme.org"),
		key("email", "John.Smith@acme.ORG", "John.Smith@acme.org"),
		key("email", "john.smith", "john.smith"),
		key("email", "John.Smith", "John.Smith"),
		key("email", "john@smith@acme.org", "john@smith@acme.org"),
		key("email", "John@Smith@acme.org", "John@Smith@acme.org"),
	})
}

// TestIdStrategy_testCompareCaseInsensitive mirrors IdStrategyTest#testCompareCaseInsensitive.
func TestIdStrategy_testCompareCaseInsensitive(t *testing.T) {
	runIDChecks(t, []idCheck{
		cmp("insensitive", "user1", "user2", -1),
		cmp("insensitive", "user2", "user1", 1),
		cmp("insensitive", "user1", "user1", 0),
		cmp("insensitive", "USER1", "user2", -1),
		cmp("insensitive", "USER2", "user1", 1),
		cmp("insensitive", "User1", "user1", 0),
	})
}

// TestIdStrategy_testCompareCaseSensitive mirrors IdStrategyTest#testCompareCaseSensitive.
func TestIdStrategy_testCompareCaseSensitive(t *testing.T) {
	runIDChecks(t, []idCheck{
		cmp("sensitive", "user1", "user2", -1),
		cmp("sensitive", "user2", "user1", 1),
		cmp("sensitive", "user1", "user1", 0),
		cmp("sensitive", "USER1", "user2", -1),
		cmp("sensitive", "USER2", "user1", -1),
		cmp("sensitive", "User1", "user1", -1),
	})
}

// TestIdStrategy_testCompareCaseSensitiveEmail mirrors IdStrategyTest#testCompareCaseSensitiveEmail.
func TestIdStrategy_testCompareCaseSensitiveEmail(t *testing.T) {
	runIDChecks(t, []idCheck{
		cmp("email", "john.smith@acme.org", "john.smith@acme.org", 0),
		cmp("email", "John.Smith@acme.org", "John.Smith@acme.org", 0),
		cmp("email", "John.Smith@ACME.org", "John.Smith@acme.org", 0),
		cmp("email", "John.Smith@acme.ORG", "John.Smith@acme.org", 0),
		cmp("email", "john.smith", "john.smith", 0),
		cmp("email", "John.Smith", "John.Smith", 0),
		cmp("email", "john@smith@acme.org", "john@smith@acme.org", 0),
		cmp("email", "John@Smith@acme.org", "John@Smith@acme.org", 0),
		cmp("email", "John.Smith@acme.org", "john.smith@acme.org", -1),
		cmp("email", "john.smith@acme.org", "John.Smith@acme.org", 1),
	})
}

// TestIdStrategy_caseInsensitiveEqualsIsConsistentWithKeyForForUnicode mirrors
// IdStrategyTest#caseInsensitiveEqualsIsConsistentWithKeyForForUnicode (SECURITY-3924).
func TestIdStrategy_caseInsensitiveEqualsIsConsistentWithKeyForForUnicode(t *testing.T) {
	runIDChecks(t, []idCheck{
		eq("insensitive", "admin", "adm\u0131n", false), // dotless i upper-cases to I
		eq("insensitive", "mass", "ma\u017fs", false),   // long s upper-cases to S
		eq("insensitive", "\u03c3", "\u03c2", false),    // both sigmas upper-case to U+03A3
	})
}

// TestIdStrategy_caseInsensitiveDotlessIDoesNotCollideWithAdmin mirrors
// IdStrategyTest#caseInsensitiveDotlessIDoesNotCollideWithAdmin (SECURITY-3924).
func TestIdStrategy_caseInsensitiveDotlessIDoesNotCollideWithAdmin(t *testing.T) {
	const attacker = "adm\u0131n"
	var keys []string
	scriptJSON(t, `println JsonOutput.toJson([jenkins.model.IdStrategy.CASE_INSENSITIVE.keyFor(params.a), jenkins.model.IdStrategy.CASE_INSENSITIVE.keyFor(params.b)])`,
		map[string]any{"a": "admin", "b": attacker}, &keys)
	if len(keys) != 2 || keys[0] == keys[1] {
		t.Errorf("keyFor(admin) and keyFor(attacker): %q", keys)
	}
	checks := []idCheck{
		eq("insensitive", "admin", attacker, false),
		eq("insensitive", attacker, "admin", false),
		eq("insensitive", "Admin", "admin", true),
		key("insensitive", "Admin", "admin"),
		cmp("insensitive", "Admin", "admin", 0),
	}
	runIDChecks(t, checks)
	var sign []int
	scriptJSON(t, `println JsonOutput.toJson([jenkins.model.IdStrategy.CASE_INSENSITIVE.compare(params.a, params.b)])`,
		map[string]any{"a": "admin", "b": attacker}, &sign)
	if len(sign) != 1 || sign[0] == 0 {
		t.Errorf("compare(admin, attacker) = %v, want non-zero", sign)
	}
}
