package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

var (
	_ ephemeral.EphemeralResource              = (*userAPITokenEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigure = (*userAPITokenEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithClose     = (*userAPITokenEphemeralResource)(nil)
)

// ephemeralTokenKey is the private-data key carrying what Close needs to revoke the token.
const ephemeralTokenKey = "token"

// userAPITokenEphemeralResource mints a short-lived token for the length of one Terraform run
// and revokes it when Terraform closes it. The value never reaches the plan or the state.
type userAPITokenEphemeralResource struct {
	data *providerData
}

type userAPITokenEphemeralModel struct {
	UserID         types.String `tfsdk:"user_id"`
	Name           types.String `tfsdk:"name"`
	ExpirationDate types.String `tfsdk:"expiration_date"`
	TokenName      types.String `tfsdk:"token_name"`
	UUID           types.String `tfsdk:"uuid"`
	Token          types.String `tfsdk:"token"`
}

// ephemeralTokenRef is the private data handed from Open to Close.
type ephemeralTokenRef struct {
	UserID string `json:"user_id"`
	UUID   string `json:"uuid"`
}

func NewUserAPITokenEphemeralResource() ephemeral.EphemeralResource {
	return &userAPITokenEphemeralResource{}
}

func (r *userAPITokenEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_api_token"
}

func (r *userAPITokenEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A short-lived API token of a Jenkins user for the length of one Terraform run, for example " +
			"for another provider or a CI step. Terraform opens it (the provider creates the token through the script " +
			"console) and closes it at the end of the run (the provider revokes it by UUID). The value never appears in " +
			"the plan or the state. Terraform opens ephemeral resources in both `plan` and `apply`, so each run creates " +
			"and revokes a token twice; each gets a unique name suffix. Needs Terraform 1.10 or later, or OpenTofu 1.11 or later.",
		Attributes: map[string]schema.Attribute{
			"user_id": schema.StringAttribute{
				MarkdownDescription: "The Jenkins user who owns the token (case-insensitive).",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Prefix of the token's name. The provider appends ` (ephemeral <random>)` so that the " +
					"tokens opened by `plan` and by `apply` can be told apart on the user's security page.",
				Required:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"expiration_date": schema.StringAttribute{
				MarkdownDescription: "Last day the token is valid, `YYYY-MM-DD` (Jenkins " + expirationMinVersion + " or later): a " +
					"safety net should Terraform stop before it could revoke the token.",
				Optional:   true,
				Validators: []validator.String{dateValidator},
			},
			"token_name": schema.StringAttribute{
				MarkdownDescription: "The name the token got in Jenkins: `name` plus the unique suffix.",
				Computed:            true,
			},
			"uuid": schema.StringAttribute{
				MarkdownDescription: "The token's UUID in Jenkins.",
				Computed:            true,
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "The token value, to use as the password of `user_id`.",
				Computed:            true,
				Sensitive:           true,
			},
		},
	}
}

func (r *userAPITokenEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	r.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (r *userAPITokenEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	if !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	var m userAPITokenEphemeralModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if date := m.ExpirationDate.ValueString(); date != "" {
		resp.Diagnostics.Append(checkExpirationDate(ctx, r.data, date, r.data.now())...)
		if resp.Diagnostics.HasError() {
			return
		}
	}

	// The unique suffix is a separate random draw, so the name, which anyone who can read the
	// user's page sees, says nothing about the secret.
	suffix := make([]byte, 4)
	if _, err := rand.Read(suffix); err != nil {
		resp.Diagnostics.AddError("Unable to Generate a Token Name", err.Error())
		return
	}
	name := fmt.Sprintf("%s (ephemeral %s)", m.Name.ValueString(), hex.EncodeToString(suffix))
	tok, value, err := r.data.createToken(ctx, newToken{userID: m.UserID.ValueString(), name: name, expirationDate: m.ExpirationDate.ValueString()})
	if err != nil {
		addError(&resp.Diagnostics, "Unable to Create Jenkins API Token", err)
		return
	}
	if ctx.Err() != nil {
		// The run was interrupted while the create was in flight: nothing will use the token,
		// and a run that stops may never close it. Revoke it now.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleGrace)
		defer cancel()
		if err := r.data.revokeToken(rctx, m.UserID.ValueString(), tok.UUID); err != nil {
			addError(&resp.Diagnostics, "Unable to Revoke Ephemeral Jenkins API Token",
				fmt.Errorf("the run was interrupted while token %s of user %q was created, and revoking it failed: %w", tok.UUID, m.UserID.ValueString(), err))
			return
		}
		resp.Diagnostics.AddError("Ephemeral Jenkins API Token Not Opened",
			fmt.Sprintf("The run was interrupted while the token was created; the token (%s of user %q) was revoked again.", tok.UUID, m.UserID.ValueString()))
		return
	}

	ref, err := json.Marshal(ephemeralTokenRef{UserID: m.UserID.ValueString(), UUID: tok.UUID})
	if err != nil {
		resp.Diagnostics.AddError("Unable to Record the Ephemeral Token", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, ephemeralTokenKey, ref)...)
	m.TokenName = types.StringValue(tok.Name)
	m.UUID = types.StringValue(tok.UUID)
	m.Token = types.StringValue(value)
	m.ExpirationDate = optionalString(tok.ExpirationDate)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}

// Close revokes the token Open created. A token already gone counts as revoked.
func (r *userAPITokenEphemeralResource) Close(ctx context.Context, req ephemeral.CloseRequest, resp *ephemeral.CloseResponse) {
	if !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	raw, diags := req.Private.GetKey(ctx, ephemeralTokenKey)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	var ref ephemeralTokenRef
	if err := json.Unmarshal(raw, &ref); err != nil || ref.UUID == "" {
		resp.Diagnostics.AddError("Unable to Revoke Ephemeral Jenkins API Token",
			"Terraform did not hand back the token's identity, so it cannot be revoked; this is a bug in the provider. "+
				"Revoke tokens named \"... (ephemeral ...)\" on the user's security page.")
		return
	}
	if err := r.data.revokeToken(ctx, ref.UserID, ref.UUID); err != nil {
		addError(&resp.Diagnostics, "Unable to Revoke Ephemeral Jenkins API Token",
			fmt.Errorf("token %s of user %q: %w", ref.UUID, ref.UserID, err))
		return
	}
	tflog.Debug(ctx, "revoked ephemeral API token", map[string]any{"user_id": ref.UserID, "uuid": ref.UUID})
}
