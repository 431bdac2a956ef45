package jenkinssim

import (
	"context"
	"os"
	"strconv"
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

// BenchmarkStartFleet measures StartFleet of 1, 5 and 40 default controllers until every one
// answers, and the resident memory of the JVM once they have (after one script on each).
func BenchmarkStartFleet(b *testing.B) {
	for _, n := range []int{1, 5, 40} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				start := time.Now()
				f, err := StartFleet(context.Background(), make([]Options, n))
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(time.Since(start).Seconds(), "s/start")
				for _, s := range f.Controllers {
					if _, err := s.Script(context.Background(), "println 1"); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(rssKiB(f.jvm.cmd.Process.Pid))/1024, "MiB-RSS")
				f.Close()
			}
		})
	}
}

// rssKiB is the resident set size of process pid (Linux; 0 elsewhere).
func rssKiB(pid int) int {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kib, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return kib
		}
	}
	return 0
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
