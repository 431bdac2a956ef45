package jenkinssim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startOwn starts a separate simulator (a fleet of one, closed at the test's end) for tests
// that need other options.
func startOwn(t *testing.T, opts Options) *Sim {
	t.Helper()
	return startFleet(t, opts).Controllers[0]
}

func TestContextPathAndOldVersion(t *testing.T) {
	s := startOwn(t, Options{ContextPath: "/jenkins", Version: "2.462", AdminUser: "root", AdminPassword: "pw"})
	if !strings.HasSuffix(s.URL, "/jenkins/") || strings.HasSuffix(s.RootURL, "/jenkins/") {
		t.Fatalf("URLs %s %s", s.URL, s.RootURL)
	}
	r := call(t, s, "GET", "whoAmI/api/json", "root", "pw", nil, nil)
	mustStatus(t, r, 200)
	if r.Header.Get("X-Jenkins") != "2.462" {
		t.Errorf("X-Jenkins %q", r.Header.Get("X-Jenkins"))
	}
	resp, err := http.Get(s.RootURL + "whoAmI/api/json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("outside the context path: %d", resp.StatusCode)
	}
	r = call(t, s, "GET", "user/root/api/json", "root", "pw", nil, nil)
	if r.json(t)["absoluteUrl"] != s.URL+"user/root" {
		t.Errorf("absoluteUrl %s", r.Body)
	}

	// Below 2.548 the expiration API does not exist.
	out, err := s.Script(testCtx(t), `import jenkins.security.ApiTokenProperty
def p = User.current().getProperty(ApiTokenProperty)
try { p.generateNewToken('x', java.time.LocalDate.now()) } catch (MissingMethodException e) { println 'no LocalDate overload' }
def uuid = p.tokenStore.addFixedNewToken('fixed', '11' + 'a' * 32)
println uuid.length()
def t = p.generateNewToken('plain')
println t.plainValue.length()
try { t.expirationDate } catch (MissingPropertyException e) { println 'no expirationDate' }
null`)
	if err != nil {
		t.Fatal(err)
	}
	if out != "no LocalDate overload\n36\n34\nno expirationDate\n" {
		t.Errorf("2.462 script: %q", out)
	}
	h := crumbHeaders(t, s, "root", "pw")
	r = call(t, s, "POST", tokenPath("root", "generateNewToken"), "root", "pw", url.Values{"newTokenName": {"n"}, "expirationDuration": {"-5"}}, h)
	mustStatus(t, r, 200)
	data := r.json(t)["data"].(map[string]any)
	if _, has := data["expirationDate"]; has || data["tokenName"] != "n" {
		t.Errorf("2.462 generate data keys: %v", len(data))
	}
}

func TestTLS(t *testing.T) {
	dir := t.TempDir()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pk, _ := x509.MarshalPKCS8PrivateKey(key)
	certFile, keyFile := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk}), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startOwn(t, Options{TLSCertFile: certFile, TLSKeyFile: keyFile})
	if !strings.HasPrefix(s.URL, "https://") {
		t.Fatalf("URL %s", s.URL)
	}
	out, err := s.Script(testCtx(t), "print Jenkins.get().rootUrl")
	if err != nil {
		t.Fatal(err)
	}
	if out != s.URL {
		t.Errorf("rootUrl %q, want %q", out, s.URL)
	}
}
