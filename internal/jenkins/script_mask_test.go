package jenkins

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
)

// TestSimCompileErrorIsMasked runs a broken template through the real Groovy of the simulator.
// Groovy's compile error quotes the offending source line, which holds the base64 parameters
// (names and user IDs; a token value travels as a form field, which no error quotes): the error
// must show the exception and none of these.
func TestSimCompileErrorIsMasked(t *testing.T) {
	s := needSim(t)
	c := simClient(t, s, "")
	value := newValue(t)
	// One parenthesis too many after the decoding line every template uses.
	src := "import groovy.json.JsonSlurper\n" + decodeLine + ")\nprint(p.marker + p.marker)\n"
	err := c.runScriptSource(context.Background(), "broken", src, map[string]any{"name": "a name"}, scriptFields{tokenValueField: value}, nil)
	var se *ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("a template that does not compile: %v, want a ScriptError", err)
	}
	if !strings.Contains(se.Exception, "MultipleCompilationErrorsException") {
		t.Errorf("the error does not show Groovy's compile error: %s", se.Exception)
	}
	// Callers may show Output too (it is what Error adds when the exception line is not in it).
	if !strings.Contains(se.Output, "'), 'UTF-8')") {
		t.Errorf("the output does not quote the offending line, so the test proves nothing about masking: %s", se.Output)
	}
	// Groovy quotes a window of the line that cuts the literal: the piece shown is masked too.
	if !regexp.MustCompile(`(?m)^\s*\*\*\*'\), 'UTF-8'\)`).MatchString(se.Output) {
		t.Errorf("the quoted source line is not masked up to the end of the parameter literal:\n%s", se.Output)
	}
	msg := err.Error() + "\n" + se.Output
	for what, re := range map[string]*regexp.Regexp{
		"the token value":    regexp.MustCompile(regexp.QuoteMeta(value)),
		"the password":       regexp.MustCompile(regexp.QuoteMeta(s.AdminPassword + "@")),
		"a long base64 run":  regexp.MustCompile(`[A-Za-z0-9+/]{40,}={0,2}`),
		"a 32-hex-digit run": regexp.MustCompile(`[0-9a-fA-F]{32,}`),
	} {
		if re.MatchString(msg) {
			t.Errorf("the error holds %s", what)
		}
	}
}

// TestMaskParamsFragments: pieces of the parameters are masked wherever they are cut, and
// ordinary words are left alone.
func TestMaskParamsFragments(t *testing.T) {
	b64 := "eyJtYXJrZXIiOiJURkpmMDAiLCJ2YWx1ZSI6IjExMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmIn0="
	chunked := groovyLiteralChunks(b64) // as in a source over the chunk size, shown whole
	for _, tc := range []struct{ in, want string }{
		{"   " + b64[40:] + "'), 'UTF-8')))", "   ***'), 'UTF-8')))"},
		{"decode('" + b64[:30], "decode('***"},
		{"x " + b64[10:50] + " y", "x *** y"},
		{chunked, "***"},
		{"ErrorCollector.failIfErrors(ErrorCollector.java:309)", "ErrorCollector.failIfErrors(ErrorCollector.java:309)"},
	} {
		if got := newMasker().mask(tc.in, b64); got != tc.want {
			t.Errorf("mask(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
