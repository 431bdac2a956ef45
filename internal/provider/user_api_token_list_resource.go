package provider

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
)

var (
	_ list.ListResource              = (*userAPITokenListResource)(nil)
	_ list.ListResourceWithConfigure = (*userAPITokenListResource)(nil)
)

// userAPITokenListResource lists API tokens for `terraform query` (Terraform 1.14+): each as an
// importable jenkins_user_api_token, so `terraform query -generate-config-out` writes the
// configuration and import blocks that adopt tokens made by hand. Its selection is the
// jenkins_user_tokens data source's, from the same code, in one script call.
type userAPITokenListResource struct {
	data *providerData
}

// tokenListConfigModel is the selection of a `list` block's config, as in the data source.
type tokenListConfigModel struct {
	Controller    types.String `tfsdk:"controller"`
	UserID        types.String `tfsdk:"user_id"`
	UserIDs       types.List   `tfsdk:"user_ids"`
	Legacy        types.Bool   `tfsdk:"legacy"`
	NameRegex     types.String `tfsdk:"name_regex"`
	UnusedForDays types.Int64  `tfsdk:"unused_for_days"`
	CreatedBefore types.String `tfsdk:"created_before"`
	Expired       types.Bool   `tfsdk:"expired"`
	NeverExpires  types.Bool   `tfsdk:"never_expires"`
}

func NewUserAPITokenListResource() list.ListResource { return &userAPITokenListResource{} }

func (r *userAPITokenListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_api_token"
}

func (r *userAPITokenListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists Jenkins API tokens as importable `jenkins_user_api_token` resources, for `terraform query` " +
			"(Terraform 1.14 and later). The selection is the `jenkins_user_tokens` data source's, except that legacy " +
			"tokens are left out unless `legacy = true` asks for them (they cannot be imported). Each result is named " +
			"`<user_id>: <token name>` (`<controller>: <user_id>: <token name>` on a named controller) and carries the " +
			"identity `{ controller, user_id, uuid }`; with `include_resource = true` also the resource (the token value " +
			"stays null: Jenkins keeps only a hash). One script call per query, whatever the number of users. Terraform " +
			"returns 100 results unless the `list` block sets `limit`: when the query stops there with more tokens " +
			"selected, the last result says so in a warning. To list a fleet, give the `list` block `for_each` over the " +
			"controllers and `controller = each.key`, or use the `jenkins_fleet_tokens` data source.",
		Attributes: map[string]schema.Attribute{
			"controller": schema.StringAttribute{
				MarkdownDescription: controllerDescription("the tokens"),
				Optional:            true,
				Validators:          []validator.String{controllerRefValidator()},
			},
			"user_id": schema.StringAttribute{
				MarkdownDescription: "List only this user's tokens. An unknown user is an error.",
				Optional:            true,
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.ConflictsWith(path.MatchRoot("user_ids")),
				},
			},
			"user_ids": schema.ListAttribute{
				MarkdownDescription: "List only these users' tokens. An unknown user is an error; an empty list lists nothing.",
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          []validator.List{listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))},
			},
			"legacy": schema.BoolAttribute{
				MarkdownDescription: "`true`: only legacy tokens (the single pre-2.129 token, still accepted by Jenkins), " +
					"listed for review with a warning each: importing one is refused, because Jenkins can give it a new " +
					"UUID at every restart; retire them with `jenkins_legacy_token_cleanup`. `false` or unset: only new " +
					"tokens. Unlike the `jenkins_user_tokens` data source, legacy tokens are left out unless asked for, so " +
					"that `terraform query -generate-config-out` writes only imports that work.",
				Optional: true,
			},
			"name_regex": schema.StringAttribute{
				MarkdownDescription: filterDescriptions["name_regex"],
				Optional:            true,
				Validators:          []validator.String{regexValidator},
			},
			"unused_for_days": schema.Int64Attribute{
				MarkdownDescription: filterDescriptions["unused_for_days"],
				Optional:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"created_before": schema.StringAttribute{
				MarkdownDescription: filterDescriptions["created_before"],
				Optional:            true,
				Validators:          []validator.String{rfc3339Validator},
			},
			"expired": schema.BoolAttribute{MarkdownDescription: filterDescriptions["expired"], Optional: true},
			"never_expires": schema.BoolAttribute{
				MarkdownDescription: filterDescriptions["never_expires"],
				Optional:            true,
				Validators:          []validator.Bool{neverExpiresValidator{}},
			},
		},
	}
}

func (r *userAPITokenListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (r *userAPITokenListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var diags diag.Diagnostics
	var m tokenListConfigModel
	diags.Append(req.Config.Get(ctx, &m)...)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	if r.data = r.data.on(m.Controller, &diags); r.data == nil {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	defer r.data.onController(&diags, len(diags))
	ids, d := scopeIDs(ctx, m.UserID, m.UserIDs)
	diags.Append(d...)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	// Legacy tokens cannot be adopted (see legacyImportRefused): left out unless asked for.
	legacy := m.Legacy
	if legacy.IsNull() {
		legacy = types.BoolValue(false)
	}
	tokens, missing, d := r.data.selectTokensAndMissing(ctx, ids, legacy, m.Expired, m.NeverExpires, m.NameRegex, m.UnusedForDays, m.CreatedBefore)
	diags.Append(d...)
	if !diags.HasError() && len(missing) > 0 {
		addUnknownListedUsers(&diags, m.UserID, missing)
	}
	if diags.HasError() {
		r.data.onController(&diags, 0)
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	controller := r.data.controllerValue()
	stream.Results = func(push func(list.ListResult) bool) {
		var identityType tftypes.Type
		for i, tok := range tokens {
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			res := req.NewListResult(ctx)
			res.DisplayName = shown(tok.UserID) + ": " + shown(tok.Name)
			if r.data.controller != "" {
				res.DisplayName = r.data.controller + ": " + res.DisplayName
			}
			if tok.Legacy {
				res.Diagnostics.AddWarning("Legacy API Token Cannot Be Imported", legacyImportRefused(tok.UserID, tok.UUID))
			}
			if req.Limit > 0 && int64(i) == req.Limit-1 && int64(len(tokens)) > req.Limit {
				res.Diagnostics.AddWarning("Query Stopped at Its Limit",
					fmt.Sprintf("The query selects %d tokens and returned the first %d, the list block's limit (Terraform's "+
						"default is 100). Raise limit in the list block to get them all, or narrow the selection "+
						"(user_ids, name_regex, ...).", len(tokens), req.Limit))
			}
			if identityType == nil {
				identityType = res.Identity.Schema.Type().TerraformType(ctx)
			}
			res.Identity.Raw = tokenIdentityValue(identityType, controller, tok.UserID, tok.UUID)
			if req.IncludeResource {
				res.Diagnostics.Append(res.Resource.Set(ctx, adoptedTokenModel(controller, tok))...)
			}
			if !push(res) {
				return
			}
		}
	}
}

// addUnknownListedUsers reports ids of the list's scope that Jenkins has no user for, on the
// attribute that names them. A query is often written by hand from a list of people: one
// misspelt id is an error rather than silently listing fewer tokens.
func addUnknownListedUsers(diags *diag.Diagnostics, userID types.String, missing []string) {
	attr := "user_ids"
	if !userID.IsNull() {
		attr = "user_id"
	}
	quoted := make([]string, len(missing))
	for i, id := range missing {
		quoted[i] = strconv.Quote(id)
	}
	// Terraform (1.14) resolves a list's diagnostic paths in the list block's body, where the
	// selection is the nested config block: a path from the root would point at the whole block.
	diags.AddAttributeError(path.Root("config").AtName(attr), "Unknown Jenkins User",
		fmt.Sprintf("Jenkins has no user %s, so the query has no tokens of theirs to list. Check the spelling in %s "+
			"(whether case matters depends on Jenkins's security realm; the jenkins_users data source lists the users "+
			"Jenkins has), or remove the id: a user who never logged in to Jenkins holds no tokens to adopt.",
			strings.Join(quoted, ", "), attr))
}

// adoptedTokenModel is a token made outside Terraform as jenkins_user_api_token's state after an
// import: what Jenkins knows of it, the value null (Jenkins keeps only a hash).
func adoptedTokenModel(controller types.String, tok jenkins.Token) userAPITokenModel {
	m := userAPITokenModel{
		Controller:       controller,
		UserID:           types.StringValue(tok.UserID),
		RotateBeforeDays: types.Int64Null(),
		RotationTriggers: types.MapNull(types.StringType),
		Token:            types.StringNull(),
		RotationDue:      types.BoolValue(false),
		ExpiresInDays:    types.Int64Null(), // set by the first refresh after the import
	}
	setFromToken(&m, tok)
	return m
}
