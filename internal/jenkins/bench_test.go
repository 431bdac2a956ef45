package jenkins

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

// BenchmarkSimListAllTokens lists every token of a simulator seeded with
// JENKINS_BENCH_USERS users (default 10,000) holding 5 tokens each, in one
// script call, and reports the response size.
//
//	go test -run '^$' -bench SimListAllTokens -benchtime 3x ./internal/jenkins
func BenchmarkSimListAllTokens(b *testing.B) {
	if simErr != nil {
		b.Fatalf("the Jenkins simulator did not start: %v", simErr)
	}
	ctx := context.Background()
	if err := sim.Reset(ctx); err != nil {
		b.Fatal(err)
	}
	users := 10000
	if v, err := strconv.Atoi(os.Getenv("JENKINS_BENCH_USERS")); err == nil && v > 0 {
		users = v
	}
	start := time.Now()
	// Seeded without saving each user, so the seed takes seconds, not minutes.
	out, err := sim.ScriptArgs(ctx, `
import jenkins.security.ApiTokenProperty
int n = params.users as int
for (int i = 0; i < n; i++) {
    def u = User.getById('bench' + i, true)
    def p = u.getProperty(ApiTokenProperty)
    for (int k = 0; k < 5; k++) {
        p.getTokenStore().generateNewToken('token ' + k)
    }
    u.save()
}
print('seeded')`, map[string]any{"users": users})
	if err != nil || out != "seeded" {
		b.Fatalf("seeding: %q %v", out, err)
	}
	b.Logf("seeded %d users / %d tokens in %s", users, users*5, time.Since(start).Round(time.Millisecond))
	_, value, err := sim.NewAPIToken(ctx, sim.AdminUser, "bench")
	if err != nil {
		b.Fatal(err)
	}
	c, err := New(Config{BaseURL: sim.URL, Username: sim.AdminUser, Password: value, MaxRetries: -1})
	if err != nil {
		b.Fatal(err)
	}
	var size int
	c.onResponse = func(n int) { size = n }
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ts, err := c.ListTokens(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(ts) < users*5 {
			b.Fatalf("%d tokens, want at least %d", len(ts), users*5)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(size), "response-bytes")
	b.Logf("response %d bytes", size)
}

// BenchmarkSimListUsers lists the users of a simulator seeded with JENKINS_BENCH_USERS users
// (default 10,000, created through the built-in realm, 5 tokens each), with and without asking
// the security realm about each one.
//
//	go test -run '^$' -bench SimListUsers -benchtime 3x ./internal/jenkins
func BenchmarkSimListUsers(b *testing.B) {
	if simErr != nil {
		b.Fatalf("the Jenkins simulator did not start: %v", simErr)
	}
	ctx := context.Background()
	if err := sim.Reset(ctx); err != nil {
		b.Fatal(err)
	}
	users := 10000
	if v, err := strconv.Atoi(os.Getenv("JENKINS_BENCH_USERS")); err == nil && v > 0 {
		users = v
	}
	if _, err := sim.ScriptArgs(ctx, `
import jenkins.security.ApiTokenProperty
def realm = Jenkins.get().getSecurityRealm()
for (int i = 0; i < (params.users as int); i++) {
    def u = realm.createAccount('bench' + i, 'pw')
    def p = u.getProperty(ApiTokenProperty)
    for (int k = 0; k < 5; k++) { p.getTokenStore().generateNewToken('token ' + k) }
    u.save()
}`, map[string]any{"users": users}); err != nil {
		b.Fatal(err)
	}
	_, value, err := sim.NewAPIToken(ctx, sim.AdminUser, "bench")
	if err != nil {
		b.Fatal(err)
	}
	c, err := New(Config{BaseURL: sim.URL, Username: sim.AdminUser, Password: value, MaxRetries: -1})
	if err != nil {
		b.Fatal(err)
	}
	for _, checkRealm := range []bool{false, true} {
		b.Run(fmt.Sprintf("checkRealm=%v", checkRealm), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				l, err := c.ListUsers(ctx, checkRealm)
				if err != nil {
					b.Fatal(err)
				}
				if len(l.Users) < users {
					b.Fatalf("%d users, want at least %d", len(l.Users), users)
				}
			}
		})
	}
}
