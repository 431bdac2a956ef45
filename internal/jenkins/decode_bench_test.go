package jenkins

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"
)

// listingBody is a list_tokens answer of n rows framed by marker, as Jenkins prints it.
func listingBody(n int, marker string) []byte {
	var b strings.Builder
	b.WriteString(marker + `{"ok":{"tokens":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `["user-%06d","%08x-1111-2222-3333-444444444444","token name %d",1735689600000,false,3,1735689600000,null,false]`, i/5, i, i)
	}
	b.WriteString(`],"missing":[],"resolved":[],"info":{"version":"2.579","today":"2026-11-30","timeZone":"UTC","idStrategy":"x","usageStatistics":true}}}` + marker)
	return []byte(b.String())
}

// TestDecodeCostOfTheLargestAnswer measures what decoding the largest script answer the client
// accepts (maxScriptBody) costs in memory: the bound a hostile or broken Jenkins can impose on
// one call. Run with -v to see the figures.
func TestDecodeCostOfTheLargestAnswer(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates several hundred MB")
	}
	const marker = "MARK"
	rows := 0
	var body []byte
	for n := 400000; ; n += 20000 {
		b := listingBody(n, marker)
		if len(b) > maxScriptBody {
			break
		}
		rows, body = n, b
	}
	c := &Client{masker: newMasker(), base: mustURL(t, "http://jenkins.test/")}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	// Sample the live heap while decoding: its peak is the memory one call can take.
	var peak uint64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	var out struct {
		Tokens []tokenRow `json:"tokens"`
	}
	err := c.decodeScriptOutput("list_tokens", &response{status: 200, header: http.Header{}, body: body}, marker, nil, &out)
	close(done)
	<-sampled
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	live := peak - before.HeapAlloc
	t.Logf("largest accepted answer: %d MiB, %d rows; decoding allocated %d MiB in all (%.1fx the body), peak live heap +%d MiB (%.1fx)",
		len(body)>>20, rows, alloc>>20, float64(alloc)/float64(len(body)), live>>20, float64(live)/float64(len(body)))
	if len(out.Tokens) != rows {
		t.Fatalf("decoded %d rows, want %d", len(out.Tokens), rows)
	}
	if live > 8*uint64(maxScriptBody) {
		t.Errorf("decoding the largest accepted answer took %d MiB of live heap, more than 8 times the %d MiB cap", live>>20, maxScriptBody>>20)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestOversizedAnswerIsAClearError: an answer over the cap is refused with an error that says
// how large Jenkins's answer was allowed to be, instead of a JSON error on a truncated body.
func TestOversizedAnswerIsAClearError(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("X-Jenkins", "2.579")
		chunk := []byte(strings.Repeat("x", 1<<20))
		for i := 0; i <= maxScriptBody>>20; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	_, err := f.client(t).ListTokens(context.Background(), nil)
	var tl *ResponseTooLargeError
	if !errors.As(err, &tl) || !strings.Contains(err.Error(), "more than 64 MiB") {
		t.Errorf("want a ResponseTooLargeError naming the 64 MiB cap, got %v", err)
	}
	if n := f.requests.Load(); n != 1 {
		t.Errorf("an oversized answer was asked for %d times; the same answer would come again", n)
	}
}
