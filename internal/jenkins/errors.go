package jenkins

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// APIError is a non-2xx answer from Jenkins (or from whatever answers at the
// configured URL). Body is trimmed and has every secret the client knows masked,
// so the error can be shown to users and logged as is.
type APIError struct {
	StatusCode int
	Method     string
	Path       string
	Body       string // trimmed, masked
	// Jenkins is true when the response carried X-Jenkins or X-Hudson, i.e.
	// it really came from Jenkins and not from a proxy or another server.
	Jenkins bool
	// RequiredPermission is Jenkins's X-Required-Permission header on a 403
	// (e.g. hudson.model.Hudson.Administer), AuthenticatedAs its
	// X-You-Are-Authenticated-As header: both name what is missing.
	RequiredPermission string
	AuthenticatedAs    string
	// Location is the redirect target of a 3xx answer that was not followed.
	Location string

	retryAfter    string // Retry-After header, for the retry loop
	crumbRejected bool   // a 403 "No valid crumb was included in the request"
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Jenkins answered %s %s with HTTP %d %s", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Location != "" {
		fmt.Fprintf(&b, " (redirect to %s)", e.Location)
	}
	if e.AuthenticatedAs != "" {
		fmt.Fprintf(&b, "; authenticated as %q", e.AuthenticatedAs)
	}
	if e.RequiredPermission != "" {
		fmt.Fprintf(&b, "; required permission %s", e.RequiredPermission)
	}
	if e.Body != "" {
		fmt.Fprintf(&b, ": %s", e.Body)
	}
	return b.String()
}

// CrumbError is a POST that Jenkins kept refusing for want of a valid CSRF
// crumb even after the client fetched a fresh one.
type CrumbError struct {
	Method, Path string
	Cause        error
}

func (e *CrumbError) Error() string {
	return fmt.Sprintf("Jenkins rejected %s %s for lack of a valid CSRF crumb even after fetching a new one from /crumbIssuer/api/json: %v", e.Method, e.Path, e.Cause)
}
func (e *CrumbError) Unwrap() error { return e.Cause }

// NotJenkinsError says the URL answers, but not like Jenkins (an HTML page of
// some other server, a login proxy, an empty answer where Jenkins always writes
// something).
type NotJenkinsError struct {
	URL    string
	Reason string
}

func (e *NotJenkinsError) Error() string {
	return fmt.Sprintf("%s does not look like Jenkins: %s (check the server URL, including any context path such as /jenkins/)", e.URL, e.Reason)
}

// UserNotFoundError names every requested user that Jenkins does not know.
type UserNotFoundError struct {
	UserIDs []string
}

func (e *UserNotFoundError) Error() string {
	q := make([]string, len(e.UserIDs))
	for i, id := range e.UserIDs {
		q[i] = fmt.Sprintf("%q", id)
	}
	if len(q) == 1 {
		return fmt.Sprintf("Jenkins has no user %s", q[0])
	}
	return fmt.Sprintf("Jenkins has no users %s", strings.Join(q, ", "))
}

// TokenNotFoundError: the user exists but holds no token with that UUID.
type TokenNotFoundError struct {
	UserID, UUID string
}

func (e *TokenNotFoundError) Error() string {
	return fmt.Sprintf("Jenkins user %q has no API token with UUID %s", e.UserID, e.UUID)
}

// UnsupportedError: the Jenkins version lacks a feature (e.g. token expiration
// dates before 2.548).
type UnsupportedError struct {
	Feature string
	Version string // may be empty when unknown
	Need    string
}

func (e *UnsupportedError) Error() string {
	v := e.Version
	if v == "" {
		v = "this Jenkins"
	} else {
		v = "Jenkins " + v
	}
	return fmt.Sprintf("%s needs Jenkins %s or later; %s does not support it", e.Feature, e.Need, v)
}

// ResponseTooLargeError: an answer longer than the client accepts for that call, the bound on
// what one call can cost.
type ResponseTooLargeError struct {
	Method, Path string
	Limit        int
}

func (e *ResponseTooLargeError) Error() string {
	return fmt.Sprintf("Jenkins answered %s %s with more than %d MiB, the most this provider reads from one call (a listing "+
		"of 10,000 users and 50,000 tokens is about 5 MB). Check that server_url points at Jenkins and not at something "+
		"that streams other content, or narrow the listing with user_ids", e.Method, e.Path, e.Limit>>20)
}

// DowngradeError: Jenkins (or a proxy) redirected an https:// request to http://. The client
// does not follow: the credentials would go over the network in cleartext.
type DowngradeError struct {
	From, To string
}

func (e *DowngradeError) Error() string {
	return fmt.Sprintf("refused to follow a redirect from %s to %s: it would send the credentials in cleartext. "+
		"Check server_url and the reverse proxy's redirects (for example its idea of the scheme behind TLS termination)", e.From, e.To)
}

// CrossOriginRedirectError: Jenkins, or something in front of it, redirected to another host or
// port. Go would send the credentials there (to the same host name on any port, and to its
// subdomains), so the client does not follow.
type CrossOriginRedirectError struct {
	From, To string
}

func (e *CrossOriginRedirectError) Error() string {
	return fmt.Sprintf("refused to follow a redirect from %s to %s: it leads to another host or port, which would receive "+
		"the credentials. Set server_url to the URL Jenkins is served at (its root URL in Manage Jenkins > System)", e.From, e.To)
}

// ExpirationInPastError: a token's expiration date is before Jenkins's today (in the
// controller's time zone), so the token could never log in. Nothing was created.
type ExpirationInPastError struct {
	Date  string // as requested
	Today string // Jenkins's today
}

func (e *ExpirationInPastError) Error() string {
	return fmt.Sprintf("the expiration date %s is before Jenkins's today (%s, in the controller's time zone): the token would "+
		"already be expired. Choose a date from %s on", e.Date, e.Today, e.Today)
}

// InvalidInputError: the client refused its input before sending anything.
type InvalidInputError struct{ Err error }

func (e *InvalidInputError) Error() string { return e.Err.Error() }
func (e *InvalidInputError) Unwrap() error { return e.Err }

// TokenValueInUseError: a value given in a configuration is already the value
// of another token of the user (not a retry of this create).
type TokenValueInUseError struct {
	UserID, UUID, Name string
}

func (e *TokenValueInUseError) Error() string {
	return fmt.Sprintf("the token value is already the value of token %s (%q) of Jenkins user %q; each token needs a value of its own "+
		"(two resources holding one token would revoke each other's)", e.UUID, e.Name, e.UserID)
}

// ScriptError is a script-console run that did not end with the framed JSON
// result: a Groovy exception, a compile error, or an error object reported by
// the script itself that has no more specific type.
type ScriptError struct {
	Script string // template name, e.g. "list_tokens"
	// Exception is the first exception line of the output, e.g.
	// "groovy.lang.MissingMethodException: No signature of method: ..."
	// (masked). For script-reported errors it is "<type>: <message>".
	Exception string
	Output    string // masked excerpt of the raw output
}

func (e *ScriptError) Error() string {
	msg := fmt.Sprintf("Jenkins script %q failed", e.Script)
	if e.Exception != "" {
		msg += ": " + e.Exception
	}
	if e.Output != "" && !strings.Contains(e.Output, e.Exception) || e.Exception == "" && e.Output != "" {
		msg += "\noutput:\n" + e.Output
	}
	return msg
}

// RetryError is a request given up after retries: it names the URL and wraps
// the last cause, so predicates such as IsNotFound still see through it.
type RetryError struct {
	Method, URL string
	Attempts    int
	Reason      string // "retry budget of 2m0s exhausted", "5 retries exhausted"
	Last        error
}

func (e *RetryError) Error() string {
	return fmt.Sprintf("giving up on %s %s after %d attempts (%s): %v", e.Method, e.URL, e.Attempts, e.Reason, e.Last)
}
func (e *RetryError) Unwrap() error { return e.Last }

func statusIs(err error, code int) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.StatusCode == code
}

// IsNotFound: an HTTP 404, an unknown user or an unknown token.
func IsNotFound(err error) bool {
	var u *UserNotFoundError
	var t *TokenNotFoundError
	return statusIs(err, http.StatusNotFound) || errors.As(err, &u) || errors.As(err, &t)
}

// IsUserNotFound: Jenkins does not know one of the users named.
func IsUserNotFound(err error) bool {
	var u *UserNotFoundError
	return errors.As(err, &u)
}

// IsTokenNotFound: the user exists but the token does not.
func IsTokenNotFound(err error) bool {
	var t *TokenNotFoundError
	return errors.As(err, &t)
}

// IsUnauthorized: Jenkins rejected the username/password or API token (401).
func IsUnauthorized(err error) bool { return statusIs(err, http.StatusUnauthorized) }

// IsForbidden: authenticated but lacking a permission (403), crumb errors
// included.
func IsForbidden(err error) bool { return statusIs(err, http.StatusForbidden) || IsCrumbError(err) }

// IsCrumbError: CSRF protection kept rejecting a POST.
func IsCrumbError(err error) bool {
	var c *CrumbError
	return errors.As(err, &c)
}

// IsNotJenkins: the URL answers, but not as Jenkins does.
func IsNotJenkins(err error) bool {
	var n *NotJenkinsError
	return errors.As(err, &n)
}

// IsScriptError: a script-console run failed inside Jenkins.
func IsScriptError(err error) bool {
	var s *ScriptError
	return errors.As(err, &s)
}

// IsUnsupported: the Jenkins version lacks the feature.
func IsUnsupported(err error) bool {
	var u *UnsupportedError
	return errors.As(err, &u)
}

// IsTLSError: the TLS handshake failed (unknown CA, wrong host name, expired
// certificate, or plain HTTP on an https URL). Setting ca_cert usually helps.
func IsTLSError(err error) bool {
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	var cv *tls.CertificateVerificationError
	var rh tls.RecordHeaderError
	return errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) ||
		errors.As(err, &cv) || errors.As(err, &rh)
}

// IsUnreachable reports whether err says that Jenkins could not be reached: the connection
// failed or was cut (TransportError), or the retries ended on such failures or on a proxy's
// gateway answers (502, 504, a 503 that is not Jenkins's). A Jenkins that answered, even with an
// error, was reached.
func IsUnreachable(err error) bool {
	var te *TransportError
	if errors.As(err, &te) {
		return true
	}
	var re *RetryError
	if !errors.As(err, &re) {
		return false
	}
	var ae *APIError
	if errors.As(re.Last, &ae) {
		return ae.StatusCode == http.StatusBadGateway || ae.StatusCode == http.StatusGatewayTimeout ||
			(ae.StatusCode == http.StatusServiceUnavailable && !ae.Jenkins)
	}
	return re.Last != nil
}
