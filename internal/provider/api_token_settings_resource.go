package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
)

var (
	_ resource.Resource                = (*apiTokenSettingsResource)(nil)
	_ resource.ResourceWithConfigure   = (*apiTokenSettingsResource)(nil)
	_ resource.ResourceWithImportState = (*apiTokenSettingsResource)(nil)
)

// apiTokenSettingsID is the ID of the one global configuration.
const apiTokenSettingsID = "global"

// apiTokenSettingsResource is Jenkins's global API token configuration
// (ApiTokenPropertyConfiguration): a singleton, so Create adopts it and Delete restores defaults.
type apiTokenSettingsResource struct {
	data *providerData
}

type apiTokenSettingsModel struct {
	ID                               types.String `tfsdk:"id"`
	Controller                       types.String `tfsdk:"controller"`
	TokenGenerationOnCreationEnabled types.Bool   `tfsdk:"token_generation_on_creation_enabled"`
	CreationOfLegacyTokenEnabled     types.Bool   `tfsdk:"creation_of_legacy_token_enabled"`
	UsageStatisticsEnabled           types.Bool   `tfsdk:"usage_statistics_enabled"`
}

func NewAPITokenSettingsResource() resource.Resource { return &apiTokenSettingsResource{} }

func (r *apiTokenSettingsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_token_settings"
}

func (r *apiTokenSettingsResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	d := jenkins.DefaultAPITokenSettings
	resp.Schema = schema.Schema{
		MarkdownDescription: "Jenkins's global API token settings (Manage Jenkins > Security > API Token). There is one " +
			"such configuration per Jenkins: declare this resource once. Attributes left out take Jenkins's defaults. " +
			"Destroying the resource restores the defaults (`false`, `false`, `true`). Import with the ID `global`, or " +
			"`<controller>/global` for a named controller.",
		Attributes: map[string]schema.Attribute{
			"controller": controllerAttribute("the settings"),
			"id": schema.StringAttribute{
				MarkdownDescription: "`global`, or `<controller>/global` on a named controller.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"token_generation_on_creation_enabled": schema.BoolAttribute{
				MarkdownDescription: "Give every new user a legacy API token. Jenkins's default, and the recommendation, is `false`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(d.TokenGenerationOnCreationEnabled),
			},
			"creation_of_legacy_token_enabled": schema.BoolAttribute{
				MarkdownDescription: "Let users without a legacy token create one. Jenkins's default, and the recommendation, is `false`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(d.CreationOfLegacyTokenEnabled),
			},
			"usage_statistics_enabled": schema.BoolAttribute{
				MarkdownDescription: "Record when and how often each token is used (what `use_count`, `last_used_at` and " +
					"`unused_for_days` rely on). Default `true`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(d.UsageStatisticsEnabled),
			},
		},
	}
}

func (r *apiTokenSettingsResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (r *apiTokenSettingsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan apiTokenSettingsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.data = r.data.on(plan.Controller, &resp.Diagnostics); r.data == nil {
		return
	}
	defer r.data.onController(&resp.Diagnostics, len(resp.Diagnostics))
	r.set(ctx, plan, &resp.State, &resp.Diagnostics)
	recordControllerURL(ctx, resp.Private, r.data, &resp.Diagnostics)
}

func (r *apiTokenSettingsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.data = r.data.onStored(ctx, controllerFrom(ctx, req.State, &resp.Diagnostics), req.Private, &resp.Diagnostics); r.data == nil {
		return
	}
	defer r.data.onController(&resp.Diagnostics, len(resp.Diagnostics))
	s, err := r.data.client.GetAPITokenSettings(ctx)
	if err != nil {
		addError(&resp.Diagnostics, "Unable to Read Jenkins API Token Settings", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, settingsModel(controllerFrom(ctx, req.State, &resp.Diagnostics), s))...)
	recordControllerURL(ctx, resp.Private, r.data, &resp.Diagnostics)
}

func (r *apiTokenSettingsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan apiTokenSettingsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.data = r.data.onStored(ctx, plan.Controller, req.Private, &resp.Diagnostics); r.data == nil {
		return
	}
	defer r.data.onController(&resp.Diagnostics, len(resp.Diagnostics))
	r.set(ctx, plan, &resp.State, &resp.Diagnostics)
}

// Delete restores Jenkins's defaults: removing the resource means "stop managing", and the
// safe state to leave behind is the one a fresh Jenkins has.
func (r *apiTokenSettingsResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.data = r.data.onStored(ctx, controllerFrom(ctx, req.State, &resp.Diagnostics), req.Private, &resp.Diagnostics); r.data == nil {
		return
	}
	defer r.data.onController(&resp.Diagnostics, len(resp.Diagnostics))
	if _, err := r.data.client.SetAPITokenSettings(ctx, jenkins.DefaultAPITokenSettings); err != nil {
		addError(&resp.Diagnostics, "Unable to Restore Jenkins API Token Settings", err)
	}
}

func (r *apiTokenSettingsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	controller := types.StringNull()
	id := req.ID
	if name, rest, ok := strings.Cut(id, "/"); ok && controllerNamePattern.MatchString(name) {
		controller, id = types.StringValue(name), rest
	}
	if id != apiTokenSettingsID {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Invalid Import ID",
			"The API token settings are global: import them with the ID \"global\" (the default controller) or "+
				"\"<controller>/global\", got "+quoteOrUser(req.ID)+".")
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("controller"), controller)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), settingsID(controller))...)
}

// set makes Jenkins hold the planned settings and records what it holds afterwards.
func (r *apiTokenSettingsResource) set(ctx context.Context, plan apiTokenSettingsModel, state *tfsdk.State, diags *diag.Diagnostics) {
	got, err := r.data.client.SetAPITokenSettings(ctx, jenkins.APITokenSettings{
		TokenGenerationOnCreationEnabled: plan.TokenGenerationOnCreationEnabled.ValueBool(),
		CreationOfLegacyTokenEnabled:     plan.CreationOfLegacyTokenEnabled.ValueBool(),
		UsageStatisticsEnabled:           plan.UsageStatisticsEnabled.ValueBool(),
	})
	if err != nil {
		addError(diags, "Unable to Update Jenkins API Token Settings", err)
		return
	}
	diags.Append(state.Set(ctx, settingsModel(plan.Controller, got))...)
}

// settingsID is the settings' resource ID on a controller.
func settingsID(controller types.String) string {
	if controller.IsNull() || controller.ValueString() == "" {
		return apiTokenSettingsID
	}
	return controller.ValueString() + "/" + apiTokenSettingsID
}

func settingsModel(controller types.String, s jenkins.APITokenSettings) *apiTokenSettingsModel {
	return &apiTokenSettingsModel{
		ID:                               types.StringValue(settingsID(controller)),
		Controller:                       controller,
		TokenGenerationOnCreationEnabled: types.BoolValue(s.TokenGenerationOnCreationEnabled),
		CreationOfLegacyTokenEnabled:     types.BoolValue(s.CreationOfLegacyTokenEnabled),
		UsageStatisticsEnabled:           types.BoolValue(s.UsageStatisticsEnabled),
	}
}
