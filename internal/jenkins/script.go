package jenkins

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// The Groovy templates, one per operation. They are constant text: the only
// thing substituted is paramsPlaceholder, inside a single-quoted Groovy string
// literal, with standard base64 (A-Z a-z 0-9 + / =), which cannot end the
// literal or start an interpolation. No user string ever becomes Groovy
// source.
//
// No secret is ever part of the script either: Jenkins hands the script text to its script
// listeners before running it (core's DefaultScriptListener logs it at FINE from 2.427, the
// audit-trail plugin writes it to its audit log), but not the request's other form fields. A
// secret the script needs travels as a form field of the same POST (scriptFields), which the
// script reads from Stapler's current request (lib/request_field.groovy).
//
//go:embed scripts/*.groovy scripts/lib/*.groovy
var scriptFS embed.FS

const paramsPlaceholder = "@@PARAMS_BASE64@@"

// markerPrefix makes the frame easy to spot in a raw output dump.
const markerPrefix = "TFJ"

// scriptEnvelope is what every template prints between two markers.
// scriptFailure is an expected failure the script caught itself.
type scriptFailure struct {
	Type    string   `json:"type"`
	Message string   `json:"message"`
	UserIDs []string `json:"userIds"`
	UserID  string   `json:"userId"`
	UUID    string   `json:"uuid"`
	Name    string   `json:"name"`
	Today   string   `json:"today"`
}

func scriptSource(name string) (string, error) {
	b, err := scriptFS.ReadFile("scripts/" + name + ".groovy")
	if err != nil {
		return "", fmt.Errorf("no embedded script %q: %w", name, err)
	}
	src := string(b)
	if strings.Count(src, paramsPlaceholder) != 1 {
		return "", fmt.Errorf("embedded script %q must hold the parameter placeholder exactly once", name)
	}
	// The shared functions go after the template, so that its imports stay first and its line
	// numbers stay as written; Groovy script methods may be defined after their use.
	libs, err := fs.Glob(scriptFS, "scripts/lib/*.groovy")
	if err != nil {
		return "", err
	}
	for _, lib := range libs {
		b, err := scriptFS.ReadFile(lib)
		if err != nil {
			return "", err
		}
		src += "\n" + string(b)
	}
	return src, nil
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// scriptFields are form fields posted beside the script, for the secrets a script needs (a
// token value to add): field name to value. They never become part of the script text, which
// Jenkins logs; the script reads them with requestField(name). Their values are masked in
// everything the client shows or logs.
type scriptFields map[string]string

// tokenValueField carries the value of a token to create (create_token.groovy).
const tokenValueField = "tokenValue"

// tokenValuesField carries the values of the tokens a batch creates, joined by commas
// (write_tokens.groovy).
const tokenValuesField = "tokenValues"

// runScript runs template name on /scriptText with params and decodes the
// "ok" value into out. params must hold no secret (they are part of the script text).
// Every template is written to be safe to run twice, so script calls are
// retried like GETs.
func (c *Client) runScript(ctx context.Context, name string, params map[string]any, out any) error {
	src, err := scriptSource(name)
	if err != nil {
		return err
	}
	return c.runScriptSource(ctx, name, src, params, nil, out)
}

// runScriptSource is runScript with the template's source and form fields given: tests run
// their own templates (an echo of the parameters) through the same encoding,
// request and decoding as the embedded ones.
func (c *Client) runScriptSource(ctx context.Context, name, src string, params map[string]any, fields scriptFields, out any) error {
	return c.runScriptWith(ctx, name, src, params, fields, false, out, false)
}

// runScriptTellingRetries is runScript for a template that must know whether this is a
// retry: the parameter "retry" is false in the first attempt and true in every later one (the
// first may have run in Jenkins with its answer lost). The create script uses it to take a token
// it finds for its own only on a retry.
func (c *Client) runScriptTellingRetries(ctx context.Context, name string, params map[string]any, fields scriptFields, out any) error {
	src, err := scriptSource(name)
	if err != nil {
		return err
	}
	return c.runScriptWith(ctx, name, src, params, fields, true, out, false)
}

// runScriptWith runs a script (src "" = the embedded template name). walk marks a call of a walk
// (walk.go): a call cut off before its answer is returned, not retried, for the walk to continue.
func (c *Client) runScriptWith(ctx context.Context, name, src string, params map[string]any, fields scriptFields, tellRetries bool, out any, walk bool) error {
	if src == "" {
		var err error
		if src, err = scriptSource(name); err != nil {
			return err
		}
	}
	if !readOnlyScripts[name] {
		c.listings.wrote()
		defer c.listings.wrote()
	}
	marker, err := randomHex(16)
	if err != nil {
		return err
	}
	marker = markerPrefix + marker
	if params == nil {
		params = map[string]any{}
	}
	params["marker"] = marker
	if retry, _ := params["retry"].(bool); tellRetries && !retry {
		params["retry"] = false // a walk sends true after a call cut off (walker.tellRetries)
	}
	form, b64, err := encodeScript(name, src, params, fields)
	if err != nil {
		return err
	}
	req := &request{
		method:      http.MethodPost,
		path:        "scriptText",
		body:        form,
		contentType: "application/x-www-form-urlencoded",
		wellKnown:   true,
		// The parameters hold no secret, but user IDs and names an error need not repeat in
		// pieces: masked whole and in pieces as before (see masker.mask).
		secrets:  []string{b64},
		maxBytes: maxScriptBody,
		walk:     walk,
	}
	for _, v := range fields {
		c.masker.add(v)
		req.secrets = append(req.secrets, v)
	}
	if tellRetries {
		params["retry"] = true
		retryForm, retryB64, err := encodeScript(name, src, params, fields)
		if err != nil {
			return err
		}
		req.retryBody = retryForm
		req.secrets = append(req.secrets, retryB64)
	}
	resp, err := c.do(ctx, req)
	if err != nil {
		return err
	}
	return c.decodeScriptOutput(name, resp, marker, req.secrets, out)
}

// encodeScript puts params, as one base64 JSON literal, into the template's placeholder and
// returns the form body to post (the script and the fields) and the base64 text.
func encodeScript(name, src string, params map[string]any, fields scriptFields) ([]byte, string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(params); err != nil {
		return nil, "", fmt.Errorf("encoding the parameters of script %q: %w", name, err)
	}
	b64 := base64.StdEncoding.EncodeToString(bytes.TrimSpace(buf.Bytes()))
	src = strings.Replace(src, paramsPlaceholder, groovyLiteralChunks(b64), 1)
	form := url.Values{"script": {src}}
	for k, v := range fields {
		if k == "script" {
			return nil, "", fmt.Errorf("script %q: the form field \"script\" is the script itself", name)
		}
		form.Set(k, v)
	}
	return []byte(form.Encode()), b64, nil
}

// maxGroovyLiteral keeps each string literal under the JVM's limit of 65,535 bytes for a
// constant: a longer literal fails to compile ("String too long"), on Jenkins as here. Base64 is
// ASCII, so characters are bytes.
const maxGroovyLiteral = 60000

// groovyLiteralChunks renders b64, which replaces the placeholder inside a single-quoted
// literal, as several literals joined with +: 'AAAA' + 'BBBB'. Long parameter lists (a cleanup
// revoking thousands of tokens) then still compile.
func groovyLiteralChunks(b64 string) string {
	if len(b64) <= maxGroovyLiteral {
		return b64
	}
	var b strings.Builder
	for len(b64) > maxGroovyLiteral {
		b.WriteString(b64[:maxGroovyLiteral])
		b.WriteString("' + '")
		b64 = b64[maxGroovyLiteral:]
	}
	b.WriteString(b64)
	return b.String()
}

// decodeScriptOutput finds the framed JSON result in a script's output and decodes its "ok"
// value straight into out, without intermediate copies of the (possibly large) answer.
func (c *Client) decodeScriptOutput(name string, resp *response, marker string, b64 []string, out any) error {
	i := bytes.Index(resp.body, []byte(marker))
	j := bytes.LastIndex(resp.body, []byte(marker))
	if i < 0 || j <= i {
		body := string(resp.body)
		trimmed := strings.TrimSpace(body)
		if trimmed == "" && !resp.fromJenkins() {
			return &NotJenkinsError{URL: c.BaseURL(), Reason: "its script console (/scriptText) answered an empty page; Jenkins always prints a result or a stack trace"}
		}
		lower := strings.ToLower(trimmed[:min(len(trimmed), 1024)])
		if resp.mediaType() == "text/html" && strings.Contains(lower, "<html") && !resp.fromJenkins() {
			return &NotJenkinsError{URL: c.BaseURL(), Reason: "its script console (/scriptText) answered an HTML page instead of the script's plain-text output"}
		}
		return &ScriptError{
			Script:    name,
			Exception: exceptionLine(c.masker.mask(body, b64...)),
			Output:    c.masker.sanitize(resp.body, 2000, b64...),
		}
	}
	env := struct {
		OK    any            `json:"ok"`
		Error *scriptFailure `json:"error"`
	}{OK: out}
	if out == nil {
		env.OK = &json.RawMessage{}
	}
	if err := json.Unmarshal(resp.body[i+len(marker):j], &env); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return &ScriptError{Script: name, Exception: "unexpected result shape: " + err.Error()}
		}
		return &ScriptError{Script: name, Exception: "the script printed malformed JSON: " + err.Error(),
			Output: c.masker.sanitize(resp.body, 2000, b64...)}
	}
	if env.Error != nil {
		return c.scriptFailureError(name, env.Error)
	}
	return nil
}

func (c *Client) scriptFailureError(name string, f *scriptFailure) error {
	switch f.Type {
	case "userNotFound":
		return &UserNotFoundError{UserIDs: f.UserIDs}
	case "tokenNotFound":
		return &TokenNotFoundError{UserID: f.UserID, UUID: f.UUID}
	case "unsupported":
		return &UnsupportedError{Feature: f.Message, Need: VersionExpiringTokens, Version: c.knownVersion()}
	case "expirationInPast":
		return &ExpirationInPastError{Today: f.Today}
	case "valueInUse":
		return &TokenValueInUseError{UserID: f.UserID, UUID: f.UUID, Name: f.Name}
	}
	return &ScriptError{Script: name, Exception: c.masker.mask(f.Type + ": " + f.Message)}
}

func (c *Client) knownVersion() string {
	c.verMu.Lock()
	defer c.verMu.Unlock()
	return c.version.String()
}

// A Jenkins stack trace (Functions.printThrowable) starts with the root
// cause: "pkg.SomeException: message". Compile errors start with
// "org.codehaus.groovy.control.MultipleCompilationErrorsException: startup failed:".
// hudson.util.FormValidation (thrown by User.save() for a prohibited id or name) prints as
// "ERROR: <HTML-escaped message>".
var exceptionRE = regexp.MustCompile(`^(Caused: )?(([A-Za-z_$][\w$]*\.)+[A-Za-z_$][\w$]*(Exception|Error|Throwable)\b|ERROR: )`)

func exceptionLine(out string) string {
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if exceptionRE.MatchString(line) {
			if strings.HasPrefix(strings.TrimPrefix(line, "Caused: "), "ERROR: ") {
				line = html.UnescapeString(strings.ReplaceAll(line, "<br>", " "))
			}
			if len(line) > 500 {
				line = line[:500] + "…"
			}
			return line
		}
	}
	return "the script printed no result (no marker in its output)"
}
