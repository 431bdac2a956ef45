package jenkinssim

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// shared is the simulator all tests in this binary use (started once in TestMain).
var shared *Sim

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	s, err := Start(ctx, Options{})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the simulator:", err)
		os.Exit(1)
	}
	shared = s
	code := m.Run()
	// No script the tests sent holds a secret in its text (see ScriptLeaks).
	ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
	leaks, err := s.ScriptLeaks(ctx)
	cancel()
	if err != nil || len(leaks) > 0 {
		fmt.Fprintln(os.Stderr, "scripts with secrets in their text:", leaks, err)
		code = 1
	}
	s.Close()
	os.Exit(code)
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// response is what a test inspects of an HTTP answer.
type response struct {
	Status int
	Header http.Header
	Body   string
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
		t.Fatalf("not JSON (status %d): %.300s", r.Status, r.Body)
	}
	return m
}

// call sends one request to the Jenkins URL space of s. user "" means anonymous.
func call(t testing.TB, s *Sim, method, path, user, secret string, form url.Values, hdr http.Header) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	a, err := s.Send(testCtx(t), method, path, user, secret, body, "application/x-www-form-urlencoded", hdr)
	if err != nil {
		t.Fatal(err)
	}
	return response(a)
}

// script runs a script as the admin and fails the test on transport errors.
func script(t testing.TB, s *Sim, src string, params any) string {
	t.Helper()
	var out string
	var err error
	if params == nil {
		out, err = s.Script(testCtx(t), src)
	} else {
		out, err = s.ScriptArgs(testCtx(t), src, params)
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// uniqueID gives each test its own users on the shared simulator.
func uniqueID(t testing.TB, prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()%1e9)
}

func createUser(t testing.TB, s *Sim, id, password string) {
	t.Helper()
	if err := s.CreateUser(testCtx(t), id, password); err != nil {
		t.Fatal(err)
	}
}

func newToken(t testing.TB, s *Sim, id, name string) (string, string) {
	t.Helper()
	uuid, value, err := s.NewAPIToken(testCtx(t), id, name)
	if err != nil {
		t.Fatal(err)
	}
	return uuid, value
}

// tokenPath is the endpoint URL path of a token action for a user.
func tokenPath(user, action string) string {
	return "user/" + url.PathEscape(user) + "/descriptorByName/jenkins.security.ApiTokenProperty/" + action
}

// listTokens returns name and useCounter per uuid, read through the script console.
func listTokens(t testing.TB, s *Sim, id string) map[string]map[string]any {
	t.Helper()
	out := script(t, s, `import jenkins.security.ApiTokenProperty
def p = User.getById(params.id, false).getProperty(ApiTokenProperty)
println groovy.json.JsonOutput.toJson(p.tokenList.collectEntries { [(it.uuid): [name: it.name, uses: it.useCounter, legacy: it.isLegacy]] })`,
		map[string]string{"id": id})
	var m map[string]map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &m); err != nil {
		t.Fatalf("listing tokens: %.500s", out)
	}
	return m
}

func mustStatus(t testing.TB, r response, want int) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d; body: %.400s", r.Status, want, r.Body)
	}
}
