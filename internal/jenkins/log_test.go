package jenkins

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// TestLogsCarryNoSecrets runs the crumb flow, a create and a failing call
// whose body echoes secrets, at trace level, and checks what was logged.
func TestLogsCarryNoSecrets(t *testing.T) {
	j := &crumbJenkins{sessions: map[string]string{}}
	ok := j.handle(t)
	value := "11" + strings.Repeat("c0ffee42", 4)
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/fail" {
			w.WriteHeader(500)
			fmt.Fprintf(w, "echo %s %s", testPassword, value)
			return
		}
		ok(w, r)
	})
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	c := f.client(t)
	if _, err := c.ListTokens(ctx, nil); err != nil {
		t.Fatal(err)
	}
	// The fake answers list-shaped results to every script, so create fails
	// to decode; what matters here is what it logged.
	_, _ = c.CreateToken(ctx, CreateTokenInput{UserID: "u", Name: "n", Value: value})
	_, _ = c.do(ctx, &request{method: "GET", path: "fail"})
	// Something logging at the provider level with the same ctx is masked too.
	tflog.Debug(c.masker.logCtx(ctx), "provider says "+testPassword)

	logs := buf.String()
	_, crumb, _, _ := c.crumb.get()
	for name, secret := range map[string]string{"password": testPassword, "token value": value, "token secret": value[2:],
		"crumb": crumb, "basic credentials": c.authHeader[len("Basic "):], "session": "node0sess"} {
		if secret != "" && strings.Contains(logs, secret) {
			t.Errorf("the log shows the %s", name)
		}
	}
	entries, err := tflogtest.MultilineJSONDecode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var sawScript, sawStatus bool
	for _, e := range entries {
		if e["path"] == "/scriptText" && e["method"] == "POST" && e["attempt"] != nil {
			sawScript = true
		}
		if e["status"] == float64(403) {
			sawStatus = true
		}
	}
	if !sawScript || !sawStatus {
		t.Errorf("requests not logged with method, path, attempt and status:\n%s", logs)
	}
}
