package jenkins

import (
	"context"
	"index/suffixarray"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// maskText replaces secrets in text shown to users or written to logs.
const maskText = "***"

// hexRun catches API token values the client was never told about: new tokens
// are "11"+32 hex, legacy ones 32 hex, crumbs 64 hex. Real prose never holds
// 32 hex digits in a row, so masking every such run costs nothing.
var hexRun = regexp.MustCompile(`[0-9a-fA-F]{32,}`)

// masker holds every secret the client has seen: the password, the Basic header value, crumbs,
// session cookies and token values it created.
//
// How a secret is masked depends on its shape, so that messages stay readable:
//   - Long secrets (strongSecretLen characters or more: API tokens, crumbs, the Basic
//     credential) are masked wherever they occur, also percent-encoded.
//   - Short ones (a password such as "admin") are masked where they occur as a whole value,
//     between characters that cannot be part of a user ID: "password=admin&" is masked, the
//     user IDs "sysadmin" and "admin-bot" stay readable.
//   - Base64 secrets (the Basic credential, script parameters) are masked in pieces too: any
//     run of 8 or more base64 characters that is part of one, also when percent-encoded.
//   - Echoed credential headers (Authorization, Cookie, the crumb header) lose their values.
//   - Anything shaped like a Jenkins token (hexRun) is masked.
//
// Text is masked whole, before it is cut to length: a cut must never leave a secret's head
// unmasked because its tail fell off.
type masker struct {
	mu      sync.RWMutex
	secrets map[string]struct{}
	sorted  []string // longest first, so a secret containing another is masked whole
	// strong masks every long secret (and its query escape) in one pass, whatever their number:
	// a run creating a thousand tokens knows two thousand secrets, and a 64 MiB answer must not
	// be scanned once per secret. bounded are the short ones (masked as whole values only).
	strong  *strings.Replacer
	bounded []string
	b64     map[string]struct{}
	// logStrong and logBounded are what logCtx registers with tflog, rebuilt when a secret is
	// added (not per request: every request logs).
	logStrong  []string
	logBounded []*regexp.Regexp
	// dirty: a secret was added since sorted, strong, bounded and the log masks were built; the
	// next reader rebuilds them (fresh), once for all the secrets added meanwhile (a batch of
	// creates adds ten before its call), not once per secret. boundedRE keeps each short
	// secret's expression, compiled once.
	dirty     bool
	boundedRE map[string]*regexp.Regexp
}

// strongSecretLen: from this length a secret is masked wherever it occurs.
const strongSecretLen = 12

func newMasker() *masker {
	return &masker{secrets: map[string]struct{}{}, b64: map[string]struct{}{}, boundedRE: map[string]*regexp.Regexp{}}
}

func (m *masker) add(secrets ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if _, ok := m.secrets[s]; !ok {
			m.secrets[s] = struct{}{}
			m.dirty = true
		}
	}
}

// fresh rebuilds what masks the secrets if one was added since it was built. The caller holds
// mu for writing.
func (m *masker) fresh() {
	if m.dirty {
		m.dirty = false
		m.sorted = m.sorted[:0]
		for s := range m.secrets {
			m.sorted = append(m.sorted, s)
		}
		sort.Slice(m.sorted, func(i, j int) bool { return len(m.sorted[i]) > len(m.sorted[j]) })
		m.logStrong, m.logBounded, m.bounded = m.logStrong[:0], m.logBounded[:0], m.bounded[:0]
		var pairs []string
		for _, sec := range m.sorted {
			// A secret that is not UTF-8 (a cookie from a broken server) cannot be part of a
			// regular expression: it is masked wherever it occurs, as a long one is, never
			// compiled (a panic would print it).
			if isStrong(sec) {
				m.logStrong = append(m.logStrong, sec)
				pairs = append(pairs, sec, maskText)
				if esc := url.QueryEscape(sec); esc != sec {
					pairs = append(pairs, esc, maskText)
				}
			} else {
				re := m.boundedRE[sec]
				if re == nil {
					re = regexp.MustCompile(`(?:^|[^` + wordClass + `])` + regexp.QuoteMeta(sec) + `(?:$|[^` + wordClass + `])`)
					m.boundedRE[sec] = re
				}
				m.bounded = append(m.bounded, sec)
				m.logBounded = append(m.logBounded, re)
			}
		}
		m.strong = strings.NewReplacer(pairs...)
	}
}

// isStrong: a secret masked wherever it occurs (see masker).
func isStrong(sec string) bool { return len(sec) >= strongSecretLen || !utf8.ValidString(sec) }

// addBase64 registers a base64 secret, masked whole and in pieces.
func (m *masker) addBase64(b64 string) {
	if b64 == "" {
		return
	}
	m.add(b64)
	m.mu.Lock()
	m.b64[b64] = struct{}{}
	m.mu.Unlock()
}

// replacers returns the one-pass replacer of the long secrets and the short secrets.
func (m *masker) replacers() (*strings.Replacer, []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fresh()
	return m.strong, append([]string(nil), m.bounded...)
}

func (m *masker) base64Secrets() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]string, 0, len(m.b64))
	for s := range m.b64 {
		out = append(out, s)
	}
	return out
}

// credentialHeaders are echoed request headers that carry a credential (a gateway's debug page,
// a proxy error that dumps the request, as text or JSON): their values are blanked.
var credentialHeaders = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\b((?:proxy-)?authorization)(["']?\s*[:=]\s*["']?)(?:(?:basic|bearer|digest|negotiate|token)\s+)?[^\s"'<>,;]+`),
	regexp.MustCompile(`(?i)\b((?:set-)?cookie)(["']?\s*[:=]\s*["']?)(?:[^\s;"'<>]+;\s*)*[^\s;"'<>]+`),
	regexp.MustCompile(`(?i)\b(jenkins-crumb)(["']?\s*[:=]\s*["']?)[^\s"'<>,;&]+`),
}

// b64Piece is a run of base64 characters, "+", "/" and "=" possibly percent-encoded, long
// enough to carry part of a secret.
var b64Piece = regexp.MustCompile(`(?:[A-Za-z0-9+/]|%2[BbFf]){8,}(?:=|%3[Dd]){0,2}`)

// mask masks the known secrets and the extra ones of this call (such as the base64
// parameters of one script, which a Groovy compile error would echo): see masker.
func (m *masker) mask(s string, extraB64 ...string) string {
	if s == "" {
		return s
	}
	for _, re := range credentialHeaders {
		s = re.ReplaceAllString(s, "${1}${2}"+maskText)
	}
	// The extra secrets of this call first: they are the longest (a script's parameters).
	for _, sec := range extraB64 {
		if sec == "" {
			continue
		}
		s = strings.ReplaceAll(s, sec, maskText)
		if esc := url.QueryEscape(sec); esc != sec {
			s = strings.ReplaceAll(s, esc, maskText)
		}
	}
	strong, bounded := m.replacers()
	if strong != nil {
		s = strong.Replace(s)
	}
	for _, sec := range bounded {
		s = replaceBounded(s, sec)
	}
	pieces := newPieceIndex(append(m.base64Secrets(), extraB64...))
	s = b64Piece.ReplaceAllStringFunc(s, func(run string) string {
		if pieces.holds(strings.TrimRight(percentB64.Replace(run), "=")) {
			return maskText
		}
		return run
	})
	return hexRun.ReplaceAllString(s, maskText)
}

// pieceIndex answers "is this run part of one of the base64 secrets?" in time that grows with
// the run's length, not with the secrets' size: a suffix array over the secrets, joined by a
// character no base64 run holds. Checking each run of a large answer against a large script
// parameter with strings.Contains cost the product of their sizes (a 4 MiB body took a minute).
type pieceIndex struct{ idx *suffixarray.Index }

func newPieceIndex(secrets []string) pieceIndex {
	var b []byte
	for _, s := range secrets {
		if s != "" {
			b = append(append(b, s...), '\n')
		}
	}
	if len(b) == 0 {
		return pieceIndex{}
	}
	return pieceIndex{idx: suffixarray.New(b)}
}

func (p pieceIndex) holds(run string) bool {
	return p.idx != nil && run != "" && len(p.idx.Lookup([]byte(run), 1)) > 0
}

var percentB64 = strings.NewReplacer("%2B", "+", "%2b", "+", "%2F", "/", "%2f", "/", "%3D", "=", "%3d", "=")

// replaceBounded masks the occurrences of sec that are not part of a longer word: the
// characters around it are not letters or digits.
func replaceBounded(s, sec string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, sec)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(sec)
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[end:])
		b.WriteString(s[:i])
		if (i == 0 || !isWordRune(before)) && (end == len(s) || !isWordRune(after)) {
			b.WriteString(maskText)
		} else {
			b.WriteString(sec)
		}
		s = s[end:]
	}
}

// idPunct are the characters besides letters and digits that user IDs and host names are made
// of: a short secret next to one of them is part of a longer word, so that "sysadmin" and
// "admin-bot" stay readable when the password is "admin". wordClass is the same set as the body
// of a regular-expression character class, for the log masks.
const (
	idPunct   = "-_.@"
	wordClass = `\pL\pN\-_.@`
)

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(idPunct, r)
}

// sanitize turns an answer's body into text fit for an error message: HTML reduced to its
// text, every secret masked, then cut to limit characters.
//
// Only what can be shown is masked: the text is first cut to limit plus the length of the
// longest secret, so that a secret starting before the cut is still masked whole, and a large
// body costs no more than that.
func (m *masker) sanitize(body []byte, limit int, extraB64 ...string) string {
	text := bodyText(body)
	// 128: room for a token-shaped run (hexRun) the client was never told about.
	window := limit + max(m.longest(extraB64), 128) + 16
	if len(text) > window {
		text = text[:window]
	}
	return cut(m.mask(text, extraB64...), limit)
}

// longest is the length of the longest secret, the extra ones included, as it may appear
// (query-escaped).
func (m *masker) longest(extra []string) int {
	n := 0
	for _, s := range extra {
		n = max(n, len(url.QueryEscape(s)))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fresh()
	if len(m.sorted) > 0 {
		n = max(n, len(url.QueryEscape(m.sorted[0])))
	}
	return n
}

// logCtx registers the client's secrets as tflog masks, so that even a field added by a later
// change cannot leak them. Short secrets are masked as whole values only, as in mask.
func (m *masker) logCtx(ctx context.Context) context.Context {
	m.mu.Lock()
	m.fresh()
	strong := append([]string(nil), m.logStrong...)
	bounded := append([]*regexp.Regexp(nil), m.logBounded...)
	m.mu.Unlock()
	if len(strong) > 0 {
		ctx = tflog.MaskAllFieldValuesStrings(ctx, strong...)
		ctx = tflog.MaskMessageStrings(ctx, strong...)
	}
	bounded = append(append(bounded, hexRun), credentialHeaders...)
	ctx = tflog.MaskAllFieldValuesRegexes(ctx, bounded...)
	return tflog.MaskMessageRegexes(ctx, bounded...)
}

// bodyText is an answer's body as text: Jenkins error pages are whole HTML documents, so tags
// are stripped to read in a terminal.
func bodyText(b []byte) string {
	s := string(b)
	if strings.Contains(strings.ToLower(s[:min(len(s), 512)]), "<html") || strings.HasPrefix(strings.TrimSpace(s), "<") {
		s = htmlText(s)
	}
	return strings.TrimSpace(s)
}

// cut keeps text short (the interesting part of an error is near the top), on a UTF-8
// boundary. Only ever applied to text already masked.
func cut(s string, limit int) string {
	if len(s) > limit {
		n := limit
		for n > 0 && !utf8Start(s[n]) {
			n--
		}
		s = s[:n] + "…"
	}
	return s
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

var (
	scriptStyle = regexp.MustCompile(`(?is)<(script|style)[^>]*>.*?</(script|style)>`)
	tag         = regexp.MustCompile(`(?s)<[^>]*>`)
	spaces      = regexp.MustCompile(`\s+`)
)

func htmlText(s string) string {
	s = scriptStyle.ReplaceAllString(s, " ")
	s = tag.ReplaceAllString(s, " ")
	s = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'", "&amp;", "&", "&nbsp;", " ").Replace(s)
	return spaces.ReplaceAllString(s, " ")
}
