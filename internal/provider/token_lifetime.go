package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

// latestExpiration is the last expiration date max_token_lifetime_days allows for a token
// created on Jenkins's today (YYYY-MM-DD), or "" when there is no limit or no date to count from.
func (d *providerData) latestExpiration(today string) string {
	if d == nil || d.maxLifetimeDays <= 0 || today == "" {
		return ""
	}
	t, err := time.Parse(dateLayout, today)
	if err != nil {
		return ""
	}
	return t.AddDate(0, 0, int(d.maxLifetimeDays)).Format(dateLayout)
}

// checkLifetime refuses a token about to be created whose expiration date ("" = none) breaks
// the provider's max_token_lifetime_days. Jenkins's today decides, as it decides expiry.
func (d *providerData) checkLifetime(ctx context.Context, date string) diag.Diagnostics {
	var diags diag.Diagnostics
	if d == nil || d.maxLifetimeDays <= 0 || d.client == nil {
		return diags
	}
	today := d.jenkinsToday(ctx)
	latest := d.latestExpiration(today)
	switch {
	case today == "":
		diags.AddAttributeError(path.Root("expiration_date"), "Token Lifetime Policy Cannot Be Checked",
			fmt.Sprintf("The provider's max_token_lifetime_days is %d, and Jenkins's date could not be read to check "+
				"expiration_date against it. Nothing was created; try again when Jenkins answers.", d.maxLifetimeDays))
	case date == "":
		diags.AddAttributeError(path.Root("expiration_date"), "Token Lifetime Policy: Expiration Date Required",
			fmt.Sprintf("The provider's max_token_lifetime_days is %d: every token it creates must have an expiration_date "+
				"from %s (Jenkins's today) to %s. Set expiration_date, for example from time_rotating or time_offset "+
				"(Jenkins %s or later).", d.maxLifetimeDays, today, latest, expirationMinVersion))
	case date > latest:
		diags.AddAttributeError(path.Root("expiration_date"), "Token Lifetime Policy: Expiration Date Too Late",
			fmt.Sprintf("expiration_date %s is more than max_token_lifetime_days (%d) after Jenkins's today (%s): the "+
				"latest date allowed is %s.", date, d.maxLifetimeDays, today, latest))
	}
	return diags
}
