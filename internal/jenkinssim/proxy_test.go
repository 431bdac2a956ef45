package jenkinssim

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// startProxy starts a proxy in front of s for one test.
func startProxy(t *testing.T, s *Sim, timeout time.Duration) *Proxy {
	t.Helper()
	p, err := s.Proxy(timeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// scriptAt posts src with params to the script console under base (the simulator's URL or a
// proxy's) as the admin with an API token, as the provider does, and returns the answer, or the
// transport error when there was none.
func scriptAt(t *testing.T, s *Sim, base, src string, params any) (response, error) {
	t.Helper()
	full, err := withParams(src, params)
	if err != nil {
		t.Fatal(err)
	}
	token, err := s.client.ensureAdminToken(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(testCtx(t), http.MethodPost, base+"scriptText", strings.NewReader(url.Values{"script": {full}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(s.AdminUser, token)
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	return response{resp.StatusCode, resp.Header, string(b)}, nil
}

// markScript sleeps params.ms, then leaves a mark: a saved user record params.id.
const markScript = `Thread.sleep(params.ms as long)
User.getById(params.id, true).save()
print 'marked'`

// marked says whether markScript left its mark in s.
func marked(t *testing.T, s *Sim, id string) bool {
	t.Helper()
	return script(t, s, `print(User.getById(params.id, false)?.simIsSaved() == true)`, map[string]string{"id": id}) == "true"
}

func waitUpstream(t *testing.T, p *Proxy) {
	t.Helper()
	if err := p.WaitUpstream(testCtx(t)); err != nil {
		t.Fatalf("the forwarded requests did not finish: %v", err)
	}
}

// A request the simulator answers in time passes through unchanged; Jenkins sees the client's
// Host, so its absolute URLs name the proxy.
func TestProxyPassesThrough(t *testing.T) {
	p := startProxy(t, shared, 3*time.Second)
	src := `print Jenkins.get().rootUrl`
	direct, err := scriptAt(t, shared, shared.URL, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	proxied, err := scriptAt(t, shared, p.URL, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if direct.Status != 200 || proxied.Status != 200 {
		t.Fatalf("status %d direct, %d through the proxy", direct.Status, proxied.Status)
	}
	if direct.Body != shared.URL || proxied.Body != p.URL {
		t.Errorf("root URL %q direct, %q through the proxy; want %q, %q", direct.Body, proxied.Body, shared.URL, p.URL)
	}
	direct.Header.Del("Date")
	proxied.Header.Del("Date")
	if got, want := headerText(proxied.Header), headerText(direct.Header); got != want {
		t.Errorf("headers through the proxy:\n%s\nwant:\n%s", got, want)
	}
	// An error page too: status, headers and body as Jenkins sent them.
	r := call(t, shared, "GET", "user/nobody-there/api/json", shared.AdminUser, shared.AdminPassword, nil, nil)
	pr := proxyGet(t, p, "user/nobody-there/api/json")
	pr.Header.Del("Date")
	r.Header.Del("Date")
	if pr.Status != r.Status || pr.Body != r.Body || headerText(pr.Header) != headerText(r.Header) {
		t.Errorf("through the proxy: %d %s %q, direct: %d %s %q", pr.Status, headerText(pr.Header), pr.Body, r.Status, headerText(r.Header), r.Body)
	}
	if st := p.Stats(); st.Requests != 2 || st.GatewayTimeouts != 0 || st.Cuts != 0 {
		t.Errorf("stats %+v", st)
	}
}

func proxyGet(t *testing.T, p *Proxy, path string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(testCtx(t), http.MethodGet, p.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(shared.AdminUser, shared.AdminPassword)
	resp, err := shared.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, string(b)}
}

func headerText(h http.Header) string {
	var b strings.Builder
	_ = h.Write(&b)
	return b.String()
}

// A script slower than the proxy's read timeout: the client gets nginx's 504 at the timeout,
// and the script runs to its end in the simulator.
func TestProxyGatewayTimeout(t *testing.T) {
	const timeout = time.Second
	p := startProxy(t, shared, timeout)
	id := uniqueID(t, "behind504")
	start := time.Now()
	r, err := scriptAt(t, shared, p.URL, markScript, map[string]any{"id": id, "ms": 2500})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != http.StatusGatewayTimeout || r.Header.Get("Server") != "nginx" ||
		!strings.Contains(r.Body, "<title>504 Gateway Time-out</title>") || r.Header.Get("X-Jenkins") != "" {
		t.Errorf("answer %d %s %q, want nginx's 504", r.Status, headerText(r.Header), r.Body)
	}
	if took < timeout {
		t.Errorf("the 504 came after %s, before the timeout %s", took, timeout)
	}
	if st := p.Stats(); st.GatewayTimeouts != 1 || st.Upstream != 1 {
		t.Errorf("stats right after the 504: %+v, want one timeout and one request still running", st)
	}
	waitUpstream(t, p)
	if !marked(t, shared, id) {
		t.Error("the script behind the 504 did not complete")
	}
}

// A cut closes the client's connection without an answer, and the script still completes; the
// cut is one-shot.
func TestProxyCut(t *testing.T) {
	p := startProxy(t, shared, 3*time.Second)
	id := uniqueID(t, "cut")
	const after = 500 * time.Millisecond
	p.CutNext("/user/", time.Millisecond) // another path: not this one
	p.CutNext("/scriptText", after)       // replaces it
	start := time.Now()
	r, err := scriptAt(t, shared, p.URL, markScript, map[string]any{"id": id, "ms": 1000})
	took := time.Since(start)
	if err == nil {
		t.Fatalf("an answer came through a cut connection: %d %q", r.Status, r.Body)
	}
	if took < after {
		t.Errorf("cut after %s, want at least %s", took, after)
	}
	waitUpstream(t, p)
	if !marked(t, shared, id) {
		t.Error("the script behind the cut did not complete")
	}
	// The cut was used up: the next call is answered.
	if r, err := scriptAt(t, shared, p.URL, `print 'ok'`, nil); err != nil || r.Status != 200 || r.Body != "ok" {
		t.Errorf("after the cut: %v %d %q", err, r.Status, r.Body)
	}
	if st := p.Stats(); st.Cuts != 1 || st.Requests != 2 || st.GatewayTimeouts != 0 {
		t.Errorf("stats %+v", st)
	}
}

// Start options: the latencies from Options, kept by Reset; a proxy under a context path.
func TestProxyContextPathAndStartLatency(t *testing.T) {
	const realm, save = 40 * time.Millisecond, 30 * time.Millisecond
	s := startOwn(t, Options{ContextPath: "/jenkins", RealmLatency: realm, SaveLatency: save})
	ctx := testCtx(t)
	if err := s.SetLatency(ctx, 0, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if r, sv, err := s.Latency(ctx); err != nil || r != realm || sv != save {
		t.Errorf("after Reset: %s, %s, %v; want the start options %s, %s", r, sv, err, realm, save)
	}
	p := startProxy(t, s, 2*time.Second)
	if !strings.HasSuffix(p.URL, "/jenkins/") || p.RootURL+"jenkins/" != p.URL {
		t.Errorf("proxy URLs %s %s", p.URL, p.RootURL)
	}
	id := uniqueID(t, "ctx")
	p.CutNext("/scriptText", 200*time.Millisecond)
	if _, err := scriptAt(t, s, p.URL, markScript, map[string]any{"id": id, "ms": 400}); err == nil {
		t.Error("the cut under the context path did not happen")
	}
	waitUpstream(t, p)
	if !marked(t, s, id) {
		t.Error("the script behind the cut did not complete")
	}
	if r, err := scriptAt(t, s, p.URL, `print Jenkins.get().rootUrl`, nil); err != nil || r.Body != p.URL {
		t.Errorf("root URL through the proxy: %v %q, want %q", err, r.Body, p.URL)
	}
}
