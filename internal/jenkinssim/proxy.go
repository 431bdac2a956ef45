package jenkinssim

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Proxy is a reverse proxy in front of a simulator with a read timeout, as nginx
// (proxy_read_timeout, 60 s by default) or a load balancer in front of Jenkins's Jetty: when the
// simulator has not sent an answer's headers within the timeout, the client gets nginx's
// 504 Gateway Time-out while the forwarded request runs on to its end in the simulator (a script
// is not stopped by its caller going away). It serves the simulator's paths under the same
// layout (URL ends with the context path), with the simulator's scheme and certificate, and keeps
// each request's Host header, as Jenkins's reverse proxy guide configures nginx
// (proxy_set_header Host $http_host), so Jenkins's absolute URLs name the proxy. Safe for
// concurrent use.
type Proxy struct {
	URL     string // the Jenkins URL through the proxy (with the context path), ends with "/"
	RootURL string // the server root through the proxy, ends with "/"
	Timeout time.Duration

	upstream  string // the simulator's scheme://host:port
	transport *http.Transport
	server    *http.Server
	ctx       context.Context // the forwarded requests': detached from the clients', ended by Close
	cancel    context.CancelFunc

	mu  sync.Mutex
	cut *proxyCut

	requests, timeouts, badGateways, cuts, pending atomic.Int64
	longest                                        atomic.Int64 // nanoseconds
}

// proxyCut is a pending CutNext.
type proxyCut struct {
	prefix string
	after  time.Duration
	skip   int // matching requests to let through first
	// body, when set, must also hold for the request's body (the test's own choice of call).
	body func([]byte) bool
}

// ProxyStats are a Proxy's counters since it started.
type ProxyStats struct {
	Requests        int64 // requests received from clients
	GatewayTimeouts int64 // 504 answers: the simulator did not answer within the timeout
	BadGateways     int64 // 502 answers: the simulator closed the connection unanswered
	Cuts            int64 // client connections closed without an answer (CutNext)
	// Upstream is how many forwarded requests the simulator has not finished answering yet,
	// those whose clients got a 504 or were cut included.
	Upstream int64
	// Longest is the longest time the simulator took to begin answering a forwarded request
	// (its headers), whether or not the client was still there.
	Longest time.Duration
}

// gatewayTimeoutPage is nginx's 504 page, byte for byte (ngx_http_special_response.c, with the
// padding nginx adds for Internet Explorer's "friendly" error pages left out).
const gatewayTimeoutPage = "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n" +
	"<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

// hopByHop are the headers of one connection, not forwarded (RFC 9110 7.6.1).
var hopByHop = []string{"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
	"Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// Proxy starts a proxy in front of s on a free loopback port, answering 504 to a request the
// simulator has not begun to answer within timeout. Close it when done.
func (s *Sim) Proxy(timeout time.Duration) (*Proxy, error) {
	if timeout <= 0 {
		return nil, fmt.Errorf("jenkinssim: proxy timeout %s: want more than 0", timeout)
	}
	host := strings.TrimSuffix(s.RootURL, "/")
	scheme, hostPort, _ := strings.Cut(host, "://")
	listenHost, _, err := net.SplitHostPort(hostPort)
	if err != nil {
		return nil, fmt.Errorf("jenkinssim: proxy: %w", err)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(listenHost, "0"))
	if err != nil {
		return nil, fmt.Errorf("jenkinssim: proxy: %w", err)
	}
	tr := s.client.http.Transport.(*http.Transport).Clone()
	// As nginx: one connection per forwarded request (proxy_http_version 1.0), the request's
	// Accept-Encoding passed on and the answer's encoding left alone.
	tr.DisableKeepAlives = true
	tr.DisableCompression = true
	tr.Proxy = nil
	ctx, cancel := context.WithCancel(context.Background())
	p := &Proxy{
		Timeout:   timeout,
		upstream:  host,
		transport: tr,
		ctx:       ctx,
		cancel:    cancel,
	}
	proxyRoot := scheme + "://" + ln.Addr().String()
	p.RootURL = proxyRoot + "/"
	p.URL = proxyRoot + strings.TrimPrefix(s.URL, host)
	p.server = &http.Server{
		Handler:           http.HandlerFunc(p.serve),
		ReadHeaderTimeout: 10 * time.Second,
		// HTTP/1.1 only, as the simulator (and a cut needs the connection itself).
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
		ErrorLog:     log.New(io.Discard, "", 0),
	}
	go func() {
		// Serve returns http.ErrServerClosed at Close; nothing else to report.
		if scheme == "https" {
			_ = p.server.ServeTLS(ln, s.tlsCertFile, s.tlsKeyFile)
		} else {
			_ = p.server.Serve(ln)
		}
	}()
	return p, nil
}

// CutNext makes the proxy close the client connection of the next request whose Jenkins path
// (after the context path, starting with "/", e.g. "/scriptText") starts with pathPrefix,
// without any answer, `after` once it received the request: a load balancer dropping a
// connection mid-call. The request is forwarded all the same and runs to its end in the
// simulator; its answer, early or late, is discarded, and no 504 is sent for it. A second
// CutNext before a request matched replaces the first.
func (p *Proxy) CutNext(pathPrefix string, after time.Duration) {
	p.CutAfter(pathPrefix, 0, after)
}

// CutWhen is CutNext for the next request under pathPrefix whose body match accepts: a test
// picks the call to cut by what it sends (the proxy itself, like nginx, reads no body).
func (p *Proxy) CutWhen(pathPrefix string, match func(body []byte) bool, after time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = &proxyCut{prefix: pathPrefix, after: after, body: match}
}

// CutAfter is CutNext for the matching request after skip others (0: the next one), to reach
// one call of several a client makes.
func (p *Proxy) CutAfter(pathPrefix string, skip int, after time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = &proxyCut{prefix: pathPrefix, after: after, skip: skip}
}

// Stats returns the proxy's counters.
func (p *Proxy) Stats() ProxyStats {
	return ProxyStats{
		Requests:        p.requests.Load(),
		GatewayTimeouts: p.timeouts.Load(),
		BadGateways:     p.badGateways.Load(),
		Cuts:            p.cuts.Load(),
		Upstream:        p.pending.Load(),
		Longest:         time.Duration(p.longest.Load()),
	}
}

// ResetLongest starts the measure of Stats().Longest again.
func (p *Proxy) ResetLongest() { p.longest.Store(0) }

// WaitUpstream waits until no forwarded request is outstanding: the simulator has answered every
// one (its answer read to the end, by the client or discarded), so the scripts behind a 504 or a
// cut have finished.
func (p *Proxy) WaitUpstream(ctx context.Context) error {
	for p.pending.Load() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

// Close stops the proxy: its listener and client connections close, and forwarded requests
// still waiting for the simulator are abandoned (the simulator finishes them regardless).
func (p *Proxy) Close() error {
	err := p.server.Close()
	p.cancel()
	return err
}

// upstreamResult is what a forwarded request came back with.
type upstreamResult struct {
	resp *http.Response
	err  error
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	p.requests.Add(1)
	received := time.Now()
	// The body is read whole before forwarding (nginx's proxy_request_buffering): the forwarded
	// request does not depend on the client's connection.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return // the client went away while sending
	}
	cut := p.takeCut(r.URL.Path, body)
	up, err := http.NewRequestWithContext(p.ctx, r.Method, p.upstream+r.RequestURI, bytes.NewReader(body))
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	up.Header = r.Header.Clone()
	for _, h := range hopByHop {
		up.Header.Del(h)
	}
	up.Header.Del("Expect") // the body is here already: no 100-continue round with the simulator
	up.Host = r.Host
	up.ContentLength = int64(len(body))
	if len(body) == 0 && r.ContentLength <= 0 {
		up.Body = http.NoBody
	}

	p.pending.Add(1)
	results := make(chan upstreamResult, 1)
	go func() {
		start := time.Now()
		resp, err := p.transport.RoundTrip(up) //nolint:bodyclose // finish closes it, in relay or after abandon
		took := int64(time.Since(start))
		for prev := p.longest.Load(); took > prev && !p.longest.CompareAndSwap(prev, took); prev = p.longest.Load() {
		}
		results <- upstreamResult{resp, err}
	}()
	// abandon leaves the forwarded request to finish on its own: its late answer is read and
	// discarded, as nginx discards what comes after it gave up.
	abandon := func() {
		go func() {
			p.finish(<-results)
		}()
	}

	if cut != nil {
		timer := time.NewTimer(time.Until(received.Add(cut.after)))
		defer timer.Stop()
		abandon()
		select {
		case <-timer.C:
		case <-r.Context().Done():
			return // the client left first: nothing to cut
		}
		p.cuts.Add(1)
		p.closeUnanswered(w)
		return
	}

	timer := time.NewTimer(p.Timeout)
	defer timer.Stop()
	select {
	case res := <-results:
		p.relay(w, res)
	case <-timer.C:
		abandon()
		p.timeouts.Add(1)
		h := w.Header()
		h.Set("Server", "nginx")
		h.Set("Content-Type", "text/html")
		h.Set("Content-Length", fmt.Sprint(len(gatewayTimeoutPage)))
		w.WriteHeader(http.StatusGatewayTimeout)
		if r.Method != http.MethodHead {
			_, _ = io.WriteString(w, gatewayTimeoutPage)
		}
	case <-r.Context().Done():
		abandon() // the client gave up; the simulator carries on
	}
}

// relay streams the simulator's answer to the client unchanged (hop-by-hop headers aside).
func (p *Proxy) relay(w http.ResponseWriter, res upstreamResult) {
	if res.err != nil {
		p.finish(res)
		p.badGateways.Add(1)
		// nginx's answer when the upstream connection fails before an answer.
		w.Header().Set("Server", "nginx")
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, strings.ReplaceAll(gatewayTimeoutPage, "504 Gateway Time-out", "502 Bad Gateway"))
		return
	}
	defer p.finish(res)
	h := w.Header()
	for k, vs := range res.resp.Header {
		h[k] = vs
	}
	for _, k := range hopByHop {
		h.Del(k)
	}
	w.WriteHeader(res.resp.StatusCode)
	rc := http.NewResponseController(w)
	buf := make([]byte, 32*1024)
	for {
		n, err := res.resp.Body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return // the client went away: finish discards the rest
			}
			_ = rc.Flush()
		}
		if err != nil {
			return
		}
	}
}

// finish reads what is left of a forwarded request's answer and marks it done.
func (p *Proxy) finish(res upstreamResult) {
	if res.resp != nil {
		_, _ = io.Copy(io.Discard, res.resp.Body)
		res.resp.Body.Close()
	}
	p.pending.Add(-1)
}

// closeUnanswered closes the client's connection without writing anything.
func (p *Proxy) closeUnanswered(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // the server closes the connection unanswered
	}
	_ = conn.Close()
}

// takeCut returns and clears the pending cut if path (the request's, with the context path)
// matches it.
func (p *Proxy) takeCut(path string, body []byte) *proxyCut {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut == nil {
		return nil
	}
	rel := strings.TrimPrefix(path, p.contextPath())
	if !strings.HasPrefix(rel, p.cut.prefix) || (p.cut.body != nil && !p.cut.body(body)) {
		return nil
	}
	if p.cut.skip > 0 {
		p.cut.skip--
		return nil
	}
	c := p.cut
	p.cut = nil
	return c
}

// contextPath is the simulator's context path ("" or e.g. "/jenkins").
func (p *Proxy) contextPath() string {
	return strings.TrimSuffix(strings.TrimPrefix(p.URL, strings.TrimSuffix(p.RootURL, "/")), "/")
}
