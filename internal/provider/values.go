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

// expiresInDays is how many days remain until a token's last valid day, by Jenkins's today
// (0: it expires at the end of today; negative: expired). Null without an expiration date or
// when Jenkins's today is not known.
func expiresInDays(expirationDate, today string) types.Int64 {
	if expirationDate == "" || today == "" {
		return types.Int64Null()
	}
	exp, err1 := time.Parse(dateLayout, expirationDate)
	now, err2 := time.Parse(dateLayout, today)
	if err1 != nil || err2 != nil {
		return types.Int64Null()
	}
	return types.Int64Value(int64(exp.Sub(now).Hours() / 24))
}
