package conformance

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// sim is the simulator every test of this binary shares. Each test starts with fresh(), as
// each Jenkins test starts with a new JenkinsRule.
var sim *jenkinssim.Sim

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	s, err := jenkinssim.Start(ctx, jenkinssim.Options{})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "conformance: starting the simulator:", err)
		os.Exit(1)
	}
	sim = s
	code := m.Run()
	s.Close()
	os.Exit(code)
}

// Texts of jenkins/security/Messages.properties.
const (
	msgNoLegacyToken      = "This user currently does not have a legacy token"
	msgTokenIsHidden      = "Token is hidden"
	msgCapabilityDisabled = "Capability to generate a legacy token without an existing one is currently disabled in the security configuration"
	msgSuccessHidden      = "<div>Updated. You need to login as the user to see the token</div>"
	tokenPropertyURL      = "descriptorByName/jenkins.security.ApiTokenProperty/"
)

var hexRE = regexp.MustCompile(`^[0-9a-f]+$`)

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// fresh puts the simulator back in its initial state: only the admin, default configuration.
func fresh(t testing.TB) {
	t.Helper()
	if err := sim.Reset(testCtx(t)); err != nil {
		t.Fatal(err)
	}
}

// restart simulates a Jenkins restart (JenkinsSessionExtension's next session) and waits for it.
func restart(t testing.TB) {
	t.Helper()
	ctx := testCtx(t)
	if err := sim.Restart(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if err := sim.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
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

// call sends one request to the Jenkins URL space. user "" sends no Basic credentials.
// body is sent as is with contentType when not empty; form is sent urlencoded otherwise.
func call(t testing.TB, method, path, user, secret string, form url.Values, hdr http.Header) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	return send(t, method, path, user, secret, body, "application/x-www-form-urlencoded", hdr)
}

func send(t testing.TB, method, path, user, secret string, body io.Reader, contentType string, hdr http.Header) response {
	t.Helper()
	a, err := sim.Send(testCtx(t), method, path, user, secret, body, contentType, hdr)
	if err != nil {
		t.Fatal(err)
	}
	return response(a)
}

func mustStatus(t testing.TB, r response, want int) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d; body: %.400s", r.Status, want, r.Body)
	}
}

// groovyPrelude is prepended to scripts: the imports Jenkins's tests have, and closures that
// run code as SYSTEM (the JenkinsRule test thread) or as a given user (ACL.as).
const groovyPrelude = `import jenkins.security.ApiTokenProperty
import jenkins.security.apitoken.*
import hudson.security.ACL
import groovy.json.JsonOutput
import java.time.LocalDate
def asSystem = { Closure c -> def ctx = ACL.as2(ACL.SYSTEM2); try { c.call() } finally { ctx.close() } }
def asUser = { User u, Closure c -> def ctx = ACL.as2(u.impersonate2()); try { c.call() } finally { ctx.close() } }
`

// script runs a script as the admin with the prelude; params become the Map `params`.
func script(t testing.TB, src string, params any) string {
	t.Helper()
	if params == nil {
		params = map[string]any{}
	}
	out, err := sim.ScriptArgs(testCtx(t), groovyPrelude+src, params)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// scriptJSON runs a script whose last output line is JSON and decodes that line into out.
func scriptJSON(t testing.TB, src string, params any, out any) {
	t.Helper()
	raw := script(t, src, params)
	lines := strings.Split(strings.TrimRight(raw, "\n"), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), out); err != nil {
		t.Fatalf("script output is not JSON: %.1500s", raw)
	}
}

// scriptOK runs a script that must print exactly "ok".
func scriptOK(t testing.TB, src string, params any) {
	t.Helper()
	if out := script(t, src+"\nprintln 'ok'", params); out != "ok\n" {
		t.Fatalf("script output: %.1500s", out)
	}
}

// dummyUser creates a user whose password is its id: JenkinsRule's dummy security realm
// accepts any user with the id as password; the simulator's built-in realm needs an account.
func dummyUser(t testing.TB, id string) {
	t.Helper()
	if err := sim.CreateUser(testCtx(t), id, id); err != nil {
		t.Fatal(err)
	}
}

// dummyRealmUser makes the realm know id with the id as password and no Jenkins record, as
// JenkinsRule's dummy realm knows everyone: the Jenkins test then makes the user in memory
// (User.getById(id, true)) and something it calls saves it, or nothing does.
func dummyRealmUser(t testing.TB, id string) {
	t.Helper()
	if err := sim.AddRealmUserWithPassword(testCtx(t), id, id); err != nil {
		t.Fatal(err)
	}
}

func setTokenGenerationOnCreation(t testing.TB, on bool) {
	t.Helper()
	scriptOK(t, `ApiTokenPropertyConfiguration.get().setTokenGenerationOnCreationEnabled(params.on)`, map[string]any{"on": on})
}

func setCreationOfLegacyToken(t testing.TB, on bool) {
	t.Helper()
	scriptOK(t, `ApiTokenPropertyConfiguration.get().setCreationOfLegacyTokenEnabled(params.on)`, map[string]any{"on": on})
}

// setCrumbIssuer mirrors j.jenkins.setCrumbIssuer(null) and setCrumbIssuer(new DefaultCrumbIssuer()).
func setCrumbIssuer(t testing.TB, on bool) {
	t.Helper()
	scriptOK(t, `Jenkins.get().setCrumbIssuer(params.on ? new hudson.security.csrf.DefaultCrumbIssuer() : null)`, map[string]any{"on": on})
}

// newToken generates a token through the scripting API (JenkinsRule's withBasicApiToken does
// the same) and returns its uuid and value.
func newToken(t testing.TB, id, name string) (string, string) {
	t.Helper()
	uuid, value, err := sim.NewAPIToken(testCtx(t), id, name)
	if err != nil {
		t.Fatal(err)
	}
	return uuid, value
}

// legacyToken returns getApiToken() as seen by SYSTEM (the JenkinsRule test thread).
func legacyToken(t testing.TB, id string) string {
	t.Helper()
	var r struct{ Token string }
	scriptJSON(t, `def p = User.getById(params.id, false).getProperty(ApiTokenProperty)
println JsonOutput.toJson([token: asSystem { p.getApiToken() }])`, map[string]any{"id": id}, &r)
	return r.Token
}

// changeLegacyTokenDirectly calls changeApiToken() and returns the new getApiToken() as SYSTEM.
func changeLegacyTokenDirectly(t testing.TB, id string) string {
	t.Helper()
	var r struct{ Token string }
	scriptJSON(t, `def p = User.getById(params.id, false).getProperty(ApiTokenProperty)
asSystem { p.changeApiToken() }
println JsonOutput.toJson([token: asSystem { p.getApiToken() }])`, map[string]any{"id": id}, &r)
	return r.Token
}

// tokenInfo is one entry of ApiTokenProperty.getTokenList(): what the user's security page lists.
type tokenInfo struct {
	UUID   string `json:"uuid"`
	Name   string `json:"name"`
	Legacy bool   `json:"legacy"`
	Uses   int    `json:"uses"`
}

func tokenList(t testing.TB, id string) []tokenInfo {
	t.Helper()
	var l []tokenInfo
	scriptJSON(t, `def p = User.getById(params.id, false).getProperty(ApiTokenProperty)
println JsonOutput.toJson(p.getTokenList().collect { [uuid: it.uuid, name: it.name, legacy: it.isLegacy, uses: it.useCounter] })`,
		map[string]any{"id": id}, &l)
	return l
}

// storeUUIDs lists getTokenStore().getTokenListSortedByName(), optionally only the legacy ones.
func storeUUIDs(t testing.TB, id string, onlyLegacy bool) []string {
	t.Helper()
	var l []string
	scriptJSON(t, `def p = User.getById(params.id, false).getProperty(ApiTokenProperty)
println JsonOutput.toJson(p.getTokenStore().getTokenListSortedByName().findAll { !params.onlyLegacy || it.isLegacy() }.collect { it.uuid })`,
		map[string]any{"id": id, "onlyLegacy": onlyLegacy}, &l)
	return l
}

// whoAmI is the answer of /whoAmI/api/xml.
type whoAmI struct {
	Name          string   `xml:"name"`
	Anonymous     bool     `xml:"anonymous"`
	Authenticated bool     `xml:"authenticated"`
	Authorities   []string `xml:"authority"`
}

func getWhoAmI(t testing.TB, user, secret string, hdr http.Header) (response, whoAmI) {
	t.Helper()
	r := call(t, "GET", "whoAmI/api/xml", user, secret, nil, hdr)
	var w whoAmI
	if r.Status == 200 {
		if err := xml.Unmarshal([]byte(r.Body), &w); err != nil {
			t.Fatalf("whoAmI/api/xml: %v: %.300s", err, r.Body)
		}
	}
	return r, w
}

// checkUserIsConnected mirrors the Jenkins tests' checkUserIsConnected / checkTokenIsWorking:
// whoAmI/api/xml answers with the login, not anonymous, authenticated, authority "authenticated".
func checkUserIsConnected(t testing.TB, login, secret string) {
	t.Helper()
	r, w := getWhoAmI(t, login, secret, nil)
	if r.Status != 200 {
		t.Fatalf("%s with %.6s...: status %d, want 200", login, secret, r.Status)
	}
	if w.Name != login || w.Anonymous || !w.Authenticated || len(w.Authorities) == 0 || w.Authorities[0] != "authenticated" {
		t.Fatalf("whoAmI for %s: %+v", login, w)
	}
}

// checkUserIsNotConnected mirrors checkUserIsNotConnected / checkTokenIsNotWorking: 401.
func checkUserIsNotConnected(t testing.TB, login, secret string) {
	t.Helper()
	if r, _ := getWhoAmI(t, login, secret, nil); r.Status != 401 {
		t.Fatalf("%s with %.6s...: status %d, want 401", login, secret, r.Status)
	}
}

// revokeToken posts .../revoke/?tokenUuid= as the given client and expects 200.
func revokeToken(t testing.TB, user, secret, owner, uuid string) {
	t.Helper()
	r := call(t, "POST", "user/"+url.PathEscape(owner)+"/"+tokenPropertyURL+"revoke/?tokenUuid="+url.QueryEscape(uuid), user, secret, nil, nil)
	mustStatus(t, r, 200)
}

// generateNewTokenHTTP posts .../generateNewToken with newTokenName in the query string (as
// ApiTokenPropertyTest does) and returns data.{tokenUuid,tokenName,tokenValue}.
func generateNewTokenHTTP(t testing.TB, user, secret, owner, name string, hdr http.Header) (uuid, tokenName, value string) {
	t.Helper()
	r := call(t, "POST", "user/"+url.PathEscape(owner)+"/"+tokenPropertyURL+"generateNewToken/?"+url.Values{"newTokenName": {name}}.Encode(), user, secret, nil, hdr)
	mustStatus(t, r, 200)
	m := r.json(t)
	data, ok := m["data"].(map[string]any)
	if m["status"] != "ok" || !ok {
		t.Fatalf("generateNewToken: %s", r.Body)
	}
	return data["tokenUuid"].(string), data["tokenName"].(string), data["tokenValue"].(string)
}

// crumbSession fetches a crumb with Basic credentials and no session cookie; it returns the
// crumb and the headers (crumb + session cookie) that later requests of that session send.
func crumbSession(t testing.TB, user, secret string) (string, http.Header) {
	t.Helper()
	r := call(t, "GET", "crumbIssuer/api/json", user, secret, nil, nil)
	mustStatus(t, r, 200)
	m := r.json(t)
	field, _ := m["crumbRequestField"].(string)
	crumb, _ := m["crumb"].(string)
	cookie := ""
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if strings.HasPrefix(c.Name, "JSESSIONID.") {
			cookie = c.Name + "=" + c.Value
		}
	}
	h := http.Header{field: {crumb}}
	if cookie != "" {
		h.Set("Cookie", cookie)
	}
	return crumb, h
}
