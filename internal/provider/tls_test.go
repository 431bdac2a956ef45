package provider

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/acctest"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

// selfSignedCert writes a self-signed ECDSA certificate for 127.0.0.1 and localhost, and its
// key as PKCS#8 PEM (what the simulator's --tls-key reads), into dir.
func selfSignedCert(t *testing.T, dir string) (certFile, keyFile string, certPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "jenkins-sim test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, certPEM
}

// TestAccTLS_selfSignedCertificate: Jenkins serves HTTPS with a self-signed certificate. The
// provider refuses it by default, with an error that points to ca_cert; it accepts it with
// ca_cert given as PEM content or as a file path, and with insecure = true.
func TestAccTLS_selfSignedCertificate(t *testing.T) {
	acctest.Shared(t).RequireSim(t)
	dir := t.TempDir()
	certFile, keyFile, certPEM := selfSignedCert(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sim, err := jenkinssim.Start(ctx, jenkinssim.Options{TLSCertFile: certFile, TLSKeyFile: keyFile})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		acctest.CheckScriptLeaks(t, sim)
		_ = sim.Close()
	})
	if !regexp.MustCompile(`^https://127\.0\.0\.1:\d+/$`).MatchString(sim.URL) {
		t.Fatalf("the TLS simulator serves %s, want https://127.0.0.1:<port>/", sim.URL)
	}
	target := &acctest.Target{URL: sim.URL, Username: sim.AdminUser, Password: sim.AdminPassword, Sim: sim}

	readConfig := func(extra ...string) string {
		return target.ProviderBlock(append(extra, "max_retries = 1")...) + fmt.Sprintf(`
data "jenkins_user_tokens" "admin" {
  user_id = %s
}`, acctest.Quote(target.Username))
	}
	// The read reached Jenkins over TLS: the admin is there (with the simulator helper's token).
	readOK := []statecheck.StateCheck{
		statecheck.ExpectKnownValue("data.jenkins_user_tokens.admin", tfjsonpath.New("user_id"), knownvalue.StringExact(target.Username)),
	}
	cases := []struct {
		name   string
		config string
		err    *regexp.Regexp
	}{
		{
			name:   "refused by default",
			config: readConfig(),
			// Terraform wraps diagnostics at spaces.
			err: regexp.MustCompile(`(?s)TLS\s+connection\s+to\s+Jenkins\s+failed.*set\s+ca_cert.*` +
				regexp.QuoteMeta(sim.URL) + `.*certificate\s+signed\s+by\s+unknown\s+authority`),
		},
		{name: "ca_cert as PEM content", config: readConfig("ca_cert = " + acctest.Quote(string(certPEM)))},
		{name: "ca_cert as a file path", config: readConfig("ca_cert = " + acctest.Quote(certFile))},
		{name: "insecure", config: readConfig("insecure = true")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			step := resource.TestStep{Config: tc.config, ExpectError: tc.err}
			if tc.err == nil {
				step.ConfigStateChecks = readOK
			}
			resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProviders, Steps: []resource.TestStep{step}})
		})
	}
}

// TestTLSInsecureWarns configures the provider as Terraform does: insecure = true is accepted
// with a warning that says what it costs; ca_cert is accepted without one.
func TestTLSInsecureWarns(t *testing.T) {
	dir := t.TempDir()
	_, _, certPEM := selfSignedCert(t, dir)
	base := map[string]tftypes.Value{
		"server_url": tftypes.NewValue(tftypes.String, "https://127.0.0.1:1/"),
		"username":   tftypes.NewValue(tftypes.String, "admin"),
		"password":   tftypes.NewValue(tftypes.String, "not-used"),
	}
	with := func(k string, v tftypes.Value) map[string]tftypes.Value {
		m := map[string]tftypes.Value{k: v}
		for bk, bv := range base {
			m[bk] = bv
		}
		return m
	}

	diags := configureProvider(t, with("insecure", tftypes.NewValue(tftypes.Bool, true)))
	var warned bool
	for _, d := range diags {
		switch {
		case d.Severity == tfprotov6.DiagnosticSeverityError:
			t.Errorf("insecure = true: error %q: %s", d.Summary, d.Detail)
		case d.Severity == tfprotov6.DiagnosticSeverityWarning && d.Summary == "TLS Verification Disabled":
			warned = true
			if !regexp.MustCompile(`ca_cert`).MatchString(d.Detail) {
				t.Errorf("the insecure warning does not suggest ca_cert: %s", d.Detail)
			}
		}
	}
	if !warned {
		t.Errorf("insecure = true configured without the \"TLS Verification Disabled\" warning; diagnostics: %v", diags)
	}

	for _, d := range configureProvider(t, with("ca_cert", tftypes.NewValue(tftypes.String, string(certPEM)))) {
		t.Errorf("ca_cert: unexpected diagnostic %q: %s", d.Summary, d.Detail)
	}
}

// configureProvider sends ConfigureProvider with attrs (others null) to a fresh provider server
// and returns its diagnostics.
func configureProvider(t *testing.T, attrs map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	t.Helper()
	ctx := context.Background()
	for _, env := range []string{"JENKINS_URL", "JENKINS_USERNAME", "JENKINS_PASSWORD", "JENKINS_CA_CERT", "JENKINS_INSECURE"} {
		t.Setenv(env, "")
	}
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	sch, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ, ok := sch.Provider.ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("provider schema type is %T", sch.Provider.ValueType())
	}
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		if v, ok := attrs[name]; ok {
			vals[name] = v
		} else {
			vals[name] = tftypes.NewValue(at, nil)
		}
	}
	cfg, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.9.0", Config: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics
}
