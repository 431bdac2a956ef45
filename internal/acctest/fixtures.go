package acctest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// Fixtures set Jenkins up the way an administrator would, through the script console. The Groovy
// is constant; parameters travel as base64 JSON and arrive in the script as the map P, the same
// rule the provider follows. Secrets (passwords) never do: Jenkins hands the script text to its
// script listeners and audit logs, so they travel as form fields of the same POST, read with
// requestField(name), as the provider sends token values. Each fixture prints one JSON line
// prefixed with fixtureMarker.

const fixtureMarker = "ACCTEST-RESULT:"

const fixturePrelude = `def P = new groovy.json.JsonSlurper().parseText(new String(java.util.Base64.decoder.decode('%s'), 'UTF-8'))
def emit = { Object r -> println('` + fixtureMarker + `' + groovy.json.JsonOutput.toJson(r)) }
`

// Script runs body (constant Groovy that reads its parameters from P and reports with
// emit(...)) as the admin and decodes what it emitted into out (nil to ignore).
func (t *Target) Script(tb testing.TB, body string, params any, out any) {
	tb.Helper()
	t.ScriptWithSecrets(tb, body, params, nil, out)
}

// ScriptWithSecrets is Script with secrets sent as form fields beside the script (field name to
// value), which body reads with requestField(name).
func (t *Target) ScriptWithSecrets(tb testing.TB, body string, params any, secrets map[string]string, out any) {
	tb.Helper()
	if params == nil {
		params = map[string]any{}
	}
	raw, err := json.Marshal(params)
	if err != nil {
		tb.Fatalf("fixture params: %v", err)
	}
	script := fmt.Sprintf(fixturePrelude, base64.StdEncoding.EncodeToString(raw)) + body + "\n" + jenkinssim.ScriptFieldReader
	fields := url.Values{}
	for k, v := range secrets {
		fields.Set(k, v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var output string
	if t.Sim != nil {
		output, err = t.Sim.ScriptWithFields(ctx, script, fields)
	} else {
		output, err = scriptConsole(ctx, t, script, fields)
	}
	if err != nil {
		tb.Fatalf("fixture script failed: %v", err)
	}
	i := strings.LastIndex(output, fixtureMarker)
	if i < 0 {
		tb.Fatalf("fixture script printed no result; output:\n%s", output)
	}
	line := output[i+len(fixtureMarker):]
	if j := strings.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	if out != nil {
		if err := json.Unmarshal([]byte(line), out); err != nil {
			tb.Fatalf("fixture result %q: %v", line, err)
		}
	}
}

// scriptConsole runs script on a real Jenkins as an administrator would with curl: a crumb and
// its session cookie first (harmless with an API token, needed with a password), then a POST.
func scriptConsole(ctx context.Context, t *Target, script string, fields url.Values) (string, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return "", err
	}
	client := &http.Client{Jar: jar, Timeout: time.Minute}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.URL+"crumbIssuer/api/json", nil)
	if err != nil {
		return "", err
	}
	req.SetBasicAuth(t.Username, t.Password)
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	var crumb struct {
		Crumb string `json:"crumb"`
		Field string `json:"crumbRequestField"`
	}
	decodeErr := json.NewDecoder(resp.Body).Decode(&crumb)
	_ = resp.Body.Close()
	if resp.StatusCode == http.StatusOK && decodeErr != nil {
		return "", fmt.Errorf("crumb issuer: %w", decodeErr)
	}
	form := url.Values{"script": {script}}
	for k, vs := range fields {
		form[k] = vs
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, t.URL+"scriptText", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.SetBasicAuth(t.Username, t.Password)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if crumb.Field != "" {
		req.Header.Set(crumb.Field, crumb.Crumb)
	}
	resp, err = client.Do(req)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("script console: HTTP %d%s", resp.StatusCode, scriptConsoleHint(resp, body))
	}
	return string(body), nil
}

// scriptConsoleHint says what a refused script-console POST means, from Jenkins's own signals.
func scriptConsoleHint(resp *http.Response, body []byte) string {
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return " (Jenkins rejected the username or the password/API token)"
	case resp.StatusCode == http.StatusForbidden && strings.Contains(string(body), "No valid crumb"):
		return " (no valid CSRF crumb: the crumb from /crumbIssuer/api/json is bound to the session whose cookie came with it)"
	case resp.StatusCode == http.StatusForbidden:
		who, perm := resp.Header.Get("X-You-Are-Authenticated-As"), resp.Header.Get("X-Required-Permission")
		if who == "" {
			who = "the account"
		}
		if perm == "" {
			perm = "a permission"
		}
		return fmt.Sprintf(" (%s lacks %s; the script console needs Overall/Administer)", who, perm)
	}
	return ""
}

// CreateUser creates a login-capable user in the built-in security realm.
func (t *Target) CreateUser(tb testing.TB, id, password string) {
	tb.Helper()
	t.ScriptWithSecrets(tb, `
def u = Jenkins.get().getSecurityRealm().createAccount(P.id, requestField('password'))
emit([id: u.getId()])
`, map[string]string{"id": id}, map[string]string{"password": password}, nil)
}

// FixtureToken is a token a fixture made. Value is the secret: never log it.
type FixtureToken struct {
	UUID  string `json:"uuid"`
	Value string `json:"value"`
}

// NewToken gives userID a new API token named name, as Jenkins's own generateNewToken does.
func (t *Target) NewToken(tb testing.TB, userID, name string) FixtureToken {
	tb.Helper()
	var tok FixtureToken
	t.Script(tb, `
import jenkins.security.ApiTokenProperty
def u = User.getById(P.user, false)
def r = u.getProperty(ApiTokenProperty).generateNewToken(P.name)
emit([uuid: r.tokenUuid, value: r.plainValue])
`, map[string]string{"user": userID, "name": name}, &tok)
	return tok
}

// NewExpiringToken is NewToken with an expiration date (YYYY-MM-DD; Jenkins >= 2.548).
func (t *Target) NewExpiringToken(tb testing.TB, userID, name, date string) FixtureToken {
	tb.Helper()
	var tok FixtureToken
	t.Script(tb, `
import jenkins.security.ApiTokenProperty
import java.time.LocalDate
def u = User.getById(P.user, false)
def r = u.getProperty(ApiTokenProperty).generateNewToken(P.name, LocalDate.parse(P.date))
emit([uuid: r.tokenUuid, value: r.plainValue])
`, map[string]string{"user": userID, "name": name, "date": date}, &tok)
	return tok
}

// NewLegacyToken gives userID a legacy token the way an administrator refreshes one from the
// script console (changeApiToken, then save), and returns it with the value a client sends
// (the MD5 hex of the seed).
func (t *Target) NewLegacyToken(tb testing.TB, userID string) FixtureToken {
	tb.Helper()
	var tok FixtureToken
	t.Script(tb, `
import jenkins.security.ApiTokenProperty
def u = User.getById(P.user, false)
def p = u.getProperty(ApiTokenProperty)
p.changeApiToken()
u.save()
def seed = p.@apiToken.getPlainText()
def md5 = java.security.MessageDigest.getInstance('MD5').digest(seed.getBytes('UTF-8')).encodeHex().toString()
emit([uuid: p.getTokenStore().getLegacyToken().getUuid(), value: md5])
`, map[string]string{"user": userID}, &tok)
	return tok
}

// UserExists reports whether Jenkins has a user record for id.
func (t *Target) UserExists(tb testing.TB, id string) bool {
	tb.Helper()
	var r struct {
		Exists bool `json:"exists"`
	}
	t.Script(tb, `emit([exists: User.getById(P.id, false) != null])`, map[string]string{"id": id}, &r)
	return r.Exists
}

// TokenNames lists userID's tokens by UUID.
func (t *Target) TokenNames(tb testing.TB, userID string) map[string]string {
	tb.Helper()
	var r map[string]string
	t.Script(tb, `
import jenkins.security.ApiTokenProperty
def m = [:]
User.getById(P.user, false).getProperty(ApiTokenProperty).getTokenStore().getTokenListSortedByName().each { m[it.getUuid()] = it.getName() }
emit(m)
`, map[string]string{"user": userID}, &r)
	return r
}

// NewPassword returns a random password for a test user. It holds no user ID or other text
// scripts carry: the simulator's leak check (CheckScriptLeaks) flags any script holding 12
// characters of a password, so "pw-" + the user's ID would flag every script naming the user.
func NewPassword() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "pw-" + hex.EncodeToString(b)
}

// UniqueID returns a user ID no other test uses, so tests sharing one Jenkins stay independent.
func UniqueID(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}
