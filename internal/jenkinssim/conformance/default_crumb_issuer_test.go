package conformance

import (
	"encoding/xml"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Mirrors test/src/test/java/hudson/security/csrf/DefaultCrumbIssuerTest.java. The tests there
// grant Overall/Read (or Administer) to anonymous; the simulator's authorization is fixed
// (anonymous has no permission), so the requests authenticate as a user with Overall/Read.
// The "configure" form of crumbOnlyValidForOneSession is replaced by another crumb-checked
// POST: generating one's own API token with the password.

// crumbField mirrors r.jenkins.getCrumbIssuer().getCrumbRequestField().
func crumbField(t *testing.T) string {
	t.Helper()
	var r struct{ Field string }
	scriptJSON(t, `println JsonOutput.toJson([field: Jenkins.get().getCrumbIssuer().getCrumbRequestField()])`, nil, &r)
	return r.Field
}

func getText(t *testing.T, path string) string {
	t.Helper()
	r := call(t, "GET", path, "reader", "reader", nil, nil)
	mustStatus(t, r, 200)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("%s: content type %q, want text/plain", path, ct)
	}
	return r.Body
}

func xpathQuery(xpath string) string {
	return "crumbIssuer/api/xml?" + url.Values{"xpath": {xpath}}.Encode()
}

// TestDefaultCrumbIssuer_apiXml mirrors DefaultCrumbIssuerTest#apiXml.
func TestDefaultCrumbIssuer_apiXml(t *testing.T) {
	fresh(t)
	dummyUser(t, "reader")
	field := crumbField(t)

	r := call(t, "GET", "crumbIssuer/api/xml", "reader", "reader", nil, nil)
	mustStatus(t, r, 200)
	var doc struct {
		CrumbRequestField string `xml:"crumbRequestField"`
	}
	if err := xml.Unmarshal([]byte(r.Body), &doc); err != nil || doc.CrumbRequestField != field {
		t.Fatalf("//crumbRequestField of %.300s: %q (%v), want %q", r.Body, doc.CrumbRequestField, err, field)
	}
	q := regexp.QuoteMeta(field)
	if text := getText(t, xpathQuery("concat(//crumbRequestField,'=',//crumb)")); !regexp.MustCompile(`^` + q + `=[0-9a-f]+$`).MatchString(text) {
		t.Errorf("concat with '=': %q", text)
	}
	if text := getText(t, xpathQuery(`concat(//crumbRequestField,":",//crumb)`)); !regexp.MustCompile(`^` + q + `:[0-9a-f]+$`).MatchString(text) {
		t.Errorf("concat with ':': %q", text)
	}
	if text := getText(t, xpathQuery("/*/crumbRequestField/text()")); text != field {
		t.Errorf("/*/crumbRequestField/text(): %q", text)
	}
	if text := getText(t, xpathQuery("/*/crumb/text()")); !hexRE.MatchString(text) {
		t.Errorf("/*/crumb/text(): %q", text)
	}
	for _, hack := range []string{
		`concat('hack="',//crumb,'"')`,
		`concat("hack='",//crumb,"'")`,
		`concat('{',//crumb,':1}')`,
		`concat('hack.',//crumb,'=1')`,
	} {
		if r := call(t, "GET", xpathQuery(hack), "reader", "reader", nil, nil); r.Status != 403 {
			t.Errorf("%s: status %d, want 403: %.200s", hack, r.Status, r.Body)
		}
	}
	scriptOK(t, `Jenkins.get().getCrumbIssuer().getDescriptor().setCrumbRequestField('_crumb')`, nil)
	// Perhaps interpretable as a JavaScript number.
	if r := call(t, "GET", xpathQuery("concat(//crumbRequestField,'=',//crumb)"), "reader", "reader", nil, nil); r.Status != 403 {
		t.Errorf("'=' with field _crumb: status %d, want 403: %.200s", r.Status, r.Body)
	}
}

// TestDefaultCrumbIssuer_apiJson mirrors DefaultCrumbIssuerTest#apiJson.
func TestDefaultCrumbIssuer_apiJson(t *testing.T) {
	fresh(t)
	dummyUser(t, "reader")
	r := call(t, "GET", "crumbIssuer/api/json", "reader", "reader", nil, nil)
	mustStatus(t, r, 200)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("content type %q", ct)
	}
	m := r.json(t)
	if m["crumbRequestField"] != crumbField(t) {
		t.Errorf("crumbRequestField %v", m["crumbRequestField"])
	}
	if c, _ := m["crumb"].(string); !hexRE.MatchString(c) {
		t.Errorf("crumb %q", c)
	}
	mustStatus(t, call(t, "GET", "crumbIssuer/api/json?jsonp=hack", "reader", "reader", nil, nil), 403)
}

// compareDifferentSessions_tokenAreEqual mirrors the helper of the same name: two sessions of
// the same user get equal crumbs only when the session is excluded, and a crumb of the first
// session is refused in the second otherwise.
func compareDifferentSessions_tokenAreEqual(t *testing.T, areEqual bool) {
	t.Helper()
	post := func(hdr map[string][]string) response {
		return call(t, "POST", "user/foo/"+tokenPropertyURL+"generateNewToken", "foo", "foo", url.Values{}, hdr)
	}
	crumb1, session1 := crumbSession(t, "foo", "foo")
	mustStatus(t, post(session1), 200)
	crumb2, session2 := crumbSession(t, "foo", "foo") // logout, login: a new session
	mustStatus(t, post(session2), 200)
	if (crumb1 == crumb2) != areEqual {
		t.Fatalf("crumbs of two sessions equal: %v, want %v", crumb1 == crumb2, areEqual)
	}
	// Submit with the previous session's crumb.
	session2.Set("Jenkins-Crumb", crumb1)
	r := post(session2)
	if areEqual {
		mustStatus(t, r, 200)
	} else {
		mustStatus(t, r, 403)
		if !strings.Contains(r.Body, "No valid crumb") {
			t.Fatalf("body %.300s", r.Body)
		}
	}
}

// TestDefaultCrumbIssuer_crumbOnlyValidForOneSession mirrors DefaultCrumbIssuerTest#crumbOnlyValidForOneSession (SECURITY-626).
func TestDefaultCrumbIssuer_crumbOnlyValidForOneSession(t *testing.T) {
	fresh(t)
	dummyUser(t, "foo")
	setCrumbIssuer(t, true)
	t.Cleanup(func() {
		scriptOK(t, `hudson.security.csrf.DefaultCrumbIssuer.EXCLUDE_SESSION_ID = false`, nil)
	})
	scriptOK(t, `hudson.security.csrf.DefaultCrumbIssuer.EXCLUDE_SESSION_ID = true`, nil)
	compareDifferentSessions_tokenAreEqual(t, true)
	scriptOK(t, `hudson.security.csrf.DefaultCrumbIssuer.EXCLUDE_SESSION_ID = false`, nil)
	compareDifferentSessions_tokenAreEqual(t, false)
}

// TestDefaultCrumbIssuer_twoRequestsWithoutSessionGetDifferentCrumbs mirrors
// DefaultCrumbIssuerTest#twoRequestsWithoutSessionGetDifferentCrumbs (SECURITY-1491), with a
// user instead of anonymous.
func TestDefaultCrumbIssuer_twoRequestsWithoutSessionGetDifferentCrumbs(t *testing.T) {
	fresh(t)
	dummyUser(t, "reader")
	path := xpathQuery("concat(//crumbRequestField,'=',//crumb)")
	crumb := func() string { // responseForCrumb = Jenkins-Crumb=xxxx
		text := getText(t, path)
		if !strings.HasPrefix(text, "Jenkins-Crumb=") {
			t.Fatalf("response for crumb: %q", text)
		}
		return strings.TrimPrefix(text, "Jenkins-Crumb=")
	}
	crumb1, crumb2 := crumb(), crumb()
	if crumb1 == crumb2 {
		t.Fatalf("should be different crumbs: %q", crumb1)
	}
}

// TestDefaultCrumbIssuer_custom_notExposedToIFrame mirrors DefaultCrumbIssuerTest#custom_notExposedToIFrame (SECURITY-1704).
func TestDefaultCrumbIssuer_custom_notExposedToIFrame(t *testing.T) {
	fresh(t)
	dummyUser(t, "reader")
	for flavor, contentType := range map[string]string{"xml": "application/xml", "json": "application/json", "python": "text/x-python"} {
		r := call(t, "GET", "crumbIssuer/api/"+flavor, "reader", "reader", nil, nil)
		mustStatus(t, r, 200)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, contentType) {
			t.Errorf("api/%s: content type %q, want %s", flavor, ct, contentType)
		}
		if got := r.Header.Get("X-Frame-Options"); got != "deny" {
			t.Errorf("api/%s: X-Frame-Options %q, want deny", flavor, got)
		}
	}
}

// TestDefaultCrumbIssuer_adminMonitorShowsWhenSessionIsExcluded mirrors
// DefaultCrumbIssuerTest#adminMonitorShowsWhenSessionIsExcluded.
func TestDefaultCrumbIssuer_adminMonitorShowsWhenSessionIsExcluded(t *testing.T) {
	fresh(t)
	var r struct{ Before, Excluded bool }
	scriptJSON(t, `import hudson.security.csrf.DefaultCrumbIssuer
def monitor = hudson.ExtensionList.lookupSingleton(DefaultCrumbIssuer.ExcludeSessionIdAdministrativeMonitor.class)
def out = [before: monitor.isActivated()]
try {
    DefaultCrumbIssuer.EXCLUDE_SESSION_ID = true
    out.excluded = monitor.isActivated()
} finally {
    DefaultCrumbIssuer.EXCLUDE_SESSION_ID = false
}
println JsonOutput.toJson(out)`, nil, &r)
	if r.Before || !r.Excluded {
		t.Fatalf("activated: %v by default, %v with EXCLUDE_SESSION_ID", r.Before, r.Excluded)
	}
}
