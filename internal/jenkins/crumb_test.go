package jenkins

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// crumbJenkins mimics password auth on Jenkins: POSTs need a crumb bound to
// the session cookie the crumb issuer created.
type crumbJenkins struct {
	mu       sync.Mutex
	sessions map[string]string // session id -> crumb
	next     int
	issued   int
}

func (j *crumbJenkins) expireSessions() {
	j.mu.Lock()
	j.sessions = map[string]string{}
	j.mu.Unlock()
}

func (j *crumbJenkins) handle(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Jenkins", "2.579")
		j.mu.Lock()
		defer j.mu.Unlock()
		switch {
		case r.Method == "GET" && r.URL.Path == "/crumbIssuer/api/json":
			j.next++
			j.issued++
			sid := fmt.Sprintf("node0sess%d", j.next)
			crumb := fmt.Sprintf("%064x", j.next*7919)
			j.sessions[sid] = crumb
			http.SetCookie(w, &http.Cookie{Name: "JSESSIONID.abcd1234", Value: sid, Path: "/"})
			fmt.Fprintf(w, `{"_class":"hudson.security.csrf.DefaultCrumbIssuer","crumb":"%s","crumbRequestField":"Jenkins-Crumb"}`, crumb)
		case r.Method == "POST":
			ck, err := r.Cookie("JSESSIONID.abcd1234")
			if err != nil || j.sessions[ck.Value] == "" || j.sessions[ck.Value] != r.Header.Get("Jenkins-Crumb") {
				w.WriteHeader(http.StatusForbidden)
				fmt.Fprint(w, "<html><body><h2>HTTP ERROR 403 No valid crumb was included in the request</h2></body></html>")
				return
			}
			scriptReply(t, w, r, map[string]any{"ok": map[string]any{"tokens": []any{}}})
		default:
			http.NotFound(w, r)
		}
	}
}

func TestCrumbFlowAndSessionExpiry(t *testing.T) {
	j := &crumbJenkins{sessions: map[string]string{}}
	f := newFake(t, j.handle(t))
	c := f.client(t)
	ctx := context.Background()

	// First POST: refused, crumb fetched, replayed.
	if _, err := c.ListTokens(ctx, nil); err != nil {
		t.Fatalf("first call: %v", err)
	}
	want := []string{"POST /scriptText", "GET /crumbIssuer/api/json", "POST /scriptText"}
	if got := f.paths(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("requests = %v, want %v", got, want)
	}
	// Later POSTs carry crumb and session directly.
	if _, err := c.ListTokens(ctx, nil); err != nil {
		t.Fatalf("second call: %v", err)
	}
	if n := len(f.paths()); n != 4 {
		t.Fatalf("second call should be one request, log: %v", f.paths())
	}
	// The session expires: the crumb stops working, a new one is fetched once.
	j.expireSessions()
	if _, err := c.ListTokens(ctx, nil); err != nil {
		t.Fatalf("after session expiry: %v", err)
	}
	if j.issued != 2 {
		t.Errorf("crumbs issued = %d, want 2", j.issued)
	}
	// The crumb is a secret: it must be masked.
	_, crumb, _, _ := c.crumb.get()
	if got := c.masker.mask("x " + crumb + " y"); strings.Contains(got, crumb) {
		t.Error("crumb not masked")
	}
}

func TestCrumbRejectedEvenAfterRefresh(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Jenkins", "2.579")
		if r.URL.Path == "/crumbIssuer/api/json" {
			fmt.Fprint(w, `{"crumb":"abc","crumbRequestField":"Jenkins-Crumb"}`)
			return
		}
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, "No valid crumb was included in the request")
	})
	_, err := f.client(t).ListTokens(context.Background(), nil)
	if !IsCrumbError(err) || !IsForbidden(err) {
		t.Fatalf("want a crumb error, got %v", err)
	}
	// POST, crumb, replay: and no more.
	if n := f.requests.Load(); n != 3 {
		t.Errorf("requests = %d, want 3 (%v)", n, f.paths())
	}
}

func TestAPITokenAuthNeedsNoCrumb(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/scriptText" || r.Header.Get("Jenkins-Crumb") != "" {
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		}
		scriptReply(t, w, r, map[string]any{"ok": map[string]any{"tokens": []any{}}})
	})
	c := f.client(t)
	for i := 0; i < 3; i++ {
		if _, err := c.ListTokens(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.requests.Load(); n != 3 {
		t.Errorf("requests = %d, want 3", n)
	}
}
