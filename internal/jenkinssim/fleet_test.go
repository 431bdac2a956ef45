package jenkinssim

import (
	"errors"
	"net"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startFleet starts a fleet for one test and closes it at the test's end.
func startFleet(t *testing.T, controllers ...Options) *Fleet {
	t.Helper()
	f, err := StartFleet(testCtx(t), controllers)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// refused reports whether a TCP connection to s's port is refused (the controller is down).
func refused(t *testing.T, s *Sim) bool {
	t.Helper()
	u, err := url.Parse(s.RootURL)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err == nil {
		c.Close()
		return false
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dialing %s: %v, want connection refused", u.Host, err)
	}
	return true
}

func trimmed(t *testing.T, s *Sim, src string, params any) string {
	t.Helper()
	return strings.TrimSpace(script(t, s, src, params))
}

func TestFleet(t *testing.T) {
	f := startFleet(t,
		Options{},
		Options{Version: "2.462", IDStrategy: "case-sensitive", AdminUser: "root", AdminPassword: "root-password", ContextPath: "/jenkins"},
		Options{Plugins: []string{"operations-center-server", "cloudbees-folder:6.9"}, SaveLatency: 3 * time.Millisecond},
	)
	a, b, c := f.Controllers[0], f.Controllers[1], f.Controllers[2]
	if len(f.Controllers) != 3 || a.URL == b.URL || b.URL == c.URL || !strings.HasSuffix(b.URL, "/jenkins/") {
		t.Fatalf("URLs %s %s %s", a.URL, b.URL, c.URL)
	}

	t.Run("per-controller options", func(t *testing.T) {
		mustStatus(t, call(t, b, "GET", "whoAmI/api/json", "root", "root-password", nil, nil), 200)
		mustStatus(t, call(t, b, "GET", "whoAmI/api/json", "admin", "admin", nil, nil), 401)
		mustStatus(t, call(t, a, "GET", "whoAmI/api/json", "root", "root-password", nil, nil), 401)
		for _, tc := range []struct {
			s                 *Sim
			version, strategy string
		}{{a, "2.579", "CaseInsensitive"}, {b, "2.462", "CaseSensitive"}, {c, "2.579", "CaseInsensitive"}} {
			r := call(t, tc.s, "GET", "whoAmI/api/json", tc.s.AdminUser, tc.s.AdminPassword, nil, nil)
			if got := r.Header.Get("X-Jenkins"); got != tc.version {
				t.Errorf("%s: X-Jenkins %q, want %q", tc.s.URL, got, tc.version)
			}
			got := trimmed(t, tc.s, `println Jenkins.getVersion().toString() + ' ' + Jenkins.get().securityRealm.userIdStrategy.getClass().simpleName`, nil)
			if got != tc.version+" "+tc.strategy {
				t.Errorf("%s: %q, want %q", tc.s.URL, got, tc.version+" "+tc.strategy)
			}
		}
		for _, tc := range []struct {
			s    *Sim
			save time.Duration
		}{{a, 0}, {c, 3 * time.Millisecond}} {
			_, save, err := tc.s.Latency(testCtx(t))
			if err != nil || save != tc.save {
				t.Errorf("%s: save latency %s, %v; want %s", tc.s.URL, save, err, tc.save)
			}
		}
	})

	t.Run("isolation", func(t *testing.T) {
		ctx := testCtx(t)
		id := uniqueID(t, "fleet")
		createUser(t, a, id, "password-"+id)
		_, token := newToken(t, a, id, "t")
		mustStatus(t, call(t, a, "GET", "whoAmI/api/json", id, token, nil, nil), 200)
		mustStatus(t, call(t, c, "GET", "whoAmI/api/json", id, token, nil, nil), 401)
		exists := `println User.getById(params.id, false) != null`
		if got := trimmed(t, a, exists, map[string]string{"id": id}); got != "true" {
			t.Fatalf("on the first controller: %s", got)
		}
		for _, other := range []*Sim{b, c} {
			if got := trimmed(t, other, exists, map[string]string{"id": id}); got != "false" {
				t.Errorf("%s has the first controller's user", other.URL)
			}
		}
		// Each has its own clock: shifting one leaves the others' today.
		if err := a.SetClock(ctx, 30); err != nil {
			t.Fatal(err)
		}
		today := `println java.time.LocalDate.now().toString() + ' ' + new Date().time.intdiv(86400000L)`
		shifted, plain := trimmed(t, a, today, nil), trimmed(t, b, today, nil)
		if shifted == plain {
			t.Errorf("clock shift shared: %s and %s", shifted, plain)
		}
		// A reset of one leaves the others as they are.
		createUser(t, b, id, "password-"+id)
		if err := a.Reset(ctx); err != nil {
			t.Fatal(err)
		}
		if got := trimmed(t, a, exists, map[string]string{"id": id}); got != "false" {
			t.Errorf("reset kept the user: %s", got)
		}
		if got := trimmed(t, b, exists, map[string]string{"id": id}); got != "true" {
			t.Errorf("another controller's reset removed its user: %s", got)
		}
		if got, want := trimmed(t, a, today, nil), plain; got != want {
			t.Errorf("after reset: today %s, want %s", got, want)
		}
		// Own stats and audit logs.
		if err := c.ResetStats(ctx); err != nil {
			t.Fatal(err)
		}
		trimmed(t, a, `println 1`, nil)
		stats, err := c.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if stats["scriptText"] != 0 {
			t.Errorf("the third controller counted another's scripts: %v", stats)
		}
	})

	t.Run("plugins", func(t *testing.T) {
		describe := `def pm = Jenkins.get().pluginManager
def w = pm.getPlugin('operations-center-server')
def p = Jenkins.get().getPlugin('operations-center-server')
println([pm.getClass().name, pm.getPlugins().collect { it.shortName + ':' + it.version }.join(','),
  w == null ? 'none' : [w.getShortName(), w.getVersion(), w.isActive(), w.isEnabled()].join(','),
  p == null ? 'none' : p.getWrapper().is(w), pm.getPlugin('operations-center-client') == null,
  Jenkins.get().getPlugin('nothing') == null].join(' '))`
		if got, want := trimmed(t, c, describe, nil), "hudson.LocalPluginManager operations-center-server:1.0,cloudbees-folder:6.9 operations-center-server,1.0,true,true true true true"; got != want {
			t.Errorf("with plugins:\n got %s\nwant %s", got, want)
		}
		if got, want := trimmed(t, a, describe, nil), "hudson.LocalPluginManager  none none true true"; got != want {
			t.Errorf("without plugins:\n got %s\nwant %s", got, want)
		}
		// Only Jenkins's methods: a method PluginWrapper lacks fails as on Jenkins.
		if got := trimmed(t, c, `try { Jenkins.get().pluginManager.getPlugin('cloudbees-folder').simVersion; println 'found' } catch (MissingPropertyException e) { println 'missing' }`, nil); got != "missing" {
			t.Errorf("got %s", got)
		}
	})

	t.Run("unreachable", func(t *testing.T) {
		ctx := testCtx(t)
		id := uniqueID(t, "down")
		createUser(t, b, id, "password-"+id)
		if err := b.SetReachable(ctx, false); err != nil {
			t.Fatal(err)
		}
		if !refused(t, b) {
			t.Fatal("connected to an unreachable controller")
		}
		if err := b.SetReachable(ctx, false); err != nil {
			t.Fatal("twice:", err)
		}
		if refused(t, a) {
			t.Fatal("another controller went down too")
		}
		if _, err := b.Script(ctx, `println 1`); err == nil {
			t.Fatal("a script ran on an unreachable controller")
		}
		if err := b.SetReachable(ctx, true); err != nil {
			t.Fatal(err)
		}
		if refused(t, b) {
			t.Fatal("still refused")
		}
		if got := trimmed(t, b, `println User.getById(params.id, false) != null`, map[string]string{"id": id}); got != "true" {
			t.Errorf("state lost: %s", got)
		}
		// Close on a controller of a fleet takes only that one down.
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if !refused(t, c) || refused(t, a) {
			t.Fatal("Close of one controller")
		}
	})

	t.Run("close", func(t *testing.T) {
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-a.Done():
		default:
			t.Fatal("the JVM runs on")
		}
		for _, s := range f.Controllers {
			if !refused(t, s) {
				t.Errorf("%s still listens", s.URL)
			}
		}
		if err := f.Close(); err != nil {
			t.Fatal("second Close:", err)
		}
		if err := b.SetReachable(testCtx(t), true); err == nil {
			t.Fatal("SetReachable after Close")
		}
	})
}

func TestFleetOptions(t *testing.T) {
	if _, err := fleetOptions(nil); err == nil {
		t.Error("an empty fleet")
	}
	opts, err := fleetOptions([]Options{
		{TimeZone: "Pacific/Kiritimati", SystemProperties: map[string]string{"a": "1"}, TLSCertFile: "c", TLSKeyFile: "k"},
		{Version: "2.462"},
		{TimeZone: "Pacific/Kiritimati", SystemProperties: map[string]string{"a": "1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range opts {
		if o.TimeZone != "Pacific/Kiritimati" || o.SystemProperties["a"] != "1" || o.TLSCertFile != "c" || o.TLSKeyFile != "k" {
			t.Errorf("controller %d: %+v", i, o)
		}
	}
	for _, bad := range [][]Options{
		{{}, {TimeZone: "Europe/Paris"}},
		{{TimeZone: "UTC"}, {TimeZone: "Europe/Paris"}},
		{{SystemProperties: map[string]string{"a": "1"}}, {SystemProperties: map[string]string{"a": "2"}}},
		{{}, {TLSCertFile: "c", TLSKeyFile: "k"}},
		{{Log: &strings.Builder{}}, {Log: &strings.Builder{}}},
		{{Listen: "127.0.0.1:8080"}, {Listen: "127.0.0.1:8080"}},
		{{}, {Plugins: []string{"bad name"}}},
		{{Plugins: []string{"a", "a:2"}}},
		{{}, {IDStrategy: "nope"}},
	} {
		if _, err := fleetOptions(bad); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
}
