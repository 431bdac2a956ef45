// Package provider is the Terraform glue: the provider block, resources, data sources and
// ephemeral resources. Everything that talks to Jenkins lives in internal/jenkins.
package provider

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
)

// Environment variables read when the provider block leaves an attribute unset. The names are
// the ones the existing Jenkins providers use, so users can copy their provider blocks.
const (
	envURL      = "JENKINS_URL"
	envUsername = "JENKINS_USERNAME"
	envPassword = "JENKINS_PASSWORD"
	envCACert   = "JENKINS_CA_CERT"
	envInsecure = "JENKINS_INSECURE"
)

const (
	defaultRequestTimeout = 2 * time.Minute
	defaultMaxRetries     = 5
	// defaultReadBatchWindow is how long a token Read waits for others to share its script
	// call. Terraform starts its concurrent refreshes within a few milliseconds of each other;
	// see the README's performance section for the measurements behind the value.
	defaultReadBatchWindow = 20 * time.Millisecond
)

var (
	_ provider.Provider                       = (*jenkinsProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*jenkinsProvider)(nil)
	_ provider.ProviderWithListResources      = (*jenkinsProvider)(nil)
	_ provider.ProviderWithActions            = (*jenkinsProvider)(nil)
)

// jenkinsProvider is the provider. Clock is injected so that tests can move "now" (rotation,
// unused_for_days) without touching the machine's time.
type jenkinsProvider struct {
	version string
	clock   func() time.Time
	// ephemerals is the process's registry of ephemeral tokens opened and not closed.
	ephemerals *openEphemerals
}

// providerModel is the provider block.
type providerModel struct {
	ServerURL       types.String `tfsdk:"server_url"`
	Username        types.String `tfsdk:"username"`
	Password        types.String `tfsdk:"password"`
	CACert          types.String `tfsdk:"ca_cert"`
	Insecure        types.Bool   `tfsdk:"insecure"`
	RequestTimeout  types.String `tfsdk:"request_timeout"`
	ScriptBudget    types.String `tfsdk:"script_time_budget"`
	MaxRetries      types.Int64  `tfsdk:"max_retries"`
	ReadBatchWindow types.String `tfsdk:"read_batch_window"`
	MaxLifetimeDays types.Int64  `tfsdk:"max_token_lifetime_days"`
	Controllers     types.Map    `tfsdk:"controllers"`
	MaxRevocations  types.Int64  `tfsdk:"max_revocations_per_controller"`
}

// providerData is what Configure hands to every resource and data source.
type providerData struct {
	// controller is this controller's name in the provider's controllers, "" for the default one.
	controller string
	// fleet is every controller of this provider configuration (see on).
	fleet  *fleet
	client *jenkins.Client
	reader *tokenReader
	now    func() time.Time
	// writes serializes this provider's writes to one user's tokens (see userWrites).
	writes userWrites
	// writeWindow is the token writer's batch window (0: each write sent at once).
	writeWindow time.Duration
	writerOnce  sync.Once
	writer      *tokenWriter
	// maxLifetimeDays is max_token_lifetime_days (0: no limit): see checkLifetime.
	maxLifetimeDays int64
	// ephemerals records the ephemeral tokens opened and not yet closed (openEphemerals).
	ephemerals *openEphemerals
	// tally counts the users whose tokens this run's bulk revocations plan to revoke.
	tally *revocationTally
}

// New returns the provider factory of the acceptance tests (main serves NewProcess).
func New(version string) func() provider.Provider {
	return NewWithClock(version, time.Now)
}

// NewWithClock is New with an injected clock, for tests.
func NewWithClock(version string, clock func() time.Time) func() provider.Provider {
	return func() provider.Provider {
		return &jenkinsProvider{version: version, clock: clock, ephemerals: &openEphemerals{}}
	}
}

// Process is the provider as one plugin process serves it: the provider Terraform talks to,
// and what the process does when Terraform shuts it down.
type Process struct {
	version    string
	ephemerals *openEphemerals
}

// NewProcess returns the provider of a plugin process (main).
func NewProcess(version string) *Process {
	return &Process{version: version, ephemerals: &openEphemerals{}}
}

// Provider is the factory the server calls (once per process).
func (p *Process) Provider() provider.Provider {
	return &jenkinsProvider{version: p.version, clock: time.Now, ephemerals: p.ephemerals}
}

// Shutdown revokes, in one script call of 1.5 s at most, the ephemeral tokens this process
// opened and Terraform did not close; main calls it once the server has returned.
//
// Why at shutdown and not at StopProvider: Terraform sends StopProvider (to every provider) at
// the first Ctrl-C and then waits for the operations in flight, which may be other providers'
// creates authenticated by these very tokens. Revoking then would fail those requests with 401
// mid-create, and a create whose answer is lost must be settled (found and revoked by value)
// with the same credential (token_create.go): the token would be left behind, valid. Terraform
// shuts the plugins down only after the walk has ended (or at exit, plugin.CleanupClients), so
// by then nothing uses the tokens. The shutdown is go-plugin's GRPCController.Shutdown, which
// stops the gRPC server (so Serve returns) and gives the process 2 s to exit before killing it.
func (p *Process) Shutdown() {
	p.ephemerals.revokeAtShutdown(shutdownRevokeTimeout)
}

func (p *jenkinsProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "jenkins"
	resp.Version = p.version
}

func (p *jenkinsProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages Jenkins user API tokens: create them for any user, list them, rename, " +
			"revoke, and clean up legacy and unused tokens. The provider drives Jenkins through the script " +
			"console, so the account it uses needs **Overall/Administer**.\n\n" +
			"Every attribute is optional in the schema so that `terraform validate` works without " +
			"credentials; `server_url`, `username` and `password` must be set here or in the environment " +
			"before any resource is planned.",
		Attributes: map[string]schema.Attribute{
			"server_url": schema.StringAttribute{
				MarkdownDescription: "Jenkins base URL, including any context path (for example " +
					"`https://ci.example.com/jenkins/`). Use `https://`: over `http://` the credential and the value of every " +
					"token the provider creates cross the network unencrypted, so the provider warns (except for loopback " +
					"addresses), and it never follows a redirect from `https://` to `http://`. Environment variable: `" + envURL + "`.",
				Optional: true,
			},
			"username": schema.StringAttribute{
				MarkdownDescription: "User the provider authenticates as. It needs Overall/Administer. " +
					"Environment variable: `" + envUsername + "`.",
				Optional: true,
			},
			"password": schema.StringAttribute{
				MarkdownDescription: "Password or API token of `username`. An API token is recommended: " +
					"requests authenticated by a token need no CSRF crumb. Environment variable: `" + envPassword + "`.",
				Optional:  true,
				Sensitive: true,
			},
			"ca_cert": schema.StringAttribute{
				MarkdownDescription: "PEM-encoded CA certificate(s) to trust for Jenkins's TLS certificate, " +
					"either the PEM content or the path of a PEM file. Environment variable: `" + envCACert + "`.",
				Optional: true,
			},
			"insecure": schema.BoolAttribute{
				MarkdownDescription: "Skip verification of Jenkins's TLS certificate. For tests only: anyone " +
					"on the network path can then read the credentials. Environment variable: `" + envInsecure + "`.",
				Optional: true,
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "Timeout of one HTTP request to Jenkins, as a Go duration string " +
					fmt.Sprintf("(`30s`, `2m`). Defaults to `%s`.", defaultRequestTimeout),
				Optional:   true,
				Validators: []validator.String{requestTimeoutRule.validator()},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times a request that is safe to repeat is sent again "+
					"after a connection error or a `429`, `502`, `503` or `504` answer (Jenkins starting or "+
					"restarting), with capped exponential backoff that honours `Retry-After`. Defaults to `%d`; "+
					"`0` disables retries.", defaultMaxRetries),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 100)},
			},
			"script_time_budget": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("How long one script-console call that goes through many users or tokens "+
					"(listings, selections by realm facts, bulk revocations) works in Jenkins before it stops and says "+
					"where, as a Go duration string; the provider then calls again from there. Keep it well under the read "+
					"timeout of any proxy in front of Jenkins (nginx and most load balancers: `60s`): one call lasts the "+
					"budget plus the user or token it was on (a directory lookup, a save). A call cut off anyway (a `502`, "+
					"`503` or `504` from the proxy, a dropped connection) is sent again from where the last answer left "+
					"off with half the budget, never from the start. Between `1s` and `10m`, shorter than "+
					"`request_timeout`. Defaults to `%s`, or half of `request_timeout` when that is shorter.", jenkins.DefaultScriptTimeBudget),
				Optional:   true,
				Validators: []validator.String{scriptBudgetRule.validator()},
			},
			"read_batch_window": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("How long the refresh of a `jenkins_user_api_token` waits for others to "+
					"share its script-console call, as a Go duration string. Reads in one run are coalesced, and once a "+
					"run needs more than one batch the whole token inventory is read in one call, so refreshing "+
					"thousands of tokens costs a handful of script calls. `0s` turns batching off (one call per "+
					"token). Defaults to `%s`.", defaultReadBatchWindow),
				Optional:   true,
				Validators: []validator.String{readBatchWindowRule.validator()},
			},
			"max_token_lifetime_days": schema.Int64Attribute{
				MarkdownDescription: "A lifetime policy for the tokens this provider creates, which Jenkins itself does not " +
					"have: every `jenkins_user_api_token` (resource and ephemeral resource) must carry an `expiration_date` " +
					"within this many days of Jenkins's today (in its time zone). A configuration without one, or with a later " +
					"date, fails at plan time (at apply when the date is known only then), naming the resource and the limit; " +
					"tokens already in the state are not revoked, the plan warns about them. The ephemeral resource's default " +
					"date respects it. Needs Jenkins " + expirationMinVersion + " or later, the first with expiration dates. " +
					"Unset: no limit.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(1, 36500)},
			},
			"controllers": controllersSchemaAttribute(),
			"max_revocations_per_controller": schema.Int64Attribute{
				MarkdownDescription: "A limit for the whole run: the bulk revocations planned by this provider configuration " +
					"(`jenkins_user_token_cleanup`, `jenkins_legacy_token_cleanup`, the `jenkins_revoke_tokens` action), every " +
					"`for_each` instance together, may touch the tokens of at most this many users on any one controller; a " +
					"plan beyond it fails before anything is revoked. Each resource's own `max_revocations` applies to that " +
					"instance alone, so `for_each` over a list of users or controllers multiplies it: this does not. Unset: no " +
					"run-wide limit (the plan still warns when the instances together exceed one's `max_revocations`).",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
		},
	}
}

func (p *jenkinsProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Unknown values (from resources not yet created) cannot configure a client. Leave
	// ProviderData nil: the framework then only validates and plans what needs no client.
	if cfg.ServerURL.IsUnknown() || cfg.Username.IsUnknown() || cfg.Password.IsUnknown() ||
		cfg.CACert.IsUnknown() || cfg.Insecure.IsUnknown() || cfg.Controllers.IsUnknown() {
		return
	}
	entries := map[string]controllerEntryModel{}
	if !cfg.Controllers.IsNull() {
		resp.Diagnostics.Append(cfg.Controllers.ElementsAs(ctx, &entries, false)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	settings, batchWindow := resolveSettings(cfg, &resp.Diagnostics)
	hasDefault := settings.BaseURL != "" || len(entries) == 0
	if hasDefault {
		requireCredentials(settings, path.Empty(), &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if cfg.MaxRevocations.IsUnknown() {
		// A limit known only at apply would let the plan it guards through unchecked.
		resp.Diagnostics.AddAttributeError(path.Root("max_revocations_per_controller"), "Revocation Limit Not Known Yet",
			"max_revocations_per_controller depends on a value known only after apply, but it limits what the plan may "+
				"revoke, so it must be known when planning. Use a literal or a variable.")
		return
	}
	settings.UserAgent = "terraform-provider-jenkins/" + p.version
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "password")

	f := &fleet{byName: map[string]*providerData{}, pending: map[string]bool{}, maxRevocationsPerController: cfg.MaxRevocations.ValueInt64()}
	newController := func(name string, c jenkins.Config, at path.Path) *providerData {
		warnAboutTransport(c, at, &resp.Diagnostics)
		client, err := jenkins.New(c)
		if err != nil {
			resp.Diagnostics.AddAttributeError(at.AtName("server_url"), "Unable to Create Jenkins Client", err.Error())
			return nil
		}
		tflog.Debug(ctx, "configured Jenkins client", map[string]any{"controller": name, "server_url": client.BaseURL(), "username": c.Username})
		return &providerData{controller: name, fleet: f, client: client, reader: newTokenReader(client, batchWindow), writeWindow: writeBatchWindow, now: p.clock,
			maxLifetimeDays: cfg.MaxLifetimeDays.ValueInt64(), ephemerals: p.ephemerals, tally: &revocationTally{}}
	}
	if hasDefault {
		if d := newController("", settings, path.Empty()); d != nil {
			f.byName[""] = d
		}
	}
	for name, e := range entries {
		at := path.Root("controllers").AtMapKey(name)
		before := resp.Diagnostics.ErrorsCount()
		c, known := controllerSettings(settings, e, at, &resp.Diagnostics)
		if !known {
			f.pending[name] = true
			continue
		}
		if resp.Diagnostics.ErrorsCount() > before {
			continue // said what is wrong with the entry: no client error on top
		}
		if d := newController(name, c, at); d != nil {
			f.byName[name] = d
		}
	}
	indexURLs(f, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	// What every type gets: the default controller's data (a bare one, with no client, when the
	// provider block names none), through which it finds the controller it names (on).
	data := f.byName[""]
	if data == nil {
		data = &providerData{fleet: f, now: p.clock, maxLifetimeDays: cfg.MaxLifetimeDays.ValueInt64(), ephemerals: p.ephemerals, tally: &revocationTally{}}
	}
	resp.DataSourceData = data
	resp.ResourceData = data
	resp.EphemeralResourceData = data
	resp.ListResourceData = data
	resp.ActionData = data
}

// requireCredentials adds an error for each of the URL, username and password that settings
// lack; at is the provider block (path.Empty) or a controllers entry.
func requireCredentials(c jenkins.Config, at path.Path, diags *diag.Diagnostics) {
	if c.BaseURL == "" {
		diags.AddAttributeError(attrAt(at, "server_url"), "Missing Jenkins URL",
			"Set server_url in the provider block or the "+envURL+" environment variable to the Jenkins base URL, "+
				"for example https://ci.example.com/.")
	} else if err := validateServerURL(c.BaseURL); err != nil {
		diags.AddAttributeError(attrAt(at, "server_url"), "Invalid Jenkins URL", err.Error())
	}
	if c.Username == "" {
		diags.AddAttributeError(attrAt(at, "username"), "Missing Jenkins Username",
			"Set username in the provider block or the "+envUsername+" environment variable to a Jenkins user "+
				"with Overall/Administer.")
	}
	if c.Password == "" {
		diags.AddAttributeError(attrAt(at, "password"), "Missing Jenkins Password or API Token",
			"Set password in the provider block or the "+envPassword+" environment variable to the password or, "+
				"better, an API token of "+quoteOrUser(c.Username)+".")
	}
}

// attrAt is the path of attribute name in the provider block (at is path.Empty) or in a
// controllers entry (at is its path).
func attrAt(at path.Path, name string) path.Path {
	if len(at.Steps()) == 0 {
		return path.Root(name)
	}
	return at.AtName(name)
}

// controllerSettings is the client settings of one controllers entry: the provider's, with what
// the entry sets. known is false when the entry depends on values not known yet.
func controllerSettings(base jenkins.Config, e controllerEntryModel, at path.Path, diags *diag.Diagnostics) (jenkins.Config, bool) {
	if e.ServerURL.IsUnknown() || e.Username.IsUnknown() || e.Password.IsUnknown() || e.CACert.IsUnknown() || e.Insecure.IsUnknown() {
		return jenkins.Config{}, false
	}
	c := base
	c.BaseURL = e.ServerURL.ValueString()
	if !e.Username.IsNull() {
		c.Username = e.Username.ValueString()
	}
	if !e.Password.IsNull() {
		c.Password = e.Password.ValueString()
	}
	if !e.Insecure.IsNull() {
		c.Insecure = e.Insecure.ValueBool()
	}
	if !e.CACert.IsNull() && e.CACert.ValueString() != "" {
		pem, err := loadCACert(e.CACert.ValueString())
		if err != nil {
			diags.AddAttributeError(at.AtName("ca_cert"), "Invalid CA Certificate", err.Error())
		}
		c.CACertPEM = pem
	}
	requireCredentials(c, at, diags)
	return c, true
}

func (p *jenkinsProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewUserAPITokenResource,
		NewLegacyTokenCleanupResource,
		NewUserTokenCleanupResource,
		NewAPITokenSettingsResource,
	}
}

func (p *jenkinsProvider) Actions(_ context.Context) []func() action.Action {
	return []func() action.Action{NewRevokeTokensAction}
}

func (p *jenkinsProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{NewUserAPITokenListResource}
}

func (p *jenkinsProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{NewUserTokensDataSource, NewUsersDataSource, NewFleetTokensDataSource}
}

func (p *jenkinsProvider) EphemeralResources(_ context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{NewUserAPITokenEphemeralResource, NewAPITokenValueEphemeralResource}
}

// resolveSettings turns the provider block, with the environment for what it leaves unset and
// the defaults for the rest, into the client's settings and the read batch window. Every
// problem is an attribute error in diags.
func resolveSettings(cfg providerModel, diags *diag.Diagnostics) (jenkins.Config, time.Duration) {
	c := jenkins.Config{
		BaseURL:        stringOrEnv(cfg.ServerURL, envURL),
		Username:       stringOrEnv(cfg.Username, envUsername),
		Password:       stringOrEnv(cfg.Password, envPassword),
		RequestTimeout: defaultRequestTimeout,
		MaxRetries:     defaultMaxRetries,
	}
	if !cfg.Insecure.IsNull() {
		c.Insecure = cfg.Insecure.ValueBool()
	} else if v := os.Getenv(envInsecure); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			diags.AddAttributeError(path.Root("insecure"), "Invalid "+envInsecure,
				fmt.Sprintf("%s must be true or false, got %q.", envInsecure, v))
		}
		c.Insecure = b
	}

	// The validators have refused bad values already; only values unknown at validation arrive here.
	if !cfg.RequestTimeout.IsNull() && !cfg.RequestTimeout.IsUnknown() {
		d, err := requestTimeoutRule.parse(path.Root("request_timeout"), cfg.RequestTimeout.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root("request_timeout"), "Invalid Duration", err.Error())
		} else {
			c.RequestTimeout = d
		}
	}
	if !cfg.ScriptBudget.IsNull() && !cfg.ScriptBudget.IsUnknown() {
		d, err := scriptBudgetRule.parse(path.Root("script_time_budget"), cfg.ScriptBudget.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root("script_time_budget"), "Invalid Duration", err.Error())
		} else {
			c.ScriptTimeBudget = d
		}
	}
	// Unset, the budget is the default, or half the request timeout when that is shorter, so that
	// a short request_timeout set before this setting existed keeps working.
	if c.ScriptTimeBudget == 0 {
		c.ScriptTimeBudget = max(min(jenkins.DefaultScriptTimeBudget, c.RequestTimeout/2), time.Millisecond)
	} else if budget := c.ScriptTimeBudget; budget >= c.RequestTimeout {
		diags.AddAttributeError(path.Root("script_time_budget"), "Script Time Budget Not Shorter Than the Request Timeout",
			fmt.Sprintf("script_time_budget (%s) must be shorter than request_timeout (%s): a call works for its budget and "+
				"then finishes the user or token it is on, so a request timeout at or under the budget would cut every "+
				"long call. Lower script_time_budget, or raise request_timeout.", budget, c.RequestTimeout))
	}
	batchWindow := defaultReadBatchWindow
	if !cfg.ReadBatchWindow.IsNull() && !cfg.ReadBatchWindow.IsUnknown() {
		d, err := readBatchWindowRule.parse(path.Root("read_batch_window"), cfg.ReadBatchWindow.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root("read_batch_window"), "Invalid Duration", err.Error())
		} else {
			batchWindow = d
		}
	}
	if !cfg.MaxRetries.IsNull() && !cfg.MaxRetries.IsUnknown() {
		c.MaxRetries = int(cfg.MaxRetries.ValueInt64())
	}

	if caCert := stringOrEnv(cfg.CACert, envCACert); caCert != "" {
		pem, err := loadCACert(caCert)
		if err != nil {
			diags.AddAttributeError(path.Root("ca_cert"), "Invalid CA Certificate", err.Error())
		}
		c.CACertPEM = pem
	}
	return c, batchWindow
}

// warnAboutTransport warns when the credentials can be read on the network path; at is the
// provider block (path.Empty) or a controllers entry.
func warnAboutTransport(c jenkins.Config, at path.Path, diags *diag.Diagnostics) {
	if c.Insecure {
		diags.AddAttributeWarning(attrAt(at, "insecure"), "TLS Verification Disabled",
			"insecure = true: the provider does not verify Jenkins's certificate, so anyone on the network path "+
				"can read the credentials and token values. Use ca_cert instead outside of tests.")
	}
	if cleartextURL(c.BaseURL) {
		diags.AddAttributeWarning(attrAt(at, "server_url"), "Jenkins Credentials Sent in Cleartext",
			fmt.Sprintf("server_url %s uses http://: the provider's password or API token, and the value of every token it "+
				"creates, cross the network unencrypted, readable by anyone on the path. Use https:// (set ca_cert for a "+
				"private CA). Loopback addresses (127.0.0.1, ::1, localhost) do not warn.", jenkins.RedactURL(c.BaseURL)))
	}
}

// cleartextURL reports whether u is plain http:// to a host other than a loopback address.
func cleartextURL(u string) bool {
	parsed, err := url.Parse(u)
	if err != nil || !strings.EqualFold(parsed.Scheme, "http") {
		return false
	}
	host := parsed.Hostname()
	if strings.EqualFold(host, "localhost") {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// stringOrEnv returns the configured value, else the environment variable.
func stringOrEnv(v types.String, env string) string {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueString()
	}
	return os.Getenv(env)
}

func quoteOrUser(username string) string {
	if username == "" {
		return "the user"
	}
	return strconv.Quote(username)
}

// validateServerURL checks server_url. Credentials in it are refused first, and no message
// shows them (every URL in a message is redacted).
func validateServerURL(raw string) error {
	if jenkins.HasUserInfo(raw) {
		return fmt.Errorf("server_url must not carry credentials (user:password@ before the host), got %q: set username "+
			"and password (or %s and %s) instead", jenkins.RedactURL(raw), envUsername, envPassword)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("server_url must be an http:// or https:// URL such as https://ci.example.com/jenkins/, got %q", jenkins.RedactURL(raw))
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("server_url must not have a query or fragment, got %q", jenkins.RedactURL(raw))
	}
	return nil
}

// loadCACert accepts PEM content or the path of a PEM file.
func loadCACert(v string) ([]byte, error) {
	if strings.Contains(v, "-----BEGIN") {
		return []byte(v), nil
	}
	b, err := os.ReadFile(v) //nolint:gosec // the user names this file on purpose
	if err != nil {
		return nil, fmt.Errorf("ca_cert is neither PEM content nor a readable file: %w", err)
	}
	if !strings.Contains(string(b), "-----BEGIN") {
		return nil, fmt.Errorf("ca_cert file %q does not contain a PEM certificate", v)
	}
	return b, nil
}
