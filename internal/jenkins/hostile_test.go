package jenkins

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A hostile or broken Jenkins must not pin the CPU past the request's deadline: masking costs
// time in proportion to what is shown and to the answer's size, not to the product of the answer
// and a script's parameters, nor to the number of secrets the client knows.

func randomBase64(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n*3/4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// TestMaskingALargeAnswerIsFast: a 4 MiB error body of base64-looking text, a 1 MiB script
// parameter, and two thousand token values known to the client (a run that created a thousand
// tokens). Masking used to compare every base64 run of the body with the whole parameter, and
// to scan the body once per secret: a minute and more.
func TestMaskingALargeAnswerIsFast(t *testing.T) {
	m := newMasker()
	var tokens []string
	for i := 0; i < 1000; i++ {
		v, err := NewTokenValue()
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, v, v[2:])
	}
	m.add(tokens...)
	param := randomBase64(t, 1<<20)
	var body strings.Builder
	for body.Len() < 4<<20 {
		body.WriteString(randomBase64(t, 64) + " ")
	}
	// The parameter and a token, echoed in the middle of it, must still be masked.
	body.WriteString("echo " + param[1000:1100] + " and " + tokens[7] + " end")
	start := time.Now()
	shown := m.sanitize([]byte(body.String()), 2000, param)
	whole := m.mask(body.String(), param)
	took := time.Since(start)
	if took > 10*time.Second {
		t.Errorf("masking a 4 MiB answer took %s", took)
	}
	t.Logf("masking a 4 MiB answer with a 1 MiB parameter and 2,000 secrets: %s", took.Round(time.Millisecond))
	if strings.Contains(whole, param[1000:1100]) || strings.Contains(whole, tokens[7]) {
		t.Error("a secret survived masking of the whole answer")
	}
	if len(shown) > 2000+len("…") {
		t.Errorf("sanitize kept %d bytes", len(shown))
	}
}

// TestSanitizeMasksASecretAcrossTheCut: masking only what is shown must still mask a secret
// that starts before the cut and ends after it.
func TestSanitizeMasksASecretAcrossTheCut(t *testing.T) {
	m := newMasker()
	v, err := NewTokenValue()
	if err != nil {
		t.Fatal(err)
	}
	m.add(v)
	param := randomBase64(t, 3000)
	for _, secret := range []string{v, param, param[500:540]} {
		for _, at := range []int{1990, 1999, 1980} {
			body := strings.Repeat("x ", at/2) + secret + strings.Repeat(" y", 5000)
			got := m.sanitize([]byte(body), 2000, param)
			if strings.Contains(got, secret[:8]) {
				t.Errorf("a secret starting at %d shows its head: %q", at, got[len(got)-40:])
			}
		}
	}
}

// TestSetCookieFlood: a server answering with thousands of cookies costs linear time, and only
// the session cookie becomes a secret (a stickiness cookie is not one).
func TestSetCookieFlood(t *testing.T) {
	j := &crumbJenkins{sessions: map[string]string{}}
	crumbs := j.handle(t)
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/crumbIssuer/api/json" {
			for i := 0; i < 2000; i++ {
				http.SetCookie(w, &http.Cookie{Name: fmt.Sprintf("flood%d", i), Value: fmt.Sprintf("v%06d", i), Path: "/"})
			}
		}
		crumbs(w, r)
	})
	c := f.client(t)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.ListTokens(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("a flood of 2,000 cookies took %s", took)
	}
	if got := c.masker.mask("v000123 stays"); got != "v000123 stays" {
		t.Errorf("a cookie that is not the session's became a secret: %q", got)
	}
	if got := c.masker.mask("session node0sess1 ends"); strings.Contains(got, "node0sess1") {
		t.Errorf("the session cookie is not masked: %q", got)
	}
}
