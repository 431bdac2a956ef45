package jenkins

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// maskText replaces secrets in text shown to users or written to logs.
const maskText = "***"

// hexRun catches API token values the client was never told about: new tokens
// are "11"+32 hex, legacy ones 32 hex, crumbs 64 hex. Real prose never holds
// 32 hex digits in a row, so masking every such run costs nothing.
var hexRun = regexp.MustCompile(`[0-9a-fA-F]{32,}`)

// masker holds every secret the client has seen: the password, the Basic
// header value, crumbs, session cookies and token values it created.
type masker struct {
	mu      sync.RWMutex
	secrets map[string]struct{}
	sorted  []string // longest first, so a secret containing another is masked whole
}

func newMasker() *masker { return &masker{secrets: map[string]struct{}{}} }

func (m *masker) add(secrets ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	changed := false
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if _, ok := m.secrets[s]; !ok {
			m.secrets[s] = struct{}{}
			changed = true
		}
	}
	if changed {
		m.sorted = m.sorted[:0]
		for s := range m.secrets {
			m.sorted = append(m.sorted, s)
		}
		sort.Slice(m.sorted, func(i, j int) bool { return len(m.sorted[i]) > len(m.sorted[j]) })
	}
}

func (m *masker) list() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return append([]string(nil), m.sorted...)
}

// mask masks the known secrets, the extra ones of this call (such as the
// base64 parameters of one script, which a Groovy compile error would echo),
// and every long hex run.
func (m *masker) mask(s string, extra ...string) string {
	if s == "" {
		return s
	}
	for _, e := range extra {
		if e != "" {
			s = strings.ReplaceAll(s, e, maskText)
		}
	}
	for _, sec := range m.list() {
		s = strings.ReplaceAll(s, sec, maskText)
	}
	return hexRun.ReplaceAllString(s, maskText)
}

// logCtx registers the client's secrets as tflog masks, so that even a field
// added by a later change cannot leak them.
func (m *masker) logCtx(ctx context.Context) context.Context {
	secrets := m.list()
	if len(secrets) > 0 {
		ctx = tflog.MaskAllFieldValuesStrings(ctx, secrets...)
		ctx = tflog.MaskMessageStrings(ctx, secrets...)
	}
	ctx = tflog.MaskAllFieldValuesRegexes(ctx, hexRun)
	return tflog.MaskMessageRegexes(ctx, hexRun)
}

// trimBody keeps error bodies short: Jenkins error pages are whole HTML
// documents, and the interesting part (the message) is near the top. Tags
// are stripped so the text reads in a terminal.
func trimBody(b []byte, limit int) string {
	s := string(b)
	if strings.Contains(strings.ToLower(s[:min(len(s), 512)]), "<html") || strings.HasPrefix(strings.TrimSpace(s), "<") {
		s = htmlText(s)
	}
	s = strings.TrimSpace(s)
	if len(s) > limit {
		cut := limit
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
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
