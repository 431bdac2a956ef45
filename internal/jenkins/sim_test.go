package jenkins

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// One simulator per test binary: a JVM start costs about a second.
var (
	sim    *jenkinssim.Sim
	simErr error
)

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	opts := jenkinssim.Options{}
	if os.Getenv("JENKINSSIM_LOG") != "" {
		opts.Log = os.Stderr
	}
	sim, simErr = jenkinssim.Start(ctx, opts)
	cancel()
	code := m.Run()
	if sim != nil {
		_ = sim.Close()
	}
	os.Exit(code)
}

// needSim returns the shared simulator, reset, or fails the test: CI
// installs Groovy, so a simulator that cannot start is a failure, never a skip.
func needSim(t *testing.T) *jenkinssim.Sim {
	t.Helper()
	if simErr != nil {
		t.Fatalf("the Jenkins simulator did not start (needs groovy and Java 17; JENKINSSIM_LOG=1 shows its log): %v", simErr)
	}
	if err := sim.Reset(context.Background()); err != nil {
		t.Fatalf("resetting the simulator: %v", err)
	}
	t.Cleanup(func() { noScriptLeaks(t, sim) })
	return sim
}

// noScriptLeaks fails the test if a script the simulator ran holds, in its text, a secret the
// simulator has seen (a token value, a password): Jenkins hands that text to its script
// listeners and audit logs. The simulator remembers every leak, so the first test to fail is
// the one that leaked.
func noScriptLeaks(t *testing.T, s *jenkinssim.Sim) {
	t.Helper()
	leaks, err := s.ScriptLeaks(context.Background())
	if err != nil {
		t.Errorf("reading the simulator's audit log: %v", err)
	}
	for _, l := range leaks {
		t.Errorf("a secret in the text of a script Jenkins logs: %s", l)
	}
}

// simClient authenticates as the admin with the password (so every POST goes
// through the crumb flow) unless an API token is given.
func simClient(t *testing.T, s *jenkinssim.Sim, password string) *Client {
	t.Helper()
	if password == "" {
		password = s.AdminPassword
	}
	c, err := New(Config{BaseURL: s.URL, Username: s.AdminUser, Password: password, MaxRetries: -1,
		RetryBudget: time.Minute, UserAgent: "terraform-provider-jenkins/test"})
	if err != nil {
		t.Fatal(err)
	}
	c.backoffBase, c.backoffMax = 50*time.Millisecond, time.Second
	return c
}

func mustCreateUser(t *testing.T, s *jenkinssim.Sim, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if err := s.CreateUser(context.Background(), id, "pw-"+id+"-123"); err != nil {
			t.Fatalf("CreateUser(%q): %v", id, err)
		}
	}
}

func newValue(t *testing.T) string {
	t.Helper()
	v, err := NewTokenValue()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// whoAmIWith says whom Jenkins sees for user:secret, or the HTTP status.
func whoAmIWith(t *testing.T, s *jenkinssim.Sim, user, secret string) (string, int) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+"whoAmI/api/json", nil)
	req.SetBasicAuth(user, secret)
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return "", resp.StatusCode
	}
	var w WhoAmIResult
	_ = jsonUnmarshalT(t, b, &w)
	return w.Name, 200
}

func tokensOf(t *testing.T, c *Client, user string) []Token {
	t.Helper()
	ts, err := c.ListTokens(context.Background(), []string{user})
	if err != nil {
		t.Fatalf("ListTokens(%q): %v", user, err)
	}
	return ts
}

func TestSimHostileStringsRoundTrip(t *testing.T) {
	s := needSim(t)
	c := simClient(t, s, "")
	ctx := context.Background()
	mustCreateUser(t, s, "alice")

	uuids := map[string]string{}
	for i, h := range hostile {
		tk, err := c.CreateToken(ctx, CreateTokenInput{UserID: "alice", Name: h, Value: newValue(t)})
		if err != nil {
			t.Fatalf("CreateToken(hostile %d): %v", i, err)
		}
		if tk.Name != h {
			t.Errorf("create_token: name %d came back as %.60q", i, tk.Name)
		}
		uuids[tk.UUID] = h
	}
	ts := tokensOf(t, c, "alice")
	if len(ts) != len(hostile) {
		t.Fatalf("list_tokens: %d tokens, want %d", len(ts), len(hostile))
	}
	for _, tk := range ts {
		if uuids[tk.UUID] != tk.Name {
			t.Errorf("list_tokens: name came back as %.60q, want %.60q", tk.Name, uuids[tk.UUID])
		}
	}
	// Rename each token to the next hostile string.
	i := 0
	for uuid := range uuids {
		want := hostile[(i+1)%len(hostile)] + "-renamed"
		tk, err := c.RenameToken(ctx, "alice", uuid, want)
		if err != nil || tk.Name != want || tk.UUID != uuid {
			t.Errorf("rename_token: %+v, %v; want name %.60q", tk, err, want)
		}
		uuids[uuid] = want
		i++
	}
	for _, tk := range tokensOf(t, c, "alice") {
		if uuids[tk.UUID] != tk.Name {
			t.Errorf("after rename: %.60q, want %.60q", tk.Name, uuids[tk.UUID])
		}
	}
	// Hostile user ids and UUIDs come back exactly in errors and results.
	_, err := c.ListTokens(ctx, append([]string{"alice"}, hostile...))
	var un *UserNotFoundError
	if !errors.As(err, &un) || strings.Join(un.UserIDs, "\x00") != strings.Join(hostile, "\x00") {
		t.Errorf("list_tokens with hostile user ids: %v", err)
	}
	l, err := c.ListTokensOf(ctx, append([]string{"ALICE"}, hostile...))
	if err != nil || strings.Join(l.Missing, "\x00") != strings.Join(hostile, "\x00") || l.Canonical["ALICE"] != "alice" {
		t.Errorf("resolving hostile user ids: %+v %v", l, err)
	}
	refs := make([]TokenRef, len(hostile))
	for i, h := range hostile {
		refs[i] = TokenRef{UserID: h, UUID: h}
	}
	res, err := c.RevokeTokens(ctx, refs)
	if err != nil || len(res) != len(hostile) {
		t.Fatalf("revoke_tokens: %v %v", res, err)
	}
	for i, r := range res {
		if r.UserID != hostile[i] || r.RequestedUUID != hostile[i] || r.Revoked() {
			t.Errorf("revoke_tokens result %d: %.60q/%.60q revoked %q", i, r.UserID, r.RequestedUUID, r.UUID)
		}
	}
	// A hostile user id in create/rename is an unknown user, named exactly.
	for _, h := range hostile[:3] {
		_, err := c.CreateToken(ctx, CreateTokenInput{UserID: h, Name: h, Value: newValue(t), CreateUserIfRealmKnows: true})
		if !errors.As(err, &un) || len(un.UserIDs) != 1 || un.UserIDs[0] != h {
			t.Errorf("create_token for unknown user %.40q: %v", h, err)
		}
		_, err = c.RenameToken(ctx, h, h, h)
		if !errors.As(err, &un) || un.UserIDs[0] != h {
			t.Errorf("rename_token for unknown user %.40q: %v", h, err)
		}
	}
}

func TestSimCreateIsIdempotentAndAuthenticates(t *testing.T) {
	s := needSim(t)
	c := simClient(t, s, "")
	ctx := context.Background()
	mustCreateUser(t, s, "Bob")
	v := newValue(t)
	first, err := c.CreateToken(ctx, CreateTokenInput{UserID: "bob", Name: "ci", Value: v})
	if err != nil {
		t.Fatal(err)
	}
	if first.UserID != "Bob" || first.CreatedAt == nil || time.Since(*first.CreatedAt) > time.Minute || first.Legacy || first.ExpirationDate != "" {
		t.Errorf("created token = %+v", first)
	}
	again, err := c.CreateToken(ctx, CreateTokenInput{UserID: "BOB", Name: "ci", Value: v})
	if err != nil || again.UUID != first.UUID {
		t.Fatalf("second create with the same value: %+v %v, want uuid %s", again, err, first.UUID)
	}
	if ts := tokensOf(t, c, "bob"); len(ts) != 1 {
		t.Errorf("user holds %d tokens after two creates with one value, want 1", len(ts))
	}
	if name, code := whoAmIWith(t, s, "bob", v); name != "Bob" {
		t.Errorf("the created token does not authenticate: %q %d", name, code)
	}
	// Use statistics show up.
	ts := tokensOf(t, c, "bob")
	if ts[0].UseCount != 1 || ts[0].LastUsedAt == nil {
		t.Errorf("after one use: %+v", ts[0])
	}
}

// TestSimValueChecksByHash: the import check and the settlement of an unanswered create find a
// token by its value through the hash Jenkins keeps; the value is in no script text (needSim's
// leak check), and the answers are what findMatchingToken would give.
func TestSimValueChecksByHash(t *testing.T) {
	s := needSim(t)
	c := simClient(t, s, "")
	ctx := context.Background()
	mustCreateUser(t, s, "vera")
	v := newValue(t)
	tk, err := c.CreateToken(ctx, CreateTokenInput{UserID: "vera", Name: "ci", Value: v})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		uuid, value string
		want        TokenValueCheck
	}{
		{tk.UUID, v, TokenValueCheck{Exists: true, Matches: true}},
		{tk.UUID, newValue(t), TokenValueCheck{Exists: true}},
		{"0f6c4a3e-8d2b-4c1e-9a7f-3b5d2e1c0a9b", v, TokenValueCheck{}},
	} {
		got, err := c.TokenHasValue(ctx, "vera", tc.uuid, tc.value)
		if err != nil || got != tc.want {
			t.Errorf("TokenHasValue(%s, same value %v) = %+v, %v; want %+v", tc.uuid, tc.value == v, got, err, tc.want)
		}
	}
	if uuid, err := c.RevokeTokenByValue(ctx, "vera", "other name", v, 0); err != nil || uuid != "" {
		t.Fatalf("settling with another name: %q %v", uuid, err)
	}
	if uuid, err := c.RevokeTokenByValue(ctx, "vera", "ci", newValue(t), 0); err != nil || uuid != "" {
		t.Fatalf("settling with another value: %q %v", uuid, err)
	}
	// Bounded by Jenkins's clock: a token made before the bound is another's.
	created := tk.CreatedAt.UnixMilli()
	if uuid, err := c.RevokeTokenByValue(ctx, "vera", "ci", v, created+1); err != nil || uuid != "" {
		t.Fatalf("settling a token made before the bound: %q %v, want nothing revoked", uuid, err)
	}
	if uuid, err := c.RevokeTokenByValue(ctx, "vera", "ci", v, created); err != nil || uuid != tk.UUID {
		t.Fatalf("settling: %q %v, want %s", uuid, err, tk.UUID)
	}
	if name, code := whoAmIWith(t, s, "vera", v); code != http.StatusUnauthorized {
		t.Errorf("the settled token still authenticates: %q %d", name, code)
	}
}

func TestSimCreateDroppedResponseMakesOneToken(t *testing.T) {
	s := needSim(t)
	c := simClient(t, s, "")
	ctx := context.Background()
	mustCreateUser(t, s, "carol")
	if _, err := c.ListTokens(ctx, nil); err != nil { // settle the crumb first
		t.Fatal(err)
	}
	if err := s.SetFault(ctx, jenkinssim.Fault{Path: "/scriptText", Mode: "drop_response", Count: 1}); err != nil {
		t.Fatal(err)
	}
	v := newValue(t)
	tk, err := c.CreateToken(ctx, CreateTokenInput{UserID: "carol", Name: "lost", Value: v})
	if err != nil {
		t.Fatalf("create after a dropped response: %v", err)
	}
	ts := tokensOf(t, c, "carol")
	if len(ts) != 1 || ts[0].UUID != tk.UUID {
		t.Errorf("tokens after a dropped response: %+v, want exactly %s", ts, tk.UUID)
	}
}

func TestSimUnknownAndRealmUsers(t *testing.T) {
	s := needSim(t)
	c := simClient(t, s, "")
	ctx := context.Background()
	_, err := c.CreateToken(ctx, CreateTokenInput{UserID: "ghost", Name: "x", Value: newValue(t), CreateUserIfRealmKnows: true})
	if !IsUserNotFound(err) || !strings.Contains(err.Error(), `"ghost"`) {
		t.Fatalf("unknown user: %v", err)
	}
	if _, ok, err := canonicalOf(t, c, "ghost"); ok || err != nil {
		t.Errorf("a failed create left a user record behind (%v)", err)
	}
	all, err := c.ListTokens(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range all {
		if strings.EqualFold(tk.UserID, "ghost") {
			t.Error("ghost has tokens")
		}
	}

	if err := s.AddRealmUsers(ctx, "ldap-dave"); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateToken(ctx, CreateTokenInput{UserID: "ldap-dave", Name: "x", Value: newValue(t)})
	if !IsUserNotFound(err) {
		t.Errorf("realm user without CreateUserIfRealmKnows: %v", err)
	}
	if _, ok, _ := canonicalOf(t, c, "ldap-dave"); ok {
		t.Error("record created without CreateUserIfRealmKnows")
	}
	v := newValue(t)
	tk, err := c.CreateToken(ctx, CreateTokenInput{UserID: "ldap-dave", Name: "x", Value: v, CreateUserIfRealmKnows: true})
	if err != nil || tk.UserID != "ldap-dave" {
		t.Fatalf("realm user with CreateUserIfRealmKnows: %+v %v", tk, err)
	}
	if canon, ok, err := canonicalOf(t, c, "LDAP-DAVE"); !ok || canon != "ldap-dave" || err != nil {
		t.Errorf("UserExists after realm create: %q %v %v", canon, ok, err)
	}
}

func TestSimRenameAndRevoke(t *testing.T) {
	s := needSim(t)
	c := simClient(t, s, "")
	ctx := context.Background()
	mustCreateUser(t, s, "erin")
	v := newValue(t)
	tk, err := c.CreateToken(ctx, CreateTokenInput{UserID: "erin", Name: "old", Value: v})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.RenameToken(ctx, "ERIN", tk.UUID, "new"); err != nil {
		t.Fatal(err)
	}
	if ts := tokensOf(t, c, "erin"); len(ts) != 1 || ts[0].Name != "new" || ts[0].UUID != tk.UUID {
		t.Errorf("after rename: %+v", ts)
	}
	if name, _ := whoAmIWith(t, s, "erin", v); name != "erin" {
		t.Error("rename changed the value")
	}
	if _, err := c.RenameToken(ctx, "erin", "no-such-uuid", "x"); !IsTokenNotFound(err) || !IsNotFound(err) {
		t.Errorf("rename of an unknown token: %v", err)
	}
	if _, err := c.RenameToken(ctx, "nobody", tk.UUID, "x"); !IsUserNotFound(err) {
		t.Errorf("rename for an unknown user: %v", err)
	}

	// Revoke, with password auth (crumb flow): Jenkins confirms the token gone.
	if _, err := c.RevokeToken(ctx, "erin", tk.UUID); err != nil {
		t.Fatal(err)
	}
	if ts := tokensOf(t, c, "erin"); len(ts) != 0 {
		t.Errorf("token still listed after revoke: %+v", ts)
	}
	if _, code := whoAmIWith(t, s, "erin", v); code != 401 {
		t.Errorf("revoked token answered %d, want 401", code)
	}
	if _, err := c.RevokeToken(ctx, "erin", tk.UUID); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	if _, err := c.RevokeToken(ctx, "nobody", tk.UUID); err != nil {
		t.Errorf("revoking for an unknown user: %v", err)
	}
}

func TestSimBatchRevokeClearsLegacySeed(t *testing.T) {
	s := needSim(t)
	c := simClient(t, s, "")
	ctx := context.Background()
	// Users created while tokenGenerationOnCreationEnabled get a legacy token.
	if _, err := c.SetAPITokenSettings(ctx, APITokenSettings{TokenGenerationOnCreationEnabled: true, UsageStatisticsEnabled: true}); err != nil {
		t.Fatal(err)
	}
	mustCreateUser(t, s, "frank", "grace", "control")
	if _, err := c.SetAPITokenSettings(ctx, DefaultAPITokenSettings); err != nil {
		t.Fatal(err)
	}
	keep, err := c.CreateToken(ctx, CreateTokenInput{UserID: "frank", Name: "keep", Value: newValue(t)})
	if err != nil {
		t.Fatal(err)
	}
	var refs []TokenRef
	for _, tk := range tokensOf(t, c, "frank") {
		if tk.Legacy {
			refs = append(refs, TokenRef{UserID: "FRANK", UUID: tk.UUID})
		}
	}
	for _, tk := range tokensOf(t, c, "grace") {
		if tk.Legacy {
			refs = append(refs, TokenRef{UserID: "grace", UUID: tk.UUID, Legacy: true})
		}
	}
	if len(refs) != 2 {
		t.Fatalf("want one legacy token each for frank and grace, got %+v", refs)
	}
	// Control: removing only the store entry (what revokeAllTokens does)
	// leaves the seed, and the token must come back after the restart. This
	// shows the assertion below can fail.
	out, err := s.Script(ctx, `
import jenkins.security.ApiTokenProperty
def p = User.getById('control', false).getProperty(ApiTokenProperty)
p.revokeAllTokens()
print(p.getTokenStore().getTokenListSortedByName().size())`)
	if err != nil || strings.TrimSpace(out) != "0" {
		t.Fatalf("control revokeAllTokens: %q %v", out, err)
	}
	refs = append(refs, TokenRef{UserID: "grace", UUID: "already-gone"}, TokenRef{UserID: "nobody", UUID: "x"})
	if err := s.ResetStats(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := c.RevokeTokens(ctx, refs)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 4 || !res[0].Revoked() || !res[0].Legacy || res[0].UserID != "frank" || !res[1].Revoked() || res[2].Revoked() || res[3].Revoked() {
		t.Errorf("results = %+v", res)
	}
	if st, _ := s.Stats(ctx); st["scriptText"] != 1 {
		t.Errorf("batch revoke used %d script calls, want 1 (%v)", st["scriptText"], st)
	}
	// After a restart the legacy tokens must stay gone (seed cleared, Q7).
	if err := s.Restart(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	ts, err := c.ListTokens(ctx, []string{"frank", "grace"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 1 || ts[0].UUID != keep.UUID {
		t.Errorf("after restart: %+v, want only frank's %q", ts, keep.Name)
	}
	if ct := tokensOf(t, c, "control"); len(ct) != 1 || !ct[0].Legacy || ct[0].CreatedAt != nil {
		t.Errorf("control: a store-only revoke should bring the legacy token back, without a creation date, after a restart (JENKINS.md Q7); got %+v", ct)
	}
}

func TestSimListAllUsersInOneCall(t *testing.T) {
	s := needSim(t)
	ctx := context.Background()
	// Token auth: no crumb round trips to count.
	_, value, err := s.NewAPIToken(ctx, s.AdminUser, "lister")
	if err != nil {
		t.Fatal(err)
	}
	c := simClient(t, s, value)
	const n = 300
	out, err := s.Script(ctx, fmt.Sprintf(`
import jenkins.security.ApiTokenProperty
for (int i = 0; i < %d; i++) {
    def u = User.getById(String.format('user%%03d', i), true)
    u.getProperty(ApiTokenProperty).generateNewToken('t-' + i)
    if (i %% 3 == 0) { u.getProperty(ApiTokenProperty).generateNewToken('second') }
}
println 'done'`, n))
	if err != nil || !strings.Contains(out, "done") {
		t.Fatalf("seeding users: %v %s", err, out)
	}
	if err := s.ResetStats(ctx); err != nil {
		t.Fatal(err)
	}
	ts, err := c.ListTokens(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := s.Stats(ctx)
	if st["scriptText"] != 1 {
		t.Errorf("listing all users took %d script calls, want 1 (%v)", st["scriptText"], st)
	}
	users := map[string]int{}
	for _, tk := range ts {
		users[tk.UserID]++
	}
	if users["user000"] != 2 || users["user001"] != 1 || users["user299"] != 1 || users["admin"] < 1 {
		t.Errorf("per-user counts wrong: user000=%d user001=%d user299=%d admin=%d (%d tokens)", users["user000"], users["user001"], users["user299"], users["admin"], len(ts))
	}
	if want := n + n/3 + users["admin"]; len(ts) != want {
		t.Errorf("%d tokens, want %d", len(ts), want)
	}
}

func TestSimExpirationAndClock(t *testing.T) {
	s := needSim(t)
	c := simClient(t, s, "")
	ctx := context.Background()
	mustCreateUser(t, s, "heidi")
	exp := time.Now().AddDate(0, 0, 10).Format(time.DateOnly)
	v := newValue(t)
	tk, err := c.CreateToken(ctx, CreateTokenInput{UserID: "heidi", Name: "short", Value: v, ExpirationDate: exp})
	if err != nil || tk.ExpirationDate != exp || tk.Expired {
		t.Fatalf("create with expiration: %+v %v", tk, err)
	}
	if err := s.SetClock(ctx, 11); err != nil {
		t.Fatal(err)
	}
	ts := tokensOf(t, c, "heidi")
	if len(ts) != 1 || !ts[0].Expired || ts[0].ExpirationDate != exp {
		t.Errorf("after the date passed: %+v", ts)
	}
	if _, code := whoAmIWith(t, s, "heidi", v); code != 401 {
		t.Errorf("expired token answered %d, want 401", code)
	}
}

func TestSimSettings(t *testing.T) {
	s := needSim(t)
	c := simClient(t, s, "")
	ctx := context.Background()
	got, err := c.GetAPITokenSettings(ctx)
	if err != nil || got != DefaultAPITokenSettings {
		t.Fatalf("defaults = %+v %v", got, err)
	}
	want := APITokenSettings{TokenGenerationOnCreationEnabled: true, CreationOfLegacyTokenEnabled: true, UsageStatisticsEnabled: false}
	if got, err := c.SetAPITokenSettings(ctx, want); err != nil || got != want {
		t.Fatalf("set = %+v %v", got, err)
	}
	if got, _ := c.GetAPITokenSettings(ctx); got != want {
		t.Errorf("read back %+v", got)
	}
}

func TestSimRetriesAndErrors(t *testing.T) {
	s := needSim(t)
	ctx := context.Background()
	c := simClient(t, s, "")
	if err := s.SetFault(ctx, jenkinssim.Fault{Path: "/scriptText", Mode: "status", Status: 503, RetryAfter: 1, Count: 2}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := c.ListTokens(ctx, nil); err != nil {
		t.Fatalf("through two 503s: %v", err)
	}
	if time.Since(start) < 2*time.Second {
		t.Error("Retry-After: 1 not honoured")
	}
	v, err := c.JenkinsVersion(ctx)
	if err != nil || !v.AtLeast(VersionExpiringTokens) {
		t.Errorf("version %v %v", v, err)
	}

	bad := simClient(t, s, "wrong-password")
	if _, err := bad.ListTokens(ctx, nil); !IsUnauthorized(err) || strings.Contains(err.Error(), "wrong-password") {
		t.Errorf("wrong password: %v", err)
	}
	mustCreateUser(t, s, "ivan")
	_, ivanValue, err := s.NewAPIToken(ctx, "ivan", "own")
	if err != nil {
		t.Fatal(err)
	}
	nonAdmin, _ := New(Config{BaseURL: s.URL, Username: "ivan", Password: ivanValue, MaxRetries: -1})
	_, err = nonAdmin.ListTokens(ctx, nil)
	if !IsForbidden(err) || strings.Contains(err.Error(), ivanValue) {
		t.Errorf("non-admin on the script console: %v", err)
	}
}

func jsonUnmarshalT(t *testing.T, b []byte, v any) error {
	t.Helper()
	err := jsonUnmarshal(b, v)
	if err != nil {
		t.Errorf("JSON: %v", err)
	}
	return err
}

// TestSimOldJenkins: before 2.548 there are no expiration dates; listing and
// creating must still work, and asking for a date is a clear error.
func TestSimOldJenkins(t *testing.T) {
	needSim(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	old, err := jenkinssim.Start(ctx, jenkinssim.Options{Version: "2.462"})
	if err != nil {
		t.Fatalf("starting a 2.462 simulator: %v", err)
	}
	defer func() { noScriptLeaks(t, old); _ = old.Close() }()
	c := simClient(t, old, "")
	mustCreateUser(t, old, "judy")
	tk, err := c.CreateToken(ctx, CreateTokenInput{UserID: "judy", Name: "plain", Value: newValue(t)})
	if err != nil || tk.ExpirationDate != "" || tk.Expired {
		t.Fatalf("create on 2.462: %+v %v", tk, err)
	}
	_, err = c.CreateToken(ctx, CreateTokenInput{UserID: "judy", Name: "dated", Value: newValue(t), ExpirationDate: "2099-01-01"})
	if !IsUnsupported(err) || !strings.Contains(err.Error(), "2.548") || !strings.Contains(err.Error(), "2.462") {
		t.Errorf("expiration on 2.462: %v", err)
	}
	if ts := tokensOf(t, c, "judy"); len(ts) != 1 || ts[0].Name != "plain" {
		t.Errorf("tokens on 2.462: %+v", ts)
	}
	if v, _ := c.JenkinsVersion(ctx); v.AtLeast(VersionExpiringTokens) {
		t.Errorf("version %v", v)
	}
}

// TestSimJenkins2262: the oldest Jenkins supported. Its 404 pages and script-console answers
// carry no X-Jenkins header, so the client's fallbacks run: revoking for a user already gone is
// confirmed through /whoAmI; creating for a realm user uses the Acegi loadUserByUsername.
func TestSimJenkins2262(t *testing.T) {
	needSim(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	old, err := jenkinssim.Start(ctx, jenkinssim.Options{Version: "2.262"})
	if err != nil {
		t.Fatalf("starting a 2.262 simulator: %v", err)
	}
	defer func() { noScriptLeaks(t, old); _ = old.Close() }()
	c := simClient(t, old, "")
	if _, err := c.RevokeToken(ctx, "nobody-here", "0f6c4a3e-8d2b-4c1e-9a7f-3b5d2e1c0a9b"); err != nil {
		t.Errorf("revoking a token of a user already gone: %v", err)
	}
	if err := old.AddRealmUsers(ctx, "ldap-kate"); err != nil {
		t.Fatal(err)
	}
	tk, err := c.CreateToken(ctx, CreateTokenInput{UserID: "ldap-kate", Name: "ci", Value: newValue(t), CreateUserIfRealmKnows: true})
	if err != nil || tk.UserID != "ldap-kate" {
		t.Fatalf("create for a realm user on 2.262: %+v %v", tk, err)
	}
	info, err := c.ServerInfo(ctx)
	if err != nil || info.Version != "2.262" || info.IDStrategy != "jenkins.model.IdStrategy$CaseInsensitive" || !info.UsageStatistics {
		t.Errorf("server info on 2.262: %+v %v", info, err)
	}
}

// canonicalOf resolves id as Jenkins does: its canonical spelling, and whether the user exists.
func canonicalOf(t *testing.T, c *Client, id string) (string, bool, error) {
	t.Helper()
	l, err := c.ListTokensOf(context.Background(), []string{id})
	if err != nil {
		return "", false, err
	}
	canon, ok := l.Canonical[id]
	return canon, ok, nil
}

// TestSimListUsers: every saved user with its realm status, last recorded login, last token use,
// token count and legacy flag, in one script call.
func TestSimListUsers(t *testing.T) {
	needSim(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := jenkinssim.Start(ctx, jenkinssim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := simClient(t, s, "")
	mustCreateUser(t, s, "stays", "left")
	if err := s.AddRealmUsers(ctx, "ldap-gone"); err != nil {
		t.Fatal(err)
	}
	value := newValue(t)
	if _, err := c.CreateToken(ctx, CreateTokenInput{UserID: "ldap-gone", Name: "t", Value: value, CreateUserIfRealmKnows: true}); err != nil {
		t.Fatal(err)
	}
	if _, code := whoAmIWith(t, s, "ldap-gone", value); code != 200 {
		t.Fatalf("the realm user's token answers %d, want 200", code)
	}
	if _, err := s.WebLogin(ctx, "stays"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveRealmUsers(ctx, "ldap-gone"); err != nil {
		t.Fatal(err)
	}
	if err := s.ResetStats(ctx); err != nil {
		t.Fatal(err)
	}
	l, err := c.ListUsers(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Stats(ctx); st["scriptText"] != 1 {
		t.Errorf("listing users took %d script calls, want 1", st["scriptText"])
	}
	byID := map[string]UserRecord{}
	for _, u := range l.Users {
		byID[u.ID] = u
	}
	if u := byID["stays"]; u.RealmStatus != RealmKnown || u.LastGrantedAt == nil || u.TokenCount != 0 {
		t.Errorf("stays: %+v", u)
	}
	if u := byID["ldap-gone"]; u.RealmStatus != RealmUnknown || u.LastGrantedAt != nil || u.TokenCount != 1 || u.LastTokenUseAt == nil {
		t.Errorf("ldap-gone (removed from the directory, record kept): %+v", u)
	}
	l, err = c.ListUsers(ctx, false)
	if err != nil || byIDStatus(l, "stays") != RealmNotChecked {
		t.Errorf("without realm checks: %v %v", byIDStatus(l, "stays"), err)
	}
}

func byIDStatus(l UserList, id string) string {
	for _, u := range l.Users {
		if u.ID == id {
			return u.RealmStatus
		}
	}
	return ""
}
