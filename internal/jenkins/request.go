package jenkins

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// maxBody bounds what the client reads from one response other than a script's.
const maxBody = 16 << 20

// maxScriptBody bounds a script-console answer: listing 10,000 users and 50,000 tokens is about
// 5 MB, so 64 MiB is a dozen times the largest real inventory measured, and what decoding it
// costs is measured (TestDecodeCostOfTheLargestAnswer). A larger answer is an error that says so.
const maxScriptBody = 64 << 20

// errBodyMax is how much of an error body an APIError keeps.
const errBodyMax = 1000

// request is one logical call. Its body is kept as bytes so the funnel can
// replay it after a crumb refresh or a retryable failure.
type request struct {
	method string
	path   string // relative to the base URL, already escaped, no leading slash
	query  url.Values
	body   []byte
	// retryBody, when set, is sent instead of body once an earlier attempt may have run in
	// Jenkins (anything but an answer from Jenkins's crumb or authentication filters, which
	// stop a request before it runs).
	retryBody   []byte
	mayHaveRun  bool
	contentType string
	// wellKnown marks an endpoint every Jenkins serves (/scriptText,
	// /whoAmI/api/json, ...): a 404 there means the URL is not Jenkins.
	wellKnown bool
	// maxBytes bounds the answer (0: maxBody).
	maxBytes int
	// walk: a call of a walk (walk.go); a cut-off call is returned to the walk, not retried.
	walk bool
	// secrets of this request only (e.g. the base64 script parameters that
	// hold a token value), masked in errors and logs.
	secrets []string

	// set per attempt by the crumb logic
	crumbField, crumbValue string
	jar                    http.CookieJar
}

// response is a fully read answer; bodies are always drained and closed.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r *response) fromJenkins() bool {
	return r.header.Get("X-Jenkins") != "" || r.header.Get("X-Hudson") != ""
}

func (r *response) mediaType() string {
	mt, _, _ := mime.ParseMediaType(r.header.Get("Content-Type"))
	return mt
}

func (c *Client) url(r *request) string {
	s := c.base.String() + strings.TrimPrefix(r.path, "/")
	if len(r.query) > 0 {
		s += "?" + r.query.Encode()
	}
	return s
}

// do is the funnel every call goes through: auth, user agent, crumbs,
// retries, typed errors.
// isSessionCookie: Jenkins's (Jetty's) session cookie is JSESSIONID.<instance hash>; other
// servlet containers in front of it use JSESSIONID too.
func isSessionCookie(name string) bool {
	return strings.HasPrefix(strings.ToUpper(name), "JSESSIONID")
}

func (c *Client) do(ctx context.Context, r *request) (*response, error) {
	ctx = c.masker.logCtx(ctx)
	if len(r.secrets) > 0 {
		ctx = tflog.MaskAllFieldValuesStrings(ctx, r.secrets...)
		ctx = tflog.MaskMessageStrings(ctx, r.secrets...)
	}
	refreshed := false
	for {
		gen := 0
		if r.method != http.MethodGet {
			r.crumbField, r.crumbValue, r.jar, gen = c.crumb.get()
		}
		resp, err := c.doRetry(ctx, r)
		var ae *APIError
		if r.method != http.MethodGet && errors.As(err, &ae) && ae.crumbRejected {
			if refreshed {
				return nil, &CrumbError{Method: r.method, Path: "/" + r.path, Cause: err}
			}
			if ferr := c.refreshCrumb(ctx, gen); ferr != nil {
				return nil, &CrumbError{Method: r.method, Path: "/" + r.path, Cause: fmt.Errorf("%w; fetching a crumb failed: %w", err, ferr)}
			}
			refreshed = true
			continue
		}
		if errors.As(err, &ae) && r.wellKnown && !ae.Jenkins && (ae.StatusCode == http.StatusNotFound || ae.StatusCode == http.StatusMethodNotAllowed) {
			return nil, &NotJenkinsError{URL: c.BaseURL(), Reason: fmt.Sprintf("%s /%s answered HTTP %d, and every Jenkins serves that path", r.method, r.path, ae.StatusCode)}
		}
		return resp, err
	}
}

// attempt sends the request once and reads the whole answer.
func (c *Client) attempt(ctx context.Context, r *request, n int) (*response, error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	sent := r.body
	if r.mayHaveRun && r.retryBody != nil {
		sent = r.retryBody
	}
	var body io.Reader
	if sent != nil {
		body = bytes.NewReader(sent)
	}
	target := c.url(r)
	req, err := http.NewRequestWithContext(actx, r.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("building %s /%s: %w", r.method, r.path, err)
	}
	if sent != nil {
		b := sent
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	req.Header.Set("Authorization", c.authHeader)
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json, text/plain;q=0.9, */*;q=0.5")
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if r.crumbValue != "" {
		req.Header.Set(r.crumbField, r.crumbValue)
	}
	if r.jar != nil {
		for _, ck := range r.jar.Cookies(req.URL) {
			req.AddCookie(ck)
		}
	}

	start := time.Now()
	hresp, err := c.http.Do(req)
	fields := map[string]any{"method": r.method, "path": "/" + r.path, "attempt": n}
	if err != nil {
		var op *net.OpError
		if !errors.As(err, &op) || op.Op != "dial" {
			r.mayHaveRun = true // sent, or partly: Jenkins may have run it
		}
		fields["duration_ms"] = time.Since(start).Milliseconds()
		fields["error"] = err.Error()
		tflog.Debug(ctx, "Jenkins request failed", fields)
		return nil, err
	}
	defer hresp.Body.Close()
	limit := r.maxBytes
	if limit == 0 {
		limit = maxBody
	}
	data, rerr := io.ReadAll(io.LimitReader(hresp.Body, int64(limit)+1))
	// Drain what is left so the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(hresp.Body, 1<<20))
	fields["status"] = hresp.StatusCode
	fields["duration_ms"] = time.Since(start).Milliseconds()
	fields["bytes"] = len(data)
	if c.onResponse != nil {
		c.onResponse(len(data))
	}
	tflog.Debug(ctx, "Jenkins request", fields)
	if rerr != nil {
		// The connection broke while reading: as every request is safe to repeat, this is
		// retried like any transport error.
		r.mayHaveRun = true
		return nil, fmt.Errorf("reading the answer to %s /%s: %w", r.method, r.path, rerr)
	}
	if len(data) > limit {
		r.mayHaveRun = true
		return nil, &ResponseTooLargeError{Method: r.method, Path: "/" + r.path, Limit: limit}
	}
	c.rememberVersion(hresp.Header)
	if r.jar != nil {
		if cks := hresp.Cookies(); len(cks) > 0 {
			r.jar.SetCookies(req.URL, cks)
			// Only the session cookie is a credential (a crumb is bound to it); a load
			// balancer's stickiness cookie is not. Registered in one call: a flood of cookies
			// from a broken server must not cost a rebuild of the masks per cookie.
			var sessions []string
			for _, ck := range cks {
				if isSessionCookie(ck.Name) {
					sessions = append(sessions, ck.Value)
				}
			}
			c.masker.add(sessions...)
		}
	}
	resp := &response{status: hresp.StatusCode, header: hresp.Header, body: data}
	if hresp.StatusCode >= 200 && hresp.StatusCode < 300 {
		r.mayHaveRun = true
		return resp, nil
	}
	ae := c.apiError(r, resp)
	// Refusals that come before anything runs: the crumb and authentication filters, and
	// Jenkins turning requests away while it starts or is too busy.
	refusedBeforeRunning := ae.crumbRejected || ae.StatusCode == http.StatusUnauthorized ||
		ae.StatusCode == http.StatusTooManyRequests || (ae.StatusCode == http.StatusServiceUnavailable && ae.Jenkins)
	if !refusedBeforeRunning {
		r.mayHaveRun = true
	}
	return resp, ae
}

func (c *Client) apiError(r *request, resp *response) *APIError {
	return &APIError{
		StatusCode:         resp.status,
		Method:             r.method,
		Path:               "/" + r.path,
		Body:               c.masker.sanitize(resp.body, errBodyMax, r.secrets...),
		Jenkins:            resp.fromJenkins(),
		RequiredPermission: resp.header.Get("X-Required-Permission"),
		AuthenticatedAs:    resp.header.Get("X-You-Are-Authenticated-As"),
		Location:           c.masker.mask(resp.header.Get("Location")),
		retryAfter:         resp.header.Get("Retry-After"),
		crumbRejected: resp.status == http.StatusForbidden &&
			bytes.Contains(resp.body, []byte("No valid crumb was included in the request")),
	}
}

// getJSON GETs a Jenkins JSON page. HTML or garbage where JSON belongs means
// something other than Jenkins answers.
func (c *Client) getJSON(ctx context.Context, path string, out any) error {
	resp, err := c.do(ctx, &request{method: http.MethodGet, path: path, wellKnown: true})
	if err != nil {
		return err
	}
	if err := json.Unmarshal(resp.body, out); err != nil {
		if !resp.fromJenkins() || resp.mediaType() == "text/html" {
			return &NotJenkinsError{URL: c.BaseURL(), Reason: fmt.Sprintf("GET /%s answered %s instead of Jenkins JSON", path, describeBody(resp))}
		}
		return fmt.Errorf("decoding the answer to GET /%s: %w", path, err)
	}
	return nil
}

func describeBody(resp *response) string {
	mt := resp.mediaType()
	if mt == "" {
		mt = "no content type"
	}
	if len(bytes.TrimSpace(resp.body)) == 0 {
		return "an empty body (" + mt + ")"
	}
	return "a " + mt + " page"
}
