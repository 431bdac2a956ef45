package jenkinssim

import (
	"context"
	"strings"
	"testing"
	"time"
)

// BenchmarkStartup measures Start until the simulator answers (JVM, compile, warm-up).
func BenchmarkStartup(b *testing.B) {
	for i := 0; i < b.N; i++ {
		start := time.Now()
		s, err := Start(context.Background(), Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/start")
		s.Close()
	}
}

// BenchmarkScriptCall measures one script-console call that lists a user's tokens.
func BenchmarkScriptCall(b *testing.B) {
	ctx := context.Background()
	src := "import jenkins.security.ApiTokenProperty\nUser.getById('admin', false).getProperty(ApiTokenProperty).tokenStore.getTokenListSortedByName().size()"
	if _, err := shared.Script(ctx, src); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := shared.Script(ctx, src)
		if err != nil || !strings.HasPrefix(out, "Result: ") {
			b.Fatalf("%v %q", err, out)
		}
	}
}

// BenchmarkFill10kUsers50kTokens fills a fresh simulator through one script, then lists all
// tokens of all users through another, and reports both durations.
func BenchmarkFill10kUsers50kTokens(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		s, err := Start(ctx, Options{})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		out, err := s.Script(ctx, `import jenkins.security.ApiTokenProperty
def realm = Jenkins.instance.securityRealm
for (int u = 0; u < 10000; u++) {
    def user = realm.createAccount('fill-' + u, 'pw')
    def p = user.getProperty(ApiTokenProperty)
    for (int t = 0; t < 5; t++) { p.tokenStore.generateNewToken('t' + t) }
    user.save()
}
User.getAll().size()`)
		if err != nil || out != "Result: 10001\n" {
			b.Fatalf("%v %.300q", err, out)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/fill")
		start = time.Now()
		out, err = s.Script(ctx, `import jenkins.security.ApiTokenProperty
int n = 0
User.getAll().each { u -> u.getProperty(ApiTokenProperty).tokenList.each { n++ } }
n`)
		if err != nil || out != "Result: 50001\n" {
			b.Fatalf("%v %.300q", err, out)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/list-all")
		s.Close()
	}
}
