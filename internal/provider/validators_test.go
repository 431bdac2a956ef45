package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// TestTokenNameValidator: a name Jenkins's trim() empties is refused, whatever else it holds;
// a name with any other character (a no-break space included: trim() keeps it) is accepted.
func TestTokenNameValidator(t *testing.T) {
	for name, refused := range map[string]bool{
		"": true, " ": true, "\t \n": true, "\x00\x1f ": true,
		"a": false, " ci ": false, "\u00a0": false, "é": false,
	} {
		var resp validator.StringResponse
		tokenNameValidator.ValidateString(context.Background(), validator.StringRequest{
			Path: path.Root("name"), ConfigValue: types.StringValue(name)}, &resp)
		if resp.Diagnostics.HasError() != refused {
			t.Errorf("%q: refused %v, want %v", name, resp.Diagnostics.HasError(), refused)
		}
	}
}
