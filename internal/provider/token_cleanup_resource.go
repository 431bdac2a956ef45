package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
)

// The two cleanup types share this one implementation and differ only in their selection:
// jenkins_legacy_token_cleanup selects legacy tokens, jenkins_user_token_cleanup any token its
// filters select. The mechanism:
//
//   - Read fills the to-revoke list (legacy_tokens / tokens) with what Jenkins holds now in scope.
//   - ModifyPlan plans that list empty: the plan shows, by user, name and UUID, the tokens apply
//     will revoke (the dry run). `revoked` is known only after apply, because it records what
//     Jenkins really revoked, which can differ from the plan: a token revoked by someone else in
//     between is not listed, and a legacy token whose UUID changed at a restart is listed under
//     its new UUID. For a new or changed selection the plan lists the tokens in a warning.
//   - Create and Update revoke the tokens of the refreshed to-revoke list, or select them again
//     for a new selection, in one script call that clears legacy seeds (else a legacy token
//     comes back at the next restart).
//   - Delete only forgets: a revocation cannot be undone.

var (
	_ resource.Resource               = (*tokenCleanupResource)(nil)
	_ resource.ResourceWithConfigure  = (*tokenCleanupResource)(nil)
	_ resource.ResourceWithModifyPlan = (*tokenCleanupResource)(nil)
)

// cleanupKind is what distinguishes the two cleanup types.
type cleanupKind struct {
	typeSuffix   string // after "jenkins_"
	toRevokeAttr string // the computed list of tokens still to revoke
	filters      bool   // whether the selection filters and keep_uuids exist
	description  string
}

var (
	legacyCleanup = cleanupKind{
		typeSuffix:   "legacy_token_cleanup",
		toRevokeAttr: "legacy_tokens",
		description: "Revokes the legacy API tokens of the users in scope, and keeps them revoked: a legacy token " +
			"that appears later shows up in the next `terraform plan` and is revoked by the next apply. " +
			"`terraform plan` is the dry run: it lists, by user, every token apply will revoke. " +
			"Revocation also clears the user's legacy token seed, so the token cannot come back when Jenkins restarts " +
			"(revoking only the token store entry, as `revokeAll` does, brings it back). " +
			"Destroying this resource only removes it from the state: a revocation cannot be undone.",
	}
	userCleanup = cleanupKind{
		typeSuffix:   "user_token_cleanup",
		toRevokeAttr: "tokens",
		filters:      true,
		description: "Revokes every API token of the users in scope that the filters select, and keeps them revoked: " +
			"for offboarding (`user_ids = [\"bob\"]` alone revokes all of bob's tokens) and hygiene (tokens unused for " +
			"90 days, expired tokens, tokens that never expire, legacy tokens). `terraform plan` is the dry run: it " +
			"lists, by user, every token apply will revoke. Tokens in `keep_uuids` are never revoked. Legacy tokens are revoked together with their " +
			"seed, so they cannot come back when Jenkins restarts. " +
			"Destroying this resource only removes it from the state: a revocation cannot be undone.",
	}
)

type tokenCleanupResource struct {
	kind cleanupKind
	data *providerData
}

func NewLegacyTokenCleanupResource() resource.Resource {
	return &tokenCleanupResource{kind: legacyCleanup}
}

func NewUserTokenCleanupResource() resource.Resource {
	return &tokenCleanupResource{kind: userCleanup}
}

var toRevokeAttrTypes = map[string]attr.Type{
	"user_id":      types.StringType,
	"uuid":         types.StringType,
	"name":         types.StringType,
	"legacy":       types.BoolType,
	"created_at":   types.StringType,
	"use_count":    types.Int64Type,
	"last_used_at": types.StringType,
}

var revokedTokenAttrTypes = map[string]attr.Type{
	"user_id":    types.StringType,
	"uuid":       types.StringType,
	"name":       types.StringType,
	"legacy":     types.BoolType,
	"revoked_at": types.StringType,
}

func (r *tokenCleanupResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.kind.typeSuffix
}

func (r *tokenCleanupResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	userIDSet := []validator.Set{setvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))}
	attrs := map[string]schema.Attribute{
		"controller": controllerAttribute("the cleanup"),
		"id": schema.StringAttribute{
			MarkdownDescription: "A random identifier of this cleanup.",
			Computed:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"user_ids": schema.SetAttribute{
			MarkdownDescription: "The users whose tokens are in scope (compared as Jenkins compares user IDs). Unset means " +
				"every user; an empty set means nobody. A user Jenkins does not know is an error when the selection is new " +
				"(a typo), and a warning once the user was in scope before (deleted after offboarding: no tokens left).",
			ElementType: types.StringType,
			Optional:    true,
			Validators:  userIDSet,
		},
		"exclude_user_ids": schema.SetAttribute{
			MarkdownDescription: excludeUserIDsDescription,
			ElementType:         types.StringType,
			Optional:            true,
			Validators:          userIDSet,
		},
		r.kind.toRevokeAttr: schema.ListNestedAttribute{
			MarkdownDescription: "The tokens in scope that Jenkins holds now and apply will revoke. Read fills it; the plan " +
				"wants it empty, so a non-empty list shows in `terraform plan` as the tokens to revoke.",
			Computed: true,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"user_id":      schema.StringAttribute{Computed: true, MarkdownDescription: "Owner's user ID."},
				"uuid":         schema.StringAttribute{Computed: true, MarkdownDescription: uuidDescription},
				"name":         schema.StringAttribute{Computed: true, MarkdownDescription: "Token name."},
				"legacy":       schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether it is the legacy token."},
				"created_at":   schema.StringAttribute{Computed: true, MarkdownDescription: "Creation time, RFC 3339 UTC; null when unknown (migrated legacy token)."},
				"use_count":    schema.Int64Attribute{Computed: true, MarkdownDescription: useCountDescription},
				"last_used_at": schema.StringAttribute{Computed: true, MarkdownDescription: lastUsedDescription},
			}},
		},
		"revoked": schema.ListNestedAttribute{
			MarkdownDescription: "What the last apply revoked, as Jenkins reported it: a token revoked by someone else " +
				"between plan and apply is not listed (a warning names it), and a legacy token whose UUID changed at a " +
				"restart between plan and apply is listed under the UUID Jenkins revoked. Known after apply.",
			Computed: true,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"user_id":    schema.StringAttribute{Computed: true, MarkdownDescription: "Owner's user ID."},
				"uuid":       schema.StringAttribute{Computed: true, MarkdownDescription: "Token UUID."},
				"name":       schema.StringAttribute{Computed: true, MarkdownDescription: "Token name."},
				"legacy":     schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether it was a legacy token."},
				"revoked_at": schema.StringAttribute{Computed: true, MarkdownDescription: "When it was revoked, RFC 3339 UTC."},
			}},
		},
	}
	// Both cleanups revoke in bulk, so both have the catch on how many users one run touches.
	attrs["max_revocations"] = schema.Int64Attribute{
		MarkdownDescription: maxRevocationsDescription,
		Optional:            true,
		Validators:          []validator.Int64{int64validator.AtLeast(1)},
	}
	if r.kind.filters {
		attrs["legacy"] = schema.BoolAttribute{
			MarkdownDescription: filterDescriptions["legacy"],
			Optional:            true,
		}
		attrs["unused_for_days"] = schema.Int64Attribute{
			MarkdownDescription: filterDescriptions["unused_for_days"],
			Optional:            true,
			Validators:          []validator.Int64{int64validator.AtLeast(1)},
		}
		attrs["expired"] = schema.BoolAttribute{
			MarkdownDescription: filterDescriptions["expired"],
			Optional:            true,
		}
		attrs["never_expires"] = schema.BoolAttribute{
			MarkdownDescription: filterDescriptions["never_expires"],
			Optional:            true,
			Validators:          []validator.Bool{neverExpiresValidator{}},
		}
		attrs["name_regex"] = schema.StringAttribute{
			MarkdownDescription: filterDescriptions["name_regex"],
			Optional:            true,
			Validators:          []validator.String{regexValidator},
		}
		attrs["created_before"] = schema.StringAttribute{
			MarkdownDescription: filterDescriptions["created_before"],
			Optional:            true,
			Validators:          []validator.String{rfc3339Validator},
		}
		attrs["realm_status"] = schema.SetAttribute{
			MarkdownDescription: realmStatusFilterDescription,
			ElementType:         types.StringType,
			Optional:            true,
			Validators:          []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(selectableRealmStatuses...))},
		}
		attrs["inactive_for_days"] = schema.Int64Attribute{
			MarkdownDescription: inactiveFilterDescription,
			Optional:            true,
			Validators:          []validator.Int64{int64validator.AtLeast(1)},
		}
		attrs["keep_uuids"] = schema.SetAttribute{
			MarkdownDescription: "Tokens never revoked, whatever the filters say: a service account's managed token, for example.",
			ElementType:         types.StringType,
			Optional:            true,
			Validators:          []validator.Set{setvalidator.ValueStringsAre(stringvalidator.RegexMatches(uuidPattern, "must be a token UUID"))},
		}
	}
	resp.Schema = schema.Schema{MarkdownDescription: r.kind.description, Attributes: attrs}
}

func (r *tokenCleanupResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

// cleanupConfig is the scope and selection of a cleanup, read from a plan or a state.
type cleanupConfig struct {
	// unknown: part of the scope or selection is known only at apply time.
	unknown   bool
	userIDs   []string // nil: every user
	excluded  []string
	selection tokenSelection
	keep      map[string]bool
	// maxUsers is the most users whose tokens one revocation may touch (safety catch).
	maxUsers int64
}

// getter is what tfsdk.Plan, tfsdk.State and tfsdk.Config have in common.
type getter interface {
	GetAttribute(ctx context.Context, p path.Path, target any) diag.Diagnostics
}

func (r *tokenCleanupResource) readConfig(ctx context.Context, src getter) (cleanupConfig, diag.Diagnostics) {
	var cfg cleanupConfig
	var diags diag.Diagnostics
	var userIDs, excluded types.Set
	var maxRevocations types.Int64
	diags.Append(src.GetAttribute(ctx, path.Root("user_ids"), &userIDs)...)
	diags.Append(src.GetAttribute(ctx, path.Root("exclude_user_ids"), &excluded)...)
	diags.Append(src.GetAttribute(ctx, path.Root("max_revocations"), &maxRevocations)...)
	if diags.HasError() {
		return cfg, diags
	}
	cfg.unknown = setUnknown(userIDs) || setUnknown(excluded) || maxRevocations.IsUnknown()
	if cfg.unknown {
		return cfg, diags
	}
	cfg.maxUsers = defaultMaxRevocations
	if !maxRevocations.IsNull() {
		cfg.maxUsers = maxRevocations.ValueInt64()
	}
	if !userIDs.IsNull() {
		cfg.userIDs = []string{}
		diags.Append(userIDs.ElementsAs(ctx, &cfg.userIDs, false)...)
	}
	diags.Append(excluded.ElementsAs(ctx, &cfg.excluded, false)...)
	if !r.kind.filters {
		legacy := true
		cfg.selection.Legacy = &legacy
		return cfg, diags
	}
	var legacy, expired, neverExpires types.Bool
	var nameRegex, createdBefore types.String
	var unused, inactive types.Int64
	var keep, statuses types.Set
	diags.Append(src.GetAttribute(ctx, path.Root("realm_status"), &statuses)...)
	diags.Append(src.GetAttribute(ctx, path.Root("inactive_for_days"), &inactive)...)
	diags.Append(src.GetAttribute(ctx, path.Root("legacy"), &legacy)...)
	diags.Append(src.GetAttribute(ctx, path.Root("expired"), &expired)...)
	diags.Append(src.GetAttribute(ctx, path.Root("never_expires"), &neverExpires)...)
	diags.Append(src.GetAttribute(ctx, path.Root("name_regex"), &nameRegex)...)
	diags.Append(src.GetAttribute(ctx, path.Root("created_before"), &createdBefore)...)
	diags.Append(src.GetAttribute(ctx, path.Root("unused_for_days"), &unused)...)
	diags.Append(src.GetAttribute(ctx, path.Root("keep_uuids"), &keep)...)
	if diags.HasError() {
		return cfg, diags
	}
	if legacy.IsUnknown() || expired.IsUnknown() || neverExpires.IsUnknown() || nameRegex.IsUnknown() || createdBefore.IsUnknown() ||
		unused.IsUnknown() || setUnknown(keep) || setUnknown(statuses) || inactive.IsUnknown() {
		cfg.unknown = true
		return cfg, diags
	}
	sel, d := selectionFromConfig(legacy, expired, neverExpires, nameRegex, unused, createdBefore)
	diags.Append(d...)
	if !statuses.IsNull() {
		var list []string
		diags.Append(statuses.ElementsAs(ctx, &list, false)...)
		sel.RealmStatuses = map[string]bool{}
		for _, st := range list {
			sel.RealmStatuses[st] = true
		}
	}
	if !inactive.IsNull() {
		v := inactive.ValueInt64()
		sel.InactiveForDays = &v
	}
	cfg.selection = sel
	var keepList []string
	diags.Append(keep.ElementsAs(ctx, &keepList, false)...)
	cfg.keep = map[string]bool{}
	for _, u := range keepList {
		cfg.keep[strings.ToLower(u)] = true
	}
	return cfg, diags
}

// selectTokens lists the tokens cfg selects now, and the ids in user_ids that Jenkins has no
// record of: one script call, none when the scope is empty (and one more, once per run, when
// the selection holds the provider's own user and it logs in with an API token). The token the
// provider authenticates with is left out, and excluded ids that nobody knows are reported, as
// warnings in diags.
func (r *tokenCleanupResource) selectTokens(ctx context.Context, cfg cleanupConfig, diags *diag.Diagnostics) ([]jenkins.Token, []string, error) {
	found, err := r.data.listSelected(ctx, cfg.userIDs, cfg.excluded, cfg.selection, cfg.keep)
	if err != nil {
		return nil, nil, err
	}
	unknownExclusionsWarning(diags, found.unknownExcluded)
	return r.data.leaveOutOwnCredential(ctx, found.tokens, diags), found.missing, nil
}

// unknownExclusionsWarning: an excluded id that neither Jenkins nor its security realm knows
// protects nobody. It is a warning, not an error: exclusions are often fed from an identity
// provider group the configuration's author does not control, and one stray member must not
// block every plan of the workspace; an exclusion can only narrow what is revoked, and the
// plan lists what will be. The warning is there for the typo that fails to protect someone.
// Only a selection that asks the realm anyway (realm_status) has exclusions checked: on LDAP and
// Active Directory a realm lookup saves a record for the id (list_tokens.groovy).
func unknownExclusionsWarning(diags *diag.Diagnostics, ids []string) {
	if len(ids) == 0 {
		return
	}
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = shown(id)
	}
	sort.Strings(quoted)
	diags.AddAttributeWarning(path.Root("exclude_user_ids"), "Excluded Users Unknown to Jenkins and Its Security Realm",
		fmt.Sprintf("Neither Jenkins nor its security realm knows these excluded users, so excluding them protects "+
			"nobody: %s. If one is a misspelling of a user whose tokens must be kept, correct it: that user is not "+
			"excluded now. Users the security realm knows, or cannot tell about (SSO realms), are accepted without a "+
			"Jenkins record: they hold no tokens.", strings.Join(quoted, ", ")))
}

// usersGoneWarning: users a cleanup names whom Jenkins no longer has hold no tokens; deleting a
// user after offboarding is the obvious next step, and must not block plans.
func usersGoneWarning(diags *diag.Diagnostics, gone []string) {
	if len(gone) == 0 {
		return
	}
	diags.AddWarning("Jenkins Users No Longer Exist",
		fmt.Sprintf("%s: they hold no API tokens any more, so there is nothing to revoke or exclude for them. Remove them "+
			"from user_ids and exclude_user_ids when convenient.", (&jenkins.UserNotFoundError{UserIDs: gone}).Error()))
}

// splitMissing separates, among the users Jenkins has no record of, the ones the prior state
// already named (deleted since: a warning) from new ones (a typo in a new selection: an error).
func splitMissing(missing []string, prior map[string]bool) (gone, typos []string) {
	for _, id := range missing {
		if prior[id] {
			gone = append(gone, id)
		} else {
			typos = append(typos, id)
		}
	}
	return gone, typos
}

// priorUserIDs are the user ids the state's selection named, as written.
func priorUserIDs(ctx context.Context, state tfsdk.State) map[string]bool {
	ids := map[string]bool{}
	if state.Raw.IsNull() {
		return ids
	}
	for _, name := range []string{"user_ids", "exclude_user_ids"} {
		var set types.Set
		var list []string
		if state.GetAttribute(ctx, path.Root(name), &set).HasError() || set.ElementsAs(ctx, &list, false).HasError() {
			continue
		}
		for _, id := range list {
			ids[id] = true
		}
	}
	return ids
}

func addUnknownUsersError(diags *diag.Diagnostics, typos []string) {
	diags.AddError("Unknown Jenkins User", fmt.Sprintf("%s. Check the spelling (whether case matters depends on Jenkins's "+
		"security realm): a user ID in a new selection must name a user Jenkins has a record of, so that a typo cannot "+
		"silently change what the cleanup revokes. A user who was already in scope and is deleted later is only a warning.",
		(&jenkins.UserNotFoundError{UserIDs: typos}).Error()))
}

func (r *tokenCleanupResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	controller := controllerFrom(ctx, req.State, &resp.Diagnostics)
	if gone := r.data.storedControllerGone(controller, recordedControllerURL(ctx, req.Private)); gone != "" {
		// Not an error: a cleanup owns nothing on Jenkins (its destroy only forgets), so a removed
		// entry must not block the plan that removes the cleanup too, nor every other plan.
		resp.Diagnostics.AddAttributeWarning(path.Root("controller"), "Jenkins Controller Gone: Cleanup Not Refreshed",
			fmt.Sprintf("This cleanup is on %s, so it keeps what its last refresh found and revokes nothing. Remove the "+
				"cleanup from the configuration (its destroy touches no Jenkins), or put the entry back with its server_url.", gone))
		return
	}
	if r.data != nil && r.data.fleet != nil && !controller.IsUnknown() && r.data.fleet.pending[controller.ValueString()] {
		// Nor while its entry is known only at apply: the plan goes on with the last refresh.
		resp.Diagnostics.AddAttributeWarning(path.Root("controller"), "Jenkins Controller Not Configured Yet: Cleanup Not Refreshed",
			fmt.Sprintf("The provider's controllers entry %q depends on values known only after apply, so this cleanup keeps "+
				"what its last refresh found there, and this plan revokes nothing new with it.", controller.ValueString()))
		return
	}
	if r.data = r.data.onStored(ctx, controller, req.Private, &resp.Diagnostics); r.data == nil {
		return
	}
	defer r.data.onController(&resp.Diagnostics, len(resp.Diagnostics))
	cfg, diags := r.readConfig(ctx, req.State)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// A plan's read: the listing the fleet view just made for the same users serves here too.
	tokens, missing, err := r.selectTokens(jenkins.WithRecentListing(ctx), cfg, &resp.Diagnostics)
	var statsOff *usageStatisticsOffError
	if errors.As(err, &statsOff) {
		// Not an error here: a refresh error would block every plan of the workspace. The
		// cleanup selects nothing until statistics are back; plan and apply refuse the selection.
		resp.Diagnostics.AddAttributeWarning(path.Root(statsOff.attribute()), "Cleanup Selects Nothing: Usage Statistics Are Off", statsOff.Error())
		tokens, err = nil, nil
	}
	if err != nil && r.data.controller != "" && jenkins.IsUnreachable(err) {
		// In a fleet, one controller that is down must not stop the plan of all the others: the
		// cleanup keeps what the last refresh found, and says so. Its plan revokes nothing new
		// (an unchanged selection plans from this state), and an apply that must reach it fails
		// for this instance alone.
		resp.Diagnostics.AddWarning("Jenkins Controller Unreachable: Cleanup Not Refreshed",
			fmt.Sprintf("Jenkins controller %q (%s) could not be reached, so this cleanup keeps what the last refresh found "+
				"there. The rest of the fleet is planned as usual; plan again once the controller is back.\n\nCause: %s",
				r.data.controller, jenkins.RedactURL(r.data.client.BaseURL()), explainError(err)))
		return
	}
	if err != nil {
		addError(&resp.Diagnostics, "Unable to List Jenkins API Tokens", err)
		return
	}
	usersGoneWarning(&resp.Diagnostics, missing)
	list, diags := toRevokeList(tokens)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(r.kind.toRevokeAttr), list)...)
	recordControllerURL(ctx, resp.Private, r.data, &resp.Diagnostics)
}

// ModifyPlan turns "what Jenkins holds in scope" into the plan: the to-revoke list empty, and
// revoked unknown when apply will revoke something.
//
// Terraform plans a resource again during apply and requires the same answer, so the plan is a
// function of the configuration and the refreshed state only. With an unchanged selection the
// tokens to revoke are the to-revoke list Read stored, shown in the plan as the list emptied. When
// the selection is new (a create, or changed filters), the plan lists the tokens in a warning,
// and apply selects them again.
func (r *tokenCleanupResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy only forgets
	}
	if controller := controllerFrom(ctx, req.Plan, &resp.Diagnostics); controller.IsUnknown() {
		r.data = nil // the controller is known at apply: apply selects then
	} else if r.data != nil {
		if r.data = r.data.on(controller, &resp.Diagnostics); r.data == nil {
			return
		}
		defer r.data.onController(&resp.Diagnostics, len(resp.Diagnostics))
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(r.kind.toRevokeAttr), emptyToRevokeList())...)
	unknownRevoked := types.ListUnknown(types.ObjectType{AttrTypes: revokedTokenAttrTypes})

	if !req.State.Raw.IsNull() && r.sameSelection(ctx, req.Plan, req.State) {
		tokens, diags := r.refreshedToRevoke(ctx, req.State)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() || len(tokens) == 0 {
			return // nothing to revoke: revoked keeps what the last apply revoked
		}
		if cfg, d := r.readConfig(ctx, req.Plan); !d.HasError() && !cfg.unknown && r.checkSafety(ctx, cfg, tokens, true, &resp.Diagnostics) {
			// Held: plan no change at all, so apply does not run for it.
			var pending types.List
			resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(r.kind.toRevokeAttr), &pending)...)
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(r.kind.toRevokeAttr), pending)...)
			return
		}
		if cfg, d := r.readConfig(ctx, req.Plan); !d.HasError() && !cfg.unknown {
			if !r.data.admitRevocations(req.Config.Raw.String(), tokens, &resp.Diagnostics) {
				return
			}
			r.data.warnRunTotal(req.Config.Raw.String(), tokens, cfg.maxUsers, &resp.Diagnostics)
		}
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("revoked"), unknownRevoked)...)
		return
	}

	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("revoked"), unknownRevoked)...)
	cfg, diags := r.readConfig(ctx, req.Plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() || r.data == nil || r.data.client == nil || cfg.unknown {
		return // the selection is known only at apply: apply selects the tokens then
	}
	// A dry run for the new selection, and the place where unknown users in it are reported
	// before anything happens: a user the prior selection named was deleted since (a warning),
	// any other is a typo (an error, so that it cannot silently change the scope). A listing made
	// moments ago in this plan serves; apply selects again.
	tokens, missing, err := r.selectTokens(jenkins.WithRecentListing(ctx), cfg, &resp.Diagnostics)
	if err != nil {
		addSelectionError(&resp.Diagnostics, err)
		return
	}
	gone, typos := splitMissing(missing, priorUserIDs(ctx, req.State))
	if len(typos) > 0 {
		addUnknownUsersError(&resp.Diagnostics, typos)
		return
	}
	usersGoneWarning(&resp.Diagnostics, gone)
	r.checkSafety(ctx, cfg, tokens, false, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if !r.data.admitRevocations(req.Config.Raw.String(), tokens, &resp.Diagnostics) {
		return
	}
	r.data.warnRunTotal(req.Config.Raw.String(), tokens, cfg.maxUsers, &resp.Diagnostics)
	if len(tokens) > 0 {
		// Terraform plans again during apply and prints this once more: it must be true then too.
		resp.Diagnostics.AddWarning(fmt.Sprintf("Jenkins API Tokens Selected for Revocation: %d of %d User(s)", len(tokens), countUsers(tokens)),
			"The cleanup's new selection holds these tokens; apply revokes what it selects when it runs, so a token that "+
				"appears before then is revoked too:\n"+describeTokens(tokens))
	}
}

// checkSafety applies the safety catches (max_revocations; for jenkins_user_token_cleanup and
// the action also the provider's own user) to the tokens about to be revoked, and reports whether
// one tripped (hold: as a warning, see checkRevocationSafety). The legacy cleanup does not refuse
// the provider's own user: retiring its legacy token is fine when the provider logs in otherwise,
// and the token the provider authenticates with was already left out of tokens
// (leaveOutOwnCredential), whatever the type.
func (r *tokenCleanupResource) checkSafety(ctx context.Context, cfg cleanupConfig, tokens []jenkins.Token, hold bool, diags *diag.Diagnostics) bool {
	if r.data == nil || r.data.client == nil || len(tokens) == 0 {
		return false
	}
	self := ""
	if r.kind.filters {
		info, err := r.data.client.ServerInfo(ctx)
		if err != nil {
			addError(diags, "Unable to Read Who the Provider Is in Jenkins", err)
			return false
		}
		self = info.Self
	}
	return checkRevocationSafety(tokens, self, cfg.maxUsers, hold, diags)
}

// selectionAttrs are the attributes that decide which tokens a cleanup selects.
var selectionAttrs = []string{"user_ids", "exclude_user_ids", "legacy", "unused_for_days", "expired", "never_expires", "name_regex",
	"created_before", "keep_uuids", "realm_status", "inactive_for_days"}

// sameSelection reports whether plan and state select the same tokens.
func (r *tokenCleanupResource) sameSelection(ctx context.Context, plan tfsdk.Plan, state tfsdk.State) bool {
	for _, name := range selectionAttrs {
		if !r.kind.filters && name != "user_ids" && name != "exclude_user_ids" {
			continue
		}
		var planned, prior attr.Value
		if plan.GetAttribute(ctx, path.Root(name), &planned).HasError() || state.GetAttribute(ctx, path.Root(name), &prior).HasError() {
			return false
		}
		if planned == nil || prior == nil || !planned.Equal(prior) {
			return false
		}
	}
	return true
}

// refreshedToRevoke reads the to-revoke list Read stored back into tokens.
func (r *tokenCleanupResource) refreshedToRevoke(ctx context.Context, state tfsdk.State) ([]jenkins.Token, diag.Diagnostics) {
	var elems []toRevokeTokenModel
	diags := state.GetAttribute(ctx, path.Root(r.kind.toRevokeAttr), &elems)
	tokens := make([]jenkins.Token, 0, len(elems))
	for _, e := range elems {
		t := jenkins.Token{UserID: e.UserID.ValueString(), UUID: e.UUID.ValueString(), Name: e.Name.ValueString(),
			Legacy: e.Legacy.ValueBool(), UseCount: int(e.UseCount.ValueInt64())}
		if !e.LastUsedAt.IsNull() {
			if v, err := time.Parse(time.RFC3339, e.LastUsedAt.ValueString()); err == nil {
				t.LastUsedAt = &v
			}
		}
		tokens = append(tokens, t)
	}
	return tokens, diags
}

func (r *tokenCleanupResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if r.data = r.data.on(controllerFrom(ctx, req.Plan, &resp.Diagnostics), &resp.Diagnostics); r.data == nil {
		return
	}
	defer r.data.onController(&resp.Diagnostics, len(resp.Diagnostics))
	resp.Diagnostics.Append(r.apply(ctx, req.Plan, nil, &resp.State)...)
	if resp.Diagnostics.HasError() {
		return
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), r.kind.typeSuffix+"-"+hex.EncodeToString(b))...)
	recordControllerURL(ctx, resp.Private, r.data, &resp.Diagnostics)
}

func (r *tokenCleanupResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if r.data = r.data.onStored(ctx, controllerFrom(ctx, req.State, &resp.Diagnostics), req.Private, &resp.Diagnostics); r.data == nil {
		return
	}
	defer r.data.onController(&resp.Diagnostics, len(resp.Diagnostics))
	resp.Diagnostics.Append(r.apply(ctx, req.Plan, &req.State, &resp.State)...)
}

// Delete forgets the resource. Revocations cannot be undone, and leaving tokens alone is what
// removing a cleanup means.
func (r *tokenCleanupResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}

// apply revokes what the plan promised in one script call: with an unchanged selection, the
// to-revoke list of the refreshed prior state (what the plan showed); otherwise the tokens the
// selection picks now. It then writes the planned state, with revoked listing exactly what
// Jenkins revoked.
func (r *tokenCleanupResource) apply(ctx context.Context, plan tfsdk.Plan, priorState *tfsdk.State, state *tfsdk.State) diag.Diagnostics {
	var diags diag.Diagnostics
	var planned types.List
	diags.Append(plan.GetAttribute(ctx, path.Root("revoked"), &planned)...)
	if diags.HasError() {
		return diags
	}
	if !planned.IsUnknown() {
		// Nothing to revoke: the plan kept revoked as it was.
		state.Raw = plan.Raw
		return diags
	}
	var toRevoke []jenkins.Token
	if priorState != nil && r.sameSelection(ctx, plan, *priorState) {
		tokens, d := r.refreshedToRevoke(ctx, *priorState)
		diags.Append(d...)
		toRevoke = tokens
	} else {
		cfg, d := r.readConfig(ctx, plan)
		diags.Append(d...)
		if diags.HasError() {
			return diags
		}
		tokens, missing, err := r.selectTokens(ctx, cfg, &diags)
		if err != nil {
			addSelectionError(&diags, err)
			return diags
		}
		prior := map[string]bool{}
		if priorState != nil {
			prior = priorUserIDs(ctx, *priorState)
		}
		if _, typos := splitMissing(missing, prior); len(typos) > 0 {
			addUnknownUsersError(&diags, typos) // known only now: the selection was unknown at plan time
			return diags
		}
		r.checkSafety(ctx, cfg, tokens, false, &diags)
		if diags.HasError() {
			return diags
		}
		toRevoke = tokens
	}
	if diags.HasError() {
		return diags
	}

	revoked := []revokedTokenModel{}
	if len(toRevoke) > 0 {
		results, ok := r.data.revokeReporting(ctx, tokenRefs(toRevoke), &diags)
		if !ok {
			return diags
		}
		now := types.StringValue(r.data.now().UTC().Format(time.RFC3339))
		for _, res := range results {
			if res.Revoked() {
				revoked = append(revoked, revokedTokenModel{UserID: types.StringValue(res.UserID), UUID: types.StringValue(res.UUID),
					Name: types.StringValue(res.Name), Legacy: types.BoolValue(res.Legacy), RevokedAt: now})
			}
		}
		diags.Append(revocationDiagnostics(results)...)
	}
	list, d := types.ListValueFrom(ctx, types.ObjectType{AttrTypes: revokedTokenAttrTypes}, revoked)
	diags.Append(d...)
	if d.HasError() {
		return diags
	}
	state.Raw = plan.Raw
	diags.Append(state.SetAttribute(ctx, path.Root("revoked"), list)...)
	diags.Append(state.SetAttribute(ctx, path.Root(r.kind.toRevokeAttr), emptyToRevokeList())...)
	return diags
}

// tokenRefs names tokens for revocation; a legacy one is marked so that Jenkins revokes the
// user's current legacy token if its UUID changed at a restart since the listing.
func tokenRefs(tokens []jenkins.Token) []jenkins.TokenRef {
	refs := make([]jenkins.TokenRef, len(tokens))
	for i, t := range tokens {
		refs[i] = jenkins.TokenRef{UserID: t.UserID, UUID: t.UUID, Legacy: t.Legacy, Name: t.Name}
	}
	return refs
}

// revocationDiagnostics says where Jenkins's answer differs from the plan: tokens already gone
// (a warning), legacy tokens revoked under a new UUID (a warning), and tokens Jenkins failed to
// revoke (an error naming user and UUID: they are still valid).
func revocationDiagnostics(results []jenkins.RevokedToken) diag.Diagnostics {
	var diags diag.Diagnostics
	var gone, moved, failed []string
	for _, res := range results {
		switch {
		case res.Problem != "":
			failed = append(failed, fmt.Sprintf("%s: %s (%s)", shown(res.UserID), shown(res.RequestedUUID), shown(res.Problem)))
		case !res.Revoked():
			gone = append(gone, fmt.Sprintf("%s: %s", shown(res.UserID), shown(res.RequestedUUID)))
		case res.UUID != res.RequestedUUID:
			moved = append(moved, fmt.Sprintf("%s: planned %s, revoked %s", shown(res.UserID), shown(res.RequestedUUID), shown(res.UUID)))
		}
	}
	if len(gone) > 0 {
		diags.AddWarning("Jenkins API Tokens Already Gone",
			"These tokens were revoked, or their users deleted, after the plan was made; there was nothing left to revoke, "+
				"so revoked does not list them:\n"+strings.Join(gone, "\n"))
	}
	if len(moved) > 0 {
		diags.AddWarning("Legacy API Token Revoked Under a New UUID",
			"Jenkins gives a legacy token a new UUID at every restart until its user record is saved again (records "+
				"written before Jenkins 2.129). Jenkins restarted after the plan, so the user's current legacy token was "+
				"revoked instead:\n"+strings.Join(moved, "\n"))
	}
	if len(failed) > 0 {
		diags.AddError("Unable to Revoke Some Jenkins API Tokens",
			"Jenkins did not revoke these tokens; they are still valid. The other tokens were revoked and are listed in "+
				"revoked. Run terraform apply again, or revoke them on the user's security page:\n"+strings.Join(failed, "\n"))
	}
	return diags
}

type revokedTokenModel struct {
	UserID    types.String `tfsdk:"user_id"`
	UUID      types.String `tfsdk:"uuid"`
	Name      types.String `tfsdk:"name"`
	Legacy    types.Bool   `tfsdk:"legacy"`
	RevokedAt types.String `tfsdk:"revoked_at"`
}

type toRevokeTokenModel struct {
	UserID     types.String `tfsdk:"user_id"`
	UUID       types.String `tfsdk:"uuid"`
	Name       types.String `tfsdk:"name"`
	Legacy     types.Bool   `tfsdk:"legacy"`
	CreatedAt  types.String `tfsdk:"created_at"`
	UseCount   types.Int64  `tfsdk:"use_count"`
	LastUsedAt types.String `tfsdk:"last_used_at"`
}

func emptyToRevokeList() types.List {
	return types.ListValueMust(types.ObjectType{AttrTypes: toRevokeAttrTypes}, []attr.Value{})
}

func toRevokeList(tokens []jenkins.Token) (types.List, diag.Diagnostics) {
	elems := make([]toRevokeTokenModel, len(tokens))
	for i, t := range tokens {
		elems[i] = toRevokeTokenModel{
			UserID: types.StringValue(t.UserID), UUID: types.StringValue(t.UUID), Name: types.StringValue(t.Name),
			Legacy: types.BoolValue(t.Legacy), CreatedAt: timeValue(t.CreatedAt), UseCount: useCountValue(t),
			LastUsedAt: lastUsedValue(t),
		}
	}
	return types.ListValueFrom(context.Background(), types.ObjectType{AttrTypes: toRevokeAttrTypes}, elems)
}

// describeTokens is the dry run in words, grouped by user.
func describeTokens(tokens []jenkins.Token) string {
	byUser := map[string][]string{}
	var users []string
	for _, t := range tokens {
		if _, ok := byUser[t.UserID]; !ok {
			users = append(users, t.UserID)
		}
		last := "never used"
		if t.LastUsedAt != nil {
			last = "last used " + t.LastUsedAt.UTC().Format(dateLayout)
		}
		byUser[t.UserID] = append(byUser[t.UserID], fmt.Sprintf("%q (%s, %s)", t.Name, t.UUID, last))
	}
	sort.Strings(users)
	var b strings.Builder
	for _, u := range users {
		fmt.Fprintf(&b, "%s: %s\n", shown(u), strings.Join(byUser[u], ", "))
	}
	return strings.TrimRight(b.String(), "\n")
}

// setUnknown reports whether a set, or any of its elements, is unknown.
func setUnknown(s types.Set) bool {
	if s.IsUnknown() {
		return true
	}
	for _, e := range s.Elements() {
		if e.IsUnknown() {
			return true
		}
	}
	return false
}
