package jenkins

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"testing"
	"time"
)

// hostile strings every template must carry as data, never as code.
var hostile = []string{
	`it's "quoted"`,
	`$HOME ${System.exit(1)} ${-> 1}`,
	`back\slash \\ \n \' \"`,
	"new\nline\r\ttab",
	"non-ASCII: Grüße, Ελληνικά, 日本語",
	"emoji 🎉👩‍💻",
	"'''\"\"\" /* */ // #!",
	"@@PARAMS_BASE64@@",
	strings.Repeat("x", 10000),
}

func TestEveryTemplateHasOnePlaceholder(t *testing.T) {
	names, _ := fs.Glob(scriptFS, "scripts/*.groovy")
	if len(names) < 6 {
		t.Fatalf("only %d templates embedded", len(names))
	}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "scripts/"), ".groovy")
		src, err := scriptSource(name)
		if err != nil {
			t.Error(err)
			continue
		}
		// The placeholder must sit inside a single-quoted literal.
		if !strings.Contains(src, "'"+paramsPlaceholder+"'") {
			t.Errorf("%s: placeholder not in a single-quoted literal", name)
		}
		if !strings.Contains(src, "p.marker + JsonOutput.toJson(") {
			t.Errorf("%s: does not print a framed JSON result", name)
		}
	}
}

func TestScriptParamsAreDataNotCode(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		src, p := scriptParams(t, r)
		ids, _ := p["userIds"].([]any)
		for i, h := range hostile {
			if ids[i] != h {
				t.Errorf("parameter %d came back as %q", i, ids[i])
			}
			if len(h) > 3 && strings.Contains(src, h) {
				t.Errorf("hostile string %.40q appears in the Groovy source", h)
			}
		}
		scriptReply(t, w, r, map[string]any{"ok": map[string]any{"tokens": []any{}}})
	})
	if _, err := f.client(t).ListTokens(context.Background(), hostile); err != nil {
		t.Fatal(err)
	}
}

func scriptOutput(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
		fmt.Fprint(w, body)
	}
}

func TestScriptOutputs(t *testing.T) {
	created := time.Date(2026, 3, 1, 10, 0, 0, 123e6, time.UTC)
	rows := []any{
		[]any{"bob", "u-3", "b", nil, true, 0, nil, nil, false},
		[]any{"Alice", "u-2", "zeta", created.UnixMilli(), false, 4, created.Add(time.Hour).UnixMilli(), "2026-04-01", true},
		[]any{"alice", "u-1", "alpha", created.UnixMilli(), false, 0, nil, nil, false},
	}
	t.Run("good", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			// Noise before and after the frame is ignored.
			fmt.Fprint(w, "some plugin printed this\n")
			scriptReply(t, w, r, map[string]any{"ok": map[string]any{"tokens": rows}})
			fmt.Fprint(w, "\nResult: something")
		})
		ts, err := f.client(t).ListTokens(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tk := range ts {
			got = append(got, tk.UserID+"/"+tk.Name)
		}
		if strings.Join(got, ",") != "alice/alpha,Alice/zeta,bob/b" {
			t.Errorf("order = %v, want by user (case-insensitive), name", got)
		}
		z := ts[1]
		if z.CreatedAt == nil || !z.CreatedAt.Equal(created) || z.CreatedAt.Location() != time.UTC ||
			z.LastUsedAt == nil || !z.LastUsedAt.Equal(created.Add(time.Hour)) || z.UseCount != 4 ||
			z.ExpirationDate != "2026-04-01" || !z.Expired || z.Legacy {
			t.Errorf("token decoded wrong: %+v", z)
		}
		if b := ts[2]; b.CreatedAt != nil || b.LastUsedAt != nil || !b.Legacy || b.ExpirationDate != "" {
			t.Errorf("legacy token decoded wrong: %+v", b)
		}
	})
	t.Run("stack trace", func(t *testing.T) {
		f := newFake(t, scriptOutput("groovy.lang.MissingMethodException: No signature of method: jenkins.security.ApiTokenProperty.frob() is applicable for argument types: () values: []\n\tat org.codehaus.groovy.runtime.ScriptBytecodeAdapter.unwrap(ScriptBytecodeAdapter.java:58)\n"))
		_, err := f.client(t).ListTokens(context.Background(), nil)
		var se *ScriptError
		if !errors.As(err, &se) || !strings.HasPrefix(se.Exception, "groovy.lang.MissingMethodException: No signature of method") || se.Script != "list_tokens" {
			t.Fatalf("want a ScriptError with the exception line, got %v", err)
		}
		if f.requests.Load() != 1 {
			t.Error("a script failure must not be retried")
		}
	})
	t.Run("compile error echoing parameters is masked", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			m := b64InScript.FindStringSubmatch(r.PostForm.Get("script"))
			fmt.Fprintf(w, "org.codehaus.groovy.control.MultipleCompilationErrorsException: startup failed:\nScript1.groovy: 12: unexpected token @ line 12\n   def p = decode('%s')\n", m[1])
		})
		value, _ := NewTokenValue()
		_, err := f.client(t).CreateToken(context.Background(), CreateTokenInput{UserID: "a", Name: "n", Value: value})
		if !IsScriptError(err) || !strings.Contains(err.Error(), "startup failed") {
			t.Fatalf("got %v", err)
		}
		if m := b64InScript.FindStringSubmatch(err.Error()); m != nil && len(m[1]) > 0 {
			t.Errorf("the base64 parameters (holding the token value) leaked: %s", err)
		}
	})
	t.Run("no marker", func(t *testing.T) {
		f := newFake(t, scriptOutput("Result: 42\n"))
		_, err := f.client(t).ListTokens(context.Background(), nil)
		if !IsScriptError(err) || !strings.Contains(err.Error(), "Result: 42") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("error object", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			scriptReply(t, w, r, map[string]any{"error": map[string]any{"type": "userNotFound", "message": "unknown users", "userIds": []string{"ghost", "Nobody"}}})
		})
		_, err := f.client(t).ListTokens(context.Background(), []string{"alice", "ghost", "Nobody"})
		var un *UserNotFoundError
		if !errors.As(err, &un) || !IsUserNotFound(err) || !IsNotFound(err) || err.Error() != `Jenkins has no users "ghost", "Nobody"` {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("malformed JSON", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			_, p := scriptParams(t, r)
			fmt.Fprint(w, p["marker"].(string)+"{not json"+p["marker"].(string))
		})
		_, err := f.client(t).ListTokens(context.Background(), nil)
		if !IsScriptError(err) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestCreateToken(t *testing.T) {
	value, err := NewTokenValue()
	if err != nil || !tokenValueRE.MatchString(value) {
		t.Fatalf("NewTokenValue = %q, %v", value, err)
	}
	if other, _ := NewTokenValue(); other == value {
		t.Fatal("NewTokenValue repeats itself")
	}
	var got map[string]any
	var src, field string
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		src, got = scriptParams(t, r)
		field = r.PostForm.Get("tokenValue")
		scriptReply(t, w, r, map[string]any{"ok": map[string]any{"token": []any{"Alice", "uuid-1", "ci", 1700000000000, false, 0, nil, "2030-01-02", false}}})
	})
	c := f.client(t)
	tk, err := c.CreateToken(context.Background(), CreateTokenInput{UserID: "alice", Name: "ci", Value: value, ExpirationDate: "2030-01-02", CreateUserIfRealmKnows: true})
	if err != nil {
		t.Fatal(err)
	}
	if tk.UserID != "Alice" || tk.UUID != "uuid-1" || tk.ExpirationDate != "2030-01-02" || tk.CreatedAt.Year() != 2023 {
		t.Errorf("token = %+v", tk)
	}
	if got["userId"] != "alice" || got["expirationDate"] != "2030-01-02" || got["createIfRealmKnows"] != true {
		t.Errorf("params = %v", got)
	}
	// The value travels beside the script, never in its text (which Jenkins logs).
	if field != value || strings.Contains(src, value[2:]) || strings.Contains(fmt.Sprint(got), value[2:]) {
		t.Errorf("the value is not (only) in the form field tokenValue")
	}
	for _, bad := range []CreateTokenInput{
		{UserID: "a", Name: "n", Value: "11" + strings.Repeat("A", 32)},
		{UserID: "a", Name: "n", Value: "10" + strings.Repeat("a", 32)},
		{UserID: "a", Name: "n", Value: value, ExpirationDate: "2030-1-2"},
		{UserID: "", Name: "n", Value: value},
		// A caller's value without the bound that keeps a retry from adopting another's token.
		{UserID: "a", Name: "n", Value: value, CallerValue: true},
	} {
		if _, err := c.CreateToken(context.Background(), bad); err == nil {
			t.Errorf("CreateToken(%+v) accepted", bad)
		}
	}
}

func TestCreateTokenUnsupportedExpiration(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Jenkins", "2.462")
		scriptReply(t, w, r, map[string]any{"error": map[string]any{"type": "unsupported", "message": "an API token expiration date"}})
	})
	v, _ := NewTokenValue()
	_, err := f.client(t).CreateToken(context.Background(), CreateTokenInput{UserID: "a", Name: "n", Value: v, ExpirationDate: "2030-01-01"})
	if !IsUnsupported(err) || !strings.Contains(err.Error(), "2.548") || !strings.Contains(err.Error(), "2.462") {
		t.Fatalf("got %v", err)
	}
}

// TestRevokeTokenNeedsJenkinsToConfirm: a revocation succeeds only when the script reports the
// token revoked or gone; a failure it reports, or a 404 from something that is not Jenkins's
// script console, is an error.
func TestRevokeTokenNeedsJenkinsToConfirm(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		_, p := scriptParams(t, r)
		ref := p["refs"].([]any)[0].([]any)
		var row []any
		switch ref[0] {
		case "al ice":
			row = []any{"al ice", "u-1", "u-1", "n", false, nil, true}
		case "ghost":
			row = []any{"ghost", "u-1", nil, nil, false, nil, false}
		default:
			row = []any{ref[0], "u-1", nil, "n", false, "the token is still listed after revokeToken", true}
		}
		scriptReply(t, w, r, map[string]any{"ok": map[string]any{"results": []any{row}}})
	})
	c := f.client(t)
	if _, err := c.RevokeToken(context.Background(), "al ice", "u-1"); err != nil {
		t.Errorf("revoke: %v", err)
	}
	if res, err := c.RevokeToken(context.Background(), "ghost", "u-1"); err != nil || res.UserFound || res.Revoked() {
		t.Errorf("revoking for a user already gone must succeed and say the user was not found: %+v, %v", res, err)
	}
	if _, err := c.RevokeToken(context.Background(), "stuck", "u-1"); err == nil || !strings.Contains(err.Error(), "still listed") {
		t.Errorf("a revocation Jenkins reports as failed must be an error, got %v", err)
	}
	proxy := newFake(t, func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	if _, err := proxy.client(t).RevokeToken(context.Background(), "al ice", "u-1"); err == nil {
		t.Error("a 404 from a proxy must not count as a revocation")
	}
}

func TestRevokeTokens(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		src, p := scriptParams(t, r)
		switch {
		case strings.Contains(src, "revokeToken"):
			refs := p["refs"].([]any)
			if len(refs) != 2 {
				t.Errorf("refs = %v", refs)
			}
			scriptReply(t, w, r, map[string]any{"ok": map[string]any{"results": []any{
				[]any{"Alice", "u-1", "u-9", "Legacy Token", true, nil, true}, []any{"ghost", "u-2", nil, nil, false, nil, false}}}})
		default:
			scriptReply(t, w, r, map[string]any{"ok": map[string]any{"found": []any{[]any{"ALICE", "Alice"}}, "missing": []string{"ghost"}}})
		}
	})
	c := f.client(t)
	res, err := c.RevokeTokens(context.Background(), []TokenRef{{UserID: "ALICE", UUID: "u-1", Legacy: true}, {UserID: "ghost", UUID: "u-2"}})
	if err != nil || len(res) != 2 || !res[0].Revoked() || res[0].UUID != "u-9" || res[0].RequestedUUID != "u-1" ||
		!res[0].Legacy || res[0].UserID != "Alice" || res[1].Revoked() || res[1].Problem != "" {
		t.Errorf("RevokeTokens = %+v, %v", res, err)
	}
	if n := f.requests.Load(); n != 1 {
		t.Errorf("batch revoke made %d requests", n)
	}
}
