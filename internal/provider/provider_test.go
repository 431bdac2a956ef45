package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// TestProviderSchema serves the provider the way Terraform does and asks for its schema: every
// resource, data source and ephemeral resource schema must be valid, and the provider block must
// carry the attribute names users copy from the other Jenkins providers.
func TestProviderSchema(t *testing.T) {
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatalf("serving the provider: %v", err)
	}
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatalf("GetProviderSchema: %v", err)
	}
	for _, d := range resp.Diagnostics {
		t.Errorf("schema diagnostic: %s: %s", d.Summary, d.Detail)
	}
	attrs := map[string]*tfprotov6.SchemaAttribute{}
	for _, a := range resp.Provider.Block.Attributes {
		attrs[a.Name] = a
	}
	for _, name := range []string{"server_url", "username", "password", "ca_cert", "insecure", "request_timeout", "max_retries", "read_batch_window"} {
		a, ok := attrs[name]
		if !ok {
			t.Errorf("provider attribute %q missing", name)
			continue
		}
		if a.Required {
			t.Errorf("provider attribute %q is required; every attribute must be optional so that terraform validate runs without credentials", name)
		}
	}
	if a := attrs["password"]; a != nil && !a.Sensitive {
		t.Error("password must be Sensitive")
	}
}
