package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

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
	_ datasource.DataSource                   = (*usersDataSource)(nil)
	_ datasource.DataSourceWithConfigure      = (*usersDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*usersDataSource)(nil)
)

// usersDataSource lists Jenkins's user records with what tells whether the person is still
// around: for finding the users who left, whom nobody told Jenkins about.
type usersDataSource struct {
	data *providerData
}

type usersDataSourceModel struct {
	Controller      types.String `tfsdk:"controller"`
	CheckRealm      types.Bool   `tfsdk:"check_realm"`
	RealmStatus     types.Set    `tfsdk:"realm_status"`
	InactiveForDays types.Int64  `tfsdk:"inactive_for_days"`
	WithTokens      types.Bool   `tfsdk:"with_tokens"`
	IDRegex         types.String `tfsdk:"id_regex"`
	Users           types.List   `tfsdk:"users"`
}

type userInfoModel struct {
	ID             types.String `tfsdk:"id"`
	FullName       types.String `tfsdk:"full_name"`
	RealmStatus    types.String `tfsdk:"realm_status"`
	LastLoginAt    types.String `tfsdk:"last_login_at"`
	LastTokenUseAt types.String `tfsdk:"last_token_use_at"`
	LastTokenMade  types.String `tfsdk:"last_token_created_at"`
	TokenCount     types.Int64  `tfsdk:"token_count"`
	LastUseUnknown types.Bool   `tfsdk:"last_token_use_unknown"`
	Invalidated    types.String `tfsdk:"sessions_invalidated_at"`
	HasLegacyToken types.Bool   `tfsdk:"has_legacy_token"`
}

var userInfoAttrTypes = map[string]attr.Type{
	"id":                      types.StringType,
	"full_name":               types.StringType,
	"realm_status":            types.StringType,
	"last_login_at":           types.StringType,
	"last_token_use_at":       types.StringType,
	"last_token_created_at":   types.StringType,
	"token_count":             types.Int64Type,
	"last_token_use_unknown":  types.BoolType,
	"sessions_invalidated_at": types.StringType,
	"has_legacy_token":        types.BoolType,
}

// realmStatusDescription says what each realm_status proves, and what it does not.
const realmStatusDescription = "What the security realm says when asked about the user: " +
	"`known` (it finds the account: the directory still has it; Jenkins accepts the user's API tokens. With the " +
	"active-directory plugin a disabled account is still `known`, as its lookup does not read the account's flags, and " +
	"its tokens still log in); " +
	"`unknown` (it answers \"no such user\": with a directory behind it, the account is gone, and Jenkins refuses the " +
	"user's API tokens, unless Jenkins runs with `hudson.model.User.allowNonExistentUserToLogin`; an LDAP configuration " +
	"set to \"ignore if unavailable\" answers the same during an outage, see the cleanups' safety catches); " +
	"`disabled`, `account_expired`, `credentials_expired`, `locked` (the directory has the account and refuses it: " +
	"Spring's `DisabledException`, `AccountExpiredException`, `CredentialsExpiredException`, `LockedException`, which the " +
	"ldap plugin answers from 2.2 on for accounts its directory marks so; Jenkins refuses the user's API tokens. " +
	"`disabled` and `account_expired` are how a directory offboards; `locked` is often a lockout after wrong passwords " +
	"that ends by itself; `credentials_expired` is a password past its age, common for service accounts); " +
	"`unverifiable` (it cannot look users up, as many SSO realms: proves nothing, and Jenkins still accepts the user's API " +
	"tokens); `not_checked` (`check_realm = false`). A realm that fails to answer (a directory outage: " +
	"`AuthenticationServiceException`, `DataAccessException`) fails the read with its error rather than reporting " +
	"anyone gone."

var realmStatuses = append([]string{jenkins.RealmNotChecked}, selectableRealmStatuses...)

func NewUsersDataSource() datasource.DataSource { return &usersDataSource{} }

func (d *usersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_users"
}

func (d *usersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists every user record Jenkins holds, in one script call, with what tells whether the person " +
			"is still around: what the security realm says of them, the last interactive login Jenkins recorded, the last " +
			"use of their API tokens. For finding the people who left but whose Jenkins record, and tokens, stayed.",
		Attributes: map[string]schema.Attribute{
			"controller": schema.StringAttribute{
				MarkdownDescription: controllerDescription("the users"),
				Optional:            true,
				Validators:          []validator.String{controllerRefValidator()},
			},
			"check_realm": schema.BoolAttribute{
				MarkdownDescription: "Ask the security realm about each user (default `true`). That is one lookup per user: " +
					"with LDAP, one directory query each (measured on the simulator's in-memory realm: 10,000 users in 0.84 s, " +
					"against 0.78 s without; with a real directory expect its query time times the number of users). " +
					"`false` reports every `realm_status` as `not_checked`.",
				Optional: true,
			},
			"realm_status": schema.SetAttribute{
				MarkdownDescription: "Only users whose `realm_status` is one of these.",
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(realmStatuses...))},
			},
			"inactive_for_days": schema.Int64Attribute{
				MarkdownDescription: inactiveForDescription,
				Optional:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"with_tokens": schema.BoolAttribute{
				MarkdownDescription: "`true`: only users holding at least one API token; `false`: only users holding none.",
				Optional:            true,
			},
			"id_regex": schema.StringAttribute{
				MarkdownDescription: "Only users whose ID matches this regular expression (RE2 syntax, unanchored).",
				Optional:            true,
				Validators:          []validator.String{anyRegexValidator},
			},
			"users": schema.ListNestedAttribute{
				MarkdownDescription: "The users, in Jenkins's order (by ID, as its id strategy compares them).",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":           schema.StringAttribute{Computed: true, MarkdownDescription: "The user ID, as Jenkins spells it."},
					"full_name":    schema.StringAttribute{Computed: true, MarkdownDescription: "The user's full name."},
					"realm_status": schema.StringAttribute{Computed: true, MarkdownDescription: realmStatusDescription},
					"last_login_at": schema.StringAttribute{Computed: true, MarkdownDescription: "When Jenkins last recorded an " +
						"interactive login (RFC 3339 UTC), from `LastGrantedAuthoritiesProperty`: Jenkins records the first web login " +
						"and each later one whose granted authorities (groups) changed, not every login. So it proves the user logged " +
						"in at least then; a later login with unchanged groups leaves no trace. Null: no web login recorded (API " +
						"token use never records one), or `sessions_invalidated_at` is set: Jenkins keeps one date for both, so " +
						"\"Invalidate sessions\" overwrote the login's. What it means per security realm: the table above."},
					"sessions_invalidated_at": schema.StringAttribute{Computed: true, MarkdownDescription: "When \"Invalidate " +
						"sessions\" was pressed on the user's security page (RFC 3339 UTC), if that is the last thing Jenkins " +
						"recorded in place of a login: it stamps the login record without a login and clears the groups it held. " +
						"No web login was recorded since (the next one stamps the record again and clears this), and the date of " +
						"the login before is lost. An admin's action, often while offboarding, not the user's: it does not count as " +
						"activity for `inactive_for_days`. Null otherwise."},
					"last_token_use_at": schema.StringAttribute{Computed: true, MarkdownDescription: "The latest use of any of the " +
						"user's API tokens (RFC 3339 UTC); null when never used, or when Jenkins keeps no usage statistics."},
					"last_token_use_unknown": schema.BoolAttribute{Computed: true, MarkdownDescription: "`true`: Jenkins may have " +
						"lost the user's last token use, so a null or old `last_token_use_at` proves nothing. The user holds a legacy " +
						"token without a creation date and without usage statistics of its own: a record last saved before Jenkins " +
						"2.129 gets a new legacy token UUID at every restart, and the statistics are keyed by UUID, so a service " +
						"account that used its token minutes before a restart reads as never having used it. `inactive_for_days` " +
						"leaves such users out, with a warning naming them. Saving the user (any change to the record) makes the UUID " +
						"stable from the next start on; retiring the legacy token (`jenkins_legacy_token_cleanup`) ends it."},
					"last_token_created_at": schema.StringAttribute{Computed: true, MarkdownDescription: "When the newest of the " +
						"user's API tokens was created (RFC 3339 UTC): someone minted it for the user then, so it counts as activity " +
						"for `inactive_for_days`. Null without tokens, or when the only one is a legacy token migrated from a record " +
						"older than Jenkins 2.129, which has no creation date."},
					"token_count":      schema.Int64Attribute{Computed: true, MarkdownDescription: "How many API tokens the user holds, the legacy one included."},
					"has_legacy_token": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the user holds a legacy token (its seed is set)."},
				}},
			},
		},
	}
}

func (d *usersDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig refuses, at `terraform validate`, a realm_status filter that cannot match:
// without check_realm every status is not_checked.
func (d *usersDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var checkRealm types.Bool
	var statuses types.Set
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("check_realm"), &checkRealm)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("realm_status"), &statuses)...)
	if resp.Diagnostics.HasError() || checkRealm.IsNull() || checkRealm.IsUnknown() || checkRealm.ValueBool() || statuses.IsNull() || statuses.IsUnknown() {
		return
	}
	for _, e := range statuses.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsUnknown() || s.IsNull() || s.ValueString() == jenkins.RealmNotChecked {
			continue
		}
		resp.Diagnostics.AddAttributeError(path.Root("realm_status"), "Realm Status Needs check_realm",
			fmt.Sprintf("realm_status %q is known only when the realm is asked: remove check_realm = false, or select "+
				"not_checked.", s.ValueString()))
	}
}

func (d *usersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m usersDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.data = d.data.on(m.Controller, &resp.Diagnostics); d.data == nil {
		return
	}
	defer d.data.onController(&resp.Diagnostics, len(resp.Diagnostics))
	checkRealm := m.CheckRealm.IsNull() || m.CheckRealm.ValueBool()
	statuses := map[string]bool{}
	if !m.RealmStatus.IsNull() {
		var list []string
		resp.Diagnostics.Append(m.RealmStatus.ElementsAs(ctx, &list, false)...)
		for _, s := range list {
			statuses[s] = true
		}
	}
	var idRE *regexp.Regexp
	if !m.IDRegex.IsNull() {
		re, err := regexp.Compile(m.IDRegex.ValueString())
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("id_regex"), "Invalid Regular Expression", err.Error())
		}
		idRE = re
	}
	if resp.Diagnostics.HasError() {
		return
	}
	l, err := d.data.client.ListUsers(ctx, checkRealm)
	if err != nil {
		addError(&resp.Diagnostics, "Unable to List Jenkins Users", err)
		return
	}
	if !m.InactiveForDays.IsNull() && !l.Info.UsageStatistics {
		resp.Diagnostics.AddAttributeError(path.Root("inactive_for_days"), "Usage Statistics Are Off in Jenkins",
			"inactive_for_days needs to know when each user's tokens were last used, and this Jenkins keeps no usage "+
				"statistics: every user holding tokens would look inactive. Turn them on (jenkins_api_token_settings with "+
				"usage_statistics_enabled = true) and wait until they cover the period, or select without inactive_for_days.")
		return
	}
	now := d.data.now()
	elems := make([]attr.Value, 0, len(l.Users))
	unknown := 0
	var lostUse []string // users left out by inactive_for_days only because their last use is unknown
	for _, u := range l.Users {
		if len(statuses) > 0 && !statuses[u.RealmStatus] {
			continue
		}
		if !m.WithTokens.IsNull() && (u.TokenCount > 0) != m.WithTokens.ValueBool() {
			continue
		}
		if idRE != nil && !idRE.MatchString(u.ID) {
			continue
		}
		if !m.InactiveForDays.IsNull() && !inactiveFor(u, now, m.InactiveForDays.ValueInt64()) {
			if u.LastTokenUseUnknown && inactiveSince(now, m.InactiveForDays.ValueInt64(), u.LastGrantedAt, u.LastTokenUseAt, u.LastTokenCreatedAt) {
				lostUse = append(lostUse, shown(u.ID))
			}
			continue
		}
		if u.RealmStatus == jenkins.RealmUnknown {
			unknown++
		}
		obj, diags := types.ObjectValueFrom(ctx, userInfoAttrTypes, userInfoModel{
			ID: types.StringValue(u.ID), FullName: types.StringValue(u.FullName), RealmStatus: types.StringValue(u.RealmStatus),
			LastLoginAt: timeValue(u.LastGrantedAt), LastTokenUseAt: timeValue(u.LastTokenUseAt), LastTokenMade: timeValue(u.LastTokenCreatedAt),
			TokenCount: types.Int64Value(int64(u.TokenCount)), LastUseUnknown: types.BoolValue(u.LastTokenUseUnknown),
			Invalidated: timeValue(u.SessionsInvalidatedAt), HasLegacyToken: types.BoolValue(u.HasLegacyToken),
		})
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		elems = append(elems, obj)
	}
	if unknown > 0 && l.Info.AllowNonExistentUserToLogin {
		resp.Diagnostics.AddWarning("Unknown Users' Tokens Still Log In on This Jenkins",
			fmt.Sprintf("%d of the users listed are unknown to the security realm, and this Jenkins runs with "+
				"hudson.model.User.allowNonExistentUserToLogin=true: their API tokens still log in (local automation users "+
				"work that way). realm_status \"unknown\" proves nothing about token access here; look at "+
				"last_token_use_at before revoking anything. The cleanups and the action refuse realm_status = "+
				"[\"unknown\"] without inactive_for_days on such a Jenkins.", unknown))
	}
	if len(lostUse) > 0 {
		resp.Diagnostics.AddAttributeWarning(path.Root("inactive_for_days"), "Last Token Use Unknown for Some Users",
			fmt.Sprintf("Left out although nothing recorded shows them active: %s. Each holds a legacy token without a "+
				"creation date and without usage statistics of its own: Jenkins gives the legacy token of a user record last "+
				"saved before 2.129 a new UUID at every start, and keeps statistics by UUID, so a use made minutes before the "+
				"last restart no longer shows. To make their use visible from the next restart on, save the user record once "+
				"(for example change its description), or retire the legacy token with jenkins_legacy_token_cleanup after "+
				"giving the account a new token.", strings.Join(lostUse, ", ")))
	}
	users, diags := types.ListValue(types.ObjectType{AttrTypes: userInfoAttrTypes}, elems)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.Users = users
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// inactiveFor reports whether u shows no activity in the last days days (see inactiveSince). A
// last use Jenkins lost is not "never used": such a user cannot be shown inactive.
func inactiveFor(u jenkins.UserRecord, now time.Time, days int64) bool {
	return !u.LastTokenUseUnknown && inactiveSince(now, days, u.LastGrantedAt, u.LastTokenUseAt, u.LastTokenCreatedAt)
}
