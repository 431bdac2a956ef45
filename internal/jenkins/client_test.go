package jenkins

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestNewValidates(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"empty url", Config{Username: "u", Password: "p"}, "URL is empty"},
		{"no scheme", Config{BaseURL: "ci.example.com", Username: "u", Password: "p"}, "http:// or https://"},
		{"creds in url", Config{BaseURL: "https://u:p@ci.example.com", Username: "u", Password: "p"}, "must not carry credentials"},
		{"no user", Config{BaseURL: "https://ci.example.com"}, "username is empty"},
		{"no password", Config{BaseURL: "https://ci.example.com", Username: "u"}, "password or API token is empty"},
		{"bad pem", Config{BaseURL: "https://ci.example.com", Username: "u", Password: "p", CACertPEM: []byte("nope")}, "no PEM certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New() error = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestContextPathUserAgentAuthAndVersion(t *testing.T) {
	var gotPath, gotUA, gotUser, gotPass string
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotUA = r.URL.Path, r.UserAgent()
		gotUser, gotPass, _ = r.BasicAuth()
		w.Header().Set("X-Jenkins", "2.555.1")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"_class":"hudson.security.WhoAmI","anonymous":false,"authenticated":true,"authorities":["authenticated"],"name":"admin"}`)
	})
	for _, base := range []string{f.URL + "/jenkins", f.URL + "/jenkins/"} {
		c := f.client(t, func(c *Config) { c.BaseURL = base })
		if got := c.BaseURL(); got != f.URL+"/jenkins/" {
			t.Errorf("BaseURL() = %q, want trailing slash", got)
		}
		before := f.requests.Load()
		v, err := c.JenkinsVersion(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if v.String() != "2.555.1" || !v.AtLeast("2.548") || v.AtLeast("2.556") {
			t.Errorf("version = %v", v)
		}
		if gotPath != "/jenkins/whoAmI/api/json" {
			t.Errorf("path = %q, want the context path kept", gotPath)
		}
		if gotUA != "terraform-provider-jenkins/test" || gotUser != testUser || gotPass != testPassword {
			t.Errorf("UA %q user %q, password sent = %v", gotUA, gotUser, gotPass == testPassword)
		}
		// Cached: no second request.
		if _, err := c.JenkinsVersion(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := f.requests.Load() - before; n != 1 {
			t.Errorf("JenkinsVersion made %d requests, want 1", n)
		}
	}
}

func TestVersionFromAnyResponse(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Jenkins", "2.462")
		w.Header().Set("X-Required-Permission", "hudson.model.Hudson.Administer")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, "<html><body>bob is missing the Overall/Administer permission</body></html>")
	})
	c := f.client(t)
	_, err := c.ListTokens(context.Background(), nil)
	if !IsForbidden(err) {
		t.Fatalf("want forbidden, got %v", err)
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.RequiredPermission != "hudson.model.Hudson.Administer" || !strings.Contains(ae.Body, "missing the Overall/Administer permission") {
		t.Errorf("APIError = %#v", ae)
	}
	n := f.requests.Load()
	v, err := c.JenkinsVersion(context.Background())
	if err != nil || v.String() != "2.462" || v.AtLeast(VersionExpiringTokens) {
		t.Fatalf("JenkinsVersion = %v, %v", v, err)
	}
	if f.requests.Load() != n {
		t.Error("version should come from the header already seen")
	}
}

func TestParseVersion(t *testing.T) {
	for in, want := range map[string]string{"2.579": "2.579", "2.555.1": "2.555.1", " 2.479.3-SNAPSHOT (private)": "2.479.3-SNAPSHOT (private)"} {
		v, err := ParseVersion(in)
		if err != nil || v.String() != want {
			t.Errorf("ParseVersion(%q) = %v, %v", in, v, err)
		}
	}
	for _, bad := range []string{"", "abc", "-1"} {
		if _, err := ParseVersion(bad); err == nil {
			t.Errorf("ParseVersion(%q) accepted", bad)
		}
	}
	v, _ := ParseVersion("2.548")
	if !v.AtLeast("2.548") || !v.AtLeast("2.547.9") || v.AtLeast("2.548.1") || v.AtLeast("x") {
		t.Error("AtLeast comparisons wrong")
	}
}

func TestTypedErrors(t *testing.T) {
	for _, tc := range []struct {
		status int
		check  func(error) bool
		name   string
	}{
		{401, IsUnauthorized, "IsUnauthorized"},
		{403, IsForbidden, "IsForbidden"},
		{404, IsNotFound, "IsNotFound"},
	} {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Jenkins", "2.579")
			w.WriteHeader(tc.status)
		})
		c := f.client(t)
		_, err := c.do(context.Background(), &request{method: "GET", path: "user/x/api/json"})
		if !tc.check(err) {
			t.Errorf("HTTP %d: %s(%v) = false", tc.status, tc.name, err)
		}
		if tc.status != 404 && IsNotFound(err) || tc.status != 401 && IsUnauthorized(err) {
			t.Errorf("HTTP %d: wrong predicate matched: %v", tc.status, err)
		}
		if f.requests.Load() != 1 {
			t.Errorf("HTTP %d retried (%d requests)", tc.status, f.requests.Load())
		}
	}
}

func TestMasking(t *testing.T) {
	token := "11" + strings.Repeat("ab12", 8)
	legacy := strings.Repeat("0f", 16)
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
		// An error page that echoes everything it got.
		fmt.Fprintf(w, "<html><body>boom password=%s auth=%s token=%s legacy=%s script=%s</body></html>",
			testPassword, r.Header.Get("Authorization"), token, legacy, r.PostFormValue("script"))
	})
	c := f.client(t)
	_, err := c.CreateToken(context.Background(), CreateTokenInput{UserID: "alice", Name: "n", Value: token})
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	for name, secret := range map[string]string{"password": testPassword, "token": token, "token secret": token[2:], "legacy token": legacy,
		"basic credentials": c.authHeader[len("Basic "):]} {
		if strings.Contains(msg, secret) {
			t.Errorf("error shows the %s", name)
		}
	}
	if !strings.Contains(msg, "boom") || !strings.Contains(msg, "HTTP 500") {
		t.Errorf("error lost the useful part: %s", msg)
	}
}

func TestNotJenkins(t *testing.T) {
	html := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<!DOCTYPE html><html><body>Welcome to nginx!</body></html>")
	}
	f := newFake(t, html)
	c := f.client(t)
	if _, err := c.WhoAmI(context.Background()); !IsNotJenkins(err) {
		t.Errorf("WhoAmI on HTML: %v, want IsNotJenkins", err)
	}
	if _, err := c.JenkinsVersion(context.Background()); !IsNotJenkins(err) {
		t.Errorf("JenkinsVersion on HTML: %v, want IsNotJenkins", err)
	}
	if _, err := c.ListTokens(context.Background(), nil); !IsNotJenkins(err) {
		t.Errorf("ListTokens on HTML: %v, want IsNotJenkins", err)
	}
	f404 := newFake(t, http.NotFound)
	if _, err := f404.client(t).ListTokens(context.Background(), nil); !IsNotJenkins(err) || IsNotFound(err) {
		t.Errorf("ListTokens on a plain 404: %v, want IsNotJenkins only", err)
	}
	empty := newFake(t, func(w http.ResponseWriter, r *http.Request) {})
	if _, err := empty.client(t).ListTokens(context.Background(), nil); !IsNotJenkins(err) {
		t.Errorf("ListTokens on an empty answer: %v, want IsNotJenkins", err)
	}
}

func TestPostRedirectIsNotFollowed(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.example/login", http.StatusFound)
	})
	_, err := f.client(t).ListTokens(context.Background(), nil)
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 302 || !strings.Contains(err.Error(), "https://elsewhere.example/login") {
		t.Fatalf("want a 302 APIError naming the target, got %v", err)
	}
}

func TestTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Jenkins", "2.579")
		fmt.Fprint(w, `{"name":"admin"}`)
	}))
	defer srv.Close()
	cfg := Config{BaseURL: srv.URL, Username: testUser, Password: testPassword, MaxRetries: 3}

	c, _ := New(cfg)
	start := time.Now()
	_, err := c.WhoAmI(context.Background())
	if !IsTLSError(err) || !strings.Contains(err.Error(), "ca_cert") {
		t.Errorf("untrusted certificate: %v, want IsTLSError with a ca_cert hint", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Error("TLS failures must not be retried")
	}

	pemCert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	cfg.CACertPEM = pemCert
	c, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if w, err := c.WhoAmI(context.Background()); err != nil || w.Name != "admin" {
		t.Errorf("with ca_cert: %v %v", w, err)
	}
	cfg.CACertPEM = nil
	cfg.Insecure = true
	c, _ = New(cfg)
	if _, err := c.WhoAmI(context.Background()); err != nil {
		t.Errorf("insecure: %v", err)
	}
}

// TestRedirectToHTTPRefused: a redirect from https:// to http:// on the same host would resend
// the Basic credentials in cleartext (Go keeps Authorization for the same host whatever the
// scheme and port). The client refuses to follow it.
func TestRedirectToHTTPRefused(t *testing.T) {
	var gotAuth atomic.Bool
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			gotAuth.Store(true)
		}
		w.Header().Set("X-Jenkins", "2.579")
		_, _ = w.Write([]byte(`{"name":"admin","authenticated":true}`))
	}))
	defer plain.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusFound)
	}))
	defer tlsSrv.Close()
	c, err := New(Config{BaseURL: tlsSrv.URL, Username: "admin", Password: "secret-password", Insecure: true, MaxRetries: 0})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.WhoAmI(context.Background())
	var de *DowngradeError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "cleartext") {
		t.Errorf("want a DowngradeError, got %v", err)
	}
	if gotAuth.Load() {
		t.Error("the credentials reached the http:// server")
	}
}

// TestRedirectToAnotherOriginRefused: Go sends the Authorization header along a redirect to the
// same host on another port, and to subdomains; the client follows no redirect that changes host
// or port, so no other server receives the credentials.
func TestRedirectToAnotherOriginRefused(t *testing.T) {
	var gotAuth atomic.Bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			gotAuth.Store(true)
		}
		w.Header().Set("X-Jenkins", "2.579")
		_, _ = w.Write([]byte(`{"name":"admin","authenticated":true}`))
	}))
	defer other.Close()
	var asked atomic.Int32
	first := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		// Same host (127.0.0.1), another port.
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	}))
	defer first.Close()
	c, err := New(Config{BaseURL: first.URL, Username: "admin", Password: "secret-password", MaxRetries: 3})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.WhoAmI(context.Background())
	var ce *CrossOriginRedirectError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "another host or port") {
		t.Errorf("want a CrossOriginRedirectError, got %v", err)
	}
	if gotAuth.Load() {
		t.Error("the credentials reached the other server")
	}
	if n := asked.Load(); n != 1 {
		t.Errorf("the refused redirect was tried %d times, want once: it would be the same redirect again", n)
	}
}

// TestCredentialsThatAreNotUTF8: such a password is refused without being repeated, and a
// secret that is not UTF-8 (a broken server's cookie) is masked without a panic, whose message
// would print it.
func TestCredentialsThatAreNotUTF8(t *testing.T) {
	bad := "pw\xff\xfe"
	_, err := New(Config{BaseURL: "https://ci.example.com/", Username: "admin", Password: bad})
	if err == nil || strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("want a refusal that does not repeat the password, got %v", err)
	}
	if _, err := New(Config{BaseURL: "https://ci.example.com/", Username: "ad\xffmin", Password: "pw"}); err == nil {
		t.Error("a username that is not UTF-8 was accepted")
	}
	m := newMasker()
	m.add("c\xffk") // short, not UTF-8: would have been compiled into a regular expression
	if got := m.mask("cookie value c\xffk here"); strings.Contains(got, "c\xffk") {
		t.Errorf("the secret is not masked: %q", got)
	}
	_ = m.logCtx(context.Background())
}

// TestURLCredentialsRefusedUnshown: a URL with user information is refused, and the message
// does not show the password, whether the URL parses or not.
func TestURLCredentialsRefusedUnshown(t *testing.T) {
	for _, u := range []string{"https://bob:hunter2-pw@ci.example.com/", "https://bob:hunter2-pw@ci.example.com/%zz", "http://bob:hunter2-pw@@x y/"} {
		_, err := New(Config{BaseURL: u, Username: "admin", Password: "pw"})
		if err == nil || strings.Contains(err.Error(), "hunter2-pw") {
			t.Errorf("%s: want a refusal without the password, got %v", RedactURL(u), err)
		}
	}
	if got := RedactURL("https://bob:pw@ci.example.com:8443/jenkins/?a=b@c"); got != "https://REDACTED@ci.example.com:8443/jenkins/?a=b@c" {
		t.Errorf("RedactURL: %s", got)
	}
}
