package jenkinssim

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// simClient talks to the simulator's control endpoints and, as the admin, to the script console.
type simClient struct {
	sim  *Sim
	http *http.Client

	mu         sync.Mutex
	adminToken string // an admin API token made by the first Script call
}

func newSimClient(s *Sim, insecureTLS bool) *simClient {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if insecureTLS {
		// The simulator's certificate is the caller's test certificate; trust is not under test here.
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec
	}
	// A new connection per request. The JDK's HTTP server under the simulator, like Jetty under
	// Jenkins, closes idle keep-alive connections on its own schedule, and a POST sent on one
	// it is closing fails with a reset that Go does not repeat (POST is not idempotent). The
	// provider's client repeats such requests (its scripts are written to be safe to repeat);
	// these helpers run any script a test sends, so they avoid the race instead. A loopback
	// connection costs microseconds against milliseconds of Groovy.
	tr.DisableKeepAlives = true
	return &simClient{sim: s, http: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

// HTTPClient returns an http.Client suited to the simulator (it trusts its TLS certificate).
func (s *Sim) HTTPClient() *http.Client {
	tr := s.client.http.Transport.(*http.Transport).Clone()
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

// Fault makes the next Count requests whose Jenkins path (after the context path) starts with
// Path misbehave. Mode is "status" (answer Status, default 503, with Retry-After when set),
// "delay" (wait DelayMS, then serve), "hold" (read the request, wait DelayMS, then serve: the
// script runs even if the client gave up meanwhile), "drop_response" (serve fully, then close
// the connection without an answer) or "refuse" (close before reading). Count 0 means every request until
// ClearFaults.
type Fault struct {
	Path string
	Mode string
	// Skip lets this many matching requests through before the fault applies.
	Skip       int
	Count      int
	Status     int
	RetryAfter int
	DelayMS    int
}

func (c *simClient) control(ctx context.Context, method, path string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.sim.RootURL+"__sim/"+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("jenkinssim: %s /__sim/%s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("jenkinssim: %s /__sim/%s: HTTP %d: %s", method, path, resp.StatusCode, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// Stats returns request counts by route ("scriptText", "revoke", "generateNewToken",
// "crumbIssuer", "total", ...).
func (s *Sim) Stats(ctx context.Context) (map[string]int, error) {
	var m map[string]int
	err := s.client.control(ctx, http.MethodGet, "stats", nil, &m)
	return m, err
}

// ResetStats sets every request count to zero.
func (s *Sim) ResetStats(ctx context.Context) error {
	return s.client.control(ctx, http.MethodPost, "stats/reset", nil, nil)
}

// Reset returns to the initial state: only the admin user, default configuration, no faults,
// no realm users, clock offset 0. Request counts are kept (see ResetStats).
func (s *Sim) Reset(ctx context.Context) error {
	s.client.mu.Lock()
	s.client.adminToken = ""
	s.client.mu.Unlock()
	return s.client.control(ctx, http.MethodPost, "reset", nil, nil)
}

// SetFault adds a fault rule.
func (s *Sim) SetFault(ctx context.Context, f Fault) error {
	body := map[string]any{"path": f.Path, "mode": f.Mode, "count": f.Count}
	if f.Status != 0 {
		body["status"] = f.Status
	}
	if f.RetryAfter != 0 {
		body["retry_after"] = f.RetryAfter
	}
	if f.DelayMS != 0 {
		body["delay_ms"] = f.DelayMS
	}
	if f.Skip != 0 {
		body["skip"] = f.Skip
	}
	return s.client.control(ctx, http.MethodPost, "faults", body, nil)
}

// ClearFaults removes every fault rule.
func (s *Sim) ClearFaults(ctx context.Context) error {
	return s.client.control(ctx, http.MethodDelete, "faults", nil, nil)
}

// Restart simulates a Jenkins restart: 503 for the given seconds, then the saved state only.
// It returns once the restart began; use WaitReady to wait for its end.
func (s *Sim) Restart(ctx context.Context, seconds int) error {
	return s.client.control(ctx, http.MethodPost, "restart", map[string]any{"seconds": seconds}, nil)
}

// WaitReady waits until the simulator serves Jenkins requests (not starting or restarting).
func (s *Sim) WaitReady(ctx context.Context) error {
	for {
		var h struct {
			State string `json:"state"`
		}
		err := s.client.control(ctx, http.MethodGet, "health", nil, &h)
		if err == nil && h.State == "running" {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.jvm.done:
			return errors.New("jenkinssim: the JVM exited")
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// SetClock moves the simulator's "today" by offsetDays (expiration, isExpired, numDays*).
func (s *Sim) SetClock(ctx context.Context, offsetDays int) error {
	return s.client.control(ctx, http.MethodPost, "clock", map[string]any{"offset_days": offsetDays}, nil)
}

// ExpireSessions ends every HTTP session, as a session timeout on the controller does: crumbs
// bound to them are refused from then on.
func (s *Sim) ExpireSessions(ctx context.Context) error {
	return s.client.control(ctx, http.MethodDelete, "sessions", nil, nil)
}

// AddRealmUsers makes the security realm know these ids (as LDAP would) without creating
// User records.
func (s *Sim) AddRealmUsers(ctx context.Context, ids ...string) error {
	return s.client.control(ctx, http.MethodPost, "realm-users", map[string]any{"ids": ids}, nil)
}

// AddRealmUserWithPassword makes the security realm know userID and accept password for it,
// without a Jenkins record: a directory user who can log in, or JenkinsRule's dummy realm (whose
// password is the user name). A Basic login with it makes no record.
func (s *Sim) AddRealmUserWithPassword(ctx context.Context, userID, password string) error {
	return s.client.control(ctx, http.MethodPost, "realm-users", map[string]any{"ids": []string{userID}, "password": password}, nil)
}

// SetRealmAccount gives the directory account of userID a status, as a directory admin would:
// "disabled", "locked", "expired" (the account's end date passed) or "credentials_expired" make
// the realm's lookup throw Spring's DisabledException, LockedException, AccountExpiredException or
// CredentialsExpiredException (the ldap plugin's checks); "unavailable" and "data_access_failure"
// make the lookup of userID fail as a directory outage does (AuthenticationServiceException,
// DataAccessException); "active" clears it. The status outlives restarts, as the directory does.
func (s *Sim) SetRealmAccount(ctx context.Context, userID, status string) error {
	return s.client.control(ctx, http.MethodPost, "realm-accounts", map[string]any{"id": userID, "status": status}, nil)
}

// SetRealmDirectory makes the realm's lookups write user records as a directory realm plugin does
// (see Options.RealmDirectory): mode "ldap", "active-directory" or "none"; mail says whether the
// directory holds mail addresses (the ldap plugin writes only then; the active-directory plugin
// writes at every lookup without one). Kept across restarts; Reset returns to the start option.
func (s *Sim) SetRealmDirectory(ctx context.Context, mode string, mail bool) error {
	return s.client.control(ctx, http.MethodPost, "realm-directory", map[string]any{"mode": mode, "mail": mail}, nil)
}

// SettleRealmDirectory waits until the user-record updates the active-directory mode queued on
// its background thread so far have run.
func (s *Sim) SettleRealmDirectory(ctx context.Context) error {
	return s.client.control(ctx, http.MethodPost, "realm-directory", map[string]any{"settle": true}, nil)
}

// SetLatency sets, from now on (requests already running included), how long each realm lookup
// and each save of a user record take: see Options.RealmLatency and Options.SaveLatency. Kept
// across Restart; Reset returns to the start options.
func (s *Sim) SetLatency(ctx context.Context, realm, save time.Duration) error {
	if err := checkLatency(realm, save); err != nil {
		return err
	}
	body := map[string]any{
		"realm_ms": float64(realm) / float64(time.Millisecond),
		"save_ms":  float64(save) / float64(time.Millisecond),
	}
	return s.client.control(ctx, http.MethodPost, "latency", body, nil)
}

// Latency returns the realm lookup and user save latencies in force.
func (s *Sim) Latency(ctx context.Context) (realm, save time.Duration, err error) {
	var out struct {
		RealmMS float64 `json:"realm_ms"`
		SaveMS  float64 `json:"save_ms"`
	}
	if err := s.client.control(ctx, http.MethodGet, "latency", nil, &out); err != nil {
		return 0, 0, err
	}
	ms := float64(time.Millisecond)
	return time.Duration(math.Round(out.RealmMS * ms)), time.Duration(math.Round(out.SaveMS * ms)), nil
}

// Answer is one HTTP answer of the simulator, read whole.
type Answer struct {
	Status int
	Header http.Header
	Body   string
}

// Send sends one request to the Jenkins URL space (path relative to URL) as user with secret
// (user "" = anonymous), with body of contentType, and returns the answer without following
// redirects: for tests that check Jenkins's answers exactly.
func (s *Sim) Send(ctx context.Context, method, path, user, secret string, body io.Reader, contentType string, hdr http.Header) (Answer, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, body)
	if err != nil {
		return Answer{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	for k, vs := range hdr {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if user != "" {
		req.SetBasicAuth(user, secret)
	}
	client := s.HTTPClient()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		return Answer{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return Answer{}, fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	return Answer{resp.StatusCode, resp.Header, string(b)}, nil
}

// LegacyUser creates userID as a Jenkins older than 2.129 left it: its saved record holds a
// legacy token seed and no token store (password "" = none). Jenkins then rebuilds the legacy
// token with a new UUID and empty usage statistics at every start, until something saves the
// user. It returns the current legacy token's UUID and its value (the MD5 of the seed, what
// the user logs in with).
func (s *Sim) LegacyUser(ctx context.Context, userID, password string) (uuid, token string, err error) {
	body := map[string]any{"id": userID}
	if password != "" {
		body["password"] = password
	}
	var out struct {
		UUID  string `json:"uuid"`
		Token string `json:"token"`
	}
	if err := s.client.control(ctx, http.MethodPost, "legacy-user", body, &out); err != nil {
		return "", "", err
	}
	return out.UUID, out.Token, nil
}

// RemoveRealmUsers makes the security realm forget these ids, as a directory does when someone
// leaves: their Jenkins records stay, and so do their tokens.
func (s *Sim) RemoveRealmUsers(ctx context.Context, ids ...string) error {
	return s.client.control(ctx, http.MethodDelete, "realm-users", map[string]any{"ids": ids}, nil)
}

// WebLogin records an interactive login of userID, as Jenkins does after a form or SSO login
// (LastGrantedAuthoritiesProperty: created and saved at the first login, updated and saved
// when the granted authorities change). granted is what the security realm granted at this
// login (its groups, "authenticated" included if the realm grants it); none: what the
// simulated realm's lookup grants. It returns the property's timestamp (Unix ms).
func (s *Sim) WebLogin(ctx context.Context, userID string, granted ...string) (int64, error) {
	var out struct {
		Timestamp int64 `json:"timestamp"`
	}
	body := map[string]any{"id": userID}
	if granted != nil {
		body["authorities"] = granted
	}
	err := s.client.control(ctx, http.MethodPost, "login", body, &out)
	return out.Timestamp, err
}

// InvalidateSessions presses "Invalidate sessions" on userID's security page as the admin: the
// POST Jenkins's page sends (UserSeedProperty.DescriptorImpl.doRenewSessionSeed). It renews the
// user's session seed and invalidates the authorities recorded at their last web login.
func (s *Sim) InvalidateSessions(ctx context.Context, userID string) error {
	token, err := s.client.ensureAdminToken(ctx)
	if err != nil {
		return err
	}
	status, _, err := s.client.postForm(ctx, "user/"+url.PathEscape(userID)+"/descriptorByName/jenkins.security.seed.UserSeedProperty/renewSessionSeed",
		url.Values{}, s.AdminUser, token, nil)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("jenkinssim: renewSessionSeed of %q: HTTP %d", userID, status)
	}
	return nil
}

// Script runs a Groovy script in the script console as the admin and returns its raw output.
// It authenticates with an admin API token (made once with password + crumb), so it needs no
// crumb afterwards, like a provider would.
func (s *Sim) Script(ctx context.Context, script string) (string, error) {
	return s.ScriptWithFields(ctx, script, nil)
}

// ScriptWithFields is Script with more form fields in the same POST, for secrets: Jenkins hands
// the script text to its script listeners (audit logs), not the other fields; the script reads
// them from Stapler's current request (see ScriptFieldReader).
func (s *Sim) ScriptWithFields(ctx context.Context, script string, fields url.Values) (string, error) {
	form := url.Values{}
	for k, vs := range fields {
		if k == "script" {
			return "", errors.New("jenkinssim: the field \"script\" is the script")
		}
		form[k] = vs
	}
	form.Set("script", script)
	token, err := s.client.ensureAdminToken(ctx)
	if err != nil {
		return "", err
	}
	status, body, err := s.client.postForm(ctx, "scriptText", form, s.AdminUser, token, nil)
	if err != nil {
		return "", err
	}
	if status == http.StatusUnauthorized {
		// The token vanished (Reset, revokeAll by a test, restart with unsaved state): make a new one.
		s.client.mu.Lock()
		s.client.adminToken = ""
		s.client.mu.Unlock()
		if token, err = s.client.ensureAdminToken(ctx); err != nil {
			return "", err
		}
		status, body, err = s.client.postForm(ctx, "scriptText", form, s.AdminUser, token, nil)
		if err != nil {
			return "", err
		}
	}
	if status != http.StatusOK {
		return "", fmt.Errorf("jenkinssim: scriptText: HTTP %d: %.300s", status, body)
	}
	return body, nil
}

// ScriptFieldReader is Groovy that defines requestField(name): a form field of the request that
// carries the script, from Stapler's current request (getCurrentRequest2 from Jenkins 2.475,
// getCurrentRequest before). Scripts that need a secret append it and read the secret with it.
const ScriptFieldReader = `
def requestField(String name) {
    def stapler = org.kohsuke.stapler.Stapler
    def req = stapler.metaClass.respondsTo(stapler, 'getCurrentRequest2').isEmpty() ?
        stapler.getCurrentRequest() : stapler.getCurrentRequest2()
    return req?.getParameter(name)
}
`

// AuditEntry is one script in the simulator's audit log, as the audit-trail plugin writes it.
type AuditEntry struct {
	Seq     int64   `json:"seq"`
	User    *string `json:"user"`
	Origin  string  `json:"origin"`
	Script  string  `json:"script"`
	Binding *string `json:"binding"`
}

// AuditLog returns the last scripts the script console ran (at most 1000), oldest first, and
// how many it ran in all.
func (s *Sim) AuditLog(ctx context.Context) (entries []AuditEntry, total int64, err error) {
	var out struct {
		Total   int64        `json:"total"`
		Entries []AuditEntry `json:"entries"`
	}
	err = s.client.control(ctx, http.MethodGet, "audit-log", nil, &out)
	return out.Entries, out.Total, err
}

// Leak is a script whose text holds a secret the simulator has seen. It never holds the secret.
type Leak struct {
	Seq  int64   `json:"seq"`  // the script's number in the audit log
	User *string `json:"user"` // who ran it
	// Secret is the kind: "token value", "legacy token seed" or "password".
	Secret string `json:"secret"`
	// Rendering is how it was found: "text", "base64" or "hex".
	Rendering  string  `json:"rendering"`
	Line       int     `json:"line"`
	ScriptHead *string `json:"scriptHead"` // the script's first line, unless the leak is on it
}

func (l Leak) String() string {
	who := "no user"
	if l.User != nil {
		who = "user " + *l.User
	}
	s := fmt.Sprintf("script #%d (%s): a %s, as %s, on line %d", l.Seq, who, l.Secret, l.Rendering, l.Line)
	if l.ScriptHead != nil {
		s += fmt.Sprintf(" of the script starting %q", *l.ScriptHead)
	}
	return s
}

// ScriptLeaks checks every script the script console ran against every secret the simulator
// has seen (token values, legacy seeds, passwords of 8 characters or more) and returns where a
// script's text holds one: 12 characters in a row of it, or all of a shorter one, as text or in
// a base64 or hex run. See SimSecrets.groovy for the rule.
func (s *Sim) ScriptLeaks(ctx context.Context) ([]Leak, error) {
	var out struct {
		Leaks []Leak `json:"leaks"`
	}
	err := s.client.control(ctx, http.MethodGet, "audit-log/leaks", nil, &out)
	return out.Leaks, err
}

// ensureAdminToken creates an admin API token through the endpoint, with password + crumb.
func (c *simClient) ensureAdminToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.adminToken != "" {
		return c.adminToken, nil
	}
	crumbField, crumb, cookie, err := c.crumb(ctx, c.sim.AdminUser, c.sim.AdminPassword)
	if err != nil {
		return "", err
	}
	hdr := http.Header{crumbField: {crumb}, "Cookie": {cookie}}
	status, body, err := c.postForm(ctx, "me/descriptorByName/jenkins.security.ApiTokenProperty/generateNewToken",
		url.Values{"newTokenName": {"jenkinssim-helper"}}, c.sim.AdminUser, c.sim.AdminPassword, hdr)
	if err != nil {
		return "", err
	}
	var r struct {
		Status string `json:"status"`
		Data   struct {
			TokenValue string `json:"tokenValue"`
		} `json:"data"`
	}
	if status != http.StatusOK || json.Unmarshal([]byte(body), &r) != nil || r.Status != "ok" {
		return "", fmt.Errorf("jenkinssim: making the admin helper token: HTTP %d", status)
	}
	c.adminToken = r.Data.TokenValue
	return c.adminToken, nil
}

// crumb fetches a crumb with Basic auth and returns the field name, crumb and session cookie.
func (c *simClient) crumb(ctx context.Context, user, password string) (field, crumb, cookie string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.sim.URL+"crumbIssuer/api/json", nil)
	if err != nil {
		return "", "", "", err
	}
	req.SetBasicAuth(user, password)
	resp, err := c.http.Do(req)
	if err != nil {
		return "", "", "", err
	}
	defer resp.Body.Close()
	var r struct {
		Crumb             string `json:"crumb"`
		CrumbRequestField string `json:"crumbRequestField"`
	}
	if resp.StatusCode != http.StatusOK {
		return "", "", "", fmt.Errorf("jenkinssim: crumbIssuer: HTTP %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return "", "", "", err
	}
	for _, ck := range resp.Cookies() {
		if strings.HasPrefix(ck.Name, "JSESSIONID.") {
			cookie = ck.Name + "=" + ck.Value
		}
	}
	return r.CrumbRequestField, r.Crumb, cookie, nil
}

func (c *simClient) postForm(ctx context.Context, path string, form url.Values, user, password string, hdr http.Header) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.sim.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", err
	}
	for k, vs := range hdr {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(user, password)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("jenkinssim: POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data), err
}

// ScriptArgs runs a constant script with parameters passed as data: the JSON of params is
// base64-encoded and bound to a variable `params` (a Map) by a constant prologue, so no value
// is ever formatted into Groovy source.
func (s *Sim) ScriptArgs(ctx context.Context, script string, params any) (string, error) {
	src, err := withParams(script, params)
	if err != nil {
		return "", err
	}
	return s.Script(ctx, src)
}

// withParams prefixes script with the constant prologue that binds params (see ScriptArgs).
func withParams(script string, params any) (string, error) {
	b, err := json.Marshal(params)
	if err != nil {
		return "", err
	}
	return "def params = new groovy.json.JsonSlurper().parseText(new String(java.util.Base64.decoder.decode('" +
		base64.StdEncoding.EncodeToString(b) + "'), 'UTF-8'))\n" + script, nil
}

// CreateUser creates a user with a password in the built-in security realm. The password
// travels as a form field beside the script, never in its text.
func (s *Sim) CreateUser(ctx context.Context, id, password string) error {
	b, err := json.Marshal(map[string]string{"id": id})
	if err != nil {
		return err
	}
	script := "def params = new groovy.json.JsonSlurper().parseText(new String(java.util.Base64.decoder.decode('" +
		base64.StdEncoding.EncodeToString(b) + "'), 'UTF-8'))\n" +
		"Jenkins.instance.securityRealm.createAccount(params.id, requestField('password'))\nprintln 'created'\n" + ScriptFieldReader
	out, err := s.ScriptWithFields(ctx, script, url.Values{"password": {password}})
	if err != nil {
		return err
	}
	if strings.TrimSpace(out) != "created" {
		return fmt.Errorf("jenkinssim: CreateUser: unexpected output: %.300s", out)
	}
	return nil
}

// NewAPIToken generates an API token for userID through the scripting API.
func (s *Sim) NewAPIToken(ctx context.Context, userID, name string) (uuid, value string, err error) {
	out, err := s.ScriptArgs(ctx, `import jenkins.security.ApiTokenProperty
def u = User.getById(params.id, false)
if (u == null) { println 'NO_SUCH_USER'; return }
def t = u.getProperty(ApiTokenProperty).generateNewToken(params.name)
println groovy.json.JsonOutput.toJson([uuid: t.tokenUuid, value: t.plainValue])`, map[string]string{"id": userID, "name": name})
	if err != nil {
		return "", "", err
	}
	var r struct{ UUID, Value string }
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &r); err != nil || r.UUID == "" {
		return "", "", fmt.Errorf("jenkinssim: NewAPIToken: unexpected output (%d bytes)", len(out))
	}
	return r.UUID, r.Value, nil
}
