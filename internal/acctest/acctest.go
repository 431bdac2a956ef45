// Package acctest holds what the acceptance tests share: the Jenkins they run against (the
// simulator by default, a real Jenkins when asked), provider blocks, and HCL quoting of hostile
// strings.
package acctest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// EnvTarget selects the Jenkins the acceptance tests run against. Unset (the default) starts the
// simulator; "real" uses JENKINS_URL, JENKINS_USERNAME and JENKINS_PASSWORD (see
// `make testacc-jenkins`). A plain JENKINS_URL in a developer's shell is deliberately not enough:
// `make test` must never touch a production Jenkins by accident.
const EnvTarget = "JENKINS_ACC_TARGET"

// Target is a Jenkins the tests can reach.
type Target struct {
	URL      string // base URL, ends with "/"
	Username string
	Password string
	// Sim is the simulator behind URL, or nil against a real Jenkins. Tests that need the
	// simulator's control endpoints (faults, clock, restart) call RequireSim.
	Sim *jenkinssim.Sim
}

var shared *Target

// Main runs a test binary's tests against one shared target: call it from TestMain. The
// simulator starts once per package; tests keep out of each other's way with their own user IDs.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Getenv("TF_ACC") == "" {
		// Unit tests only: no Jenkins needed. Acceptance tests skip themselves without TF_ACC.
		return m.Run()
	}
	target, closeTarget, err := startTarget()
	if err != nil {
		fmt.Fprintf(os.Stderr, "acceptance tests need a Jenkins: %v\n", err)
		return 1
	}
	defer closeTarget()
	shared = target
	return m.Run()
}

func startTarget() (*Target, func(), error) {
	switch os.Getenv(EnvTarget) {
	case "", "sim":
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		// A strong admin password: the simulator tracks passwords of 8 characters or more, so the
		// leak check (CheckScriptLeaks) also covers the provider's own credential.
		pw := make([]byte, 12)
		if _, err := rand.Read(pw); err != nil {
			return nil, nil, err
		}
		opts := jenkinssim.Options{AdminPassword: "acc-" + hex.EncodeToString(pw)}
		if os.Getenv("JENKINS_SIM_LOG") != "" {
			opts.Log = os.Stderr // the simulator's own log, for debugging a failing test
		}
		sim, err := jenkinssim.Start(ctx, opts)
		if err != nil {
			return nil, nil, fmt.Errorf("starting the simulator: %w", err)
		}
		return &Target{URL: sim.URL, Username: sim.AdminUser, Password: sim.AdminPassword, Sim: sim},
			func() { _ = sim.Close() }, nil
	case "real":
		t := &Target{URL: os.Getenv("JENKINS_URL"), Username: os.Getenv("JENKINS_USERNAME"), Password: os.Getenv("JENKINS_PASSWORD")}
		if t.URL == "" || t.Username == "" || t.Password == "" {
			return nil, nil, fmt.Errorf("%s=real needs JENKINS_URL, JENKINS_USERNAME and JENKINS_PASSWORD", EnvTarget)
		}
		if !strings.HasSuffix(t.URL, "/") {
			t.URL += "/"
		}
		// One script-console call before any test: a wrong URL, wrong credentials or an account
		// without Overall/Administer (which every fixture and the provider need) is one clear
		// error here instead of the same failure in every test.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		out, err := scriptConsole(ctx, t, "print('"+fixtureMarker+"' + Jenkins.VERSION)", nil)
		if err != nil {
			return nil, nil, fmt.Errorf("%s=real: running a script on %s as %q: %w", EnvTarget, t.URL, t.Username, err)
		}
		i := strings.LastIndex(out, fixtureMarker)
		if i < 0 {
			return nil, nil, fmt.Errorf("%s=real: %s answered the script console without running the script: %.200q", EnvTarget, t.URL, out)
		}
		fmt.Fprintf(os.Stderr, "acceptance tests against Jenkins %s at %s as %s; tests that need the simulator skip themselves\n",
			strings.TrimSpace(out[i+len(fixtureMarker):]), t.URL, t.Username)
		return t, func() {}, nil
	default:
		return nil, nil, fmt.Errorf("%s must be empty, \"sim\" or \"real\", got %q", EnvTarget, os.Getenv(EnvTarget))
	}
}

// Shared returns the package's target. Without TF_ACC it skips the test, as resource.Test
// does: acceptance tests run only when asked for (`make test` and `make testacc` ask).
func Shared(t testing.TB) *Target {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test does)")
	}
	if shared == nil {
		t.Fatal("no Jenkins target: the package's TestMain must call acctest.Main")
	}
	if shared.Sim != nil {
		if _, done := leakChecked.LoadOrStore(t, true); !done {
			t.Cleanup(func() {
				leakChecked.Delete(t)
				CheckScriptLeaks(t, shared.Sim)
			})
		}
	}
	return shared
}

// leakChecked: the tests whose end already checks the shared simulator for leaks.
var leakChecked sync.Map

// CheckScriptLeaks fails tb if a script the simulator ran holds, in its text, a secret the
// simulator has seen: a token value (raw, or 12 characters of it, also inside base64 or hex), or
// a password of 8 characters or more. Jenkins hands every script's text to its script listeners
// (the audit-trail plugin's audit log, core's DefaultScriptListener), so no secret may be in it.
// Every acceptance test that starts a simulator calls it at its end (Shared does for the shared
// one); the simulator remembers every leak, so the first test to fail is the one that leaked.
func CheckScriptLeaks(tb testing.TB, sim *jenkinssim.Sim) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	leaks, err := sim.ScriptLeaks(ctx)
	if err != nil {
		tb.Errorf("reading the simulator's audit log of scripts: %v", err)
	}
	for _, l := range leaks {
		tb.Errorf("a secret in the text of a script Jenkins logs: %s", l)
	}
}

// RequireSim returns the simulator, or skips the test against a real Jenkins, where faults,
// restarts and clock moves cannot be injected, request counts cannot be read, and no second
// Jenkins with other options (context path, TLS, version, admin) can be started.
func (t *Target) RequireSim(tb testing.TB) *jenkinssim.Sim {
	tb.Helper()
	if t.Sim == nil {
		tb.Skipf("needs the Jenkins simulator: its /__sim/ control endpoints (faults, restarts, clock, request counts) "+
			"or a simulator of its own with other options; %s=real runs against a real Jenkins, which has neither", EnvTarget)
	}
	return t.Sim
}

// ProviderBlock is a provider "jenkins" block for t, with extra attribute lines appended.
func (t *Target) ProviderBlock(extra ...string) string {
	var b strings.Builder
	b.WriteString("provider \"jenkins\" {\n")
	fmt.Fprintf(&b, "  server_url = %s\n  username   = %s\n  password   = %s\n", Quote(t.URL), Quote(t.Username), Quote(t.Password))
	for _, line := range extra {
		b.WriteString("  " + line + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// Quote renders s as an HCL quoted string literal that evaluates back to exactly s: it escapes
// backslashes, quotes and control characters, and the template sequences "${" and "%{".
func Quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "${"):
			b.WriteString("$${")
			i += 2
			continue
		case strings.HasPrefix(s[i:], "%{"):
			b.WriteString("%%{")
			i += 2
			continue
		}
		c := s[i]
		switch c {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c < 0x20 || c == 0x7f {
				fmt.Fprintf(&b, `\u%04x`, c)
			} else {
				b.WriteByte(c)
			}
		}
		i++
	}
	b.WriteByte('"')
	return b.String()
}

// ProviderBlockFromEnv puts t's credentials in the environment variables users set in CI
// (JENKINS_URL, JENKINS_USERNAME, JENKINS_PASSWORD) and returns an empty provider block, so the
// password appears in no configuration.
func (t *Target) ProviderBlockFromEnv(tb testing.TB) string {
	tb.Setenv("JENKINS_URL", t.URL)
	tb.Setenv("JENKINS_USERNAME", t.Username)
	tb.Setenv("JENKINS_PASSWORD", t.Password)
	return "provider \"jenkins\" {}\n"
}
