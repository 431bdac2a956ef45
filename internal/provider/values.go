package provider

import (
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Terraform values of what Jenkins reports, shared by every type that shows tokens.

// timeValue renders an optional instant as RFC 3339 UTC, or null.
func timeValue(t *time.Time) types.String {
	if t == nil {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
