package jenkinssim

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestScriptConsoleOutputShapes(t *testing.T) {
	if out := script(t, shared, "print 'hello'", nil); out != "hello" {
		t.Errorf("print: %q", out)
	}
	if out := script(t, shared, "1 + 1", nil); out != "Result: 2\n" {
		t.Errorf("value: %q", out)
	}
	// Java's toString, not Groovy's: Jenkins concatenates "Result: " + value in Java.
	if out := script(t, shared, "[a: 1]", nil); out != "Result: {a=1}\n" {
		t.Errorf("map value: %q", out)
	}
	if out := script(t, shared, "println 'x'; null", nil); out != "x\n" {
		t.Errorf("null value: %q", out)
	}
	// Default star imports: Jenkins, User, Hudson without import; ApiTokenProperty needs one.
	if out := script(t, shared, "Jenkins.get().getClass().name", nil); out != "Result: hudson.model.Hudson\n" {
		t.Errorf("Jenkins class: %q", out)
	}
	if out := script(t, shared, "ApiTokenProperty", nil); !strings.Contains(out, "groovy.lang.MissingPropertyException: No such property: ApiTokenProperty") {
		t.Errorf("ApiTokenProperty without import: %q", out)
	}
	// Only `out` is bound.
	if out := script(t, shared, "binding.variables.keySet().sort()", nil); out != "Result: [out]\n" {
		t.Errorf("binding: %q", out)
	}
	// User.current() is the caller.
	if out := script(t, shared, "User.current().id", nil); out != "Result: admin\n" {
		t.Errorf("current: %q", out)
	}
}

func TestScriptThatThrowsKeepsOutputAndStatus200(t *testing.T) {
	r := call(t, shared, "POST", "scriptText", "admin", "admin", url.Values{"script": {"println 'before'\nthrow new IllegalStateException('boom', new IOException('root'))"}},
		crumbHeaders(t, shared, "admin", "admin"))
	mustStatus(t, r, 200)
	if ct := r.Header.Get("Content-Type"); ct != "text/plain;charset=UTF-8" {
		t.Errorf("content type %q", ct)
	}
	if !strings.HasPrefix(r.Body, "before\njava.io.IOException: root\n") || !strings.Contains(r.Body, "\nCaused: java.lang.IllegalStateException: boom\n") {
		t.Errorf("body: %.600s", r.Body)
	}
	if strings.HasSuffix(r.Body, "\n\n") || !strings.HasSuffix(r.Body, "\n") {
		t.Errorf("trailing newline wrong: %q", r.Body[len(r.Body)-20:])
	}
	// A compile error too.
	out := script(t, shared, "def x = ", nil)
	if !strings.Contains(out, "MultipleCompilationErrorsException") {
		t.Errorf("compile error: %.300s", out)
	}
}

func TestHowToAdminScriptsRunUnmodified(t *testing.T) {
	id := uniqueID(t, "howto")
	out := script(t, shared, `Jenkins.instance.securityRealm.createAccount('`+id+`', 'pw-1')
import jenkins.security.ApiTokenProperty
import jenkins.security.apitoken.*
def user = User.get('`+id+`')
def prop = user.getProperty(jenkins.security.ApiTokenProperty)
def t = prop.tokenStore.generateNewToken('ci')
user.save()
prop.getTokenStore().getTokenListSortedByName().each { println it.name + ' ' + it.uuid }
prop.changeApiToken(); user.save()
println prop.getTokenStore().getTokenListSortedByName().collect { it.name }
prop.revokeToken(t.tokenUuid)
println prop.getTokenStore().getTokenListSortedByName().collect { it.name }
println User.getAll().collect { it.id }.contains('`+id+`')
println User.getById('`+strings.ToUpper(id)+`', false).id
ApiTokenPropertyConfiguration.get().setUsageStatisticsEnabled(false)
println ApiTokenPropertyConfiguration.get().isUsageStatisticsEnabled()
ApiTokenPropertyConfiguration.get().setUsageStatisticsEnabled(true)
println hudson.ExtensionList.lookupSingleton(LegacyApiTokenAdministrativeMonitor).isActivated()
`, nil)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 7 || !strings.HasPrefix(lines[0], "ci ") || lines[1] != "[ci, Legacy Token]" || lines[2] != "[Legacy Token]" ||
		lines[3] != "true" || lines[4] != id || lines[5] != "false" || lines[6] != "true" {
		t.Fatalf("output:\n%s", out)
	}
}

func TestHowToScriptWithCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed")
	}
	_, token := newToken(t, shared, "admin", "curl-howto")
	src := "import jenkins.security.ApiTokenProperty\n" +
		"def user = User.get('admin', false)\n" +
		"user.getProperty(ApiTokenProperty).getTokenStore().getTokenListSortedByName().each { println it.name + ' ' + it.uuid }\n"
	cmd := exec.Command(curl, "-sS", "--user", "admin:"+token, "--data-urlencode", "script="+src, shared.URL+"scriptText")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "curl-howto ") || strings.Contains(string(out), "Exception") {
		t.Fatalf("curl output: %s", out)
	}
}

func TestHostileStringsRoundTrip(t *testing.T) {
	id := uniqueID(t, "hostile")
	createUser(t, shared, id, "pw")
	names := []string{`it's "quoted"`, `$dollar ${System.exit(1)} ${'x'}`, `back\slash \n \\ \u0041`, "new\nline\r\ttab",
		"ünïcödé 日本語", "emoji 🔑🚀", "'''triple''' \"\"\"dq\"\"\"", "</script><b>&amp;", ""}
	for _, n := range names {
		out := script(t, shared, `import jenkins.security.ApiTokenProperty
def p = User.getById(params.id, false).getProperty(ApiTokenProperty)
def t = p.generateNewToken(params.name)
println groovy.json.JsonOutput.toJson([name: p.tokenStore.getTokenListSortedByName().find { it.uuid == t.tokenUuid }.name])`,
			map[string]string{"id": id, "name": n})
		var got struct{ Name string }
		if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &got); err != nil {
			t.Fatalf("name %q: output %q", n, out)
		}
		if got.Name != n {
			t.Errorf("round trip: got %q want %q", got.Name, n)
		}
	}
	// Also through the endpoint (form encoding, UTF-8) and back through a script.
	r := call(t, shared, "POST", tokenPath(id, "generateNewToken"), id, "pw", url.Values{"newTokenName": {"form ${x} ✓ \\ '"}}, crumbHeaders(t, shared, id, "pw"))
	mustStatus(t, r, 200)
	if name := r.json(t)["data"].(map[string]any)["tokenName"]; name != "form ${x} ✓ \\ '" {
		t.Errorf("endpoint name %q", name)
	}
}

func TestBasicAuthWithTokensAndPasswords(t *testing.T) {
	id := uniqueID(t, "Auth")
	createUser(t, shared, id, "s3cret")
	uuid, token := newToken(t, shared, id, "t")
	who := func(user, secret string) response {
		return call(t, shared, "GET", "whoAmI/api/json", user, secret, nil, nil)
	}

	r := who(id, token)
	mustStatus(t, r, 200)
	if r.json(t)["name"] != id {
		t.Errorf("whoAmI: %s", r.Body)
	}
	mustStatus(t, who(strings.ToLower(id), token), 200)          // case-insensitive id
	mustStatus(t, who(id, token[2:]), 200)                       // Q1: bare secret
	mustStatus(t, who(id, "99"+token[2:]), 200)                  // Q2: any prefix
	mustStatus(t, who(id, "11"+strings.ToUpper(token[2:])), 401) // Q3: case-sensitive
	mustStatus(t, who(id, "s3cret"), 200)                        // real password
	if uses := listTokens(t, shared, id)[uuid]["uses"]; uses != float64(4) {
		t.Errorf("useCounter %v, want 4", uses)
	}
	for _, bad := range [][2]string{{id, "wrong"}, {"nobody-" + id, token}, {"admin", token}} {
		r := who(bad[0], bad[1])
		mustStatus(t, r, 401)
		if r.Header.Get("WWW-Authenticate") != `Basic realm="Jenkins"` {
			t.Errorf("WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
		}
		if r.Header.Get("X-Jenkins") != "" {
			t.Errorf("401 carries X-Jenkins")
		}
	}
	// Malformed header: no colon.
	r = call(t, shared, "GET", "whoAmI/api/json", "", "", nil, http.Header{"Authorization": {"Basic bm9jb2xvbg=="}})
	mustStatus(t, r, 401)
	if uses := listTokens(t, shared, id)[uuid]["uses"]; uses != float64(4) {
		t.Errorf("failed logins changed stats: %v", uses)
	}
	r = who("", "")
	if m := r.json(t); m["anonymous"] != true || m["name"] != "anonymous" {
		t.Errorf("anonymous whoAmI %s", r.Body)
	}
	if r.Header.Get("X-Jenkins") != "2.579" || len(r.Header.Get("X-Jenkins-Session")) != 8 {
		t.Errorf("headers %v", r.Header)
	}
}

// crumbHeaders gets a crumb with password auth and returns the crumb header plus session cookie.
func crumbHeaders(t testing.TB, s *Sim, user, password string) http.Header {
	t.Helper()
	r := call(t, s, "GET", "crumbIssuer/api/json", user, password, nil, nil)
	mustStatus(t, r, 200)
	m := r.json(t)
	if m["_class"] != "hudson.security.csrf.DefaultCrumbIssuer" || m["crumbRequestField"] != "Jenkins-Crumb" || len(m["crumb"].(string)) != 64 {
		t.Fatalf("crumb response %s", r.Body)
	}
	cookie := ""
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if strings.HasPrefix(c.Name, "JSESSIONID.") && len(c.Name) == len("JSESSIONID.")+8 {
			cookie = c.Name + "=" + c.Value
		}
	}
	if cookie == "" {
		t.Fatalf("no session cookie: %v", r.Header)
	}
	return http.Header{"Jenkins-Crumb": {m["crumb"].(string)}, "Cookie": {cookie}}
}

func TestCrumbs(t *testing.T) {
	id := uniqueID(t, "crumb")
	createUser(t, shared, id, "pw")
	path := tokenPath(id, "generateNewToken")
	r := call(t, shared, "POST", path, id, "pw", url.Values{}, nil)
	mustStatus(t, r, 403)
	if !strings.Contains(r.Body, "No valid crumb was included in the request") {
		t.Errorf("body %s", r.Body)
	}
	h := crumbHeaders(t, shared, id, "pw")
	// The crumb without its session cookie is not valid.
	r = call(t, shared, "POST", path, id, "pw", url.Values{}, http.Header{"Jenkins-Crumb": h["Jenkins-Crumb"]})
	mustStatus(t, r, 403)
	// Another user's crumb is not valid either.
	r = call(t, shared, "POST", path, id, "pw", url.Values{}, crumbHeaders(t, shared, "admin", "admin"))
	mustStatus(t, r, 403)
	r = call(t, shared, "POST", path, id, "pw", url.Values{}, h)
	mustStatus(t, r, 200)
	token := r.json(t)["data"].(map[string]any)["tokenValue"].(string)
	// As a form parameter instead of a header.
	r = call(t, shared, "POST", path, id, "pw", url.Values{"Jenkins-Crumb": h["Jenkins-Crumb"]}, http.Header{"Cookie": h["Cookie"]})
	mustStatus(t, r, 200)
	// API-token requests need no crumb.
	r = call(t, shared, "POST", path, id, token, url.Values{}, nil)
	mustStatus(t, r, 200)
	if name := r.json(t)["data"].(map[string]any)["tokenName"].(string); !strings.HasPrefix(name, "Token created on ") {
		t.Errorf("default name %q", name)
	}
	// Anonymous cannot get a crumb (needs Overall/Read).
	mustStatus(t, call(t, shared, "GET", "crumbIssuer/api/json", "", "", nil, nil), 403)
}

// TestExpireSessions: once sessions end, a crumb bound to one is refused; a fresh one works.
func TestExpireSessions(t *testing.T) {
	id := uniqueID(t, "session")
	createUser(t, shared, id, "pw")
	path := tokenPath(id, "generateNewToken")
	h := crumbHeaders(t, shared, id, "pw")
	mustStatus(t, call(t, shared, "POST", path, id, "pw", url.Values{}, h), 200)
	if err := shared.ExpireSessions(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := call(t, shared, "POST", path, id, "pw", url.Values{}, h)
	mustStatus(t, r, 403)
	if !strings.Contains(r.Body, "No valid crumb was included in the request") {
		t.Errorf("body %s", r.Body)
	}
	mustStatus(t, call(t, shared, "POST", path, id, "pw", url.Values{}, crumbHeaders(t, shared, id, "pw")), 200)
}

func TestTokenEndpoints(t *testing.T) {
	id := uniqueID(t, "ep")
	other := uniqueID(t, "ep-other")
	createUser(t, shared, id, "pw")
	createUser(t, shared, other, "pw")
	_, token := newToken(t, shared, id, "login")
	post := func(user, action string, form url.Values) response {
		return call(t, shared, "POST", tokenPath(user, action), id, token, form, nil)
	}

	r := post(id, "generateNewToken", url.Values{"newTokenName": {"a"}, "expirationDuration": {"30"}})
	mustStatus(t, r, 200)
	if ct := r.Header.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
		t.Errorf("content type %q", ct)
	}
	data := r.json(t)["data"].(map[string]any)
	uuidA := data["tokenUuid"].(string)
	if data["tokenName"] != "a" || !strings.HasPrefix(data["tokenValue"].(string), "11") || len(data["tokenValue"].(string)) != 34 ||
		data["expirationDate"] == "never" || data["aboutToExpire"] != false {
		t.Errorf("generate data: name=%v exp=%v about=%v", data["tokenName"], data["expirationDate"], data["aboutToExpire"])
	}
	r = post(id, "generateNewToken", url.Values{"expirationDuration": {"-1"}})
	if m := r.json(t); m["status"] != "error" || m["message"] != "Expiration date is in the past." {
		t.Errorf("past: %s", r.Body)
	}
	mustStatus(t, post(id, "generateNewToken", url.Values{"expirationDuration": {"soon"}}), 500)
	r = post(id, "generateNewToken", url.Values{"expirationDuration": {"custom"}, "tokenExpiration": {"2999-01-02"}})
	mustStatus(t, r, 200)

	r = post(id, "addFixedToken", url.Values{"newTokenName": {"fixed"}, "newTokenPlainValue": {"11" + strings.Repeat("AB", 16)}})
	mustStatus(t, r, 200)
	fixedUUID := r.json(t)["data"].(map[string]any)["tokenUuid"].(string)
	mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", id, "11"+strings.Repeat("ab", 16), nil, nil), 200) // Q3: lower case works
	mustStatus(t, post(id, "addFixedToken", url.Values{"newTokenPlainValue": {"12" + strings.Repeat("ab", 16)}}), 500)

	r = post(id, "rename", url.Values{"tokenUuid": {uuidA}, "newName": {"renamed"}})
	if r.Body != `{"status":"ok"}` {
		t.Errorf("rename: %s", r.Body)
	}
	for form, msg := range map[string]string{
		"tokenUuid=" + uuidA + "&newName=+":  "The name cannot be empty",
		"newName=x":                          "The tokenUuid cannot be empty",
		"tokenUuid=no-such-uuid&newName=zzz": "No token found, try refreshing the page",
	} {
		v, _ := url.ParseQuery(form)
		if m := post(id, "rename", v).json(t); m["status"] != "error" || m["message"] != msg {
			t.Errorf("rename %s: %v", form, m)
		}
	}
	if listTokens(t, shared, id)[uuidA]["name"] != "renamed" {
		t.Errorf("rename not applied")
	}

	r = post(id, "revoke", url.Values{"tokenUuid": {uuidA}})
	mustStatus(t, r, 200)
	if r.Body != "" {
		t.Errorf("revoke body %q", r.Body)
	}
	mustStatus(t, post(id, "revoke/", url.Values{"tokenUuid": {"unknown-uuid"}}), 200) // Q5
	r = post(id, "revoke", url.Values{})
	mustStatus(t, r, 400)
	if !strings.Contains(r.Body, "The tokenUuid cannot be empty") {
		t.Errorf("400 body %s", r.Body)
	}
	if _, ok := listTokens(t, shared, id)[uuidA]; ok {
		t.Errorf("revoked token still listed")
	}

	// Someone else's tokens: 403 (AccessDenied) for revoke, empty 403 for generate.
	r = post(other, "revoke", url.Values{"tokenUuid": {"x"}})
	mustStatus(t, r, 403)
	if r.Header.Get("X-Required-Permission") != "hudson.model.Hudson.Administer" || !strings.Contains(r.Body, id+" is missing the Overall/Administer permission") {
		t.Errorf("403 shape: %v %s", r.Header, r.Body)
	}
	r = post(other, "generateNewToken", url.Values{})
	mustStatus(t, r, 403)
	if r.Body != "" {
		t.Errorf("generate 403 body %q", r.Body)
	}
	// The admin may revoke others' tokens but not generate them (adminCanGenerateNewTokens=false).
	_, adminToken := newToken(t, shared, "admin", "ep-admin")
	mustStatus(t, call(t, shared, "POST", tokenPath(other, "revoke"), "admin", adminToken, url.Values{"tokenUuid": {"x"}}, nil), 200)
	mustStatus(t, call(t, shared, "POST", tokenPath(other, "generateNewToken"), "admin", adminToken, url.Values{}, nil), 403)
	script(t, shared, "jenkins.security.ApiTokenProperty.ADMIN_CAN_GENERATE_NEW_TOKENS = true", nil)
	mustStatus(t, call(t, shared, "POST", tokenPath(other, "generateNewToken"), "admin", adminToken, url.Values{}, nil), 200)
	script(t, shared, "jenkins.security.ApiTokenProperty.ADMIN_CAN_GENERATE_NEW_TOKENS = false", nil)

	// Unknown user, GET on POST-only, short descriptor name, /me.
	mustStatus(t, call(t, shared, "POST", tokenPath("no-such-"+id, "revoke"), id, token, url.Values{}, nil), 404)
	r = call(t, shared, "GET", tokenPath(id, "revoke"), id, token, nil, nil)
	mustStatus(t, r, 405)
	if r.Header.Get("Allow") != "POST" {
		t.Errorf("Allow %q", r.Header.Get("Allow"))
	}
	mustStatus(t, call(t, shared, "POST", "user/"+id+"/descriptorByName/ApiTokenProperty/revoke", id, token, url.Values{"tokenUuid": {"x"}}, nil), 200)
	mustStatus(t, call(t, shared, "POST", "me/descriptorByName/jenkins.security.ApiTokenProperty/generateNewToken", id, token, url.Values{}, nil), 200)

	// revokeAllExcept keeps one; with an unknown uuid it deletes all (Q5).
	loginUUID := ""
	for u, v := range listTokens(t, shared, id) {
		if v["name"] == "login" {
			loginUUID = u
		}
	}
	mustStatus(t, post(id, "revokeAllExcept", url.Values{"tokenUuid": {loginUUID}}), 200)
	if l := listTokens(t, shared, id); len(l) != 1 || l[loginUUID] == nil {
		t.Errorf("after revokeAllExcept: %v", l)
	}
	mustStatus(t, post(id, "revokeAllExcept", url.Values{}), 400)
	_ = fixedUUID
	mustStatus(t, post(id, "revokeAll", url.Values{}), 200)
	if l := listTokens(t, shared, id); len(l) != 0 {
		t.Errorf("after revokeAll: %v", l)
	}
	mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", id, token, nil, nil), 401)
}

func TestPermissionShapes(t *testing.T) {
	id := uniqueID(t, "reader")
	createUser(t, shared, id, "pw")
	_, token := newToken(t, shared, id, "t")
	r := call(t, shared, "POST", "scriptText", id, token, url.Values{"script": {"println 1"}}, nil)
	mustStatus(t, r, 403)
	want := map[string]string{
		"X-You-Are-Authenticated-As":  id,
		"X-You-Are-In-Group-Disabled": "JENKINS-39402: use -Dhudson.security.AccessDeniedException2.REPORT_GROUP_HEADERS=true or use /whoAmI to diagnose",
		"X-Required-Permission":       "hudson.model.Hudson.Administer",
		"X-Jenkins":                   "2.579",
	}
	for k, v := range want {
		if got := r.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if !strings.Contains(r.Body, id+" is missing the Overall/Administer permission") {
		t.Errorf("body %s", r.Body)
	}
	// Anonymous: Overall/Read is missing first, login-refresh page.
	r = call(t, shared, "POST", "scriptText", "", "", url.Values{"script": {"1"}}, nil)
	mustStatus(t, r, 403) // the crumb check comes first for a POST
	r = call(t, shared, "GET", "user/admin/api/json", "", "", nil, nil)
	mustStatus(t, r, 403)
	if r.Header.Get("X-Required-Permission") != "hudson.model.Hudson.Read" ||
		strings.Join(r.Header.Values("X-Permission-Implied-By"), ",") != "hudson.security.Permission.GenericRead,hudson.model.Hudson.Administer" ||
		r.Header.Get("X-You-Are-Authenticated-As") != "anonymous" || !strings.Contains(r.Body, "Authentication required") ||
		!strings.Contains(r.Body, "login?from=%2Fuser%2Fadmin%2Fapi%2Fjson") {
		t.Errorf("anonymous 403: %v %s", r.Header, r.Body)
	}
	// Unknown user for anonymous: 403, not 404.
	mustStatus(t, call(t, shared, "GET", "user/nobody-at-all/api/json", "", "", nil, nil), 403)
	// GET with a script: 405; GET without: empty 200.
	_, adminToken := newToken(t, shared, "admin", "perm")
	mustStatus(t, call(t, shared, "GET", "scriptText?script=1", "admin", adminToken, nil, nil), 405)
	r = call(t, shared, "GET", "scriptText", "admin", adminToken, nil, nil)
	if r.Status != 200 || r.Body != "" {
		t.Errorf("GET scriptText: %d %q", r.Status, r.Body)
	}
}

func TestUserAndRootAPI(t *testing.T) {
	id := uniqueID(t, "Api")
	createUser(t, shared, id, "pw")
	r := call(t, shared, "GET", "user/"+strings.ToUpper(id)+"/api/json", id, "pw", nil, nil)
	mustStatus(t, r, 200)
	m := r.json(t)
	if m["id"] != id || m["fullName"] != id || m["absoluteUrl"] != shared.URL+"user/"+strings.ToLower(id) || m["_class"] != "hudson.model.User" {
		t.Errorf("user api %s", r.Body)
	}
	r = call(t, shared, "GET", "me/api/json", id, "pw", nil, nil)
	if r.json(t)["id"] != id {
		t.Errorf("me %s", r.Body)
	}
	r = call(t, shared, "GET", "api/json", id, "pw", nil, nil)
	if r.json(t)["_class"] != "hudson.model.Hudson" || r.Header.Get("X-Jenkins") != "2.579" {
		t.Errorf("root api %s", r.Body)
	}
	mustStatus(t, call(t, shared, "GET", "user/no-such-"+id+"/api/json", id, "pw", nil, nil), 404)
}

func TestLegacyTokensAndMonitor(t *testing.T) {
	ctx := testCtx(t)
	id := uniqueID(t, "legacy")
	createUser(t, shared, id, "pw")
	_, token := newToken(t, shared, id, "modern")
	// changeToken without a legacy seed is refused by default.
	r := call(t, shared, "POST", tokenPath(id, "changeToken"), id, token, url.Values{}, nil)
	mustStatus(t, r, 200)
	if !strings.Contains(r.Body, "Capability to generate a legacy token without an existing one is currently disabled") {
		t.Errorf("changeToken: %s", r.Body)
	}
	// changeApiToken from a script (as the how-tos do) creates one.
	out := script(t, shared, `import jenkins.security.ApiTokenProperty
def u = User.getById(params.id, false)
def p = u.getProperty(ApiTokenProperty)
jenkins.security.ApiTokenProperty.SHOW_LEGACY_TOKEN_TO_ADMINS = true
p.changeApiToken(); u.save()
println p.getApiToken()
jenkins.security.ApiTokenProperty.SHOW_LEGACY_TOKEN_TO_ADMINS = false
println p.getApiToken()`, map[string]string{"id": id})
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || len(lines[0]) != 32 || lines[1] != "Token is hidden" {
		t.Fatalf("legacy output lines=%d", len(lines))
	}
	legacy := lines[0]
	mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", id, legacy, nil, nil), 200)
	// changeToken endpoint now replaces it, and sends the value in the callback header.
	r = call(t, shared, "POST", tokenPath(id, "changeToken"), id, token, url.Values{}, nil)
	mustStatus(t, r, 200)
	cb := r.Header.Get("X-Jenkins-ValidateButton-Callback")
	if !strings.HasPrefix(cb, `{"callback":"changeTokenCallback","arguments":["`) || r.Body != "<div>Updated. See the new token in the field above</div>\n" {
		t.Fatalf("changeToken response: %q", r.Body)
	}
	legacy = strings.TrimSuffix(strings.TrimPrefix(cb, `{"callback":"changeTokenCallback","arguments":["`), `"]}`)
	mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", id, legacy, nil, nil), 200)

	_, adminToken := newToken(t, shared, "admin", "legacy-monitor")
	r = call(t, shared, "GET", "administrativeMonitor/legacyApiToken/", "admin", adminToken, nil, nil)
	mustStatus(t, r, 302)
	if !strings.HasSuffix(r.Header.Get("Location"), "administrativeMonitor/legacyApiToken/manage") {
		t.Errorf("Location %q", r.Header.Get("Location"))
	}
	mustStatus(t, call(t, shared, "GET", "administrativeMonitor/legacyApiToken/manage", id, token, nil, nil), 403)
	r = call(t, shared, "GET", "administrativeMonitor/legacyApiToken/manage", "admin", adminToken, nil, nil)
	mustStatus(t, r, 200)
	legacyUUID := ""
	for u, v := range listTokens(t, shared, id) {
		if v["legacy"] == true {
			legacyUUID = u
		}
	}
	if !strings.Contains(r.Body, `data-user-id="`+id+`" data-uuid="`+legacyUUID+`"`) {
		t.Fatalf("manage page does not list the user: %.1000s", r.Body)
	}
	// revokeAllSelected needs a JSON body.
	body := `{"values":[{"userId":"` + id + `","uuid":"` + legacyUUID + `"},{"userId":"ghost","uuid":"x"}]}`
	req, _ := http.NewRequestWithContext(ctx, "POST", shared.URL+"administrativeMonitor/legacyApiToken/revokeAllSelected", strings.NewReader(body))
	req.SetBasicAuth("admin", adminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := shared.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("revokeAllSelected: %d", resp.StatusCode)
	}
	mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", id, legacy, nil, nil), 401)
	if err := shared.Restart(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if err := shared.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", id, legacy, nil, nil), 401)
	mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", id, token, nil, nil), 200)
}

func TestQ7RevokeAllKeepsLegacySeed(t *testing.T) {
	ctx := testCtx(t)
	id := uniqueID(t, "q7")
	createUser(t, shared, id, "pw")
	out := script(t, shared, `import jenkins.security.ApiTokenProperty
def u = User.getById(params.id, false)
def p = u.getProperty(ApiTokenProperty)
p.changeApiToken()
print p.getApiTokenInsecure()`, map[string]string{"id": id})
	legacy := out
	mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", id, legacy, nil, nil), 200)
	_, token := newToken(t, shared, id, "t")
	mustStatus(t, call(t, shared, "POST", tokenPath(id, "revokeAll"), id, token, url.Values{}, nil), 200)
	mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", id, legacy, nil, nil), 401)
	if err := shared.Restart(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if err := shared.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	// setUser rebuilt the legacy entry from the kept seed: the legacy token works again.
	mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", id, legacy, nil, nil), 200)
}

func TestRestartLosesUnsavedChanges(t *testing.T) {
	ctx := testCtx(t)
	id := uniqueID(t, "restart")
	createUser(t, shared, id, "pw")
	out := script(t, shared, `import jenkins.security.ApiTokenProperty
def u = User.getById(params.id, false)
u.getProperty(ApiTokenProperty).tokenStore.generateNewToken('unsaved')
u.setFullName('Changed Name')
User.getById(params.ghost, true)
println User.getById(params.ghost, false) != null`, map[string]string{"id": id, "ghost": id + "-ghost"})
	if strings.TrimSpace(out) != "true" {
		t.Fatalf("setup: %s", out)
	}
	if err := shared.Restart(ctx, 1); err != nil {
		t.Fatal(err)
	}
	r := call(t, shared, "GET", "whoAmI/api/json", "", "", nil, nil)
	mustStatus(t, r, 503)
	if r.Header.Get("Cache-Control") != "no-cache,no-store,must-revalidate" {
		t.Errorf("503 headers %v", r.Header)
	}
	start := time.Now()
	if err := shared.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 500*time.Millisecond {
		t.Errorf("restart ended after %s, want about 1s", d)
	}
	out = script(t, shared, `import jenkins.security.ApiTokenProperty
def u = User.getById(params.id, false)
println u.fullName
println u.getProperty(ApiTokenProperty).tokenStore.getTokenListSortedByName().size()
println User.getById(params.ghost, false)`, map[string]string{"id": id, "ghost": id + "-ghost"})
	if out != id+"\n0\nnull\n" {
		t.Errorf("after restart: %q", out)
	}
}

func TestClockExpiresTokens(t *testing.T) {
	ctx := testCtx(t)
	id := uniqueID(t, "clock")
	createUser(t, shared, id, "pw")
	h := crumbHeaders(t, shared, id, "pw")
	r := call(t, shared, "POST", tokenPath(id, "generateNewToken"), id, "pw", url.Values{"expirationDuration": {"1"}}, h)
	mustStatus(t, r, 200)
	token := r.json(t)["data"].(map[string]any)["tokenValue"].(string)
	mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", id, token, nil, nil), 200)
	t.Cleanup(func() { _ = shared.SetClock(ctx, 0) })
	if err := shared.SetClock(ctx, 1); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", id, token, nil, nil), 200) // valid through its last day
	if err := shared.SetClock(ctx, 2); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", id, token, nil, nil), 401)
	out := script(t, shared, `import jenkins.security.ApiTokenProperty
def p = User.getById(params.id, false).getProperty(ApiTokenProperty)
p.tokenList.each { println "${it.expired} ${it.aboutToExpire}" }; null`, map[string]string{"id": id})
	if out != "true true\n" {
		t.Errorf("expired listing %q", out)
	}
}

// TestClockIsOneClock: on a JVM every way of asking the time reads one clock, so a script that
// dates something with new Date() and compares it with System.currentTimeMillis() (as
// createdRecently does) or Instant.now() sees the same instant. The shifted clock must be all of
// them; the machine's own time is read by the test, not by the script.
func TestClockIsOneClock(t *testing.T) {
	ctx := testCtx(t)
	t.Cleanup(func() { _ = shared.SetClock(ctx, 0) })
	if err := shared.SetClock(ctx, 40); err != nil {
		t.Fatal(err)
	}
	machine := time.Now()
	out := script(t, shared, `import java.time.*
println System.currentTimeMillis()
println new Date().getTime()
println Instant.now().toEpochMilli()
println Clock.systemUTC().millis()
println Clock.systemDefaultZone().millis()
println ZonedDateTime.now().toInstant().toEpochMilli()
println OffsetDateTime.now(ZoneOffset.UTC).toInstant().toEpochMilli()
println LocalDateTime.now(ZoneOffset.UTC).toInstant(ZoneOffset.UTC).toEpochMilli()
println Calendar.getInstance().getTimeInMillis()
println new GregorianCalendar().getTimeInMillis()
println LocalDate.now(ZoneOffset.UTC).toEpochDay() * 86400000L
println new Date(0L).getTime()`, nil)
	lines := strings.Fields(out)
	if len(lines) != 12 {
		t.Fatalf("script output %q", out)
	}
	want := machine.Add(40 * 24 * time.Hour).UnixMilli()
	names := []string{"System.currentTimeMillis", "new Date()", "Instant.now", "Clock.systemUTC", "Clock.systemDefaultZone",
		"ZonedDateTime.now", "OffsetDateTime.now(zone)", "LocalDateTime.now(zone)", "Calendar.getInstance", "new GregorianCalendar()"}
	for i, name := range names {
		ms, err := strconv.ParseInt(lines[i], 10, 64)
		if err != nil {
			t.Fatalf("%s: %q", name, lines[i])
		}
		if d := ms - want; d < -5000 || d > 60000 {
			t.Errorf("%s is %d ms from the shifted clock", name, d)
		}
	}
	// The script runs after the test read the time: a midnight in between gives the next day.
	if day, _ := strconv.ParseInt(lines[10], 10, 64); day != want-want%86400000 && day != want-want%86400000+86400000 {
		t.Errorf("LocalDate.now(UTC) starts at %d, want %d", day, want-want%86400000)
	}
	if lines[11] != "0" {
		t.Errorf("new Date(0L) is %s: only the clock reads are shifted", lines[11])
	}
}

func TestFaults(t *testing.T) {
	ctx := testCtx(t)
	t.Cleanup(func() { _ = shared.ClearFaults(ctx) })
	_, token := newToken(t, shared, "admin", "faults")

	if err := shared.SetFault(ctx, Fault{Path: "/whoAmI", Mode: "status", Count: 1, Status: 503, RetryAfter: 2}); err != nil {
		t.Fatal(err)
	}
	r := call(t, shared, "GET", "whoAmI/api/json", "", "", nil, nil)
	mustStatus(t, r, 503)
	if r.Header.Get("Retry-After") != "2" {
		t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", "", "", nil, nil), 200) // count used up

	// skip lets matching requests through first.
	if err := shared.SetFault(ctx, Fault{Path: "/whoAmI", Mode: "status", Skip: 1, Count: 1, Status: 503}); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", "", "", nil, nil), 200)
	mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", "", "", nil, nil), 503)
	mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", "", "", nil, nil), 200)
	if err := shared.client.control(ctx, "POST", "faults", map[string]any{"path": "/whoAmI", "mode": "status", "skip": -1}, nil); err == nil ||
		!strings.Contains(err.Error(), "skip is a number of requests") {
		t.Errorf("a negative skip: want a 400 saying what skip is, got %v", err)
	}

	if err := shared.SetFault(ctx, Fault{Path: "/whoAmI", Mode: "delay", Count: 1, DelayMS: 300}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", "", "", nil, nil), 200)
	if time.Since(start) < 300*time.Millisecond {
		t.Errorf("delay not applied")
	}

	id := uniqueID(t, "drop")
	createUser(t, shared, id, "pw")
	if err := shared.SetFault(ctx, Fault{Path: "/scriptText", Mode: "drop_response", Count: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := shared.ScriptArgs(ctx, `User.getById(params.id, false).getProperty(jenkins.security.ApiTokenProperty).generateNewToken('dropped')`, map[string]string{"id": id})
	if err == nil {
		t.Fatal("drop_response: the client got an answer")
	}
	if l := listTokens(t, shared, id); len(l) != 1 {
		t.Errorf("drop_response: the change was not made: %v", l)
	}

	if err := shared.SetFault(ctx, Fault{Path: "/user/", Mode: "refuse", Count: 1}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(ctx, "POST", shared.URL+tokenPath(id, "generateNewToken"), strings.NewReader(""))
	req.SetBasicAuth("admin", token)
	if resp, err := shared.HTTPClient().Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("refuse: got HTTP %d", resp.StatusCode)
	}
	if l := listTokens(t, shared, id); len(l) != 1 {
		t.Errorf("refuse: the request was processed: %v", l)
	}
	stats, err := shared.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"scriptText", "revoke", "generateNewToken", "crumbIssuer", "total"} {
		if _, ok := stats[k]; !ok {
			t.Errorf("stats lack %q: %v", k, stats)
		}
	}
	if stats["scriptText"] == 0 || stats["generateNewToken"] == 0 {
		t.Errorf("stats %v", stats)
	}
	if err := shared.ResetStats(ctx); err != nil {
		t.Fatal(err)
	}
	if stats, _ = shared.Stats(ctx); stats["total"] > 1 {
		t.Errorf("after reset %v", stats)
	}
}

func TestRealmUsers(t *testing.T) {
	ctx := testCtx(t)
	id := uniqueID(t, "carol")
	if err := shared.AddRealmUsers(ctx, id); err != nil {
		t.Fatal(err)
	}
	out := script(t, shared, `println Jenkins.get().getSecurityRealm().loadUserByUsername2(params.id).username
println User.getById(params.id, false)
try { Jenkins.get().getSecurityRealm().loadUserByUsername2('nobody-' + params.id) } catch (org.springframework.security.core.userdetails.UsernameNotFoundException e) { println 'not found' }
def t = User.getById(params.id, true).getProperty(jenkins.security.ApiTokenProperty).generateNewToken('sso')
print t.plainValue`, map[string]string{"id": id})
	lines := strings.Split(out, "\n")
	if len(lines) != 4 || lines[0] != id || lines[1] != "null" || lines[2] != "not found" {
		t.Fatalf("realm output: %d lines", len(lines))
	}
	// A realm user authenticates with a token once the record exists.
	mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", id, lines[3], nil, nil), 200)
	// A record the realm does not know (no password, not external): token use is a 500.
	ghost := uniqueID(t, "norealm")
	out = script(t, shared, `print User.getById(params.id, true).getProperty(jenkins.security.ApiTokenProperty).generateNewToken('x').plainValue`, map[string]string{"id": ghost})
	mustStatus(t, call(t, shared, "GET", "whoAmI/api/json", ghost, out, nil, nil), 500)
}
