package jenkins

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func okTokens(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		scriptReply(t, w, r, map[string]any{"ok": map[string]any{"tokens": []any{}}})
	}
}

// failFirst answers the first n requests with fail, then with ok.
func failFirst(n int32, fail, ok http.HandlerFunc) http.HandlerFunc {
	var seen atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) <= n {
			fail(w, r)
			return
		}
		ok(w, r)
	}
}

func status(code int, retryAfter string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(code)
		fmt.Fprint(w, "<html><body>Please wait while Jenkins is getting ready to work</body></html>")
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	f := newFake(t, failFirst(1, status(503, "1"), okTokens(t)))
	start := time.Now()
	if _, err := f.client(t).ListTokens(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("retried after %s, Retry-After said 1s", d)
	}
	if n := f.requests.Load(); n != 2 {
		t.Errorf("requests = %d, want 2", n)
	}
}

func TestRetriesEachTransientStatus(t *testing.T) {
	for _, code := range []int{429, 502, 503, 504} {
		f := newFake(t, failFirst(2, status(code, ""), okTokens(t)))
		if _, err := f.client(t).ListTokens(context.Background(), nil); err != nil {
			t.Errorf("HTTP %d: %v", code, err)
		}
		if n := f.requests.Load(); n != 3 {
			t.Errorf("HTTP %d: requests = %d, want 3", code, n)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"7":                             7 * time.Second,
		"-3":                            0,
		"soon":                          0,
		"Thu, 01 Jan 2026 12:00:30 GMT": 30 * time.Second,
		"Thu, 01 Jan 2026 11:00:00 GMT": 0,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestMaxRetries(t *testing.T) {
	f := newFake(t, status(502, ""))
	_, err := f.client(t, func(c *Config) { c.MaxRetries = 2 }).ListTokens(context.Background(), nil)
	var re *RetryError
	if !errors.As(err, &re) {
		t.Fatalf("want RetryError, got %v", err)
	}
	if n := f.requests.Load(); n != 3 {
		t.Errorf("requests = %d, want 3 (1 + 2 retries)", n)
	}
	msg := err.Error()
	if !strings.Contains(msg, f.URL+"/scriptText") || !strings.Contains(msg, "502") || !strings.Contains(msg, "2 retries exhausted") {
		t.Errorf("error should name the URL and the last cause: %s", msg)
	}
	if IsNotFound(err) || !statusIs(err, 502) {
		t.Errorf("the last cause should be visible through the RetryError: %v", err)
	}
	// MaxRetries 0 means one attempt only.
	f0 := newFake(t, status(503, ""))
	_, _ = f0.client(t, func(c *Config) { c.MaxRetries = 0 }).ListTokens(context.Background(), nil)
	if n := f0.requests.Load(); n != 1 {
		t.Errorf("MaxRetries=0: requests = %d, want 1", n)
	}
}

func TestRetryBudget(t *testing.T) {
	f := newFake(t, status(503, ""))
	c := f.client(t, func(c *Config) { c.MaxRetries = 1000; c.RetryBudget = 300 * time.Millisecond })
	c.backoffBase, c.backoffMax = 40*time.Millisecond, 80*time.Millisecond
	start := time.Now()
	_, err := c.ListTokens(context.Background(), nil)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("ran %s past a 300ms budget", d)
	}
	if err == nil || !strings.Contains(err.Error(), "retry budget of 300ms exhausted") {
		t.Errorf("want a budget error, got %v", err)
	}
	// A Retry-After beyond the budget gives up at once instead of sleeping.
	f2 := newFake(t, status(429, "3600"))
	start = time.Now()
	_, err = f2.client(t).ListTokens(context.Background(), nil)
	if time.Since(start) > time.Second || err == nil || !strings.Contains(err.Error(), "asked to wait 1h0m0s") {
		t.Errorf("Retry-After 3600: %v after %s", err, time.Since(start))
	}
}

func TestContextCancellation(t *testing.T) {
	// While waiting between retries.
	f := newFake(t, status(503, "30"))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.client(t, func(c *Config) { c.RetryBudget = time.Hour }).ListTokens(ctx, nil)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Errorf("want a prompt deadline error, got %v after %s", err, time.Since(start))
	}
	// While Jenkins hangs on the request.
	release := make(chan struct{})
	hang := newFake(t, func(w http.ResponseWriter, r *http.Request) { <-release })
	defer close(release)
	ctx2, cancel2 := context.WithCancel(context.Background())
	time.AfterFunc(150*time.Millisecond, cancel2)
	start = time.Now()
	_, err = hang.client(t).ListTokens(ctx2, nil)
	if !errors.Is(err, context.Canceled) || time.Since(start) > 2*time.Second {
		t.Errorf("want a prompt cancel, got %v after %s", err, time.Since(start))
	}
}

func TestPerAttemptTimeoutIsRetried(t *testing.T) {
	f := newFake(t, failFirst(1, func(w http.ResponseWriter, r *http.Request) { time.Sleep(300 * time.Millisecond) }, okTokens(t)))
	c := f.client(t, func(c *Config) { c.RequestTimeout = 100 * time.Millisecond })
	if _, err := c.ListTokens(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if n := f.requests.Load(); n != 2 {
		t.Errorf("requests = %d, want 2", n)
	}
}

// dropFirst closes the connection after reading the request, as the
// simulator's drop_response fault does: Jenkins may have run the script.
func dropFirst(t *testing.T, n int32, ok http.HandlerFunc) http.HandlerFunc {
	return failFirst(n, func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		hj, _ := w.(http.Hijacker)
		conn, _, err := hj.Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // RST, like a crash
		}
		conn.Close()
	}, ok)
}

func TestDroppedResponseIsRetried(t *testing.T) {
	f := newFake(t, dropFirst(t, 1, okTokens(t)))
	if _, err := f.client(t).ListTokens(context.Background(), nil); err != nil {
		t.Fatalf("a script call must survive a dropped response: %v", err)
	}
	if n := f.requests.Load(); n != 2 {
		t.Errorf("requests = %d, want 2", n)
	}
}

func TestConnectionRefusedIsRetriedThenNamed(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	c, _ := New(Config{BaseURL: "http://" + addr + "/jenkins/", Username: "u", Password: "p", MaxRetries: 2})
	c.backoffBase = time.Millisecond
	_, err := c.WhoAmI(context.Background())
	var re *RetryError
	if !errors.As(err, &re) || re.Attempts != 3 || !strings.Contains(err.Error(), "http://"+addr+"/jenkins/whoAmI/api/json") || !strings.Contains(err.Error(), "refused") {
		t.Errorf("want 3 attempts naming URL and cause, got %v", err)
	}
}

// TestCreateTellsItsRetries: the create script learns whether an earlier attempt may have run
// in Jenkins, since only then may it take a token with its value for its own. A dropped answer
// counts; a 503 from Jenkins (starting) and a 429 do not, as nothing ran. Both encodings of the
// parameters hold the token value, so both are masked in what an error shows.
func TestCreateTellsItsRetries(t *testing.T) {
	jenkins503 := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Jenkins", "2.579")
		status(503, "")(w, r)
	}
	for _, c := range []struct {
		name      string
		firstFail func(http.HandlerFunc) http.HandlerFunc
		wantRetry bool
	}{
		{"dropped answer", func(ok http.HandlerFunc) http.HandlerFunc { return dropFirst(t, 1, ok) }, true},
		{"Jenkins starting", func(ok http.HandlerFunc) http.HandlerFunc { return failFirst(1, jenkins503, ok) }, false},
		{"too many requests", func(ok http.HandlerFunc) http.HandlerFunc { return failFirst(1, status(429, ""), ok) }, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var retries []any
			ok := func(w http.ResponseWriter, r *http.Request) {
				_, p := scriptParams(t, r)
				retries = append(retries, p["retry"])
				scriptReply(t, w, r, map[string]any{"ok": map[string]any{"token": []any{"u", "0f6c4a3e-8d2b-4c1e-9a7f-3b5d2e1c0a9b", "n", nil, false, nil, nil, nil, false}}})
			}
			f := newFake(t, c.firstFail(ok))
			value, _ := NewTokenValue()
			_, _ = f.client(t).CreateToken(context.Background(), CreateTokenInput{UserID: "u", Name: "n", Value: value, CallerValue: true, NotBefore: 1})
			if len(retries) != 1 || retries[0] != c.wantRetry {
				t.Errorf("the attempt after a %s was sent with retry = %v, want %v", c.name, retries, c.wantRetry)
			}
		})
	}
	t.Run("first attempt", func(t *testing.T) {
		var retries []any
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			_, p := scriptParams(t, r)
			retries = append(retries, p["retry"])
			scriptReply(t, w, r, map[string]any{"ok": map[string]any{"token": []any{"u", "0f6c4a3e-8d2b-4c1e-9a7f-3b5d2e1c0a9b", "n", nil, false, nil, nil, nil, false}}})
		})
		value, _ := NewTokenValue()
		_, _ = f.client(t).CreateToken(context.Background(), CreateTokenInput{UserID: "u", Name: "n", Value: value, CallerValue: true, NotBefore: 1})
		if len(retries) != 1 || retries[0] != false {
			t.Errorf("a first attempt was sent with retry = %v, want false", retries)
		}
	})
	t.Run("retry encoding masked", func(t *testing.T) {
		value, _ := NewTokenValue()
		echo := func(w http.ResponseWriter, r *http.Request) {
			// A gateway echoing the parameters (base64 JSON holding the value) in its error page.
			src, _ := scriptParams(t, r)
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(500)
			_, _ = w.Write([]byte("bad request: " + b64InScript.FindString(src)))
		}
		f := newFake(t, dropFirst(t, 1, echo))
		_, err := f.client(t).CreateToken(context.Background(), CreateTokenInput{UserID: "u", Name: "n", Value: value, CallerValue: true, NotBefore: 1})
		if err == nil {
			t.Fatal("want an error")
		}
		for i := 0; i+16 <= len(value); i += 8 {
			if strings.Contains(err.Error(), value[i:i+16]) {
				t.Fatalf("the error shows part of the token value: %v", err)
			}
		}
		if b := b64InScript.FindStringSubmatch(err.Error()); b != nil && len(b[1]) > 8 {
			t.Errorf("the error shows the retry's base64 parameters (%d characters; not printed: they hold the value)", len(b[1]))
		}
	})
}

// TestRetryLimitFromContext: WithRetryLimit lowers the retries of the calls made with that
// context (the fleet view asks many controllers and reports the ones down at once), for a plain
// request and a walk alike, and never raises them above max_retries.
func TestRetryLimitFromContext(t *testing.T) {
	for _, c := range []struct {
		limit, want int32
	}{{1, 2}, {0, 1}, {50, 6}} { // the fake client's max_retries is 5
		f := newFake(t, status(503, ""))
		ctx := WithRetryLimit(context.Background(), int(c.limit))
		_, err := f.client(t).ListTokensOf(ctx, []string{"bob"})
		var re *RetryError
		if !errors.As(err, &re) {
			t.Fatalf("limit %d: want a RetryError, got %v", c.limit, err)
		}
		if n := f.requests.Load(); n != c.want {
			t.Errorf("limit %d: requests = %d, want %d", c.limit, n, c.want)
		}
	}
}
