package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
)

var (
	_ datasource.DataSource              = (*fleetTokensDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*fleetTokensDataSource)(nil)
)

// fleetConcurrency bounds how many controllers the fleet view asks at once: enough for a plan
// of a few dozen controllers to take about one controller's time, few enough not to open
// hundreds of connections from a CI runner.
const fleetConcurrency = 32

// fleetProbeRetries is how often the fleet view sends a call again after a connection failure or
// a gateway answer: once (about half a second), not the client's max_retries (about 15 s of
// backoff), so that one controller that is down does not hold up the plan of the whole fleet;
// it is reported unreachable instead.
const fleetProbeRetries = 1

// fleetTokensDataSource asks every controller of the fleet, in parallel, which tokens some users
// hold: the view of an offboarding across the fleet, one row per controller and user, with a
// controller that cannot be asked reported in its rows instead of failing the plan.
type fleetTokensDataSource struct {
	data *providerData
}

type fleetTokensModel struct {
	UserIDs       types.Set    `tfsdk:"user_ids"`
	Controllers   types.Set    `tfsdk:"controllers"`
	OnUnreachable types.String `tfsdk:"on_unreachable"`
	Rows          types.List   `tfsdk:"rows"`
	ControllerRow types.List   `tfsdk:"controller_status"`
	Summary       types.String `tfsdk:"summary"`
}

type fleetRowModel struct {
	Controller       types.String `tfsdk:"controller"`
	UserID           types.String `tfsdk:"user_id"`
	JenkinsUserID    types.String `tfsdk:"jenkins_user_id"`
	Reachable        types.Bool   `tfsdk:"reachable"`
	Error            types.String `tfsdk:"error"`
	UserFound        types.Bool   `tfsdk:"user_found"`
	TokenCount       types.Int64  `tfsdk:"token_count"`
	LegacyTokenCount types.Int64  `tfsdk:"legacy_token_count"`
	Tokens           types.List   `tfsdk:"tokens"`
}

type fleetControllerModel struct {
	Controller       types.String `tfsdk:"controller"`
	ServerURL        types.String `tfsdk:"server_url"`
	Reachable        types.Bool   `tfsdk:"reachable"`
	Error            types.String `tfsdk:"error"`
	JenkinsVersion   types.String `tfsdk:"jenkins_version"`
	OperationsCenter types.String `tfsdk:"operations_center"`
	TokenCount       types.Int64  `tfsdk:"token_count"`
	LegacyTokenCount types.Int64  `tfsdk:"legacy_token_count"`
}

var fleetRowAttrTypes = map[string]attr.Type{
	"controller":         types.StringType,
	"user_id":            types.StringType,
	"jenkins_user_id":    types.StringType,
	"reachable":          types.BoolType,
	"error":              types.StringType,
	"user_found":         types.BoolType,
	"token_count":        types.Int64Type,
	"legacy_token_count": types.Int64Type,
	"tokens":             types.ListType{ElemType: types.ObjectType{AttrTypes: tokenInfoAttrTypes}},
}

var fleetControllerAttrTypes = map[string]attr.Type{
	"controller":         types.StringType,
	"server_url":         types.StringType,
	"reachable":          types.BoolType,
	"error":              types.StringType,
	"jenkins_version":    types.StringType,
	"operations_center":  types.StringType,
	"token_count":        types.Int64Type,
	"legacy_token_count": types.Int64Type,
}

func NewFleetTokensDataSource() datasource.DataSource { return &fleetTokensDataSource{} }

func (d *fleetTokensDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_fleet_tokens"
}

func (d *fleetTokensDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	rowAttrs := map[string]schema.Attribute{
		"controller": schema.StringAttribute{MarkdownDescription: "The controller's name in the provider's `controllers`; `\"\"` for " +
			"the default controller (`server_url`), which every `controller` argument accepts too.", Computed: true},
		"user_id": schema.StringAttribute{MarkdownDescription: "The id as `user_ids` gives it.", Computed: true},
		"jenkins_user_id": schema.StringAttribute{MarkdownDescription: "The user's id as this controller spells it (its id strategy " +
			"decides whether case matters); null when it has no such user or could not be asked.", Computed: true},
		"reachable": schema.BoolAttribute{MarkdownDescription: "Whether the controller answered at all: false when it is down " +
			"or behind a proxy that answers for it (502, 504).", Computed: true},
		"error": schema.StringAttribute{MarkdownDescription: "Why the controller could not be asked: down (`reachable = false`), or it " +
			"answered with an error (a refused credential, a failed script); null when the row is its answer.", Computed: true},
		"user_found":         schema.BoolAttribute{MarkdownDescription: "Whether the controller has a record of the user.", Computed: true},
		"token_count":        schema.Int64Attribute{MarkdownDescription: "How many tokens the user holds there (0 when unreachable).", Computed: true},
		"legacy_token_count": schema.Int64Attribute{MarkdownDescription: "How many of them are legacy tokens.", Computed: true},
		"tokens": schema.ListNestedAttribute{
			MarkdownDescription: "The user's tokens there, as the `jenkins_user_tokens` data source lists them.",
			Computed:            true,
			NestedObject:        schema.NestedAttributeObject{Attributes: tokenInfoSchemaAttributes()},
		},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Which tokens some users hold on every controller of the fleet: the provider's default controller " +
			"and each entry of its `controllers`, asked in parallel (one script call each). One row per controller and " +
			"user, with `reachable` and `error` columns: a controller that cannot be asked is reported in its rows and a " +
			"warning (`on_unreachable = \"warn\"`, the default) instead of failing the plan. `summary` says it in one line, " +
			"for an output: `bob: 37 controllers clean, 2 controllers with tokens (7 tokens, 1 legacy), 1 unreachable` (and " +
			"`, N failing` when some controllers answered with an error). User ids are " +
			"matched on each controller by its own id strategy.",
		Attributes: map[string]schema.Attribute{
			"user_ids": schema.SetAttribute{
				MarkdownDescription: "The users to look for. A user a controller has no record of holds no tokens there (`user_found = false`): not an error.",
				ElementType:         types.StringType,
				Required:            true,
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1)),
				},
			},
			"controllers": schema.SetAttribute{
				MarkdownDescription: "The controllers to ask, by name (`\"\"` for the default controller). Unset: every controller of the provider.",
				ElementType:         types.StringType,
				Optional:            true,
			},
			"on_unreachable": schema.StringAttribute{
				MarkdownDescription: "What a controller that cannot be asked (down, or answering with an error) does to the plan: " +
					"`warn` (default: a warning, and its rows carry the `error`) or `error` (the data source fails, naming every such controller).",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf("warn", "error")},
			},
			"rows": schema.ListNestedAttribute{
				MarkdownDescription: "One row per controller and user, sorted by controller and user.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: rowAttrs},
			},
			"controller_status": schema.ListNestedAttribute{
				MarkdownDescription: "One row per controller asked: whether it answered, its Jenkins version, whether it is part " +
					"of a CloudBees CI cluster (`operations_center`: `server` for an operations center, `client` for a controller " +
					"joined to one, null otherwise), and the tokens the users hold there together.",
				Computed: true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"controller":         schema.StringAttribute{Computed: true, MarkdownDescription: "As in `rows`."},
					"server_url":         schema.StringAttribute{Computed: true, MarkdownDescription: "The controller's URL."},
					"reachable":          schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether it answered."},
					"error":              schema.StringAttribute{Computed: true, MarkdownDescription: "Why not, or null."},
					"jenkins_version":    schema.StringAttribute{Computed: true, MarkdownDescription: "Its Jenkins version, or null."},
					"operations_center":  schema.StringAttribute{Computed: true, MarkdownDescription: "`server`, `client` or null."},
					"token_count":        schema.Int64Attribute{Computed: true, MarkdownDescription: "Tokens of the users there."},
					"legacy_token_count": schema.Int64Attribute{Computed: true, MarkdownDescription: "Legacy tokens among them."},
				}},
			},
			"summary": schema.StringAttribute{
				MarkdownDescription: "One line: `<users>: N controllers clean, M controllers with tokens (T tokens, L legacy), U unreachable`, " +
					"followed by `, F failing` when F controllers answered with an error.",
				Computed: true,
			},
		},
	}
}

func (d *fleetTokensDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

// fleetAnswer is what one controller answered.
type fleetAnswer struct {
	name string
	data *providerData
	list jenkins.TokenList
	err  error
}

func (d *fleetTokensDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m fleetTokensModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.data == nil || d.data.fleet == nil {
		requireClient(nil, &resp.Diagnostics)
		return
	}
	var userIDs []string
	resp.Diagnostics.Append(m.UserIDs.ElementsAs(ctx, &userIDs, false)...)
	names := d.data.fleet.askable()
	if m.Controllers.IsNull() && len(d.data.fleet.pending) > 0 {
		// Left out, and said: a summary that does not count them would read as the whole fleet.
		resp.Diagnostics.AddWarning("Jenkins Controllers Not Asked Yet",
			fmt.Sprintf("The provider's controllers entries %s depend on values known only after apply, so this plan does "+
				"not ask them: they have no rows, and summary does not count them. Apply what their values come from, and "+
				"plan again.", quotedList(sortedKeys(d.data.fleet.pending))))
	}
	if !m.Controllers.IsNull() {
		names = nil
		resp.Diagnostics.Append(m.Controllers.ElementsAs(ctx, &names, false)...)
		sort.Strings(names)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	targets := make([]*providerData, len(names))
	for i, n := range names {
		var ds diag.Diagnostics
		targets[i] = d.data.on(types.StringValue(n), &ds)
		if ds.HasError() {
			resp.Diagnostics.AddAttributeError(path.Root("controllers"), ds.Errors()[0].Summary(), ds.Errors()[0].Detail())
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if len(targets) == 0 {
		resp.Diagnostics.AddError("No Jenkins Controllers", "The provider has no controller to ask: set its server_url or controllers.")
		return
	}

	answers := askFleet(ctx, targets, func(ctx context.Context, c *providerData) (jenkins.TokenList, error) {
		return c.client.ListTokensOf(jenkins.WithRecentListing(jenkins.WithRetryLimit(ctx, fleetProbeRetries)), userIDs)
	})
	rows, controllers, summary, failed := fleetRows(userIDs, answers)
	if len(failed) > 0 {
		detail := fmt.Sprintf("The provider could not ask %d of %d controllers. Their rows carry the error, with "+
			"reachable = false for a controller that could not be reached (it counts as unreachable in summary) and true for "+
			"one that answered with an error (it counts as failing):\n%s", len(failed), len(answers), strings.Join(failed, "\n"))
		if m.OnUnreachable.ValueString() == "error" {
			resp.Diagnostics.AddError("Jenkins Controllers Unreachable", detail+"\n\non_unreachable = \"error\": set it to \"warn\" to plan without them.")
			return
		}
		resp.Diagnostics.AddWarning("Jenkins Controllers Unreachable", detail)
	}
	var ds diag.Diagnostics
	m.Rows, ds = types.ListValueFrom(ctx, types.ObjectType{AttrTypes: fleetRowAttrTypes}, rows)
	resp.Diagnostics.Append(ds...)
	m.ControllerRow, ds = types.ListValueFrom(ctx, types.ObjectType{AttrTypes: fleetControllerAttrTypes}, controllers)
	resp.Diagnostics.Append(ds...)
	m.Summary = types.StringValue(summary)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// askable lists the names of the controllers the provider can ask ("" for the default one),
// sorted.
func (f *fleet) askable() []string {
	out := make([]string, 0, len(f.byName))
	for n, c := range f.byName {
		if c.client != nil {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// askFleet runs ask on every controller, fleetConcurrency at a time, and returns the answers in
// the order of targets.
func askFleet(ctx context.Context, targets []*providerData, ask func(context.Context, *providerData) (jenkins.TokenList, error)) []fleetAnswer {
	answers := make([]fleetAnswer, len(targets))
	sem := make(chan struct{}, fleetConcurrency)
	var wg sync.WaitGroup
	for i, c := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			l, err := ask(ctx, c)
			answers[i] = fleetAnswer{name: c.controller, data: c, list: l, err: err}
		}()
	}
	wg.Wait()
	return answers
}

// fleetRows turns the answers into the data source's rows, the per-controller status, the
// summary line, and one line per controller that could not be asked.
func fleetRows(userIDs []string, answers []fleetAnswer) ([]fleetRowModel, []fleetControllerModel, string, []string) {
	sortedIDs := append([]string(nil), userIDs...)
	sort.Strings(sortedIDs)
	tokenList := types.ObjectType{AttrTypes: tokenInfoAttrTypes}
	var rows []fleetRowModel
	var controllers []fleetControllerModel
	var failed []string
	clean, holding, unreachable, failing, tokens, legacy := 0, 0, 0, 0, 0, 0
	for _, a := range answers {
		// Reachable: Jenkins answered, even if with an error (a refused credential, a script
		// failure): that is another problem than a controller that is down.
		reachable := a.err == nil || !jenkins.IsUnreachable(a.err)
		status := fleetControllerModel{
			Controller: types.StringValue(a.name), ServerURL: types.StringValue(jenkins.RedactURL(a.data.client.BaseURL())),
			Reachable: types.BoolValue(reachable), Error: types.StringNull(), JenkinsVersion: types.StringNull(),
			OperationsCenter: types.StringNull(), TokenCount: types.Int64Value(0), LegacyTokenCount: types.Int64Value(0),
		}
		if a.err != nil {
			if reachable {
				failing++
			} else {
				unreachable++
			}
			msg := explainError(a.err)
			status.Error = types.StringValue(msg)
			failed = append(failed, fmt.Sprintf("- %s (%s): %s", fleetName(a.name), status.ServerURL.ValueString(), msg))
			controllers = append(controllers, status)
			for _, id := range sortedIDs {
				rows = append(rows, fleetRowModel{Controller: status.Controller, UserID: types.StringValue(id), JenkinsUserID: types.StringNull(),
					Reachable: status.Reachable, Error: status.Error, UserFound: types.BoolNull(), TokenCount: types.Int64Value(0),
					LegacyTokenCount: types.Int64Value(0), Tokens: types.ListValueMust(tokenList, nil)})
			}
			continue
		}
		status.JenkinsVersion = optionalString(a.list.Info.Version)
		status.OperationsCenter = optionalString(a.list.Info.OperationsCenter)
		byUser := map[string][]jenkins.Token{}
		for _, t := range a.list.Tokens {
			byUser[t.UserID] = append(byUser[t.UserID], t)
		}
		missing := map[string]bool{}
		for _, id := range a.list.Missing {
			missing[id] = true
		}
		here := 0
		for _, id := range sortedIDs {
			row := fleetRowModel{Controller: status.Controller, UserID: types.StringValue(id), JenkinsUserID: types.StringNull(),
				Reachable: types.BoolValue(true), Error: types.StringNull(), UserFound: types.BoolValue(!missing[id])}
			var held []jenkins.Token
			if canonical, ok := a.list.Canonical[id]; ok && !missing[id] {
				row.JenkinsUserID = types.StringValue(canonical)
				held = byUser[canonical]
			}
			elems := make([]attr.Value, 0, len(held))
			nLegacy := 0
			for _, t := range held {
				if t.Legacy {
					nLegacy++
				}
				obj, _ := types.ObjectValueFrom(context.Background(), tokenInfoAttrTypes, tokenInfoFrom(t, a.list.Info.Today))
				elems = append(elems, obj)
			}
			row.Tokens = types.ListValueMust(tokenList, elems)
			row.TokenCount, row.LegacyTokenCount = types.Int64Value(int64(len(held))), types.Int64Value(int64(nLegacy))
			here += len(held)
			tokens += len(held)
			legacy += nLegacy
			status.TokenCount = types.Int64Value(status.TokenCount.ValueInt64() + int64(len(held)))
			status.LegacyTokenCount = types.Int64Value(status.LegacyTokenCount.ValueInt64() + int64(nLegacy))
			rows = append(rows, row)
		}
		if here == 0 {
			clean++
		} else {
			holding++
		}
		controllers = append(controllers, status)
	}
	summary := fmt.Sprintf("%s: %s clean, %s with tokens (%s, %d legacy), %d unreachable",
		strings.Join(sortedIDs, ", "), plural(clean, "controller"), plural(holding, "controller"), plural(tokens, "token"), legacy, unreachable)
	if failing > 0 {
		summary += fmt.Sprintf(", %d failing", failing)
	}
	return rows, controllers, summary, failed
}

// fleetName names a controller in a message.
func fleetName(name string) string {
	if name == "" {
		return "the default controller"
	}
	return fmt.Sprintf("controller %q", name)
}

// plural is "1 controller", "2 controllers".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// quotedList is `"a", "b"`.
func quotedList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// sortedKeys lists a set's members in order.
func sortedKeys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
