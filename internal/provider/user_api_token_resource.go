package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
)

var (
	_ resource.Resource                = (*userAPITokenResource)(nil)
	_ resource.ResourceWithConfigure   = (*userAPITokenResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*userAPITokenResource)(nil)
	_ resource.ResourceWithImportState = (*userAPITokenResource)(nil)
	_ resource.ResourceWithIdentity    = (*userAPITokenResource)(nil)
)

// tokenIdentity is the resource identity (Terraform 1.12+): the owner as Jenkins spells the id,
// and the token's UUID. What `import { identity = {...} }` takes and `terraform query` returns.
type tokenIdentity struct {
	Controller types.String `tfsdk:"controller"`
	UserID     types.String `tfsdk:"user_id"`
	UUID       types.String `tfsdk:"uuid"`
}

// jenkinsUserIDKey is the private-state key of the owner's id as Jenkins returned it (by the
// create, a read or an import). user_id keeps the configured spelling, so that the next plan
// has no diff; everything after the create (reads, rename, the import check, destroy) names the
// owner by this id, because a security realm that respells names (the ldap plugin's
// forceUsernameLowercase under a case-sensitive id strategy, Active Directory's user@domain
// forms) makes the user under its own spelling, and the configured one then names nobody.
// Private state rather than a computed attribute: Terraform 1.11 has no resource identity, and
// a computed attribute would show in every plan of a replacement as "known after apply"
// beside a user_id that did not change. `id` and the identity carry it too (`<jenkins id>/<uuid>`,
// what an import takes).
const jenkinsUserIDKey = "jenkins_user_id"

// privateGetter and privateSetter are the framework's private state of one resource.
type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// ownerID is the id to name the token's owner by in Jenkins: the one Jenkins returned, when the
// private state has it (fromJenkins), else the configured user_id (a state written before the
// provider kept it).
func ownerID(ctx context.Context, private privateGetter, state userAPITokenModel) (id string, fromJenkins bool) {
	raw, diags := private.GetKey(ctx, jenkinsUserIDKey)
	if !diags.HasError() && len(raw) > 0 && json.Unmarshal(raw, &id) == nil && id != "" {
		return id, true
	}
	return state.UserID.ValueString(), false
}

// recordOwnerID keeps the id Jenkins returned for the token's owner in the private state.
func recordOwnerID(ctx context.Context, private privateSetter, id string, diags *diag.Diagnostics) {
	raw, err := json.Marshal(id)
	if err != nil {
		diags.AddError("Unable to Record the Owner's Jenkins ID", err.Error())
		return
	}
	diags.Append(private.SetKey(ctx, jenkinsUserIDKey, raw)...)
}

// expirationMinVersion is the first Jenkins release with token expiration dates.
const expirationMinVersion = "2.548"

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// userAPITokenResource is one API token of one Jenkins user, created by an administrator
// through the script console and revoked by UUID on destroy.
type userAPITokenResource struct {
	data *providerData
}

type userAPITokenModel struct {
	ID               types.String `tfsdk:"id"`
	Controller       types.String `tfsdk:"controller"`
	UserID           types.String `tfsdk:"user_id"`
	Name             types.String `tfsdk:"name"`
	ExpirationDate   types.String `tfsdk:"expiration_date"`
	RotateBeforeDays types.Int64  `tfsdk:"rotate_before_days"`
	RotationTriggers types.Map    `tfsdk:"rotation_triggers"`
	UUID             types.String `tfsdk:"uuid"`
	Token            types.String `tfsdk:"token"`
	CreatedAt        types.String `tfsdk:"created_at"`
	Expired          types.Bool   `tfsdk:"expired"`
	RotationDue      types.Bool   `tfsdk:"rotation_due"`
	ExpiresInDays    types.Int64  `tfsdk:"expires_in_days"`
	TokenWO          types.String `tfsdk:"token_wo"`
	TokenWOVersion   types.Int64  `tfsdk:"token_wo_version"`
}

func NewUserAPITokenResource() resource.Resource { return &userAPITokenResource{} }

func (r *userAPITokenResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_api_token"
}

func (r *userAPITokenResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An API token of a Jenkins user. The provider draws the token value itself and adds it " +
			"through the script console (`addFixedNewToken`), so an administrator can create tokens for any user and a " +
			"retried create never makes a second token. Renaming keeps the token; destroying revokes it by UUID. " +
			"A token revoked outside Terraform is recreated by the next apply.\n\n" +
			"The token value the provider draws is stored in the Terraform state. To keep it out, give the value in " +
			"`token_wo` (write-only, never stored; draw it with the `jenkins_api_token_value` ephemeral resource and hand it " +
			"to a secret store in the same run), or use the `jenkins_user_api_token` ephemeral resource for a token that " +
			"lives for one run.",
		Attributes: map[string]schema.Attribute{
			"controller": controllerAttribute("the token"),
			"id": schema.StringAttribute{
				MarkdownDescription: "`<user id>/<uuid>`, with the user id as Jenkins spells it (which can differ from " +
					"`user_id` when the security realm respells names), the form `terraform import` takes; " +
					"`<controller>/<user id>/<uuid>` for a token on a named controller.",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"user_id": schema.StringAttribute{
				MarkdownDescription: "The Jenkins user who owns the token. A change that still names the same user as Jenkins " +
					"compares ids (a change of case on a Jenkins whose security realm ignores case, as Jenkins's own user " +
					"database does) is not a change; any other change, or a value known only at apply, replaces the token. The user must exist, or be known " +
					"to Jenkins's security realm (an LDAP or SSO user who never logged in; the provider then creates the " +
					"user record as Jenkins does at first login). A realm may create the user under its own spelling (the LDAP " +
					"plugin's `forceUsernameLowercase` on a case-sensitive Jenkins, Active Directory's `user@domain` forms): " +
					"`user_id` keeps what the configuration says, and the provider follows the user by the id Jenkins " +
					"answered, which `id` shows.",
				Required:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
				// Whether a new spelling names the same user is Jenkins's decision: ModifyPlan asks.
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The token's name, as shown on the user's security page. Changing it renames the " +
					"token in place: same UUID, same value. Jenkins does not require names to be unique.",
				Required:   true,
				Validators: []validator.String{tokenNameValidator},
			},
			"expiration_date": schema.StringAttribute{
				MarkdownDescription: "Last day the token is valid, `YYYY-MM-DD` (Jenkins's time zone). Needs Jenkins " +
					expirationMinVersion + " or later. Changing it replaces the token. Without it the token never expires. " +
					"Prefer a fixed date or one derived from `time_rotating` over `timestamp()`, which changes on every plan.",
				Optional:      true,
				Validators:    []validator.String{dateValidator},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"rotate_before_days": schema.Int64Attribute{
				MarkdownDescription: "With `expiration_date`: from this many days before the expiration date, `terraform plan` " +
					"replaces the token. Move `expiration_date` forward at the same time (for example from `time_rotating`), " +
					"or the new token is due for rotation again.",
				Optional: true,
				Validators: []validator.Int64{
					int64validator.AtLeast(1),
					int64validator.AlsoRequires(path.MatchRoot("expiration_date")),
				},
			},
			"rotation_triggers": schema.MapAttribute{
				MarkdownDescription: "Arbitrary values that replace the token when they change, for example " +
					"`{ rotation = time_rotating.token.id }`. Setting them on a token that had none (after an import) " +
					"does not replace it: an import adopts a token, it never revokes it.",
				ElementType:   types.StringType,
				Optional:      true,
				PlanModifiers: []planmodifier.Map{requiresReplaceUnlessImported()},
			},
			"uuid": schema.StringAttribute{
				MarkdownDescription: "The token's UUID in Jenkins: what revocation uses.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"token_wo": schema.StringAttribute{
				MarkdownDescription: "The token value to create the token with, instead of one the provider draws: `11` followed " +
					"by 32 lower-case hex digits, for example from the `jenkins_api_token_value` ephemeral resource. Write-only: " +
					"Terraform never stores it in the plan or the state, and `token` stays null. It is used only when the token is " +
					"created, that is when `token_wo_version` changes (which replaces the token) or the token is replaced for " +
					"another reason (then with the same value; to change the value, change `token_wo_version` too). Each token " +
					"needs a value of its own: a value another token of the user holds is refused. Needs Terraform 1.11 or later, " +
					"or OpenTofu 1.11 or later.",
				Optional:  true,
				WriteOnly: true,
				Sensitive: true,
				Validators: []validator.String{
					tokenValueValidator,
					stringvalidator.AlsoRequires(path.MatchRoot("token_wo_version")),
				},
			},
			"token_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Goes with `token_wo`: change it (for example increment it) to create the token again with " +
					"the value `token_wo` has in that run. Terraform cannot see a change of a write-only value, so a new value " +
					"alone does nothing. Setting it after an import adopts the token when its value is `token_wo` (the plan " +
					"checks with Jenkins) and replaces it otherwise.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("token_wo"))},
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "The token value (`11` followed by 32 hex digits), to use as the password of `user_id`. " +
					"Known after create; null with `token_wo`, and after import, because Jenkins keeps only a hash.",
				Computed:      true,
				Sensitive:     true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When Jenkins created the token, RFC 3339 UTC.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"rotation_due": schema.BoolAttribute{
				MarkdownDescription: "Whether the token was inside its rotation window (`rotate_before_days` before " +
					"`expiration_date`, by Jenkins's today) at the last refresh; the plan then replaces it. Decided when the " +
					"state is refreshed, as `time_rotating` does, so that a saved plan applied the next day (or after " +
					"midnight) does the same as it showed. A change of `rotate_before_days` takes effect at the next refresh.",
				Computed:      true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"expired": schema.BoolAttribute{
				MarkdownDescription: "Whether the expiration date has passed. An expired token plans a replacement.",
				Computed:            true,
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"expires_in_days": schema.Int64Attribute{
				MarkdownDescription: "Days left until `expiration_date`, by Jenkins's today, as of the last refresh (0: the token " +
					"expires at the end of today). Null without an expiration date. The plan warns when it is 14 or less and " +
					"`rotate_before_days` is not set.",
				Computed:      true,
				PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *userAPITokenResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"controller": identityschema.StringAttribute{
				OptionalForImport: true,
				Description: "The name of the controller (an entry of the provider's controllers) the token is on; " +
					"unset or null for the default controller. Identities written before controllers existed have none.",
			},
			"user_id": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "The owner's Jenkins user ID, as Jenkins spells it.",
			},
			"uuid": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "The token's UUID.",
			},
		},
	}
}

// setIdentity records the token's identity when Terraform supports identities (1.12+).
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, controller types.String, tok jenkins.Token, diags *diag.Diagnostics) {
	if identity == nil {
		return
	}
	if controller.ValueString() == "" {
		controller = types.StringNull() // the default controller, however the configuration names it
	}
	diags.Append(identity.Set(ctx, tokenIdentity{Controller: controller, UserID: types.StringValue(tok.UserID), UUID: types.StringValue(tok.UUID)})...)
}

// tokenIdentityValue is the raw identity of a token, as ResourceIdentity.Set makes it of a
// tokenIdentity, built directly: the query sets one for every token it lists, and by reflection
// that was 30% of the provider's CPU in the query of 50,000 tokens (make bench-query).
func tokenIdentityValue(typ tftypes.Type, controller types.String, userID, uuid string) tftypes.Value {
	c := tftypes.NewValue(tftypes.String, nil)
	if !controller.IsNull() && !controller.IsUnknown() {
		c = tftypes.NewValue(tftypes.String, controller.ValueString())
	}
	return tftypes.NewValue(typ, map[string]tftypes.Value{
		"controller": c,
		"user_id":    tftypes.NewValue(tftypes.String, userID),
		"uuid":       tftypes.NewValue(tftypes.String, uuid),
	})
}

// identityHolds reports whether identity already is the one setIdentity would set, read from
// its raw value (no reflection: Read asks this for every token on every plan).
func identityHolds(identity *tfsdk.ResourceIdentity, controller types.String, tok jenkins.Token) bool {
	if identity == nil {
		return true
	}
	var attrs map[string]tftypes.Value
	if identity.Raw.IsNull() || !identity.Raw.IsFullyKnown() || identity.Raw.As(&attrs) != nil {
		return false
	}
	str := func(name string) (string, bool) {
		a, ok := attrs[name]
		if !ok {
			return "", false
		}
		var v *string
		if err := a.As(&v); err != nil || v == nil {
			return "", false
		}
		return *v, true
	}
	c, hasController := str("controller")
	userID, okUser := str("user_id")
	uuid, okUUID := str("uuid")
	return okUser && okUUID && userID == tok.UserID && uuid == tok.UUID &&
		hasController == (controller.ValueString() != "") && c == controller.ValueString()
}

// keepIdentity makes sure an updated token has its identity: the planned one, or, when there
// is none yet (the first apply after an import), the owner as Jenkins spells the id.
func (r *userAPITokenResource) keepIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, state userAPITokenModel, owner string, diags *diag.Diagnostics) {
	if identity == nil {
		return
	}
	if !identity.Raw.IsNull() {
		var id tokenIdentity
		diags.Append(identity.Get(ctx, &id)...)
		if !id.UserID.IsNull() && !id.UserID.IsUnknown() && id.UserID.ValueString() != "" {
			return
		}
	}
	canonical, err := r.data.reader.canonicalID(ctx, owner)
	if err != nil || canonical == "" {
		canonical = owner
	}
	setIdentity(ctx, identity, state.Controller, jenkins.Token{UserID: canonical, UUID: state.UUID.ValueString()}, diags)
}

func (r *userAPITokenResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan replaces the token when Jenkins says it expired or when it is inside its rotation
// window, and refuses dates Jenkins cannot honour before anything is created.
func (r *userAPITokenResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	creating := req.State.Raw.IsNull()
	var plan, state userAPITokenModel
	if !creating {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	if !creating && req.Plan.Raw.Equal(req.State.Raw) {
		plan = state // nothing planned to change (most tokens of most plans): no second reflection
	} else {
		resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	// The checks below ask the controller the token is planned on; a controller known only at
	// apply leaves them to Create, as an unconfigured provider does.
	if plan.Controller.IsUnknown() {
		r.data = nil
	} else if r.data != nil {
		if r.data = r.data.on(plan.Controller, &resp.Diagnostics); r.data == nil {
			return
		}
		defer r.data.onController(&resp.Diagnostics, len(resp.Diagnostics))
	}
	// The token's Jenkins may be another configured controller than the one its name now points
	// at (entries repointed, or their names swapped): then the token moves, as when its
	// controller changes.
	var movesFrom *providerData
	recorded := recordedControllerURL(ctx, req.Private)
	if !creating && sameController(plan.Controller, state.Controller) && r.data != nil && r.data.client != nil &&
		recorded != "" && !sameURL(recorded, r.data.client.BaseURL()) {
		movesFrom = r.data.fleet.byURL(recorded)
	}
	moves := !creating && (!sameController(plan.Controller, state.Controller) || movesFrom != nil)
	if moves && adoptingImported(plan, state) {
		from := controllerShown(state.Controller)
		if movesFrom != nil {
			from = jenkins.RedactURL(recorded)
		}
		resp.Diagnostics.AddAttributeError(path.Root("controller"), "Imported Token Is on Another Controller",
			fmt.Sprintf("The token %s was imported from %s, but the configuration puts it on %s, so the plan would revoke the "+
				"token it adopts and create another. Import it with the ID of the controller the configuration names (%s), or "+
				"set controller to where the token is.", state.UUID.ValueString(), from, controllerShown(plan.Controller), tokenIDForms))
		return
	}
	switch {
	case moves && movesFrom != nil:
		resp.Diagnostics.AddAttributeWarning(path.Root("controller"), "Token Moves to Another Controller",
			fmt.Sprintf("The token %s was made on %s, which is now %s, while %s points at %s. The token is replaced: a new "+
				"token is created on %s and the token %s is revoked on %s. Whatever uses the old value needs the new one.",
				state.UUID.ValueString(), jenkins.RedactURL(recorded), fleetName(movesFrom.controller), controllerShown(plan.Controller),
				jenkins.RedactURL(r.data.client.BaseURL()), jenkins.RedactURL(r.data.client.BaseURL()), state.UUID.ValueString(),
				jenkins.RedactURL(recorded)))
	case moves:
		// controller's plan modifier replaces the token; say what that does.
		resp.Diagnostics.AddAttributeWarning(path.Root("controller"), "Token Moves to Another Controller",
			fmt.Sprintf("controller changes from %s to %s, so the token is replaced: a new token is created on %s and the "+
				"token %s is revoked on %s. If only the entry's name in the provider's controllers changed (same server_url), "+
				"this is still a new token with a new value: whatever uses the old value needs the new one.",
				controllerShown(state.Controller), controllerShown(plan.Controller), controllerShown(plan.Controller),
				state.UUID.ValueString(), controllerShown(state.Controller)))
	case !creating && !r.planUserID(ctx, &plan, state, req.Private, resp):
		return
	}
	now := time.Now
	if r.data != nil {
		now = r.data.now
	}
	// Expiry and rotation were decided by Read, against Jenkins's today: the plan depends on the
	// configuration and the refreshed state only, so the re-plan during apply agrees with it.
	replace := movesFrom != nil
	if !creating {
		sameDate := plan.ExpirationDate.Equal(state.ExpirationDate)
		switch {
		case state.Expired.ValueBool() && sameDate:
			// The replacement would get the same date, already past: one error that says what to do.
			resp.Diagnostics.AddAttributeError(path.Root("expiration_date"), "Jenkins API Token Expired",
				fmt.Sprintf("The token %s of user %q expired on %s; Jenkins rejects it. A replacement with the same "+
					"expiration_date would be expired too: move expiration_date forward (for example from time_rotating), "+
					"and the plan replaces the token.", state.UUID.ValueString(), state.UserID.ValueString(), state.ExpirationDate.ValueString()))
			return
		case state.Expired.ValueBool():
			replace = true
			resp.Diagnostics.AddAttributeWarning(path.Root("expired"), "Jenkins API Token Expired",
				fmt.Sprintf("The token %s of user %q expired on %s; Jenkins rejects it. The plan replaces it.",
					state.UUID.ValueString(), state.UserID.ValueString(), state.ExpirationDate.ValueString()))
		case state.RotationDue.ValueBool() && !plan.RotateBeforeDays.IsNull():
			replace = true
			if sameDate {
				resp.Diagnostics.AddAttributeWarning(path.Root("expiration_date"), "Jenkins API Token Due for Rotation",
					fmt.Sprintf("The token expires on %s, within rotate_before_days; the plan replaces it. The new token gets the "+
						"same expiration_date, so it is due for rotation too: move expiration_date forward (for example from "+
						"time_rotating) to stop rotating at every apply.", state.ExpirationDate.ValueString()))
			}
		}
	}
	var tokenWO types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("token_wo"), &tokenWO)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Terraform replaces only for a path whose planned value differs from the state: the UUID,
	// which the replacement changes (the value does not differ when token_wo gives it: null in
	// both).
	replaceFor := path.Root("uuid")
	if !creating && !plan.TokenWOVersion.Equal(state.TokenWOVersion) {
		adopt, ok := r.adoptsWithTokenWO(ctx, plan, state, tokenWO, req.Private, resp)
		if !ok {
			return
		}
		if !adopt {
			replace, replaceFor = true, path.Root("token_wo_version")
		}
	}
	if replace && !tokenWO.IsNull() && plan.TokenWOVersion.Equal(state.TokenWOVersion) {
		resp.Diagnostics.AddAttributeWarning(path.Root("token_wo_version"), "Replacement Uses This Run's token_wo",
			"The token is replaced with the value token_wo has in this run. If that value comes from jenkins_api_token_value "+
				"(a new one every run), make sure whatever holds it takes this run's value too: derive its write-only version "+
				"from this token's created_at, which changes with every new token. If token_wo is a fixed value, the new token "+
				"keeps it; to change it, change token_wo and token_wo_version together.")
	}
	if !creating && !replace && plan.RotateBeforeDays.IsNull() && !state.ExpiresInDays.IsNull() &&
		state.ExpiresInDays.ValueInt64() >= 0 && state.ExpiresInDays.ValueInt64() <= 14 {
		resp.Diagnostics.AddAttributeWarning(path.Root("expiration_date"), "Jenkins API Token Expires Soon",
			fmt.Sprintf("The token %q of user %q expires on %s (in %d days, by Jenkins's date), and nothing rotates it: move "+
				"expiration_date forward, or set rotate_before_days so that the plan replaces it in time.",
				state.Name.ValueString(), state.UserID.ValueString(), state.ExpirationDate.ValueString(), state.ExpiresInDays.ValueInt64()))
	}
	if replace {
		plan.Token = tokenPlannedFor(tokenWO)
		plan.UUID = types.StringUnknown()
		plan.ID = types.StringUnknown()
		plan.CreatedAt = types.StringUnknown()
		plan.Expired = types.BoolUnknown()
		plan.RotationDue = types.BoolUnknown()
		plan.ExpiresInDays = types.Int64Unknown()
		resp.RequiresReplace = append(resp.RequiresReplace, replaceFor)
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	}
	if creating && !tokenWO.IsNull() {
		plan.Token = types.StringNull()
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("token"), plan.Token)...)
	}

	if !creating && !replace && r.data != nil && r.data.client != nil && r.data.maxLifetimeDays > 0 {
		latest := r.data.latestExpiration(r.data.jenkinsToday(ctx))
		if latest != "" && (state.ExpirationDate.IsNull() || state.ExpirationDate.ValueString() > latest) {
			resp.Diagnostics.AddAttributeWarning(path.Root("expiration_date"), "Token Outside the Lifetime Policy",
				fmt.Sprintf("The token %q of user %q (expiration date: %s) was created before the provider's max_token_lifetime_days "+
					"(%d) applied to it. It is left as it is; to bring it under the policy, set an expiration_date up to %s, which "+
					"replaces it.", state.Name.ValueString(), state.UserID.ValueString(), orNone(state.ExpirationDate), r.data.maxLifetimeDays, latest))
		}
	}

	// What follows concerns a token about to be created. For a replacement Terraform plans
	// again with no prior state, so creating covers it too.
	if creating && !plan.ExpirationDate.IsUnknown() {
		resp.Diagnostics.Append(r.data.checkLifetime(ctx, plan.ExpirationDate.ValueString())...)
	}
	if creating {
		r.data.warnJoinedController(ctx, &resp.Diagnostics)
	}
	if !creating || plan.ExpirationDate.IsNull() || plan.ExpirationDate.IsUnknown() {
		return
	}
	resp.Diagnostics.Append(checkExpirationDate(ctx, r.data, plan.ExpirationDate.ValueString(), now())...)
}

// orNone is a date for a message: the date, or "none".
func orNone(date types.String) string {
	if date.IsNull() || date.ValueString() == "" {
		return "none"
	}
	return date.ValueString()
}

// tokenPlannedFor is the planned token value of a token about to be created: null when
// token_wo gives it (Terraform must not hold it), else known only after the create.
func tokenPlannedFor(tokenWO types.String) types.String {
	if tokenWO.IsNull() {
		return types.StringUnknown()
	}
	return types.StringNull()
}

// adoptsWithTokenWO decides a change of token_wo_version, which replaces the token, except
// right after an import (no prior version, and no value in the state): then the token is
// adopted, not revoked, when its value is token_wo, as Jenkins tells by its hash. It reports
// false when it added an error.
func (r *userAPITokenResource) adoptsWithTokenWO(ctx context.Context, plan, state userAPITokenModel, tokenWO types.String, private privateGetter, resp *resource.ModifyPlanResponse) (adopt, ok bool) {
	if !adoptingImported(plan, state) || tokenWO.IsNull() {
		return false, true
	}
	if tokenWO.IsUnknown() || plan.TokenWOVersion.IsUnknown() || r.data == nil || r.data.client == nil {
		// Replacing would revoke a token that may well have that value.
		resp.Diagnostics.AddAttributeError(path.Root("token_wo"), "Cannot Decide Whether to Adopt the Imported Token",
			fmt.Sprintf("The token %s of user %q was imported, and whether it is kept or replaced depends on whether its value "+
				"is token_wo, which Jenkins can tell only when token_wo, token_wo_version and the provider configuration are "+
				"known at plan time. Give known values (for example apply the resources they come from first, with -target), "+
				"or leave token_wo out until then.", state.UUID.ValueString(), state.UserID.ValueString()))
		return false, false
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, tokenWO.ValueString())
	owner, _ := ownerID(ctx, private, state)
	check, err := r.data.client.TokenHasValue(ctx, owner, state.UUID.ValueString(), tokenWO.ValueString())
	if err != nil {
		addError(&resp.Diagnostics, "Unable to Check the Imported Token's Value", err)
		return false, false
	}
	if !check.Exists {
		// Revoked since the refresh, or between a saved plan and its apply, where Terraform plans
		// again and rejects a different answer as an inconsistent plan. Keep the adoption the
		// refreshed state implies; Update finds the token gone and says to apply again.
		resp.Diagnostics.AddAttributeWarning(path.Root("token_wo_version"), "Imported Token No Longer in Jenkins",
			fmt.Sprintf("The token %s of user %q was revoked after the state was refreshed. Applying this plan fails; run "+
				"terraform plan or apply again, and the new plan creates the token with the value token_wo gives.",
				state.UUID.ValueString(), state.UserID.ValueString()))
		return true, true
	}
	if !check.Matches {
		resp.Diagnostics.AddAttributeWarning(path.Root("token_wo_version"), "Imported Token Has Another Value",
			fmt.Sprintf("The token %s of user %q does not have the value token_wo gives, so the plan replaces it with one that "+
				"has. To adopt the token instead, give its current value in token_wo.", state.UUID.ValueString(), state.UserID.ValueString()))
	}
	return check.Matches, true
}

// valueInUseDetail says what to do about a token_wo value another token of the user holds. A
// token with this resource's name is most likely its own old token: Create cannot tell (it has
// no prior state), but create_before_destroy with an unchanged value is the usual cause.
func valueInUseDetail(inUse *jenkins.TokenValueInUseError, name string) string {
	detail := fmt.Sprintf("Jenkins user %s already holds a token with the value token_wo gives: token %s (%s). Each token "+
		"needs a value of its own, because two resources holding one token would revoke each other's.",
		shown(inUse.UserID), inUse.UUID, shown(inUse.Name))
	if inUse.Name == name {
		detail += " If that is the token this resource replaces (create_before_destroy creates the new token before " +
			"it revokes the old one), give the replacement a new value: change token_wo (for example to a new " +
			"jenkins_api_token_value) and token_wo_version together. Or remove create_before_destroy, so that the old " +
			"token is revoked first and the new one can take its value."
	}
	return detail + " If the token belongs to something else, give this token a value of its own in token_wo (for " +
		"example from the jenkins_api_token_value ephemeral resource) with a new token_wo_version, or import that token " +
		"instead."
}

// adoptingImported reports whether an update adopts an imported token by token_wo: no prior
// version and no value in the state, a version in the plan (adoptsWithTokenWO said adopt).
func adoptingImported(plan, state userAPITokenModel) bool {
	return state.TokenWOVersion.IsNull() && state.Token.IsNull() && !plan.TokenWOVersion.IsNull()
}

// planUserID decides whether a changed user_id names another user: Jenkins decides, by its own
// id strategy (case-insensitive in Jenkins's own user database, case-sensitive in some LDAP
// setups). The same user keeps the prior spelling, so the plan is empty; another user, or a
// value known only at apply, replaces the token. It reports false when it added an error.
func (r *userAPITokenResource) planUserID(ctx context.Context, plan *userAPITokenModel, state userAPITokenModel, private privateGetter, resp *resource.ModifyPlanResponse) bool {
	if plan.UserID.Equal(state.UserID) {
		return true
	}
	if !plan.UserID.IsUnknown() && r.data != nil && r.data.client != nil {
		owner, _ := ownerID(ctx, private, state)
		from, err := r.data.reader.canonicalID(ctx, owner)
		if err == nil && from != "" {
			var to string
			to, err = r.data.reader.canonicalID(ctx, plan.UserID.ValueString())
			if err == nil && to == from {
				plan.UserID = state.UserID
				resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("user_id"), state.UserID)...)
				return !resp.Diagnostics.HasError()
			}
		}
		if err != nil {
			addError(&resp.Diagnostics, "Unable to Look Up the Jenkins User", err)
			return false
		}
	}
	resp.RequiresReplace = append(resp.RequiresReplace, path.Root("user_id"))
	return true
}

// checkExpirationDate refuses, before anything is created, an expiration date Jenkins cannot
// honour: one before Jenkins's today (in the controller's time zone, which decides expiry, not
// UTC), or any date on a Jenkins older than 2.548. With the provider not configured yet
// (provider values unknown at plan time) only dates that are in the past in every time zone are
// refused; the create script checks against Jenkins's today again.
func checkExpirationDate(ctx context.Context, data *providerData, date string, now time.Time) diag.Diagnostics {
	var diags diag.Diagnostics
	if data == nil || data.client == nil {
		if earliest := now.UTC().AddDate(0, 0, -1).Format(dateLayout); date < earliest {
			diags.AddAttributeError(path.Root("expiration_date"), "Expiration Date in the Past",
				fmt.Sprintf("expiration_date %s is in the past: a token created now would already be expired. Set a date from today on.", date))
		}
		return diags
	}
	info, err := data.client.ServerInfo(ctx)
	if err != nil {
		addError(&diags, "Unable to Read the Jenkins Version and Date", err)
		return diags
	}
	v, err := jenkins.ParseVersion(info.Version)
	if err == nil && !v.AtLeast(expirationMinVersion) {
		diags.AddAttributeError(path.Root("expiration_date"), "Token Expiration Not Supported by This Jenkins",
			fmt.Sprintf("expiration_date needs Jenkins %s or later; %s runs Jenkins %s. Remove expiration_date, or upgrade Jenkins.",
				expirationMinVersion, data.client.BaseURL(), v))
		return diags
	}
	if date < info.Today {
		diags.AddAttributeError(path.Root("expiration_date"), "Expiration Date in the Past",
			fmt.Sprintf("expiration_date %s is before Jenkins's today (%s in its time zone %s): a token created now would "+
				"already be expired, because Jenkins compares expiration dates with its own date. Set a date from %s on.",
				date, info.Today, info.TimeZone, info.Today))
	}
	return diags
}

// requiresReplaceUnlessImported replaces the token when rotation_triggers change, but not when
// the prior value is null: after an import the state has no triggers yet, and adopting a token
// must never revoke it (hashicorp/random treats keepers the same way). Adding triggers to a
// token that had none is therefore an in-place change too.
func requiresReplaceUnlessImported() planmodifier.Map {
	return mapplanmodifier.RequiresReplaceIf(func(_ context.Context, req planmodifier.MapRequest, resp *mapplanmodifier.RequiresReplaceIfFuncResponse) {
		resp.RequiresReplace = !req.StateValue.IsNull()
	}, "Changing the triggers replaces the token; setting them where there were none (after an import) does not.",
		"Changing the triggers replaces the token; setting them where there were none (after an import) does not.")
}

// rotationDue reports whether Jenkins's today (YYYY-MM-DD) is inside the rotation window of a
// token expiring on expirationDate ("" = never): from rotateBeforeDays before that date on.
func rotationDue(rotateBeforeDays types.Int64, expirationDate, today string) bool {
	if rotateBeforeDays.IsNull() || rotateBeforeDays.IsUnknown() || expirationDate == "" || today == "" {
		return false
	}
	exp, err := time.Parse(dateLayout, expirationDate)
	if err != nil {
		return false
	}
	return exp.AddDate(0, 0, -int(rotateBeforeDays.ValueInt64())).Format(dateLayout) <= today
}

// setDatesFrom records, by Jenkins's today, whether the token is inside its rotation window and
// how many days it has left: what Read and Create decide, so that the plan does not depend on
// the day it is applied.
func (m *userAPITokenModel) setDatesFrom(tok jenkins.Token, today string) {
	m.RotationDue = types.BoolValue(rotationDue(m.RotateBeforeDays, tok.ExpirationDate, today))
	m.ExpiresInDays = expiresInDays(tok.ExpirationDate, today)
}

func (r *userAPITokenResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan userAPITokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.data = r.data.on(plan.Controller, &resp.Diagnostics); r.data == nil {
		return
	}
	defer r.data.onController(&resp.Diagnostics, len(resp.Diagnostics))
	// The policy again, for a date that was known only at apply.
	resp.Diagnostics.Append(r.data.checkLifetime(ctx, plan.ExpirationDate.ValueString())...)
	var tokenWO types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("token_wo"), &tokenWO)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tok, value, err := r.data.createToken(ctx, newToken{
		userID: plan.UserID.ValueString(), name: plan.Name.ValueString(), expirationDate: plan.ExpirationDate.ValueString(),
		value: tokenWO.ValueString(),
	})
	if err != nil {
		var inUse *jenkins.TokenValueInUseError
		if errors.As(err, &inUse) {
			resp.Diagnostics.AddAttributeError(path.Root("token_wo"), "Token Value Already in Use", valueInUseDetail(inUse, plan.Name.ValueString()))
			return
		}
		addError(&resp.Diagnostics, "Unable to Create Jenkins API Token", err)
		return
	}
	plan.Token = types.StringValue(value)
	if !tokenWO.IsNull() {
		plan.Token = types.StringNull()
	}
	setFromToken(&plan, tok)
	plan.setDatesFrom(tok, r.data.jenkinsToday(ctx))
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	recordOwnerID(ctx, resp.Private, tok.UserID, &resp.Diagnostics)
	recordControllerURL(ctx, resp.Private, r.data, &resp.Diagnostics)
	setIdentity(ctx, resp.Identity, plan.Controller, tok, &resp.Diagnostics)
}

func (r *userAPITokenResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state userAPITokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var movedFrom string
	if r.data, movedFrom = r.data.onStoredToken(ctx, state.Controller, req.Private, &resp.Diagnostics); r.data == nil {
		return
	}
	defer r.data.onController(&resp.Diagnostics, len(resp.Diagnostics))
	owner, _ := ownerID(ctx, req.Private, state)
	tok, err := r.data.readToken(ctx, owner, state.UUID.ValueString())
	if err != nil {
		addError(&resp.Diagnostics, "Unable to Read Jenkins API Token", err)
		return
	}
	if tok == nil && movedFrom != "" {
		r.notAtNewURL(&resp.Diagnostics, state, movedFrom)
		return
	}
	if tok == nil {
		// Revoked (or the user deleted) outside Terraform: forget it, so the plan creates it again.
		tflog.Info(ctx, "API token no longer in Jenkins; removing it from state", map[string]any{
			"user_id": owner, "uuid": state.UUID.ValueString(),
		})
		resp.State.RemoveResource(ctx)
		// The framework wants an identity even for a resource that is gone: keep the one it had,
		// or, when Terraform stored none (before 1.12), name it from the state.
		if resp.Identity != nil && resp.Identity.Raw.IsNull() {
			setIdentity(ctx, resp.Identity, state.Controller, jenkins.Token{UserID: owner, UUID: state.UUID.ValueString()}, &resp.Diagnostics)
		}
		return
	}
	refreshed := state
	setFromToken(&refreshed, *tok)
	refreshed.setDatesFrom(*tok, r.data.jenkinsToday(ctx))
	// resp.State and resp.Identity start as the prior ones, and most refreshes change nothing:
	// writing them back through the framework's reflection was a sixth of the provider's CPU in
	// the plan of 1,000 tokens (make bench).
	if !refreshed.sameRefreshedValues(state) {
		resp.Diagnostics.Append(resp.State.Set(ctx, &refreshed)...)
	}
	recordOwnerID(ctx, resp.Private, tok.UserID, &resp.Diagnostics)
	recordControllerURL(ctx, resp.Private, r.data, &resp.Diagnostics)
	if !identityHolds(resp.Identity, refreshed.Controller, *tok) {
		setIdentity(ctx, resp.Identity, refreshed.Controller, *tok, &resp.Diagnostics)
	}
}

// sameRefreshedValues reports whether m has the values Read sets (setFromToken and
// setDatesFrom) that prior has.
func (m userAPITokenModel) sameRefreshedValues(prior userAPITokenModel) bool {
	return m.UUID.Equal(prior.UUID) && m.ID.Equal(prior.ID) && m.Name.Equal(prior.Name) &&
		m.CreatedAt.Equal(prior.CreatedAt) && m.ExpirationDate.Equal(prior.ExpirationDate) &&
		m.Expired.Equal(prior.Expired) && m.RotationDue.Equal(prior.RotationDue) &&
		m.ExpiresInDays.Equal(prior.ExpiresInDays)
}

func (r *userAPITokenResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state userAPITokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var movedFrom string
	if r.data, movedFrom = r.data.onStoredToken(ctx, state.Controller, req.Private, &resp.Diagnostics); r.data == nil {
		return
	}
	defer r.data.onController(&resp.Diagnostics, len(resp.Diagnostics))
	owner, _ := ownerID(ctx, req.Private, state)
	if movedFrom != "" && !r.foundAtNewURL(ctx, &resp.Diagnostics, state, owner, movedFrom) {
		return
	}
	if adoptingImported(plan, state) {
		// The plan adopted the token on Jenkins's word; it may have been revoked since.
		tok, err := r.data.readToken(ctx, owner, state.UUID.ValueString())
		if err != nil {
			addError(&resp.Diagnostics, "Unable to Adopt Jenkins API Token", err)
			return
		}
		if tok == nil {
			resp.Diagnostics.AddAttributeError(path.Root("token_wo_version"), "Imported Token Revoked After the Plan",
				fmt.Sprintf("The token %s of user %q was revoked outside Terraform after the plan that adopts it was made, so "+
					"there is nothing to adopt. Run terraform apply again: the new plan creates the token with the value "+
					"token_wo gives.", state.UUID.ValueString(), state.UserID.ValueString()))
			return
		}
	}
	if !plan.Name.Equal(state.Name) {
		_, err := r.data.renameToken(ctx, owner, state.UUID.ValueString(), plan.Name.ValueString())
		if err != nil {
			if jenkins.IsNotFound(err) {
				resp.Diagnostics.AddError("Unable to Rename Jenkins API Token",
					fmt.Sprintf("The token %s of user %q was revoked outside Terraform after the plan was made. Run terraform apply again: the new plan creates it.\n\nCause: %s",
						state.UUID.ValueString(), state.UserID.ValueString(), err))
				return
			}
			addError(&resp.Diagnostics, "Unable to Rename Jenkins API Token", err)
			return
		}
	}
	// Everything else that can change in place (rotate_before_days, the case of user_id) is
	// Terraform-side only.
	plan.ID, plan.UUID, plan.Token, plan.CreatedAt, plan.Expired = state.ID, state.UUID, state.Token, state.CreatedAt, state.Expired
	plan.RotationDue, plan.ExpiresInDays = state.RotationDue, state.ExpiresInDays
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	r.keepIdentity(ctx, resp.Identity, state, owner, &resp.Diagnostics)
}

func (r *userAPITokenResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state userAPITokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var movedFrom string
	if r.data, movedFrom = r.data.onStoredToken(ctx, state.Controller, req.Private, &resp.Diagnostics); r.data == nil {
		return
	}
	defer r.data.onController(&resp.Diagnostics, len(resp.Diagnostics))
	// Revoking a token already gone is success: the goal, no such token, holds. So is a user
	// gone, when Jenkins returned that id (revokeToken). Not on a Jenkins the token was not made
	// on: there "gone" says nothing about the token.
	owner, fromJenkins := ownerID(ctx, req.Private, state)
	if movedFrom != "" && !r.foundAtNewURL(ctx, &resp.Diagnostics, state, owner, movedFrom) {
		return
	}
	if err := r.data.revokeToken(ctx, owner, state.UUID.ValueString(), fromJenkins); err != nil {
		addError(&resp.Diagnostics, "Unable to Revoke Jenkins API Token", err)
		return
	}
}

// foundAtNewURL reports whether the token is on the controller its name now points at, after
// the URL it was made on (movedFrom) left the provider's configuration; if not, it says why the
// provider stops there.
func (r *userAPITokenResource) foundAtNewURL(ctx context.Context, diags *diag.Diagnostics, state userAPITokenModel, owner, movedFrom string) bool {
	tok, err := r.data.readToken(ctx, owner, state.UUID.ValueString())
	if err != nil {
		addError(diags, "Unable to Read Jenkins API Token", err)
		return false
	}
	if tok == nil {
		r.notAtNewURL(diags, state, movedFrom)
		return false
	}
	return true
}

// notAtNewURL is the error for a token that is not on the Jenkins its controller now points at:
// it may still be valid on the one it was made on, so it is neither forgotten nor re-created.
func (r *userAPITokenResource) notAtNewURL(diags *diag.Diagnostics, state userAPITokenModel, movedFrom string) {
	diags.AddAttributeError(path.Root("controller"), "Jenkins API Token Not on the Controller's New URL",
		fmt.Sprintf("The token %s of user %q was made on %s, but %s now points at %s, and no entry of the provider's "+
			"controllers has the old URL. The token is not on the new Jenkins, so the provider cannot tell whether it was "+
			"revoked or is still valid on the old one, and neither forgets it nor creates it again. If the old Jenkins "+
			"still runs, add it to controllers (under any name) with server_url %s: the provider then finds the token there "+
			"(and a plan that keeps it on %s replaces it: revoked there, created anew). If it is gone for good, remove the "+
			"token from the state with terraform state rm.",
			state.UUID.ValueString(), state.UserID.ValueString(), jenkins.RedactURL(movedFrom), controllerShown(state.Controller),
			jenkins.RedactURL(r.data.client.BaseURL()), jenkins.RedactURL(movedFrom), controllerShown(state.Controller)))
}

// ImportState takes `<user_id>/<uuid>` (terraform import, or an import block with id), or the
// identity { user_id, uuid } (an import block with identity, Terraform 1.12+), and stores the
// owner as Jenkins spells the id. The token value stays null: Jenkins keeps only a hash.
func (r *userAPITokenResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var userID, uuid string
	controller := types.StringNull()
	if req.ID != "" {
		var err error
		controller, userID, uuid, err = parseTokenID(req.ID)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("id"), "Invalid Import ID", err.Error())
			return
		}
	} else {
		var id tokenIdentity
		resp.Diagnostics.Append(req.Identity.Get(ctx, &id)...)
		if resp.Diagnostics.HasError() {
			return
		}
		userID, uuid = id.UserID.ValueString(), strings.ToLower(id.UUID.ValueString())
		if !id.Controller.IsNull() && id.Controller.ValueString() != "" {
			controller = id.Controller
		}
		if userID == "" || !uuidPattern.MatchString(uuid) {
			resp.Diagnostics.AddError("Invalid Import Identity",
				fmt.Sprintf("identity must name a user and a token UUID (8-4-4-4-12 hex digits, as listed by the jenkins_user_tokens data source), got user_id %q and uuid %q", userID, id.UUID.ValueString()))
			return
		}
	}
	if r.data = r.data.on(controller, &resp.Diagnostics); r.data == nil {
		return
	}
	defer r.data.onController(&resp.Diagnostics, len(resp.Diagnostics))
	// One read, shared with the Read that follows (the reader batches and remembers it).
	tok, err := r.data.readToken(ctx, userID, uuid)
	if err != nil {
		addError(&resp.Diagnostics, "Unable to Import Jenkins API Token", err)
		return
	}
	if tok != nil && tok.Legacy {
		resp.Diagnostics.AddError("Legacy API Token Cannot Be Imported", legacyImportRefused(tok.UserID, tok.UUID))
		return
	}
	if tok != nil {
		// The state keeps the owner as Jenkins spells the id: an import named DAVE for Jenkins's
		// dave would otherwise differ from a configuration written as Jenkins spells it (as
		// terraform query generates it), and every plan would pay a script call to learn that
		// both name one user. A token that is gone is left to Read, which reports it.
		userID = tok.UserID
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("controller"), controller)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), tokenID(controller, userID, uuid))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("user_id"), userID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("uuid"), uuid)...)
	if tok != nil {
		recordOwnerID(ctx, resp.Private, tok.UserID, &resp.Diagnostics)
		recordControllerURL(ctx, resp.Private, r.data, &resp.Diagnostics)
		setIdentity(ctx, resp.Identity, controller, *tok, &resp.Diagnostics)
	}
}

// legacyImportRefused says why a legacy token is not adopted, and what to do instead. The
// resource could neither follow it nor re-create it: Jenkins gives the legacy token of a user
// whose record was last saved before 2.129 a new random UUID at every start (ApiTokenProperty
// rebuilds it from the seed), so the next plan would find the adopted token gone and create a
// new token named "Legacy Token" while the real one stays valid; and a legacy token cannot be
// made again with its value, which is derived from a seed, not set. The legacy cleanup follows
// the user's current legacy token and clears its seed.
func legacyImportRefused(userID, uuid string) string {
	return fmt.Sprintf("The token %s of user %s is the user's legacy API token (the single token of Jenkins before 2.129), "+
		"which jenkins_user_api_token does not manage: Jenkins gives a legacy token a new UUID at every restart until "+
		"the user's record is saved again, so the next plan would find the imported token gone and create a new token "+
		"named \"Legacy Token\" while the legacy one stays valid, and a legacy token cannot be created again with its "+
		"value. Retire it instead with the jenkins_legacy_token_cleanup resource, which revokes the user's current "+
		"legacy token and clears its seed, after giving its holders a new token (a jenkins_user_api_token without "+
		"import). Remove this import.", uuid, shown(userID))
}

// tokenID is a token's resource ID: `<user id>/<uuid>` on the default controller,
// `<controller>/<user id>/<uuid>` on a named one.
func tokenID(controller types.String, userID, uuid string) string {
	if controller.IsNull() || controller.IsUnknown() || controller.ValueString() == "" {
		return userID + "/" + uuid
	}
	return controller.ValueString() + "/" + userID + "/" + uuid
}

const tokenIDForms = "<user_id>/<uuid> (default controller) or <controller>/<user_id>/<uuid>, such as " +
	"alice/0f6c4a3e-8d2b-4c1e-9a7f-3b5d2e1c0a9b or ci-eu/alice/0f6c4a3e-8d2b-4c1e-9a7f-3b5d2e1c0a9b"

// parseTokenID splits a token ID (tokenID). Jenkins user IDs cannot contain "/" (Jenkins maps it
// to "_"), nor can controller names, so the parts are unambiguous.
func parseTokenID(id string) (controller types.String, userID, uuid string, err error) {
	parts := strings.Split(id, "/")
	controller = types.StringNull()
	switch {
	case len(parts) == 2:
	case len(parts) == 3 && controllerNamePattern.MatchString(parts[0]):
		controller = types.StringValue(parts[0])
		parts = parts[1:]
	case len(parts) == 3:
		return controller, "", "", fmt.Errorf("expected an ID of the form %s, but %q is not a controller name (%s)", tokenIDForms, parts[0], controllerNameRule)
	default:
		return controller, "", "", fmt.Errorf("expected an ID of the form %s, got %q", tokenIDForms, id)
	}
	userID, uuid = parts[0], parts[1]
	if userID == "" || uuid == "" {
		return controller, "", "", fmt.Errorf("expected an ID of the form %s, got %q", tokenIDForms, id)
	}
	if !uuidPattern.MatchString(uuid) {
		return controller, "", "", fmt.Errorf("expected an ID of the form %s, but %q is not a token UUID (8-4-4-4-12 hex digits, as listed by the jenkins_user_tokens data source)", tokenIDForms, uuid)
	}
	return controller, userID, strings.ToLower(uuid), nil
}

// setFromToken copies what Jenkins knows about the token into the model.
func setFromToken(m *userAPITokenModel, tok jenkins.Token) {
	m.UUID = types.StringValue(tok.UUID)
	// Jenkins's id, not the configured spelling: what an import takes (see jenkinsUserIDKey).
	m.ID = types.StringValue(tokenID(m.Controller, tok.UserID, tok.UUID))
	m.Name = types.StringValue(tok.Name)
	m.CreatedAt = timeValue(tok.CreatedAt)
	m.ExpirationDate = optionalString(tok.ExpirationDate)
	m.Expired = types.BoolValue(tok.Expired)
}
