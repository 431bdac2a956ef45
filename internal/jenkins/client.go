// Package jenkins is the provider's Jenkins client: one request funnel (auth,
// user agent, CSRF crumbs, retries, typed errors with secrets masked) and the
// token operations, done through the script console with embedded Groovy
// templates or through Jenkins's own token endpoints. It has no Terraform
// types in it.
package jenkins

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Config is what the provider block gives the client.
type Config struct {
	BaseURL        string        // e.g. https://ci.example.com/jenkins/ (context path allowed; trailing slash optional)
	Username       string        //
	Password       string        // a password or an API token
	CACertPEM      []byte        // extra trusted roots (PEM content); nil = system roots
	Insecure       bool          // skip TLS verification
	RequestTimeout time.Duration // per attempt; 0 = 2 minutes
	MaxRetries     int           // attempts after the first; negative = default 5
	RetryBudget    time.Duration // total time spent retrying a request; 0 = 2 minutes
	// ScriptTimeBudget: how long one call of a script that walks many users or tokens works in
	// Jenkins before it stops and reports where (walk.go); 0 = DefaultScriptTimeBudget.
	ScriptTimeBudget time.Duration
	UserAgent        string // "terraform-provider-jenkins/<version>"
}

const (
	defaultRequestTimeout = 2 * time.Minute
	defaultMaxRetries     = 5
	defaultRetryBudget    = 2 * time.Minute
	defaultUserAgent      = "terraform-provider-jenkins"
)

// Client talks to one Jenkins. It is safe for concurrent use.
type Client struct {
	base       *url.URL // always ends with "/"
	username   string
	password   string
	authHeader string
	userAgent  string
	http       *http.Client
	timeout    time.Duration
	maxRetries int
	budget     time.Duration
	// scriptBudget: Config.ScriptTimeBudget.
	scriptBudget time.Duration
	// backoffBase and backoffMax shape the exponential backoff; tests shrink them.
	backoffBase, backoffMax time.Duration

	masker *masker
	crumb  crumbState

	verMu   sync.Mutex
	version Version

	info infoCache
	// listings remembers recent token listings for the reads of a plan (listing_memo.go).
	listings listingMemo
	own      ownCredentialCache

	// onResponse, when set (benchmarks), sees the size of every response body.
	onResponse func(bytes int)
}

// New validates cfg and builds the transport. It makes no network call, so
// the provider can configure itself before Jenkins is reachable.
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.BaseURL) == "" {
		return nil, errors.New("the Jenkins URL is empty")
	}
	// Credentials in the URL are refused before anything else, so that no message repeats them.
	if HasUserInfo(cfg.BaseURL) {
		return nil, errors.New("the Jenkins URL must not carry credentials (user:password@); use username and password")
	}
	u, err := url.Parse(strings.TrimSpace(cfg.BaseURL))
	if err != nil {
		return nil, fmt.Errorf("the Jenkins URL %q is not a URL", RedactURL(cfg.BaseURL))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("the Jenkins URL %q must start with http:// or https://", RedactURL(cfg.BaseURL))
	}
	if u.Host == "" {
		return nil, fmt.Errorf("the Jenkins URL %q has no host", RedactURL(cfg.BaseURL))
	}
	if u.User != nil {
		return nil, errors.New("the Jenkins URL must not carry credentials; use username and password")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("the Jenkins URL %q must not have a query or fragment", RedactURL(cfg.BaseURL))
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	if cfg.Username == "" {
		return nil, errors.New("the Jenkins username is empty")
	}
	if cfg.Password == "" {
		return nil, errors.New("the Jenkins password or API token is empty")
	}
	// Jenkins decodes Basic credentials as UTF-8, so other bytes could never log in; and the
	// masker could not match them. Neither message repeats the value.
	if !utf8.ValidString(cfg.Username) {
		return nil, errors.New("the Jenkins username is not valid UTF-8 text: check its encoding")
	}
	if !utf8.ValidString(cfg.Password) {
		return nil, errors.New("the Jenkins password or API token is not valid UTF-8 text: check its encoding (for example of JENKINS_PASSWORD)")
	}

	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.Insecure} //nolint:gosec // the user asked for it
	if len(cfg.CACertPEM) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(cfg.CACertPEM) {
			return nil, errors.New("the CA certificate holds no PEM certificate")
		}
		tlsCfg.RootCAs = pool
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tlsCfg

	c := &Client{
		base:        u,
		username:    cfg.Username,
		password:    cfg.Password,
		authHeader:  "Basic " + base64.StdEncoding.EncodeToString([]byte(cfg.Username+":"+cfg.Password)),
		userAgent:   cfg.UserAgent,
		timeout:     cfg.RequestTimeout,
		maxRetries:  cfg.MaxRetries,
		budget:      cfg.RetryBudget,
		backoffBase: 500 * time.Millisecond,
		backoffMax:  30 * time.Second,
		masker:      newMasker(),
	}
	if c.userAgent == "" {
		c.userAgent = defaultUserAgent
	}
	if c.timeout <= 0 {
		c.timeout = defaultRequestTimeout
	}
	if c.maxRetries < 0 {
		c.maxRetries = defaultMaxRetries
	}
	c.scriptBudget = cfg.ScriptTimeBudget
	if c.scriptBudget <= 0 {
		c.scriptBudget = DefaultScriptTimeBudget
	}
	if c.budget <= 0 {
		c.budget = defaultRetryBudget
	}
	c.masker.add(cfg.Password)
	c.masker.addBase64(strings.TrimPrefix(c.authHeader, "Basic "))
	c.http = &http.Client{
		Transport: tr,
		// A POST redirected by Go becomes a GET without its body; Jenkins then
		// answers the script console with an empty page. Better to stop and
		// report the redirect (usually http:// vs https:// or a missing
		// context path). GETs may follow redirects.
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			// Go resends the Authorization header to the same host whatever the scheme and port,
			// and to its subdomains: a redirect from https:// to http:// would send the
			// credentials in cleartext, one to another port or host to another server.
			if len(via) > 0 && via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
				return &DowngradeError{From: via[len(via)-1].URL.Redacted(), To: req.URL.Redacted()}
			}
			if len(via) > 0 && via[0].Method != http.MethodGet {
				return http.ErrUseLastResponse // not followed: the 3xx is reported, naming the target
			}
			if len(via) > 0 && !sameOrigin(via[0].URL, req.URL) {
				return &CrossOriginRedirectError{From: via[len(via)-1].URL.Redacted(), To: req.URL.Redacted()}
			}
			if len(via) >= 10 {
				return errors.New("stopped after 10 redirects")
			}
			return nil
		},
	}
	return c, nil
}

// sameOrigin reports whether a and b have the same scheme, host and port (the default port of
// the scheme when none is given).
func sameOrigin(a, b *url.URL) bool {
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		if strings.EqualFold(u.Scheme, "https") {
			return "443"
		}
		return "80"
	}
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

// RedactURL is raw with any user information (user:password@) replaced, for messages: it works
// on text that does not parse as a URL too, so a malformed URL cannot show a password either.
func RedactURL(raw string) string {
	rest := raw
	prefix := ""
	if i := strings.Index(raw, "://"); i >= 0 {
		prefix, rest = raw[:i+3], raw[i+3:]
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		return prefix + "REDACTED@" + rest[at+1:]
	}
	return raw
}

// HasUserInfo reports whether raw carries user information (user:password@ before the host).
func HasUserInfo(raw string) bool { return RedactURL(raw) != raw }

// BaseURL is the Jenkins URL, always with a trailing slash.
func (c *Client) BaseURL() string { return c.base.String() }

// Username is the configured user name.
func (c *Client) Username() string { return c.username }

// rememberVersion keeps the X-Jenkins value of any response.
func (c *Client) rememberVersion(h http.Header) {
	s := h.Get("X-Jenkins")
	if s == "" {
		return
	}
	v, err := ParseVersion(s)
	if err != nil {
		return
	}
	c.verMu.Lock()
	c.version = v
	c.verMu.Unlock()
}

// JenkinsVersion returns the version from the X-Jenkins header of any
// response seen so far, or asks /whoAmI/api/json once (the one JSON page
// Jenkins serves to every authenticated caller, with X-Jenkins set).
func (c *Client) JenkinsVersion(ctx context.Context) (Version, error) {
	c.verMu.Lock()
	v := c.version
	c.verMu.Unlock()
	if !v.IsZero() {
		return v, nil
	}
	if _, err := c.WhoAmI(ctx); err != nil {
		return Version{}, err
	}
	c.verMu.Lock()
	v = c.version
	c.verMu.Unlock()
	if v.IsZero() {
		return Version{}, &NotJenkinsError{URL: c.BaseURL(), Reason: "its answer to /whoAmI/api/json has no X-Jenkins header"}
	}
	return v, nil
}

// WhoAmIResult is Jenkins's /whoAmI/api/json.
type WhoAmIResult struct {
	Name          string   `json:"name"`
	Anonymous     bool     `json:"anonymous"`
	Authenticated bool     `json:"authenticated"`
	Authorities   []string `json:"authorities"`
}

// WhoAmI checks the credentials: it answers with the identity Jenkins sees.
func (c *Client) WhoAmI(ctx context.Context) (WhoAmIResult, error) {
	var w WhoAmIResult
	err := c.getJSON(ctx, "whoAmI/api/json", &w)
	return w, err
}
