package jenkinssim

import (
	"net/url"
	"strings"
	"testing"
)

// Functions.printStackTrace: the cause first, suppressed exceptions after "Also:   " with one
// more tab, then the wrapper after "Caused: " with its ": <cause>" tail cut; HTTP 200.
func TestScriptConsoleStackTraceFormat(t *testing.T) {
	r := call(t, shared, "POST", "scriptText", shared.AdminUser, shared.AdminPassword, url.Values{"script": {`
def root = new IllegalStateException("root")
def outer = new IOException(root)
outer.addSuppressed(new IllegalArgumentException("also this"))
throw outer`}}, crumbHeaders(t, shared, shared.AdminUser, shared.AdminPassword))
	mustStatus(t, r, 200)
	lines := strings.Split(r.Body, "\n")
	if lines[0] != "java.lang.IllegalStateException: root" {
		t.Fatalf("first line %q, want the root cause", lines[0])
	}
	if !strings.Contains(r.Body, "\nAlso:   java.lang.IllegalArgumentException: also this\n\t\tat ") {
		t.Errorf("no suppressed exception after \"Also:   \" with its frames one tab deeper:\n%s", r.Body)
	}
	if !strings.Contains(r.Body, "\nCaused: java.io.IOException\n") {
		t.Errorf("the wrapper should read \"Caused: java.io.IOException\" (its \": <cause>\" tail cut):\n%s", r.Body)
	}
	if strings.Contains(r.Body, "... ") || strings.Contains(r.Body, "Caused by:") {
		t.Errorf("JDK-style trace instead of Jenkins's:\n%s", r.Body)
	}
	if r.Header.Get("X-Jenkins") != "" {
		t.Errorf("/scriptText answers carry no X-Jenkins header on Jenkins (_scriptText.jelly uses l:view), got %q", r.Header.Get("X-Jenkins"))
	}
}

// User.save() refuses prohibited ids and names with FormValidation.error: the trace line reads
// "ERROR: " and the message is HTML-escaped.
func TestUserSaveProhibitedNameIsFormValidation(t *testing.T) {
	out := script(t, shared, `def u = User.getById(params.id, true); u.setFullName('system'); u.save()`, map[string]string{"id": uniqueID(t, "sys")})
	if !strings.HasPrefix(out, "ERROR: &quot;system&quot; is prohibited as a full name for security reasons.\n") {
		t.Fatalf("want a FormValidation trace line, got:\n%.400s", out)
	}
}

// The answers of CrumbFilter's 403, of the token actions and (before 2.421) of a 404 carry no
// X-Jenkins header: only pages rendered with l:layout and /api/ answers do.
func TestNoJenkinsHeaderWhereJenkinsSendsNone(t *testing.T) {
	id := uniqueID(t, "hdr")
	createUser(t, shared, id, "pw")
	r := call(t, shared, "POST", tokenPath(id, "revoke"), shared.AdminUser, shared.AdminPassword, url.Values{"tokenUuid": {"x"}}, nil)
	mustStatus(t, r, 403)
	if r.Header.Get("X-Jenkins") != "" {
		t.Errorf("crumb 403 carries X-Jenkins")
	}
	r = call(t, shared, "POST", tokenPath(id, "revoke"), shared.AdminUser, shared.AdminPassword, url.Values{"tokenUuid": {"x"}}, crumbHeaders(t, shared, shared.AdminUser, shared.AdminPassword))
	mustStatus(t, r, 200)
	if r.Header.Get("X-Jenkins") != "" {
		t.Errorf("doRevoke's 200 carries X-Jenkins")
	}
	r = call(t, shared, "GET", "user/nobody-"+id+"/api/json", shared.AdminUser, shared.AdminPassword, nil, nil)
	mustStatus(t, r, 404)
	if r.Header.Get("X-Jenkins") == "" {
		t.Errorf("a 404 on 2.421+ is a layout page with X-Jenkins")
	}
	old := startOwn(t, Options{Version: "2.262"})
	r = call(t, old, "GET", "user/nobody/api/json", old.AdminUser, old.AdminPassword, nil, nil)
	mustStatus(t, r, 404)
	if r.Header.Get("X-Jenkins") != "" {
		t.Errorf("a 404 before 2.421 is the container's page, without X-Jenkins")
	}
}

// Jenkins's servlet container resolves dot segments before routing and refuses ambiguous
// encodings: /user/./x is /user/x, so a user id "." or ".." cannot be addressed by URL.
func TestPathsAsTheContainerSeesThem(t *testing.T) {
	for path, want := range map[string]int{
		"./whoAmI/api/json":           200,
		"user/../whoAmI/api/json":     200,
		"user/./whoAmI/api/json":      404, // the user "whoAmI"
		"../whoAmI/api/json":          400,
		"user/a%2Fb/api/json":         400,
		"user/a%25b/api/json":         400,
		"user/a%5Cb/api/json":         400,
		"%2e/whoAmI/api/json":         400,
		"user/%2E%2e/whoAmI/api/json": 400,
	} {
		r := call(t, shared, "GET", path, shared.AdminUser, shared.AdminPassword, nil, nil)
		if r.Status != want {
			t.Errorf("GET /%s: HTTP %d, want %d", path, r.Status, want)
		}
	}
}
