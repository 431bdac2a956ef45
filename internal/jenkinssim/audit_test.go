package jenkinssim

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// newTokenValue makes a token for id with Jenkins's own generateNewToken and returns its value
// (the script's output, which the audit log does not hold).
func newTokenValue(t *testing.T, s *Sim, id string) string {
	t.Helper()
	if err := s.CreateUser(testCtx(t), id, "pw"); err != nil {
		t.Fatal(err)
	}
	_, value, err := s.NewAPIToken(testCtx(t), id, "audit")
	if err != nil {
		t.Fatal(err)
	}
	return value
}

func leaksOf(t *testing.T, s *Sim) []Leak {
	t.Helper()
	leaks, err := s.ScriptLeaks(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	return leaks
}

// The audit log holds each script as the audit-trail plugin writes it (the caller and the
// text), and the leak check finds a secret in every rendering a script could carry it in, and
// nothing in scripts that carry it as a form field or as Jenkins's hash.
func TestScriptAuditFindsSecretsInScriptText(t *testing.T) {
	s := startOwn(t, Options{})
	value := newTokenValue(t, s, "audit-u")
	password := "correct-horse-battery-staple"
	if err := s.CreateUser(testCtx(t), "audit-p", password); err != nil {
		t.Fatal(err)
	}
	// Clean: the value as a form field, its SHA-256 (what own_token sends) in the text.
	sum := sha256Hex(value[2:])
	clean := `def v = requestField('v')
assert v.length() == 34
println 'hash ` + sum + `'
` + ScriptFieldReader
	if out, err := s.ScriptWithFields(testCtx(t), clean, url.Values{"v": {value}}); err != nil || !strings.Contains(out, "hash") {
		t.Fatalf("clean script: %v %.300s", err, out)
	}
	if l := leaksOf(t, s); len(l) != 0 {
		t.Fatalf("leaks in clean scripts: %v", l)
	}
	entries, total, err := s.AuditLog(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if last.Seq != total || last.User == nil || *last.User != s.AdminUser || last.Origin != "Script Console Controller" ||
		last.Script != clean || last.Binding == nil || *last.Binding != "[:]" {
		t.Fatalf("audit entry %+v (total %d)", last, total)
	}

	params, _ := json.Marshal(map[string]string{"userId": "audit-u", "value": value})
	pw, _ := json.Marshal(map[string]string{"id": "audit-p", "password": password})
	cases := []struct {
		name, script, secret, rendering string
	}{
		{"raw value", "// " + value + "\nnull", "token value", "text"},
		{"32-hex secret upper-cased", "def x = '" + strings.ToUpper(value[2:]) + "'", "token value", "text"},
		{"12 characters of it", "// " + value[10:22], "token value", "text"},
		{"base64 JSON parameters", "// header\ndef p = '" + base64.StdEncoding.EncodeToString(params) + "'", "token value", "base64"},
		{"URL-safe base64 at an odd offset", "def p = '" + base64.URLEncoding.EncodeToString([]byte("x"+value)) + "'", "token value", "base64"},
		{"hex of the value", "def p = '" + hex.EncodeToString([]byte(value)) + "'", "token value", "hex"},
		{"password in base64 parameters", "def p = '" + base64.StdEncoding.EncodeToString(pw) + "'", "password", "base64"},
	}
	seen := 0
	for _, c := range cases {
		if _, err := s.Script(testCtx(t), c.script); err != nil {
			t.Fatal(err)
		}
		leaks := leaksOf(t, s)
		if len(leaks) <= seen {
			t.Errorf("%s: no leak reported", c.name)
			continue
		}
		l := leaks[len(leaks)-1]
		if l.Secret != c.secret || l.Rendering != c.rendering {
			t.Errorf("%s: reported %v", c.name, l)
		}
		if strings.Contains(l.String(), value[2:14]) || strings.Contains(l.String(), password) {
			t.Errorf("%s: the report holds the secret", c.name)
		}
		seen = len(leaks)
	}
	// A value sent before the simulator knew it counts once it becomes a token.
	later := "11" + strings.Repeat("5a", 16)
	if _, err := s.Script(testCtx(t), "// "+later); err != nil {
		t.Fatal(err)
	}
	if n := len(leaksOf(t, s)); n != seen {
		t.Fatalf("an unknown value counted as a leak: %d leaks, want %d", n, seen)
	}
	if _, err := s.ScriptWithFields(testCtx(t), `import jenkins.security.ApiTokenProperty
User.getById('audit-u', false).getProperty(ApiTokenProperty).addFixedNewToken('later', requestField('v'))
null
`+ScriptFieldReader, url.Values{"v": {later}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Script(testCtx(t), "null"); err != nil {
		t.Fatal(err)
	}
	if n := len(leaksOf(t, s)); n != seen+1 {
		t.Fatalf("the value sent before it was a token: %d leaks, want %d", n, seen+1)
	}
}

// Stapler's current request gives scripts the POST's other form fields, through
// getCurrentRequest2 from 2.475 and getCurrentRequest before (and deprecated since).
func TestStaplerCurrentRequest(t *testing.T) {
	for _, v := range []string{"", "2.462"} {
		s := shared
		if v != "" {
			s = startOwn(t, Options{Version: v})
		}
		out, err := s.ScriptWithFields(testCtx(t), `def S = org.kohsuke.stapler.Stapler
print(S.getCurrentRequest().getParameter('f') + ' ' + S.getCurrentRequest().getMethod() + ' ')
print(S.metaClass.respondsTo(S, 'getCurrentRequest2').isEmpty() ? 'no2' : S.getCurrentRequest2().getParameter('f'))
`, url.Values{"f": {"x y&z"}})
		if err != nil {
			t.Fatal(err)
		}
		want := "x y&z POST x y&z"
		if v == "2.462" {
			want = "x y&z POST no2"
		}
		if out != want {
			t.Errorf("version %q: %q, want %q", v, out, want)
		}
	}
}

// From 2.427 the script console hands its script listeners the script text and an empty binding,
// and its output; core's DefaultScriptListener logs them at FINE and FINER. Before 2.427 there is
// no ScriptListener.
func TestScriptListeners(t *testing.T) {
	s := shared
	setup := `import java.util.logging.*
def log = Logger.getLogger('jenkins.util.DefaultScriptListener')
log.setLevel(Level.FINER)
def h = new Handler() {
    List<String> got = Collections.synchronizedList([])
    void publish(LogRecord r) { got.add(r.getLevel().toString() + ' ' + r.getMessage()) }
    void flush() {}
    void close() {}
}
log.addHandler(h)
print(hudson.ExtensionList.lookup(jenkins.util.ScriptListener).collect { it.getClass().getName() })
`
	out, err := s.Script(testCtx(t), setup)
	if err != nil || out != "[jenkins.util.DefaultScriptListener]" {
		t.Fatalf("%v %q", err, out)
	}
	if _, err := s.ScriptWithFields(testCtx(t), "print 'hello-listener'", url.Values{"secretField": {"do-not-log-this"}}); err != nil {
		t.Fatal(err)
	}
	out, err = s.Script(testCtx(t), `import java.util.logging.*
def log = Logger.getLogger('jenkins.util.DefaultScriptListener')
def h = log.getHandlers()[0]
log.removeHandler(h)
log.setLevel(null)
print(h.got.findAll { it.contains('hello-listener') }.join('\n'))
`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "FINE Execution of script: 'print 'hello-listener'' with binding: '[:]' in feature: 'class hudson.util.RemotingDiagnostics'") ||
		!strings.Contains(out, "FINER Script output: 'hello-listener'") || strings.Contains(out, "do-not-log-this") {
		t.Fatalf("logged:\n%s", out)
	}

	old := startOwn(t, Options{Version: "2.426"})
	out, err = old.Script(testCtx(t), `print(this.class.classLoader.loadClass('jenkins.util.ScriptListener'))`)
	if err != nil || !strings.Contains(out, "ClassNotFoundException: jenkins.util.ScriptListener") {
		t.Fatalf("2.426: %v %.300s", err, out)
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
