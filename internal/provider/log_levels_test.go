package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
)

func TestCLIProviderLogLevel(t *testing.T) {
	for _, tc := range []struct {
		tfLog, tfLogProvider, want string
	}{
		{"", "", "OFF"},
		{"trace", "", "TRACE"},
		{"INFO", "", "INFO"},
		{"json", "", "TRACE"},  // TF_LOG=JSON logs everything, as JSON
		{"bogus", "", "TRACE"}, // the CLI falls back to TRACE for an invalid level
		{"trace", "debug", "DEBUG"},
		{"trace", "off", "OFF"},
		{"", "warn", "WARN"},
		{"off", "", "OFF"},
	} {
		env := map[string]string{"TF_LOG": tc.tfLog, "TF_LOG_PROVIDER": tc.tfLogProvider}
		if got := cliProviderLogLevel(func(k string) string { return env[k] }); got != tc.want {
			t.Errorf("TF_LOG=%q TF_LOG_PROVIDER=%q: %s, want %s", tc.tfLog, tc.tfLogProvider, got, tc.want)
		}
	}
}

// TestAccLogsOnlyWhatTheCLIKeeps: with no log variable the provider writes nothing to its stderr
// during a plan (it wrote every framework TRACE line, which the CLI parsed and dropped); with
// TF_LOG=trace the framework's and the provider's own lines are in TF_LOG_PATH as before; with
// TF_LOG_PROVIDER=debug their DEBUG lines are, and no TRACE line.
func TestAccLogsOnlyWhatTheCLIKeeps(t *testing.T) {
	target := acctest.Shared(t)
	cli := cliAtLeast(t, 1, 0, "plans")
	// The real plugin behind a wrapper that sends its stderr to a file when asked to (the CLI
	// then sees none of it: only for the run without log variables).
	dir := buildProvider(t)
	plugin := filepath.Join(dir, "terraform-provider-jenkins.real")
	if err := os.Rename(filepath.Join(dir, "terraform-provider-jenkins"), plugin); err != nil {
		t.Fatal(err)
	}
	stderrPath := filepath.Join(t.TempDir(), "plugin-stderr")
	wrapper := "#!/bin/sh\nif [ -n \"$PLUGIN_STDERR\" ]; then exec " + plugin + " \"$@\" 2>>\"$PLUGIN_STDERR\"; fi\nexec " + plugin + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "terraform-provider-jenkins"), []byte(wrapper), 0o700); err != nil { //nolint:gosec // an executable of the test's own
		t.Fatal(err)
	}
	w := newCLIWorkdir(t, cli, map[string]string{registryHost() + "/jenkins-access/jenkins": dir})
	w.write("main.tf", requireJenkins+target.ProviderBlock()+`
data "jenkins_user_tokens" "mine" {
  user_ids = [`+acctest.Quote(target.Username)+`]
}
`)
	plan := func(env ...string) (stderr, logFile string) {
		t.Helper()
		_ = os.Remove(stderrPath)
		logPath := filepath.Join(t.TempDir(), "tf.log")
		w.env = append([]string{"TF_LOG_PATH=" + logPath}, env...)
		if out, code := w.run("plan", "-no-color"); code != 0 {
			t.Fatalf("terraform plan %v: exit %d\n%s", env, code, out)
		}
		s, _ := os.ReadFile(stderrPath)
		l, _ := os.ReadFile(logPath)
		return string(s), string(l)
	}

	// go-plugin's own few start-up lines remain; no line of the SDK or of the provider may.
	stderr, _ := plan("PLUGIN_STDERR=" + stderrPath)
	if !strings.Contains(stderr, "plugin") {
		t.Fatalf("the wrapper captured no stderr at all, so this check could not fail: %q", stderr)
	}
	if n := strings.Count(stderr, `"@module"`); n > 0 {
		t.Errorf("with no log variable the plugin wrote %d SDK or provider log lines to stderr, want none; stderr starts: %.300s", n, stderr)
	}

	_, logs := plan("TF_LOG=trace")
	for _, want := range []string{"@module=sdk.framework", "@module=sdk.proto", "configured Jenkins client", "@module=jenkins"} {
		if !strings.Contains(logs, want) {
			t.Errorf("TF_LOG=trace: the log lacks %q", want)
		}
	}

	_, logs = plan("TF_LOG_PROVIDER=debug")
	if !strings.Contains(logs, "configured Jenkins client") || !strings.Contains(logs, "@module=sdk.framework") {
		t.Error("TF_LOG_PROVIDER=debug: the provider's and the framework's DEBUG lines are missing")
	}
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, "[TRACE] provider.") {
			t.Errorf("TF_LOG_PROVIDER=debug: a provider TRACE line was written: %.200s", line)
			break
		}
	}
}
