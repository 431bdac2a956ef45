package conformance

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Mirrors test/src/test/java/jenkins/security/apitoken/LegacyApiTokenAdministrativeMonitorTest.java.
// The manage page's selection links and revoke button run JavaScript in a browser; here the
// page's markup is checked and the request that JavaScript sends (a JSON body to
// revokeAllSelected) is sent directly.

const monitorPath = "administrativeMonitor/legacyApiToken/"

// monitorActivated mirrors j.jenkins.getExtensionList(AdministrativeMonitor.class).get(LegacyApiTokenAdministrativeMonitor.class).isActivated().
const monitorGroovy = `def monitor = Jenkins.get().getExtensionList(AdministrativeMonitor.class).get(LegacyApiTokenAdministrativeMonitor.class)
`

func monitorActivated(t *testing.T) bool {
	t.Helper()
	var r struct{ Activated bool }
	scriptJSON(t, monitorGroovy+`println JsonOutput.toJson([activated: monitor.isActivated()])`, nil, &r)
	return r.Activated
}

func legacyMonitorConfig(t *testing.T) {
	t.Helper()
	scriptOK(t, `def config = ApiTokenPropertyConfiguration.get()
config.setCreationOfLegacyTokenEnabled(true)
config.setTokenGenerationOnCreationEnabled(false)`, nil)
}

// adminToken is the admin's API token: its requests need no crumb (the browser sends one).
func adminToken(t *testing.T) string {
	t.Helper()
	_, v := newToken(t, "admin", "monitor")
	return v
}

// TestLegacyApiTokenAdministrativeMonitor_isActive mirrors LegacyApiTokenAdministrativeMonitorTest#isActive.
func TestLegacyApiTokenAdministrativeMonitor_isActive(t *testing.T) {
	fresh(t)
	legacyMonitorConfig(t)
	var r struct{ HasLegacy, Initially, AfterNew, AfterRevoke, AfterChange bool }
	scriptJSON(t, monitorGroovy+`def user = User.getById('user', true)
def p = user.getProperty(ApiTokenProperty)
def out = [hasLegacy: p.hasLegacyToken(), initially: monitor.isActivated()]
def tokenInfo = p.getTokenStore().generateNewToken('Not Legacy')
out.afterNew = monitor.isActivated() // a "new" token does not trigger the monitor
p.getTokenStore().revokeToken(tokenInfo.tokenUuid)
out.afterRevoke = monitor.isActivated()
p.changeApiToken()
out.afterChange = monitor.isActivated()
println JsonOutput.toJson(out)`, nil, &r)
	if r.HasLegacy || r.Initially || r.AfterNew || r.AfterRevoke || !r.AfterChange {
		t.Fatalf("%+v", r)
	}
}

// TestLegacyApiTokenAdministrativeMonitor_takeCareOfUserWithIdNull mirrors
// LegacyApiTokenAdministrativeMonitorTest#takeCareOfUserWithIdNull (JENKINS-52441).
func TestLegacyApiTokenAdministrativeMonitor_takeCareOfUserWithIdNull(t *testing.T) {
	fresh(t)
	legacyMonitorConfig(t)
	var r struct{ HasLegacy, Initially bool }
	scriptJSON(t, monitorGroovy+`def p = User.getById('null', true).getProperty(ApiTokenProperty)
def out = [hasLegacy: p.hasLegacyToken(), initially: monitor.isActivated()]
p.changeApiToken()
println JsonOutput.toJson(out)`, nil, &r)
	if r.HasLegacy || r.Initially || !monitorActivated(t) {
		t.Fatalf("before: %+v, then activated %v", r, !r.Initially)
	}
	// Select all (only one user) and revoke them.
	token := adminToken(t)
	page := managePage(t, token)
	if len(page.rows) != 1 || page.rows[0].userID != "null" {
		t.Fatalf("rows %+v", page.rows)
	}
	revokeSelected(t, token, page.rows)
	if monitorActivated(t) {
		t.Fatal("still activated after revoking the legacy token of user \"null\"")
	}
}

// manage is what the tests read of the monitor's manage page.
type manage struct {
	body                      string
	tokens, fresh, recent     int
	rows                      []row
	noTokenLine, revokeButton bool
	selectionLinks            int
}

type row struct {
	userID, uuid  string
	fresh, recent bool
}

var (
	checkboxRE  = regexp.MustCompile(`<input[^>]*class="token-to-revoke[^"]*"[^>]*>`)
	attrRE      = regexp.MustCompile(`([a-z-]+)="([^"]*)"`)
	selectionRE = regexp.MustCompile(`(?s)<div class="selection-panel">(.*?)</div>`)
)

func unescape(s string) string {
	return strings.NewReplacer("&quot;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

func managePage(t *testing.T, token string) manage {
	t.Helper()
	r := call(t, "GET", monitorPath+"manage", "admin", token, nil, nil)
	mustStatus(t, r, 200)
	m := manage{
		body:        r.Body,
		tokens:      strings.Count(r.Body, "token-to-revoke"),
		fresh:       strings.Count(r.Body, "fresh-token"),
		recent:      strings.Count(r.Body, "recent-token"),
		noTokenLine: strings.Contains(r.Body, "no-token-line"),
	}
	for _, in := range checkboxRE.FindAllString(r.Body, -1) {
		var rw row
		for _, a := range attrRE.FindAllStringSubmatch(in, -1) {
			switch a[1] {
			case "data-user-id":
				rw.userID = unescape(a[2])
			case "data-uuid":
				rw.uuid = unescape(a[2])
			case "class":
				classes := strings.Fields(a[2])
				for _, c := range classes {
					rw.fresh = rw.fresh || c == "fresh-token"
					rw.recent = rw.recent || c == "recent-token"
				}
			}
		}
		m.rows = append(m.rows, rw)
	}
	if sel := selectionRE.FindStringSubmatch(r.Body); sel != nil {
		m.selectionLinks = strings.Count(sel[1], "<a ")
	}
	m.revokeButton = strings.Contains(r.Body, `class="action-revoke-selected`)
	return m
}

// revokeSelected sends what confirmAndRevokeAllSelected (resources.js) posts for the checked rows.
func revokeSelected(t *testing.T, token string, rows []row) {
	t.Helper()
	type value struct {
		UserID string `json:"userId"`
		UUID   string `json:"uuid"`
	}
	body := struct {
		Values []value `json:"values"`
	}{Values: []value{}}
	for _, rw := range rows {
		body.Values = append(body.Values, value{rw.userID, rw.uuid})
	}
	b, _ := json.Marshal(body)
	r := send(t, "POST", monitorPath+"revokeAllSelected", "admin", token, strings.NewReader(string(b)), "application/json", nil)
	mustStatus(t, r, 200)
}

func checkUserWithLegacyTokenListHasSizeOf(t *testing.T, token string, countOfToken, countOfFreshToken, countOfRecentToken int) manage {
	t.Helper()
	m := managePage(t, token)
	if m.tokens != countOfToken || m.fresh != countOfFreshToken || m.recent != countOfRecentToken {
		t.Fatalf("token-to-revoke %d, fresh-token %d, recent-token %d; want %d, %d, %d",
			m.tokens, m.fresh, m.recent, countOfToken, countOfFreshToken, countOfRecentToken)
	}
	return m
}

func checkUserWithLegacyTokenListIsEmpty(t *testing.T, token string) {
	t.Helper()
	if m := managePage(t, token); !m.noTokenLine {
		t.Fatalf("no no-token-line: %.2000s", m.body)
	}
}

// userFactory mirrors createUserWithToken; ids follow String.format("user %b %b %b %d", ...).
type userFactory struct {
	t      *testing.T
	nextID int
}

func (f *userFactory) createUserWithToken(legacy, fresh, recent bool) {
	t := f.t
	t.Helper()
	id := fmt.Sprintf("user %t %t %t %d", legacy, fresh, recent, f.nextID)
	f.nextID++
	dummyUser(t, id)
	if !legacy {
		return
	}
	legacyValue := changeLegacyTokenDirectly(t, id)
	useLegacy := func() { checkUserIsConnected(t, id, legacyValue) }
	switch {
	case fresh && recent:
		useLegacy()
		time.Sleep(time.Millisecond)
		_, v := newToken(t, id, "Fresh and recent token")
		checkUserIsConnected(t, id, v)
	case fresh:
		useLegacy()
		time.Sleep(time.Millisecond)
		newToken(t, id, "Fresh token")
	case recent:
		_, v := newToken(t, id, "Recent token")
		time.Sleep(time.Millisecond)
		useLegacy()
		time.Sleep(time.Millisecond)
		checkUserIsConnected(t, id, v)
	}
}

// prepareUsersForFilters: 1 user with just a legacy token, 2 fresh, 3 recent, 4 fresh and recent.
func (f *userFactory) prepareUsersForFilters() {
	f.createUserWithToken(true, false, false)
	for i := 0; i < 2; i++ {
		f.createUserWithToken(true, true, false)
	}
	for i := 0; i < 3; i++ {
		f.createUserWithToken(true, false, true)
	}
	for i := 0; i < 4; i++ {
		f.createUserWithToken(true, true, true)
	}
}

// TestLegacyApiTokenAdministrativeMonitor_listOfUserWithLegacyTokenIsCorrect mirrors
// LegacyApiTokenAdministrativeMonitorTest#listOfUserWithLegacyTokenIsCorrect.
func TestLegacyApiTokenAdministrativeMonitor_listOfUserWithLegacyTokenIsCorrect(t *testing.T) {
	fresh(t)
	legacyMonitorConfig(t)
	token := adminToken(t)
	f := &userFactory{t: t}
	numToken, numFresh, numRecent := 0, 0, 0

	checkUserWithLegacyTokenListIsEmpty(t, token) // no user
	dummyUser(t, "user")                          // a user without any token
	checkUserWithLegacyTokenListIsEmpty(t, token)
	// A user with a token but without legacy token.
	scriptOK(t, `def p = User.getById('user', true).getProperty(ApiTokenProperty)
assert !p.hasLegacyToken()
p.getTokenStore().generateNewToken('Not legacy')`, nil)
	checkUserWithLegacyTokenListIsEmpty(t, token)
	checkUserWithLegacyTokenListHasSizeOf(t, token, numToken, numFresh, numRecent)

	// One user with just a legacy token.
	f.createUserWithToken(true, false, false)
	numToken++
	checkUserWithLegacyTokenListHasSizeOf(t, token, numToken, numFresh, numRecent)
	// A fresh token: created after the last use of the legacy token (or its creation).
	f.createUserWithToken(true, true, false)
	numToken++
	numFresh++
	checkUserWithLegacyTokenListHasSizeOf(t, token, numToken, numFresh, numRecent)
	// A recent token (not fresh): used after the last use of the legacy token (or its creation).
	f.createUserWithToken(true, false, true)
	numToken++
	numRecent++
	checkUserWithLegacyTokenListHasSizeOf(t, token, numToken, numFresh, numRecent)
	// A fresh and recent token.
	f.createUserWithToken(true, true, true)
	numToken++
	numFresh++
	numRecent++
	checkUserWithLegacyTokenListHasSizeOf(t, token, numToken, numFresh, numRecent)
}

// TestLegacyApiTokenAdministrativeMonitor_monitorManagePageFilterAreWorking mirrors
// LegacyApiTokenAdministrativeMonitorTest#monitorManagePageFilterAreWorking up to the
// clicks: the counts, and the three selection links the JavaScript filters hang on.
func TestLegacyApiTokenAdministrativeMonitor_monitorManagePageFilterAreWorking(t *testing.T) {
	fresh(t)
	legacyMonitorConfig(t)
	(&userFactory{t: t}).prepareUsersForFilters()
	m := checkUserWithLegacyTokenListHasSizeOf(t, adminToken(t), 1+2+3+4, 2+4, 3+4)
	if m.selectionLinks != 3 {
		t.Fatalf("selection-panel links: %d, want 3", m.selectionLinks)
	}
}

// TestLegacyApiTokenAdministrativeMonitor_monitorManagePageCanRevokeToken mirrors
// LegacyApiTokenAdministrativeMonitorTest#monitorManagePageCanRevokeToken.
func TestLegacyApiTokenAdministrativeMonitor_monitorManagePageCanRevokeToken(t *testing.T) {
	fresh(t)
	legacyMonitorConfig(t)
	(&userFactory{t: t}).prepareUsersForFilters()
	if !monitorActivated(t) {
		t.Fatal("monitor not activated")
	}
	token := adminToken(t)
	page := checkUserWithLegacyTokenListHasSizeOf(t, token, 1+2+3+4, 2+4, 3+4)
	if !page.revokeButton {
		t.Fatal("no revoke-selected button")
	}
	// Select "only fresh" and revoke them.
	var onlyFresh []row
	for _, rw := range page.rows {
		if rw.fresh {
			onlyFresh = append(onlyFresh, rw)
		}
	}
	revokeSelected(t, token, onlyFresh)
	newPage := checkUserWithLegacyTokenListHasSizeOf(t, token, 1+3, 0, 3)
	if !monitorActivated(t) {
		t.Fatal("monitor not activated with 4 legacy tokens left")
	}
	// Select all and revoke them.
	revokeSelected(t, token, newPage.rows)
	checkUserWithLegacyTokenListHasSizeOf(t, token, 0, 0, 0)
	if monitorActivated(t) {
		t.Fatal("monitor still activated")
	}
}
