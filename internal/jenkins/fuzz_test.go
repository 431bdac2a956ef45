package jenkins

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// echoParams is a test-only template written like the embedded ones (the same placeholder in the
// same single-quoted literal, the same decoding line), that sends back what Groovy decoded: the
// string itself, its length in UTF-16 code units and the SHA-256 of its UTF-8 bytes. The length
// and hash are computed inside Groovy, so the check does not depend on how JsonOutput and the
// HTTP answer encode the echoed string.
const echoParams = `import groovy.json.JsonOutput
import groovy.json.JsonSlurper

` + decodeLine + `

def s = p.s
def sha = java.security.MessageDigest.getInstance('SHA-256').digest(s.getBytes('UTF-8')).encodeHex().toString()
print(p.marker + JsonOutput.toJson([ok: [s: s, utf16: s.length(), sha256: sha]]) + p.marker)
return null
`

// decodeLine is how every embedded template reads its parameters.
const decodeLine = "def p = new JsonSlurper().parseText(new String(java.util.Base64.getDecoder().decode('" + paramsPlaceholder + "'), 'UTF-8'))"

// FuzzScriptParams checks the one rule that keeps user strings out of Groovy source: parameters
// travel as base64 JSON in a single-quoted literal (split in chunks past 60,000 characters), and
// the script's JsonSlurper decodes exactly what the provider sent. The decoding is the
// simulator's real Groovy 2.4.21, the version Jenkins bundles.
//
// "Exactly" is for valid UTF-8: Terraform strings are always valid UTF-8, and encoding/json
// replaces invalid bytes with U+FFFD, so invalid UTF-8 inputs are skipped (and only those).
//
// `go test` runs the seed corpus (testdata/fuzz/FuzzScriptParams plus the f.Add seeds below);
// `make fuzz` explores for a minute. Each fuzz worker is a test process whose TestMain has
// started its own simulator.
func FuzzScriptParams(f *testing.F) {
	// The echo stands for the embedded templates only if they decode the same way.
	names, _ := fs.Glob(scriptFS, "scripts/*.groovy")
	for _, n := range names {
		b, _ := scriptFS.ReadFile(n)
		if !strings.Contains(string(b), decodeLine) {
			f.Fatalf("%s does not decode its parameters with the line the fuzz target checks:\n%s", n, decodeLine)
		}
	}
	for _, h := range hostile {
		f.Add(h)
	}
	f.Add("")

	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			t.Skip("not valid UTF-8: Terraform never passes such a string, and JSON cannot carry it")
		}
		c := fuzzClient(t)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		var got struct {
			S      *string `json:"s"`
			UTF16  int     `json:"utf16"`
			SHA256 string  `json:"sha256"`
		}
		if err := c.runScriptSource(ctx, "echo_params", echoParams, map[string]any{"s": s}, nil, &got); err != nil {
			t.Fatalf("echo of %d bytes: %v", len(s), err)
		}
		want := sha256.Sum256([]byte(s))
		if got.SHA256 != hex.EncodeToString(want[:]) {
			t.Errorf("Groovy decoded a different string: SHA-256 of its UTF-8 bytes differs (input %d bytes: %.80q)", len(s), s)
		}
		if n := len(utf16.Encode([]rune(s))); got.UTF16 != n {
			t.Errorf("Groovy decoded %d UTF-16 code units, want %d (input %.80q)", got.UTF16, n, s)
		}
		if got.S == nil || *got.S != s {
			t.Errorf("the echoed string differs from the input (input %.80q)", s)
		}
	})
}

var (
	fuzzOnce sync.Once
	fuzzC    *Client
	fuzzErr  error
)

// fuzzClient is a client of the package's simulator (started once by TestMain, in every fuzz
// worker too) with the admin's password, so the crumb flow runs as well.
func fuzzClient(t *testing.T) *Client {
	t.Helper()
	if simErr != nil {
		t.Fatalf("the Jenkins simulator did not start (needs groovy and Java 17; JENKINSSIM_LOG=1 shows its log): %v", simErr)
	}
	fuzzOnce.Do(func() {
		fuzzC, fuzzErr = New(Config{BaseURL: sim.URL, Username: sim.AdminUser, Password: sim.AdminPassword,
			MaxRetries: -1, UserAgent: "terraform-provider-jenkins/fuzz"})
	})
	if fuzzErr != nil {
		t.Fatal(fuzzErr)
	}
	return fuzzC
}
