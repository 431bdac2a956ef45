package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	resourceschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
)

// A fleet: one provider block, many Jenkins controllers.
//
// The provider block's own server_url is the default controller; `controllers` names more, each
// with its own URL and, where it differs, its own credential. Every type takes `controller`,
// naming an entry (unset: the default), as the AWS provider's resources take `region`: one
// provider configuration, so one plan and one report over the whole fleet, and for_each over
// the names where a type must act on each. Each controller has its own client, token reader
// (batching), write locks and server facts, so nothing one controller answers decides anything
// on another: user ids are compared inside each controller by its own id strategy
// (SECURITY-3924 changed case-insensitive matching in 2.568.2 / 2.576), and the own-credential
// catch asks each controller who the provider is there.

// controllerNamePattern is what a name in `controllers` may be: it becomes part of resource
// IDs (`<controller>/<user id>/<uuid>`), so it cannot hold "/", and it reads as a word in a plan.
var controllerNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$`)

const controllerNameRule = "a controller name is 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit"

// controllerRefPattern is what a `controller` argument may be: a name, or "" for the default
// controller, as the fleet view's rows name it (so that for_each over them works as written).
var controllerRefPattern = regexp.MustCompile(`^$|` + controllerNamePattern.String())

// controllerRefValidator checks a `controller` argument.
func controllerRefValidator() validator.String {
	return stringvalidator.RegexMatches(controllerRefPattern, controllerNameRule+` (or "" for the default controller)`)
}

// sameController reports whether two `controller` values name one controller: null and "" both
// name the default one.
func sameController(a, b types.String) bool {
	if a.IsUnknown() || b.IsUnknown() {
		return a.Equal(b)
	}
	return a.ValueString() == b.ValueString()
}

// controllerEntryModel is one entry of the provider's `controllers` map. Unset fields take the
// provider's own value (and its environment variables).
type controllerEntryModel struct {
	ServerURL types.String `tfsdk:"server_url"`
	Username  types.String `tfsdk:"username"`
	Password  types.String `tfsdk:"password"`
	CACert    types.String `tfsdk:"ca_cert"`
	Insecure  types.Bool   `tfsdk:"insecure"`
}

func controllersSchemaAttribute() schema.MapNestedAttribute {
	return schema.MapNestedAttribute{
		MarkdownDescription: "More Jenkins controllers this provider manages, by a short name of your choice (letters, digits, " +
			"`.`, `_`, `-`). Every resource, data source, ephemeral resource, list resource and action takes `controller`, " +
			"naming one of them; without it, it acts on the controller of `server_url` (the default controller, which may " +
			"then be left unset). Each entry needs `server_url`; `username`, `password`, `ca_cert` and `insecure` default " +
			"to the provider's own (and their environment variables), so a fleet with one service account needs only the " +
			"URLs. The other settings (timeouts, retries, budgets, the lifetime policy) apply to every controller. " +
			"Renaming an entry replaces what names it; see the guide \"Offboarding a fleet\".",
		Optional: true,
		Validators: []validator.Map{
			controllerNamesValidator{},
		},
		NestedObject: schema.NestedAttributeObject{
			Attributes: map[string]schema.Attribute{
				"server_url": schema.StringAttribute{
					MarkdownDescription: "The controller's Jenkins base URL, as the provider's `server_url`.",
					Required:            true,
				},
				"username": schema.StringAttribute{
					MarkdownDescription: "User the provider authenticates as on this controller. Defaults to the provider's `username`.",
					Optional:            true,
				},
				"password": schema.StringAttribute{
					MarkdownDescription: "Password or API token of `username` on this controller. Defaults to the provider's `password`. " +
						"May come from an ephemeral value: the provider block is never stored in the state.",
					Optional:  true,
					Sensitive: true,
				},
				"ca_cert": schema.StringAttribute{
					MarkdownDescription: "PEM CA certificate(s), content or file path, for this controller. Defaults to the provider's `ca_cert`.",
					Optional:            true,
				},
				"insecure": schema.BoolAttribute{
					MarkdownDescription: "Skip TLS verification for this controller. Defaults to the provider's `insecure`.",
					Optional:            true,
				},
			},
		},
	}
}

// controllerNamesValidator checks the names of the `controllers` map.
type controllerNamesValidator struct{}

func (controllerNamesValidator) Description(context.Context) string { return controllerNameRule }
func (v controllerNamesValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (controllerNamesValidator) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for name := range req.ConfigValue.Elements() {
		if !controllerNamePattern.MatchString(name) {
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid Controller Name",
				fmt.Sprintf("controllers has an entry named %q: %s (the name becomes part of resource IDs, which use '/' as "+
					"separator). Rename the entry, for example to %q.", name, controllerNameRule, suggestedName(name)))
		}
	}
}

// suggestedName turns a bad controller name into a valid one, for the error message.
func suggestedName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteRune('-')
		}
	}
	s := strings.Trim(b.String(), "-._")
	if s == "" {
		s = "controller"
	}
	if len(s) > 63 {
		s = s[:63]
	}
	return s
}

// controllerAttribute is the `controller` argument of a resource: which controller the object
// lives on. Another controller is another object, so a change replaces it.
func controllerAttribute(what string) resourceschema.StringAttribute {
	return resourceschema.StringAttribute{
		MarkdownDescription: controllerDescription(what) + " Changing it (also by renaming the entry in `controllers`) " +
			"replaces " + what + ": it is a different Jenkins, or, for a renamed entry, the provider cannot tell that it is not.",
		Optional:   true,
		Validators: []validator.String{controllerRefValidator()},
		PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(
			func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
				resp.RequiresReplace = !sameController(req.StateValue, req.PlanValue)
			},
			"Replaces the object when it moves to another controller (null and \"\" both name the default one).",
			"Replaces the object when it moves to another controller (null and `\"\"` both name the default one).")},
	}
}

// controllerDescription is the shared start of every `controller` argument's description.
func controllerDescription(what string) string {
	return "The name of the Jenkins controller " + what + " is on: an entry of the provider's `controllers`. Unset or `\"\"`: " +
		"the provider's default controller (`server_url`), as the rows of `jenkins_fleet_tokens` name it."
}

// fleet is every controller one provider configuration manages.
type fleet struct {
	// byName holds the named controllers; "" is the default controller (server_url), absent when
	// the provider block sets no server_url.
	byName map[string]*providerData
	// byURLKey indexes byName by urlKey of each controller's URL (indexURLs).
	byURLKey map[string]*providerData
	// pending names the entries whose settings are not known until apply.
	pending map[string]bool
	// maxRevocationsPerController is max_revocations_per_controller (0: no limit).
	maxRevocationsPerController int64
	// runRevocations counts, per controller, the users whose tokens this run's bulk revocations
	// plan to revoke, over every resource instance and action (see admitRevocations).
	runRevocations runRevocations
}

// names lists the named controllers (not the default), sorted.
func (f *fleet) names() []string {
	out := make([]string, 0, len(f.byName))
	for n := range f.byName {
		if n != "" {
			out = append(out, n)
		}
	}
	for n := range f.pending {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// on returns the controller that name designates (null or "": the default controller), or nil
// with an error diagnostic that says what to fix. Every operation that talks to Jenkins starts
// here.
func (d *providerData) on(name types.String, diags *diag.Diagnostics) *providerData {
	if d == nil || d.fleet == nil {
		requireClient(d, diags)
		return nil
	}
	if name.IsUnknown() {
		diags.AddAttributeError(path.Root("controller"), "Controller Not Known Yet",
			"controller depends on a value known only after apply, so the provider cannot tell which Jenkins to ask. "+
				"Use a known name (an entry of the provider's controllers, for example from for_each over them).")
		return nil
	}
	n := name.ValueString()
	c := d.fleet.byName[n]
	switch {
	case c != nil && c.client != nil:
		return c
	case n == "":
		if len(d.fleet.byName) > 0 || len(d.fleet.pending) > 0 {
			diags.AddAttributeError(path.Root("controller"), "No Default Jenkins Controller",
				fmt.Sprintf("This has no controller set, and the provider block has no server_url, so there is no default "+
					"controller. Set controller to one of the provider's controllers (%s), or set server_url.",
					strings.Join(d.fleet.names(), ", ")))
			return nil
		}
		requireClient(nil, diags)
		return nil
	case d.fleet.pending[n]:
		diags.AddAttributeError(path.Root("controller"), "Controller Not Configured Yet",
			fmt.Sprintf("The provider's controllers entry %q depends on values known only after apply (its server_url, "+
				"username or password), so the provider cannot talk to it in this plan. Give it known values, or apply "+
				"what they come from first.", n))
		return nil
	default:
		known := d.fleet.names()
		list := "it has none"
		if len(known) > 0 {
			list = "it has " + strings.Join(known, ", ")
		}
		diags.AddAttributeError(path.Root("controller"), "Unknown Jenkins Controller",
			fmt.Sprintf("controller %q is not an entry of the provider's controllers (%s). Check the spelling, or add the "+
				"entry to the provider block. If the entry was renamed, what names the old name is replaced: the old "+
				"name's objects are revoked through an entry with the same server_url.", n, list))
		return nil
	}
}

// urlKey is a controller URL as one Jenkins is known by, whatever its spelling: scheme and host
// in lower case, the scheme's default port dropped, no user info, one trailing slash. The path
// keeps its case: Jenkins's context path is case-sensitive.
func urlKey(raw string) string {
	u, err := url.Parse(strings.TrimRight(raw, "/") + "/")
	if err != nil || u.Host == "" {
		return raw
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		port = ""
	}
	switch {
	case port != "":
		host = net.JoinHostPort(host, port)
	case strings.Contains(host, ":"):
		host = "[" + host + "]" // IPv6
	}
	u.Host, u.User = host, nil
	return u.String()
}

// sameURL reports whether two controller URLs name one Jenkins (urlKey).
func sameURL(a, b string) bool { return urlKey(a) == urlKey(b) }

// byURL finds a configured controller whose server_url is url (after a rename of its entry), or
// nil: one lookup in the index indexURLs built at configure, since every token's Read asks.
func (f *fleet) byURL(url string) *providerData {
	if f == nil || url == "" {
		return nil
	}
	return f.byURLKey[urlKey(url)]
}

// controllerValue is the `controller` attribute's value for this controller: null for the
// default one.
func (d *providerData) controllerValue() types.String {
	if d == nil || d.controller == "" {
		return types.StringNull()
	}
	return types.StringValue(d.controller)
}

// onController prefixes the errors added to diags from index from on with the controller they
// happened on, when it is a named one: in a fleet, "connection refused" alone does not say where.
func (d *providerData) onController(diags *diag.Diagnostics, from int) {
	if d == nil || d.controller == "" || from >= len(*diags) {
		return
	}
	where := fmt.Sprintf("On Jenkins controller %q (%s): ", d.controller, jenkins.RedactURL(d.client.BaseURL()))
	for i := from; i < len(*diags); i++ {
		dg := (*diags)[i]
		if dg.Severity() != diag.SeverityError || strings.HasPrefix(dg.Detail(), where) {
			continue
		}
		if wp, ok := dg.(diag.DiagnosticWithPath); ok {
			(*diags)[i] = diag.NewAttributeErrorDiagnostic(wp.Path(), dg.Summary(), where+dg.Detail())
			continue
		}
		(*diags)[i] = diag.NewErrorDiagnostic(dg.Summary(), where+dg.Detail())
	}
}

// runRevocations is, per controller, which users the bulk revocations planned in this provider
// process (one configuration, one run phase) touch, by the configuration that planned them.
type runRevocations struct {
	mu    sync.Mutex
	users map[string]map[string]map[string]bool // controller -> planning configuration -> users
}

// add records that key plans to revoke tokens of these users on controller, and returns how
// many users every configuration recorded so far touches there together.
func (r *runRevocations) add(controller, key string, tokens []jenkins.Token) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.users == nil {
		r.users = map[string]map[string]map[string]bool{}
	}
	byKey := r.users[controller]
	if byKey == nil {
		byKey = map[string]map[string]bool{}
		r.users[controller] = byKey
	}
	mine := map[string]bool{}
	for _, t := range tokens {
		// Jenkins's own spelling of the id (the listing returns it), compared within this
		// controller only.
		mine[t.UserID] = true
	}
	byKey[key] = mine
	all := map[string]bool{}
	for _, us := range byKey {
		for u := range us {
			all[u] = true
		}
	}
	return len(all)
}

// admitRevocations enforces max_revocations_per_controller: the bulk revocations planned in this
// run (cleanups and actions, every for_each instance of them) must together touch at most that
// many users on any one controller. It reports false, with an error, when this configuration's
// plan (key) would exceed it.
func (d *providerData) admitRevocations(key string, tokens []jenkins.Token, diags *diag.Diagnostics) bool {
	if d == nil || d.fleet == nil || d.fleet.maxRevocationsPerController <= 0 || len(tokens) == 0 {
		return true
	}
	users := d.fleet.runRevocations.add(d.controller, key, tokens)
	if int64(users) <= d.fleet.maxRevocationsPerController {
		return true
	}
	where := "the default controller"
	if d.controller != "" {
		where = fmt.Sprintf("controller %q", d.controller)
	}
	diags.AddError("Run Would Revoke Tokens of Too Many Users",
		fmt.Sprintf("The cleanups and actions planned so far in this run revoke the tokens of %d users on %s together, more "+
			"than the provider's max_revocations_per_controller (%d), which counts every resource instance (for_each "+
			"included) and action of this provider configuration. Nothing is revoked. Narrow the selections (user_ids, "+
			"filters), or raise max_revocations_per_controller if this many is intended.",
			users, where, d.fleet.maxRevocationsPerController))
	return false
}

// controllerURLKey is the private-state key of the URL of the controller a resource was made
// on. An entry of `controllers` renamed (same server_url, new name) leaves the resources in the
// state naming the old name: the URL still finds their Jenkins, so they can be read and, when the
// plan replaces them for the new name, revoked.
const controllerURLKey = "controller_url"

// recordControllerURL keeps the controller's URL in the private state, for every controller, the
// default one included: a name (or the default) can later point at another Jenkins.
func recordControllerURL(ctx context.Context, private privateSetter, d *providerData, diags *diag.Diagnostics) {
	if d == nil || d.client == nil {
		return
	}
	raw, err := json.Marshal(d.client.BaseURL())
	if err != nil {
		diags.AddError("Unable to Record the Controller's URL", err.Error())
		return
	}
	diags.Append(private.SetKey(ctx, controllerURLKey, raw)...)
}

// recordedControllerURL is the URL recordControllerURL kept, or "" for an object stored before
// URLs were recorded.
func recordedControllerURL(ctx context.Context, private privateGetter) string {
	var url string
	raw, ds := private.GetKey(ctx, controllerURLKey)
	if ds.HasError() || len(raw) == 0 || json.Unmarshal(raw, &url) != nil {
		return ""
	}
	return url
}

// onStored is on for an object in the state that only acts on its controller (a cleanup, the
// settings): the name decides while it is an entry, since that is where the configuration wants
// it to act. A name no longer in `controllers` (a renamed entry) still finds the controller by
// the URL recorded when the object was made.
func (d *providerData) onStored(ctx context.Context, name types.String, private privateGetter, diags *diag.Diagnostics) *providerData {
	if d != nil && d.fleet != nil && !name.IsUnknown() && !d.fleet.resolves(name.ValueString()) {
		recorded := recordedControllerURL(ctx, private)
		if c := d.fleet.byURL(recorded); c != nil {
			return c
		}
		if gone := d.storedControllerGone(name, recorded); gone != "" {
			diags.AddAttributeError(path.Root("controller"), "Jenkins Controller of This Object Is Gone", goneControllerDetail(gone))
			return nil
		}
	}
	return d.on(name, diags)
}

// onStoredToken is on for a token in the state, which exists on one Jenkins: the URL it was made
// on decides, whatever name now points there, so that a repointed or swapped entry never makes
// a token look revoked while it stays valid on its Jenkins. movedFrom is the recorded URL when no
// entry has it any more and the token's name (or the default) now points at another URL: the
// Jenkins may have moved (the token is found there) or be another one (it is not), and the
// caller must not read "not found" as "revoked".
func (d *providerData) onStoredToken(ctx context.Context, name types.String, private privateGetter, diags *diag.Diagnostics) (c *providerData, movedFrom string) {
	if d == nil || d.fleet == nil || name.IsUnknown() {
		return d.on(name, diags), ""
	}
	recorded := recordedControllerURL(ctx, private)
	if recorded == "" {
		return d.on(name, diags), "" // stored before URLs were recorded: the name is all there is
	}
	if c := d.fleet.byURL(recorded); c != nil {
		return c, ""
	}
	if len(d.fleet.pending) > 0 {
		// An entry known only at apply may have the URL: until then, neither "moved" nor "gone"
		// can be told.
		diags.AddAttributeError(path.Root("controller"), "Controller Not Configured Yet",
			fmt.Sprintf("This token was made on %s, which no configured entry of the provider's controllers has now, and the "+
				"entries %s depend on values known only after apply, so the provider cannot tell which Jenkins holds the token. "+
				"Give those entries known values, or apply what they come from first.",
				jenkins.RedactURL(recorded), quotedList(sortedKeys(d.fleet.pending))))
		return nil, ""
	}
	if d.fleet.resolves(name.ValueString()) {
		return d.on(name, diags), recorded
	}
	if gone := d.storedControllerGone(name, recorded); gone != "" {
		diags.AddAttributeError(path.Root("controller"), "Jenkins Controller of This Object Is Gone", goneControllerDetail(gone))
		return nil, ""
	}
	return d.on(name, diags), ""
}

// resolves reports whether name ("" for the default) is a controller the provider can ask now.
func (f *fleet) resolves(name string) bool {
	c := f.byName[name]
	return c != nil && c.client != nil
}

// storedControllerGone says, for an object in the state whose controller is neither an entry of
// `controllers` (nor the default) nor reachable by the URL it was made on, which controller that
// was; "" when that is not so (the name resolves, or its entry is known only at apply).
func (d *providerData) storedControllerGone(name types.String, recorded string) string {
	if d == nil || d.fleet == nil || name.IsUnknown() {
		return ""
	}
	n := name.ValueString()
	if d.fleet.resolves(n) || d.fleet.pending[n] || d.fleet.byURL(recorded) != nil {
		return ""
	}
	if n == "" && len(d.fleet.byName) == 0 && len(d.fleet.pending) == 0 {
		return "" // no controller at all: on says what to configure
	}
	where := "the provider's default controller (server_url), which is no longer set"
	if n != "" {
		where = fmt.Sprintf("controller %q, which is no longer an entry of the provider's controllers", n)
	}
	if recorded != "" {
		where += fmt.Sprintf(" (it was %s, and no entry has that URL)", jenkins.RedactURL(recorded))
	}
	return where
}

// goneControllerDetail is the error for a token or the settings whose controller is gone (where,
// from storedControllerGone): the provider cannot revoke or restore anything there, and
// forgetting it silently would leave a token valid that nothing records.
func goneControllerDetail(where string) string {
	return fmt.Sprintf("This object is on %s, so the provider cannot reach it. Put the entry back with its server_url "+
		"and plan again, so that the provider can act on it there (under another name, the plan replaces what names the "+
		"old one); or, to stop managing it without "+
		"touching Jenkins, remove it from the state with terraform state rm. Remove an entry from controllers only "+
		"after destroying the tokens and settings on it (cleanups need not be: they only forget).", where)
}

// controllerShown names a controller for a message: its name, or "the default controller".
func controllerShown(name types.String) string {
	if name.IsUnknown() {
		return "a controller known after apply"
	}
	if name.IsNull() || name.ValueString() == "" {
		return "the default controller"
	}
	return fmt.Sprintf("controller %q", name.ValueString())
}

// controllerFrom reads the `controller` attribute of a plan, state or configuration.
func controllerFrom(ctx context.Context, src getter, diags *diag.Diagnostics) types.String {
	var name types.String
	diags.Append(src.GetAttribute(ctx, path.Root("controller"), &name)...)
	return name
}

// warnJoinedController warns, at the plan of a new token, when the controller is joined to a
// CloudBees CI operations center: there the operations center manages the users' API tokens
// across the cluster (a token made on it works on every joined controller), and a joined
// controller's own tokens can be overwritten by it. One script call per controller and run at
// most (the server facts are remembered), none when a refresh already reported them.
func (d *providerData) warnJoinedController(ctx context.Context, diags *diag.Diagnostics) {
	if d == nil || d.client == nil {
		return
	}
	info, err := d.client.ServerInfo(ctx)
	if err != nil || info.OperationsCenter != "client" {
		return // a failure to read the facts is reported by the create itself
	}
	diags.AddWarning("Token on a Controller Joined to an Operations Center",
		fmt.Sprintf("%s (%s) is joined to a CloudBees CI operations center, which manages its users' API tokens across the "+
			"cluster: a token made on the operations center works on every joined controller, and a token made here can "+
			"be overwritten by it. For a token meant to last, create it on the operations center (name it in the provider's "+
			"controllers); and offboard on the operations center too, or its tokens stay valid here.",
			controllerShown(d.controllerValue()), jenkins.RedactURL(d.client.BaseURL())))
}

// indexURLs indexes the configured controllers by URL (urlKey) for byURL, and refuses two
// controllers (entries, or an entry and the provider's server_url) with one server_url: each has
// its own listing memo, write batches and revocation count, so one Jenkins under two names would
// be listed from stale memos, written by two batches at once and counted twice against
// max_revocations_per_controller; and a token's recorded URL would not say which name it belongs
// to.
func indexURLs(f *fleet, diags *diag.Diagnostics) {
	names := make([]string, 0, len(f.byName))
	for n := range f.byName {
		names = append(names, n)
	}
	sort.Strings(names) // "" (the default) first
	f.byURLKey = map[string]*providerData{}
	for _, n := range names {
		url := f.byName[n].client.BaseURL()
		prior, seen := f.byURLKey[urlKey(url)]
		if !seen {
			f.byURLKey[urlKey(url)] = f.byName[n]
			continue
		}
		other := fmt.Sprintf("entry %q", prior.controller)
		if prior.controller == "" {
			other = "the provider's server_url"
		}
		diags.AddAttributeError(path.Root("controllers").AtMapKey(n).AtName("server_url"), "Two Controllers With One URL",
			fmt.Sprintf("controllers entry %q has the same server_url as %s (%s). One Jenkins must have one name: remove the "+
				"entry and point what names it at %s, or fix the URL.", n, other, jenkins.RedactURL(url), fleetName(prior.controller)))
	}
}
