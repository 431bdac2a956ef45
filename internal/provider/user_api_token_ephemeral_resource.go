package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
)

var (
	_ ephemeral.EphemeralResource              = (*userAPITokenEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigure = (*userAPITokenEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithClose     = (*userAPITokenEphemeralResource)(nil)
)

// ephemeralTokenKey is the private-data key carrying what Close needs to revoke the token.
const ephemeralTokenKey = "token"

// ephemeralNameRegex matches the suffix Open appends to every ephemeral token's name: a sweep
// of the tokens killed runs left behind selects them with it.
const ephemeralNameRegex = ` \(ephemeral [0-9a-f]{8}\)$`

// userAPITokenEphemeralResource mints a short-lived token for the length of one Terraform run
// and revokes it when Terraform closes it. The value never reaches the plan or the state.
type userAPITokenEphemeralResource struct {
	data *providerData
}

type userAPITokenEphemeralModel struct {
	Controller     types.String `tfsdk:"controller"`
	UserID         types.String `tfsdk:"user_id"`
	Name           types.String `tfsdk:"name"`
	ExpirationDate types.String `tfsdk:"expiration_date"`
	TokenName      types.String `tfsdk:"token_name"`
	UUID           types.String `tfsdk:"uuid"`
	Token          types.String `tfsdk:"token"`
}

// ephemeralTokenRef is the private data handed from Open to Close.
type ephemeralTokenRef struct {
	// Controller is the controller's name, "" for the default one.
	Controller string `json:"controller,omitempty"`
	UserID     string `json:"user_id"`
	UUID       string `json:"uuid"`
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
			"and revokes a token twice; each gets a unique name suffix. A run that is interrupted (Ctrl-C, or the SIGINT or " +
			"SIGTERM a CI system sends to cancel a job) does not close the token either, but the provider revokes every " +
			"token it opened and Terraform did not close when Terraform shuts it down (one script call, 1.5 s at most). " +
			"A run that is killed (SIGKILL) leaves the token: on Jenkins " + expirationMinVersion + " or later it " +
			"therefore expires by itself the day after it was made (`expiration_date`). Needs Terraform 1.10 or later, " +
			"or OpenTofu 1.11 or later.",
		Attributes: map[string]schema.Attribute{
			"controller": schema.StringAttribute{
				MarkdownDescription: controllerDescription("the token"),
				Optional:            true,
				Validators:          []validator.String{controllerRefValidator()},
			},
			"user_id": schema.StringAttribute{
				MarkdownDescription: "The Jenkins user who owns the token. Jenkins matches it under its security realm's " +
					"user ID strategy: ignoring case by default (Jenkins's own user database), exactly in some LDAP setups.",
				Required:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Prefix of the token's name. The provider appends ` (ephemeral <random>)` so that the " +
					"tokens opened by `plan` and by `apply` can be told apart on the user's security page.",
				Required:   true,
				Validators: []validator.String{tokenNameValidator},
			},
			"expiration_date": schema.StringAttribute{
				MarkdownDescription: "Last day the token is valid, `YYYY-MM-DD` in Jenkins's time zone (Jenkins " +
					expirationMinVersion + " or later): the safety net for a run that is killed (SIGKILL, a lost CI runner) " +
					"and never closes the token. Unset, it is Jenkins's tomorrow: Jenkins accepts a token through the whole " +
					"of its expiration day, so a token left behind dies by itself 24 to 48 hours after it was made. Tomorrow " +
					"rather than today, because a run started a minute before midnight in Jenkins's time zone would get a " +
					"token that dies a minute later; a run that may last longer than 24 hours needs a later date. Before " +
					"Jenkins " + expirationMinVersion + " tokens cannot expire: unset, the token gets none and Terraform " +
					"warns. The result holds the date the token got.",
				Optional:   true,
				Computed:   true,
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
	var m userAPITokenEphemeralModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.data = r.data.on(m.Controller, &resp.Diagnostics); r.data == nil {
		return
	}
	defer r.data.onController(&resp.Diagnostics, len(resp.Diagnostics))
	date := m.ExpirationDate.ValueString()
	defaultDays := 0
	switch {
	case date != "":
		resp.Diagnostics.Append(checkExpirationDate(ctx, r.data, date, r.data.now())...)
	case r.data.maxLifetimeDays > 0:
		// The policy must hold before anything is created: ask for Jenkins's version and date.
		date, _ = r.defaultExpiration(ctx, &resp.Diagnostics)
	default:
		// Jenkins's tomorrow, decided by the create script with Jenkins's clock at that moment:
		// no extra call, and no midnight between asking for the date and using it.
		defaultDays = 1
	}
	if resp.Diagnostics.HasError() {
		return
	}
	// The provider's max_token_lifetime_days: the default date (tomorrow) is always within it;
	// without expiration dates (before 2.548) no token can be.
	resp.Diagnostics.Append(r.data.checkLifetime(ctx, date)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// The unique suffix is a separate random draw, so the name, which anyone who can read the
	// user's page sees, says nothing about the secret.
	suffix := make([]byte, 4)
	if _, err := rand.Read(suffix); err != nil {
		resp.Diagnostics.AddError("Unable to Generate a Token Name", err.Error())
		return
	}
	name := fmt.Sprintf("%s (ephemeral %s)", m.Name.ValueString(), hex.EncodeToString(suffix))
	tok, value, err := r.data.createToken(ctx, newToken{userID: m.UserID.ValueString(), name: name, expirationDate: date, defaultExpiryDays: defaultDays})
	if err != nil {
		addError(&resp.Diagnostics, "Unable to Create Jenkins API Token", err)
		return
	}
	// Until it is revoked, the token is in the process's registry: a run interrupted before
	// Terraform closes it has it revoked when Terraform shuts the plugin down. Everything after
	// the create names the owner by the id Jenkins answered (tok.UserID), not the configured
	// spelling: a realm that respells names made the user under its own.
	opened := jenkins.TokenRef{UserID: tok.UserID, UUID: tok.UUID}
	r.data.ephemerals.add(ctx, r.data, opened)
	if ctx.Err() != nil {
		// The run was interrupted while the create was in flight: nothing will use the token,
		// and a run that stops does not close it. Revoke it now.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleGrace)
		defer cancel()
		if err := r.data.revokeToken(rctx, tok.UserID, tok.UUID, true); err != nil {
			addError(&resp.Diagnostics, "Unable to Revoke Ephemeral Jenkins API Token",
				fmt.Errorf("the run was interrupted while token %s of user %q was created, and revoking it failed: %w", tok.UUID, tok.UserID, err))
			return
		}
		r.data.ephemerals.remove(opened)
		resp.Diagnostics.AddError("Ephemeral Jenkins API Token Not Opened",
			fmt.Sprintf("The run was interrupted while the token was created; the token (%s of user %q) was revoked again.", tok.UUID, tok.UserID))
		return
	}

	ref, err := json.Marshal(ephemeralTokenRef{Controller: r.data.controller, UserID: tok.UserID, UUID: tok.UUID})
	if err != nil {
		resp.Diagnostics.AddError("Unable to Record the Ephemeral Token", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, ephemeralTokenKey, ref)...)
	if tok.ExpirationDate == "" {
		resp.Diagnostics.Append(noExpiryWarning(r.data.client.BaseURL(), tok))
	}
	m.TokenName = types.StringValue(tok.Name)
	m.UUID = types.StringValue(tok.UUID)
	m.Token = types.StringValue(value)
	m.ExpirationDate = optionalString(tok.ExpirationDate)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}

// defaultExpiration is, under max_token_lifetime_days, the date Open would get by default,
// known before the create so that the policy is checked first: Jenkins's tomorrow from Jenkins
// 2.548 on; before, none (which the policy then refuses). A version that cannot be parsed counts
// as recent, as in checkExpirationDate: the create script refuses the date if it cannot keep it.
func (r *userAPITokenEphemeralResource) defaultExpiration(ctx context.Context, diags *diag.Diagnostics) (string, bool) {
	info, err := r.data.client.ServerInfo(ctx)
	if err != nil {
		addError(diags, "Unable to Read the Jenkins Version and Date", err)
		return "", false
	}
	if v, err := jenkins.ParseVersion(info.Version); err == nil && !v.AtLeast(expirationMinVersion) {
		return "", false
	}
	date, err := ephemeralDefaultExpiration(info.Today)
	if err != nil {
		diags.AddError("Unable to Set the Ephemeral Token's Expiration Date",
			fmt.Sprintf("The token would expire the day after Jenkins's today, but %v. Set expiration_date.", err))
		return "", false
	}
	return date, true
}

// ephemeralDefaultExpiration is the expiration date an ephemeral token gets when its
// configuration sets none: the day after today, Jenkins's date (YYYY-MM-DD in its time zone).
// Jenkins accepts a token through the whole of its expiration day (HashedToken.isExpired:
// today is after the date), so a token a killed run leaves behind dies 24 to 48 hours after it
// was made. Today would be too short: a run started at 23:59 Jenkins time would hold a token
// that dies a minute later.
func ephemeralDefaultExpiration(today string) (string, error) {
	d, err := time.Parse(dateLayout, today)
	if err != nil {
		return "", fmt.Errorf("the date Jenkins reported, %q, is not YYYY-MM-DD", today)
	}
	return d.AddDate(0, 0, 1).Format(dateLayout), nil
}

// noExpiryWarning tells that the token opened on a Jenkins without expiration dates outlives a
// killed run, and how to sweep such leftovers.
func noExpiryWarning(baseURL string, tok jenkins.Token) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Ephemeral Jenkins API Token Without an Expiration Date",
		fmt.Sprintf("Jenkins at %s has no API token expiration dates (they need Jenkins %s or later), so token %s (UUID %s) "+
			"of user %s never expires. Terraform revokes it when the run ends, but a run that is killed (SIGKILL, an out-of-memory "+
			"kill, a lost CI runner) never closes it, and the token then stays valid until someone revokes it.\n\n"+
			"Sweep such leftovers with a jenkins_user_token_cleanup resource that selects the name suffix this "+
			"resource appends, applied while no run holds an ephemeral token of the user:\n\n"+
			"  user_ids   = [%s]\n  name_regex = %s\n\nOr upgrade Jenkins.",
			baseURL, expirationMinVersion, shown(tok.Name), tok.UUID, shown(tok.UserID),
			strconv.Quote(tok.UserID), strconv.Quote(ephemeralNameRegex)))
}

// Close revokes the token Open created. A token already gone counts as revoked.
func (r *userAPITokenEphemeralResource) Close(ctx context.Context, req ephemeral.CloseRequest, resp *ephemeral.CloseResponse) {
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
	if r.data = r.data.on(optionalString(ref.Controller), &resp.Diagnostics); r.data == nil {
		return
	}
	defer r.data.onController(&resp.Diagnostics, len(resp.Diagnostics))
	// ref.UserID is the id Jenkins answered at Open: "no such user" there means gone.
	if err := r.data.revokeToken(ctx, ref.UserID, ref.UUID, true); err != nil {
		// The token stays in the registry: the shutdown tries once more.
		addError(&resp.Diagnostics, "Unable to Revoke Ephemeral Jenkins API Token",
			fmt.Errorf("token %s of user %q: %w", ref.UUID, ref.UserID, err))
		return
	}
	r.data.ephemerals.remove(jenkins.TokenRef{UserID: ref.UserID, UUID: ref.UUID})
	tflog.Debug(ctx, "revoked ephemeral API token", map[string]any{"user_id": ref.UserID, "uuid": ref.UUID})
}
