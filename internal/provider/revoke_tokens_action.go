package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
)

var (
	_ action.Action                   = (*revokeTokensAction)(nil)
	_ action.ActionWithConfigure      = (*revokeTokensAction)(nil)
	_ action.ActionWithValidateConfig = (*revokeTokensAction)(nil)
	_ action.ActionWithModifyPlan     = (*revokeTokensAction)(nil)
)

// revokeTokensAction revokes, on demand and without state, every token a selection matches: for
// incident response and one-off offboarding (`terraform apply -invoke=action.jenkins_revoke_tokens.x`,
// Terraform 1.14+), or from a resource's lifecycle action_trigger. Its selection is
// jenkins_user_token_cleanup's, from the same code.
type revokeTokensAction struct {
	data *providerData
}

func NewRevokeTokensAction() action.Action { return &revokeTokensAction{} }

func (a *revokeTokensAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_revoke_tokens"
}

func (a *revokeTokensAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	ids := []validator.Set{setvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Revokes now every API token the selection matches, in one script call, and reports what it " +
			"revoked by user, name and UUID (Terraform 1.14 and later: `terraform apply -invoke=action.jenkins_revoke_tokens.NAME`, " +
			"or a resource's `lifecycle { action_trigger { ... } }`). Nothing is kept in state: for incident response and " +
			"one-off offboarding. The selection is `jenkins_user_token_cleanup`'s; legacy tokens are revoked with their seed, " +
			"so they cannot come back at the next restart. Selecting every user takes `all_users = true`: a selection " +
			"without `user_ids` is an error otherwise.",
		Attributes: map[string]schema.Attribute{
			"controller": schema.StringAttribute{
				MarkdownDescription: controllerDescription("the tokens") + " For a fleet, declare the action with `for_each` " +
					"over the controllers and invoke each instance (or trigger them all from one resource's `action_trigger`).",
				Optional:   true,
				Validators: []validator.String{controllerRefValidator()},
			},
			"user_ids": schema.SetAttribute{
				MarkdownDescription: "The users whose tokens are revoked. A user Jenkins has no record of is an error (at plan " +
					"time when the IDs are known then), so that a typo cannot go unnoticed.",
				ElementType: types.StringType,
				Optional:    true,
				Validators:  append(ids, setvalidator.SizeAtLeast(1)),
			},
			"all_users": schema.BoolAttribute{
				MarkdownDescription: "`true`: every user is in scope (minus `exclude_user_ids`). Required, instead of `user_ids`, " +
					"to revoke the tokens of everyone on purpose.",
				Optional: true,
			},
			"exclude_user_ids": schema.SetAttribute{
				MarkdownDescription: excludeUserIDsDescription,
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          ids,
			},
			"legacy": schema.BoolAttribute{MarkdownDescription: filterDescriptions["legacy"], Optional: true},
			"unused_for_days": schema.Int64Attribute{
				MarkdownDescription: filterDescriptions["unused_for_days"],
				Optional:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"expired": schema.BoolAttribute{MarkdownDescription: filterDescriptions["expired"], Optional: true},
			"never_expires": schema.BoolAttribute{
				MarkdownDescription: filterDescriptions["never_expires"],
				Optional:            true,
				Validators:          []validator.Bool{neverExpiresValidator{}},
			},
			"name_regex": schema.StringAttribute{
				MarkdownDescription: filterDescriptions["name_regex"],
				Optional:            true,
				Validators:          []validator.String{regexValidator},
			},
			"created_before": schema.StringAttribute{
				MarkdownDescription: filterDescriptions["created_before"],
				Optional:            true,
				Validators:          []validator.String{rfc3339Validator},
			},
			"realm_status": schema.SetAttribute{
				MarkdownDescription: realmStatusFilterDescription,
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(selectableRealmStatuses...))},
			},
			"inactive_for_days": schema.Int64Attribute{
				MarkdownDescription: inactiveFilterDescription,
				Optional:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"max_revocations": schema.Int64Attribute{
				MarkdownDescription: maxRevocationsDescription,
				Optional:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"keep_uuids": schema.SetAttribute{
				MarkdownDescription: "Tokens never revoked, whatever the filters say.",
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          []validator.Set{setvalidator.ValueStringsAre(stringvalidator.RegexMatches(uuidPattern, "must be a token UUID"))},
			},
		},
	}
}

func (a *revokeTokensAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig refuses a selection without scope, or with two, at `terraform validate`.
func (a *revokeTokensAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	checkActionScope(ctx, req.Config, &resp.Diagnostics)
}

// checkActionScope: user_ids or all_users = true, exactly one. Values unknown now are checked
// when they are known (ModifyPlan at apply, Invoke).
func checkActionScope(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) {
	var userIDs types.Set
	var allUsers types.Bool
	diags.Append(config.GetAttribute(ctx, path.Root("user_ids"), &userIDs)...)
	diags.Append(config.GetAttribute(ctx, path.Root("all_users"), &allUsers)...)
	if diags.HasError() || userIDs.IsUnknown() || allUsers.IsUnknown() {
		return
	}
	switch {
	case userIDs.IsNull() && !allUsers.ValueBool():
		diags.AddAttributeError(path.Root("user_ids"), "No Users Selected",
			"Set user_ids to the users whose tokens the action revokes, or all_users = true to revoke the tokens of every "+
				"user (minus exclude_user_ids) on purpose.")
	case !userIDs.IsNull() && allUsers.ValueBool():
		diags.AddAttributeError(path.Root("all_users"), "Conflicting Selection",
			"Set either user_ids or all_users = true, not both.")
	}
}

// ModifyPlan is the dry run of `terraform plan -invoke=...` and of a plan whose changes trigger
// the action: with the selection known, it selects the tokens (one script call), refuses what
// the action would refuse (unknown users, the provider's own user, over max_revocations) before
// anything is applied, and lists the tokens in a warning. Terraform calls it again at apply with
// every value known; Invoke checks once more, since Jenkins may have changed in between.
func (a *revokeTokensAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	if a.data == nil {
		return // the provider block is known only at apply: Invoke checks then
	}
	controller := controllerFrom(ctx, req.Config, &resp.Diagnostics)
	if controller.IsUnknown() || resp.Diagnostics.HasError() {
		return // Invoke checks once it is known
	}
	if a.data = a.data.on(controller, &resp.Diagnostics); a.data == nil {
		return
	}
	defer a.data.onController(&resp.Diagnostics, len(resp.Diagnostics))
	checkActionScope(ctx, req.Config, &resp.Diagnostics)
	selection := &tokenCleanupResource{kind: userCleanup, data: a.data}
	cfg, diags := selection.readConfig(ctx, req.Config)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() || cfg.unknown || !actionScopeKnown(ctx, req.Config) {
		return
	}
	tokens, ok := a.selectForRevocation(ctx, selection, cfg, &resp.Diagnostics)
	if !ok || len(tokens) == 0 {
		return
	}
	if !a.data.admitRevocations(req.Config.Raw.String(), tokens, &resp.Diagnostics) {
		return
	}
	a.data.warnRunTotal(req.Config.Raw.String(), tokens, cfg.maxUsers, &resp.Diagnostics)
	resp.Diagnostics.AddWarning(fmt.Sprintf("Jenkins API Tokens Selected for Revocation: %d of %d User(s)", len(tokens), countUsers(tokens)),
		"The action's selection holds these tokens now; it revokes what it selects when it runs:\n"+describeTokens(tokens))
}

// actionScopeKnown reports whether user_ids and all_users are known.
func actionScopeKnown(ctx context.Context, config tfsdk.Config) bool {
	var userIDs types.Set
	var allUsers types.Bool
	if config.GetAttribute(ctx, path.Root("user_ids"), &userIDs).HasError() || config.GetAttribute(ctx, path.Root("all_users"), &allUsers).HasError() {
		return false
	}
	return !setUnknown(userIDs) && !allUsers.IsUnknown()
}

// selectForRevocation selects the tokens the action revokes and applies every check: users in
// user_ids that Jenkins does not know (an error), the provider's own credential (left out),
// the provider's own user and max_revocations (errors). ok is false when diags hold an error.
func (a *revokeTokensAction) selectForRevocation(ctx context.Context, selection *tokenCleanupResource, cfg cleanupConfig, diags *diag.Diagnostics) ([]jenkins.Token, bool) {
	tokens, missing, err := selection.selectTokens(ctx, cfg, diags)
	if err != nil {
		addSelectionError(diags, err)
		return nil, false
	}
	if len(missing) > 0 {
		diags.AddAttributeError(path.Root("user_ids"), "Unknown Jenkins User",
			fmt.Sprintf("%s. Check the spelling (whether case matters depends on Jenkins's security realm): the action "+
				"revokes only the tokens of users Jenkins has a record of, and a user without one holds no tokens.",
				(&jenkins.UserNotFoundError{UserIDs: missing}).Error()))
		return nil, false
	}
	selection.checkSafety(ctx, cfg, tokens, false, diags)
	return tokens, !diags.HasError()
}

func countUsers(tokens []jenkins.Token) int {
	users := map[string]bool{}
	for _, t := range tokens {
		users[t.UserID] = true
	}
	return len(users)
}

func (a *revokeTokensAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	if a.data = a.data.on(controllerFrom(ctx, req.Config, &resp.Diagnostics), &resp.Diagnostics); a.data == nil {
		return
	}
	defer a.data.onController(&resp.Diagnostics, len(resp.Diagnostics))
	// The plan checked what it could; values known only now are checked here.
	checkActionScope(ctx, req.Config, &resp.Diagnostics)
	selection := &tokenCleanupResource{kind: userCleanup, data: a.data}
	cfg, diags := selection.readConfig(ctx, req.Config)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	tokens, ok := a.selectForRevocation(ctx, selection, cfg, &resp.Diagnostics)
	if !ok {
		return
	}
	progress(resp, fmt.Sprintf("Revoking %d API token(s) of %d user(s)", len(tokens), countUsers(tokens)))
	if len(tokens) == 0 {
		return
	}
	results, ok := a.data.revokeReporting(ctx, tokenRefs(tokens), &resp.Diagnostics)
	if !ok {
		return
	}
	byUser := map[string][]string{}
	revoked := 0
	for _, res := range results {
		if res.Revoked() {
			revoked++
			byUser[res.UserID] = append(byUser[res.UserID], fmt.Sprintf("%q (%s)", res.Name, res.UUID))
		}
	}
	names := make([]string, 0, len(byUser))
	for u := range byUser {
		names = append(names, u)
	}
	sort.Strings(names)
	for _, u := range names {
		progress(resp, fmt.Sprintf("%s: revoked %s", shown(u), strings.Join(byUser[u], ", ")))
	}
	progress(resp, fmt.Sprintf("Revoked %d API token(s) of %d user(s)", revoked, len(names)))
	resp.Diagnostics.Append(revocationDiagnostics(results)...)
}

func progress(resp *action.InvokeResponse, msg string) {
	if resp.SendProgress != nil {
		resp.SendProgress(action.InvokeProgressEvent{Message: msg})
	}
}
