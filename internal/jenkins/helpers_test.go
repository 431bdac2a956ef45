package jenkins

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testUser     = "admin"
	testPassword = "s3cret-Passw0rd"
)

// fakeJenkins is a scriptable httptest server standing in for Jenkins.
type fakeJenkins struct {
	*httptest.Server
	t        *testing.T
	mu       sync.Mutex
	handler  http.HandlerFunc
	requests atomic.Int32
	log      []string // "METHOD /path"
}

func newFake(t *testing.T, h http.HandlerFunc) *fakeJenkins {
	t.Helper()
	f := &fakeJenkins{t: t, handler: h}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		f.mu.Lock()
		f.log = append(f.log, r.Method+" "+r.URL.Path)
		h := f.handler
		f.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeJenkins) paths() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}

// client returns a client with fast backoff for tests.
func (f *fakeJenkins) client(t *testing.T, mod ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{BaseURL: f.URL, Username: testUser, Password: testPassword, MaxRetries: -1, UserAgent: "terraform-provider-jenkins/test"}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c.backoffBase = 5 * time.Millisecond
	c.backoffMax = 50 * time.Millisecond
	return c
}

var b64InScript = regexp.MustCompile(`decode\('([A-Za-z0-9+/=]*)'\)`)

// scriptParams extracts the parameters a template carries, as Jenkins would
// decode them.
func scriptParams(t *testing.T, r *http.Request) (string, map[string]any) {
	t.Helper()
	if err := r.ParseForm(); err != nil {
		t.Errorf("ParseForm: %v", err)
	}
	src := r.PostForm.Get("script")
	m := b64InScript.FindStringSubmatch(src)
	if m == nil {
		t.Errorf("script carries no base64 parameters")
		return src, nil
	}
	raw, err := base64.StdEncoding.DecodeString(m[1])
	if err != nil {
		t.Errorf("parameters are not base64: %v", err)
	}
	var p map[string]any
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Errorf("parameters are not JSON: %v", err)
	}
	return src, p
}

// scriptReply answers a script call with result framed by the request's marker.
func scriptReply(t *testing.T, w http.ResponseWriter, r *http.Request, result any) {
	_, p := scriptParams(t, r)
	b, _ := json.Marshal(result)
	marker, _ := p["marker"].(string)
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	_, _ = w.Write([]byte(marker + string(b) + marker))
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
