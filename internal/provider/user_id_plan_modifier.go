package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
)

// userIDPlanModifier makes user_id behave as Jenkins IDs do: case-insensitive. A change of case
// only keeps the prior value (Terraform accepts a planned value equal to the prior state in place
// of the configured one), so the plan is empty; any other change replaces the resource.
type userIDPlanModifier struct{}

func (userIDPlanModifier) Description(context.Context) string {
	return "Jenkins user IDs are case-insensitive: a change of case only is not a change; any other change replaces the resource."
}

func (m userIDPlanModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (userIDPlanModifier) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.PlanValue.IsUnknown() || req.PlanValue.IsNull() {
		return
	}
	if strings.EqualFold(req.StateValue.ValueString(), req.PlanValue.ValueString()) {
		resp.PlanValue = req.StateValue
		return
	}
	resp.RequiresReplace = true
}
