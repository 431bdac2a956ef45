package jenkins

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// doRetry sends r until it gets an answer worth returning: a success, a
// non-retryable error, or the end of the retries or of the time budget.
// Retried: transport errors, 429, 502, 503 (Jenkins starting or
// restarting) and 504. Every request the client sends is safe to repeat
// (GETs, and scripts written to be idempotent), so one that may already have
// reached Jenkins is re-sent too.
func (c *Client) doRetry(ctx context.Context, r *request) (*response, error) {
	start := time.Now()
	deadline := start.Add(c.budget)
	for n := 1; ; n++ {
		resp, err := c.attempt(ctx, r, n)
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s %s: %w", r.method, c.redactedURL(r), context.Cause(ctx))
		}
		ok, wait := c.retryable(r, err)
		if !ok {
			return resp, c.wrapTransport(r, err)
		}
		if limit := retryLimit(ctx, c.maxRetries); n > limit {
			return nil, &RetryError{Method: r.method, URL: c.redactedURL(r), Attempts: n,
				Reason: fmt.Sprintf("%d retries exhausted", limit), Last: c.wrapTransport(r, err)}
		}
		if wait <= 0 {
			wait = c.backoff(n)
		}
		if time.Now().Add(wait).After(deadline) {
			reason := fmt.Sprintf("retry budget of %s exhausted", c.budget)
			if wait > c.budget {
				reason = fmt.Sprintf("Jenkins asked to wait %s, beyond the retry budget of %s", wait.Round(time.Second), c.budget)
			}
			return nil, &RetryError{Method: r.method, URL: c.redactedURL(r), Attempts: n, Reason: reason, Last: c.wrapTransport(r, err)}
		}
		tflog.Debug(ctx, "Retrying Jenkins request", map[string]any{
			"method": r.method, "path": "/" + r.path, "attempt": n, "wait_ms": wait.Milliseconds(),
			"cause": c.masker.mask(err.Error(), r.secrets...), // an APIError body may quote secrets
		})
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("%s %s: %w (while waiting to retry after: %v)", r.method, c.redactedURL(r), context.Cause(ctx), c.wrapTransport(r, err))
		case <-t.C:
		}
	}
}

// retryable decides whether to send again and how long Jenkins asked us to
// wait (0 = use backoff).
func (c *Client) retryable(r *request, err error) (bool, time.Duration) {
	if r.walk && cutOff(c.wrapTransport(r, err)) {
		return false, 0 // the walk continues from its last position with a smaller budget
	}
	var ae *APIError
	if errors.As(err, &ae) {
		switch ae.StatusCode {
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			// Neither processed the request: safe to repeat anything.
			return true, parseRetryAfter(ae.retryAfter, time.Now())
		case http.StatusBadGateway, http.StatusGatewayTimeout:
			// A proxy may have forwarded the request before failing: fine, since every request
			// the client sends is safe to repeat (GETs, and scripts written to be idempotent).
			return true, parseRetryAfter(ae.retryAfter, time.Now())
		}
		return false, 0
	}
	if IsTLSError(err) {
		return false, 0 // a certificate problem does not heal by itself
	}
	var tooLarge *ResponseTooLargeError
	if errors.As(err, &tooLarge) {
		return false, 0 // the same answer again
	}
	var downgrade *DowngradeError
	var crossOrigin *CrossOriginRedirectError
	if errors.As(err, &downgrade) || errors.As(err, &crossOrigin) {
		return false, 0 // a redirect refused for the credentials' sake: the same redirect again
	}
	// A transport error: the request may or may not have reached Jenkins. Every request the
	// client sends is safe to repeat, so it is sent again.
	return true, 0
}

// parseRetryAfter reads delta-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// backoff is capped exponential with jitter: base, 2*base, 4*base, ... up
// to backoffMax, each scaled by a random factor in [0.75, 1.25).
func (c *Client) backoff(n int) time.Duration {
	d := c.backoffBase
	for i := 1; i < n && d < c.backoffMax; i++ {
		d *= 2
	}
	d = min(d, c.backoffMax)
	return time.Duration(float64(d) * (0.75 + rand.Float64()/2)) //nolint:gosec // jitter needs no cryptographic randomness
}

// redactedURL is the request URL for messages, without the query. URLs
// never hold secrets (New refuses credentials in the URL; parameters travel in
// bodies), so they are not masked: masking a short password would garble them.
func (c *Client) redactedURL(r *request) string {
	return c.base.String() + strings.TrimPrefix(r.path, "/")
}

// wrapTransport gives transport errors the URL. net/http's messages hold the
// URL and addresses only, never a body or header, so they need no masking.
func (c *Client) wrapTransport(r *request, err error) error {
	var ae *APIError
	if errors.As(err, &ae) {
		return err
	}
	return &TransportError{Method: r.method, URL: c.redactedURL(r), Err: err}
}

// TransportError is a failure below HTTP: connection refused or reset, DNS,
// TLS, timeout.
type TransportError struct {
	Method, URL string
	Err         error
}

func (e *TransportError) Error() string {
	hint := ""
	if IsTLSError(e.Err) {
		hint = " (the server certificate is not trusted: set ca_cert to the CA that signed it, or insecure = true for testing)"
	}
	return fmt.Sprintf("%s %s: %s%s", e.Method, e.URL, e.Err, hint)
}
func (e *TransportError) Unwrap() error { return e.Err }

type retryLimitKey struct{}

// WithRetryLimit lowers, for the calls made with ctx, how many times the client sends a request
// again (never raises it above max_retries). A caller that asks many controllers at once and
// reports the ones that do not answer (the fleet view) wants to know fast, not after 15 s of
// backoff per controller that is down.
func WithRetryLimit(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, retryLimitKey{}, n)
}

// retryLimit is the retry limit for ctx: maxRetries, or less (WithRetryLimit).
func retryLimit(ctx context.Context, maxRetries int) int {
	if n, ok := ctx.Value(retryLimitKey{}).(int); ok && n < maxRetries {
		return max(n, 0)
	}
	return maxRetries
}
