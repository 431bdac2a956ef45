package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
)

var (
	_ datasource.DataSource              = (*userTokensDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*userTokensDataSource)(nil)
)

// userTokensDataSource lists API tokens, for drift detection: who still holds tokens, which are
// legacy, which nobody used for months.
type userTokensDataSource struct {
	data *providerData
}

type userTokensDataSourceModel struct {
	Controller    types.String `tfsdk:"controller"`
	UserID        types.String `tfsdk:"user_id"`
	UserIDs       types.Set    `tfsdk:"user_ids"`
	Legacy        types.Bool   `tfsdk:"legacy"`
	NameRegex     types.String `tfsdk:"name_regex"`
	UnusedForDays types.Int64  `tfsdk:"unused_for_days"`
	CreatedBefore types.String `tfsdk:"created_before"`
	Expired       types.Bool   `tfsdk:"expired"`
	NeverExpires  types.Bool   `tfsdk:"never_expires"`
	Tokens        types.List   `tfsdk:"tokens"`
}

// tokenInfoModel is one element of tokens.
type tokenInfoModel struct {
	UserID         types.String `tfsdk:"user_id"`
	UUID           types.String `tfsdk:"uuid"`
	Name           types.String `tfsdk:"name"`
	CreatedAt      types.String `tfsdk:"created_at"`
	Legacy         types.Bool   `tfsdk:"legacy"`
	UseCount       types.Int64  `tfsdk:"use_count"`
	LastUsedAt     types.String `tfsdk:"last_used_at"`
	ExpirationDate types.String `tfsdk:"expiration_date"`
	Expired        types.Bool   `tfsdk:"expired"`
	ExpiresInDays  types.Int64  `tfsdk:"expires_in_days"`
}

var tokenInfoAttrTypes = map[string]attr.Type{
	"user_id":         types.StringType,
	"uuid":            types.StringType,
	"name":            types.StringType,
	"created_at":      types.StringType,
	"legacy":          types.BoolType,
	"use_count":       types.Int64Type,
	"last_used_at":    types.StringType,
	"expiration_date": types.StringType,
	"expired":         types.BoolType,
	"expires_in_days": types.Int64Type,
}

func NewUserTokensDataSource() datasource.DataSource { return &userTokensDataSource{} }

func (d *userTokensDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_tokens"
}

func (d *userTokensDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists Jenkins API tokens with their UUID, name, dates, use count and legacy flag, for " +
			"drift detection: who still holds tokens, which are legacy, which nobody used for months. With neither " +
			"`user_id` nor `user_ids` it lists every user's tokens in one script-console call. Filters combine " +
			"(a token must pass all of them). The token values themselves are never readable: Jenkins stores only hashes.",
		Attributes: map[string]schema.Attribute{
			"controller": schema.StringAttribute{
				MarkdownDescription: controllerDescription("the tokens"),
				Optional:            true,
				Validators:          []validator.String{controllerRefValidator()},
			},
			"user_id": schema.StringAttribute{
				MarkdownDescription: "List only this user's tokens (compared as Jenkins compares user IDs: its security realm decides whether case matters). An unknown user is an error.",
				Optional:            true,
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.ConflictsWith(path.MatchRoot("user_ids")),
				},
			},
			"user_ids": schema.SetAttribute{
				MarkdownDescription: "List only these users' tokens. An unknown user is an error; an empty set lists nothing.",
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          []validator.Set{setvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))},
			},
			"legacy": schema.BoolAttribute{
				MarkdownDescription: filterDescriptions["legacy"],
				Optional:            true,
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
			"expired": schema.BoolAttribute{
				MarkdownDescription: filterDescriptions["expired"],
				Optional:            true,
			},
			"never_expires": schema.BoolAttribute{
				MarkdownDescription: filterDescriptions["never_expires"],
				Optional:            true,
				Validators:          []validator.Bool{neverExpiresValidator{}},
			},
			"tokens": schema.ListNestedAttribute{
				MarkdownDescription: "The tokens, sorted by user ID, then name (both case-insensitively, as Jenkins lists them), then UUID.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: tokenInfoSchemaAttributes(),
				},
			},
		},
	}
}

func (d *userTokensDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (d *userTokensDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m userTokensDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.data = d.data.on(m.Controller, &resp.Diagnostics); d.data == nil {
		return
	}
	defer d.data.onController(&resp.Diagnostics, len(resp.Diagnostics))

	ids, diags := scopeIDs(ctx, m.UserID, m.UserIDs)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	tokens, diags := d.data.selectTokens(ctx, ids, m.Legacy, m.Expired, m.NeverExpires, m.NameRegex, m.UnusedForDays, m.CreatedBefore)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	elems := make([]attr.Value, 0, len(tokens))
	today := d.data.jenkinsToday(ctx) // reported by the listing: no call
	for _, tok := range tokens {
		obj, diags := types.ObjectValueFrom(ctx, tokenInfoAttrTypes, tokenInfoFrom(tok, today))
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		elems = append(elems, obj)
	}
	list, diags := types.ListValue(types.ObjectType{AttrTypes: tokenInfoAttrTypes}, elems)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.Tokens = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func tokenInfoFrom(tok jenkins.Token, today string) tokenInfoModel {
	return tokenInfoModel{
		UserID:         types.StringValue(tok.UserID),
		UUID:           types.StringValue(tok.UUID),
		Name:           types.StringValue(tok.Name),
		CreatedAt:      timeValue(tok.CreatedAt),
		Legacy:         types.BoolValue(tok.Legacy),
		UseCount:       useCountValue(tok),
		LastUsedAt:     lastUsedValue(tok),
		ExpirationDate: optionalString(tok.ExpirationDate),
		Expired:        types.BoolValue(tok.Expired),
		ExpiresInDays:  expiresInDays(tok.ExpirationDate, today),
	}
}

// tokenInfoSchemaAttributes are the attributes of one listed token (tokenInfoAttrTypes).
func tokenInfoSchemaAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"user_id":         schema.StringAttribute{Computed: true, MarkdownDescription: "The owner's Jenkins user ID, as Jenkins spells it."},
		"uuid":            schema.StringAttribute{Computed: true, MarkdownDescription: uuidDescription},
		"name":            schema.StringAttribute{Computed: true, MarkdownDescription: "The token's name."},
		"created_at":      schema.StringAttribute{Computed: true, MarkdownDescription: "Creation time, RFC 3339 UTC; null when Jenkins does not know it (migrated legacy tokens)."},
		"legacy":          schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether this is the user's legacy token."},
		"use_count":       schema.Int64Attribute{Computed: true, MarkdownDescription: useCountDescription},
		"last_used_at":    schema.StringAttribute{Computed: true, MarkdownDescription: lastUsedDescription},
		"expiration_date": schema.StringAttribute{Computed: true, MarkdownDescription: "Last valid day, `YYYY-MM-DD`; null if the token never expires."},
		"expired":         schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the expiration date has passed; Jenkins then rejects the token."},
		"expires_in_days": schema.Int64Attribute{Computed: true, MarkdownDescription: "Days left until the expiration date, by Jenkins's today (0: the last valid day is today; negative: expired); null if the token never expires."},
	}
}
