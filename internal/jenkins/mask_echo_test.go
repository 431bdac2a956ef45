package jenkins

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// echoingGateway answers every request with a page that echoes the request's headers and body,
// as some gateways' error and debug pages do, after pad characters of filler: so that the
// echo falls before, across and after every length an error message is cut to.
func echoingGateway(t *testing.T, status, pad int, sawScript *string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if v, err := url.ParseQuery(string(body)); err == nil && v.Get("script") != "" {
			*sawScript = v.Get("script")
		}
		var b strings.Builder
		b.WriteString(strings.Repeat("z", pad))
		fmt.Fprintf(&b, "\nRequest: %s %s\n", r.Method, r.URL.RequestURI())
		for k, vs := range r.Header {
			fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(vs, ", "))
		}
		hj, _ := json.Marshal(r.Header)
		fmt.Fprintf(&b, "headers as JSON: %s\nbody: %s\n", hj, body)
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(b.String()))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// pieces are the substrings of s of length n: what must not appear of a secret in any message.
func pieces(s string, n int) []string {
	var out []string
	for i := 0; i+n <= len(s); i++ {
		out = append(out, s[i:i+n])
	}
	return out
}

var paramsLiteral = regexp.MustCompile(`decode\('([A-Za-z0-9+/=' ]+)'\)`)

// TestEchoingGatewayNeverLeaksCredentials: whatever the offset of the echo relative to the
// cuts (1000 characters for HTTP errors, 2000 and 500 on the script paths), no error shows the
// password, any piece of the Basic credential or of the script parameters (which hold token
// values), raw or percent-encoded.
func TestEchoingGatewayNeverLeaksCredentials(t *testing.T) {
	for _, password := range []string{"Pw9xQ", "11" + strings.Repeat("a1b2", 8)} {
		cred := "sysadmin:" + password
		credB64 := base64Std(cred)
		for _, status := range []int{http.StatusBadRequest, http.StatusOK} {
			for pad := 300; pad <= 2300; pad += 41 {
				var script string
				srv := echoingGateway(t, status, pad, &script)
				c, err := New(Config{BaseURL: srv.URL, Username: "sysadmin", Password: password, MaxRetries: 0})
				if err != nil {
					t.Fatal(err)
				}
				var msgs []string
				collect := func(err error) {
					if err == nil {
						return
					}
					msgs = append(msgs, err.Error())
					var se *ScriptError
					if errors.As(err, &se) {
						msgs = append(msgs, se.Output)
					}
				}
				_, err = c.WhoAmI(context.Background())
				collect(err)
				_, err = c.CreateToken(context.Background(), CreateTokenInput{UserID: "alice", Name: "x", Value: "11" + strings.Repeat("0f", 16)})
				collect(err)
				if len(msgs) == 0 {
					t.Fatalf("status %d pad %d: no error to check", status, pad)
				}
				secrets := append(pieces(credB64, 8), password)
				if m := paramsLiteral.FindStringSubmatch(script); m != nil {
					params := strings.NewReplacer("' + '", "", "'", "").Replace(m[1])
					secrets = append(secrets, pieces(params, 8)...)
				} else {
					t.Fatalf("the gateway saw no script parameters")
				}
				for _, msg := range msgs {
					for _, sec := range secrets {
						if strings.Contains(msg, sec) || strings.Contains(msg, url.QueryEscape(sec)) {
							t.Fatalf("password %d chars, status %d, pad %d: a message holds %q:\n%s", len(password), status, pad, sec, msg)
						}
					}
					if strings.Contains(msg, "0f0f0f0f") {
						t.Fatalf("status %d, pad %d: a message holds the token value:\n%s", status, pad, msg)
					}
				}
			}
		}
	}
}

// TestShortPasswordKeepsMessagesReadable: a short password ("admin") is masked where it stands
// as a value, not inside user IDs or words that contain it.
func TestShortPasswordKeepsMessagesReadable(t *testing.T) {
	m := newMasker()
	m.add("admin")
	for in, want := range map[string]string{
		"sysadmin is missing the Overall/Administer permission": "sysadmin is missing the Overall/Administer permission",
		`Jenkins has no user "admin-bot"`:                       `Jenkins has no user "admin-bot"`,
		"j_password=admin&from=%2F":                             "j_password=***&from=%2F",
		"password: admin":                                       "password: ***",
		"admin":                                                 "***",
	} {
		if got := m.mask(in); got != want {
			t.Errorf("mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
