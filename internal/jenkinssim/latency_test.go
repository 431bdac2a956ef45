package jenkinssim

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// setLatency changes the shared simulator's latencies for one test.
func setLatency(t *testing.T, realm, save time.Duration) {
	t.Helper()
	if err := shared.SetLatency(testCtx(t), realm, save); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = shared.SetLatency(testCtx(t), 0, 0) })
}

// timedScript runs src (which prints how many milliseconds its own loop took) and returns those
// milliseconds and the whole call's duration.
func timedScript(t *testing.T, src string, params any) (inScript, call time.Duration) {
	t.Helper()
	start := time.Now()
	out := script(t, shared, src, params)
	call = time.Since(start)
	ms, err := strconv.ParseInt(strings.TrimSpace(out), 10, 64)
	if err != nil {
		t.Fatalf("script output %q", out)
	}
	return time.Duration(ms) * time.Millisecond, call
}

// realmLookups is the realmLookup count of the shared simulator.
func realmLookups(t *testing.T) int {
	t.Helper()
	st, err := shared.Stats(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	return st["realmLookup"]
}

// Each call into the realm a directory would answer waits for the directory: five lookups take
// at least five round trips, whichever API makes them.
func TestRealmLatency(t *testing.T) {
	const latency = 150 * time.Millisecond
	id := uniqueID(t, "lat")
	if err := shared.AddRealmUsers(testCtx(t), id); err != nil {
		t.Fatal(err)
	}
	setLatency(t, latency, 0)
	before := realmLookups(t)
	// loadUserByUsername2, the Acegi bridge, a token login's impersonation, and User.get's check
	// of an id without a record (the realm user has none).
	inScript, call := timedScript(t, `def realm = Jenkins.get().securityRealm
long t0 = System.nanoTime()
realm.loadUserByUsername2(params.id)
realm.loadUserByUsername2(params.id)
realm.loadUserByUsername(params.id)
User.getById(params.admin, false).impersonate2()
User.get(params.id, false, [:])
print((System.nanoTime() - t0).intdiv(1000000))`, map[string]string{"id": id, "admin": shared.AdminUser})
	if inScript < 5*latency || call < 5*latency {
		t.Errorf("5 realm lookups at %s took %s in the script, %s in all; want at least %s", latency, inScript, call, 5*latency)
	}
	// The five, and the lookup of the admin's token login that ran the script.
	if got := realmLookups(t) - before; got != 6 {
		t.Errorf("realmLookup counted %d, want 6", got)
	}

	// The wait holds no lock of the simulator's: lookups of concurrent requests overlap, so
	// four scripts of three lookups each end well before twelve lookups one after the other.
	const slow = 300 * time.Millisecond
	if err := shared.SetLatency(testCtx(t), slow, 0); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	start := time.Now()
	for range 4 {
		wg.Go(func() {
			script(t, shared, `3.times { Jenkins.get().securityRealm.loadUserByUsername2(params.id) }`, map[string]string{"id": id})
		})
	}
	wg.Wait()
	if d := time.Since(start); d >= 12*slow {
		t.Errorf("4 concurrent scripts of 3 lookups at %s took %s: the lookups ran one at a time", slow, d)
	}
}

// Each save of a user record waits for the disk.
func TestSaveLatency(t *testing.T) {
	const latency = 150 * time.Millisecond
	id := uniqueID(t, "latsave")
	createUser(t, shared, id, "pw")
	setLatency(t, 0, latency)
	inScript, call := timedScript(t, `def u = User.getById(params.id, false)
long t0 = System.nanoTime()
5.times { u.save() }
print((System.nanoTime() - t0).intdiv(1000000))`, map[string]string{"id": id})
	if inScript < 5*latency || call < 5*latency {
		t.Errorf("5 saves at %s took %s in the script, %s in all; want at least %s", latency, inScript, call, 5*latency)
	}
	// Token actions save through the same User.save().
	start := time.Now()
	newToken(t, shared, id, "slow-disk")
	if d := time.Since(start); d < latency {
		t.Errorf("a token creation took %s, want at least one save (%s)", d, latency)
	}
}

// The control endpoint: fractions of milliseconds, validation, one field at a time (the start
// options and Reset: TestProxyContextPathAndStartLatency).
func TestLatencyControl(t *testing.T) {
	ctx := testCtx(t)
	setLatency(t, 1500*time.Microsecond, 20*time.Millisecond)
	realm, save, err := shared.Latency(ctx)
	if err != nil || realm != 1500*time.Microsecond || save != 20*time.Millisecond {
		t.Errorf("Latency() = %s, %s, %v; want 1.5ms, 20ms", realm, save, err)
	}
	if err := shared.SetLatency(ctx, -time.Millisecond, 0); err == nil {
		t.Error("a negative latency was accepted")
	}
	for _, body := range []string{`{"realm_ms": -1}`, `{"save_ms": "10"}`, `{"realm_ms": 3600001}`} {
		resp, err := http.Post(shared.RootURL+"__sim/latency", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: HTTP %d, want 400", body, resp.StatusCode)
		}
	}
	// Only one of them: the other stays.
	resp, err := http.Post(shared.RootURL+"__sim/latency", "application/json", strings.NewReader(`{"save_ms": 5}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if realm, save, _ := shared.Latency(ctx); realm != 1500*time.Microsecond || save != 5*time.Millisecond {
		t.Errorf("after save_ms alone: %s, %s; want 1.5ms, 5ms", realm, save)
	}
}
