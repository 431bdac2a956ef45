package provider

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
)

// configuredData unpacks what the provider's Configure handed over. It is nil before the
// provider is configured (during validation) and when Configure could not build a client.
func configuredData(v any, diags *diag.Diagnostics) *providerData {
	if v == nil {
		return nil
	}
	data, ok := v.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data", fmt.Sprintf("expected *providerData, got %T; this is a bug in the provider", v))
		return nil
	}
	return data
}

// requireClient reports whether a configured client is available, adding an error when not:
// reached when the provider block depends on values not known until apply.
func requireClient(data *providerData, diags *diag.Diagnostics) bool {
	if data == nil || data.client == nil {
		diags.AddError("Jenkins Provider Not Configured",
			"The jenkins provider has no usable configuration here; its server_url, username or password depend on "+
				"values not known yet. Set them to known values or environment variables.")
		return false
	}
	return true
}

// readToken returns what Jenkins holds for one token, or nil when the token or its user is gone.
// Every managed token's Read comes through here, on every plan: see tokenReader.
func (d *providerData) readToken(ctx context.Context, userID, uuid string) (*jenkins.Token, error) {
	return d.reader.readToken(ctx, userID, uuid)
}

// userWrites serializes writes to the same user's tokens. In Jenkins, a token store change and
// the save of the user record take different locks (ApiTokenStore's methods, User.save), and
// saving serializes the token list without the store's lock: two writes to one user at once can
// fail with ConcurrentModificationException. Terraform runs ten operations at a time, often on
// one user (destroying a service account's tokens), so the provider writes one at a time per user:
// a batch of writes (tokenWriter) runs them one after the other in one script, holding the locks of
// all its users, and a bulk revocation holds those of its own. Keyed by the ID as written; different spellings of one user are rare and only lose this order.
type userWrites struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// lock takes the write locks of ids (in a fixed order, so two callers cannot deadlock) and
// returns the function that releases them.
func (w *userWrites) lock(ids ...string) func() {
	sorted := append([]string(nil), ids...)
	sort.Strings(sorted)
	var held []*sync.Mutex
	prev := ""
	for i, id := range sorted {
		if i > 0 && id == prev {
			continue
		}
		prev = id
		w.mu.Lock()
		if w.locks == nil {
			w.locks = map[string]*sync.Mutex{}
		}
		m := w.locks[id]
		if m == nil {
			m = &sync.Mutex{}
			w.locks[id] = m
		}
		w.mu.Unlock()
		m.Lock()
		held = append(held, m)
	}
	return func() {
		for i := len(held) - 1; i >= 0; i-- {
			held[i].Unlock()
		}
	}
}

// Every write to Jenkins goes through the methods below, which invalidate what the read cache
// holds for the user written to (the spelling configured and the one Jenkins returned), even
// when the write fails: it may have happened before the error.

// tokenWriter is the writer that batches this provider's token writes (created on first use, so
// that provider data built by hand in tests has one too, sending each write at once).
func (d *providerData) tokenWriter() *tokenWriter {
	d.writerOnce.Do(func() {
		if d.writer == nil {
			d.writer = newTokenWriter(d.client, &d.writes, d.writeWindow)
		}
	})
	return d.writer
}

// renameToken renames a token in place, in a batch with the other writes of the moment
// (tokenWriter).
func (d *providerData) renameToken(ctx context.Context, userID, uuid, name string) (jenkins.Token, error) {
	res, sent := d.tokenWriter().write(ctx, userID, jenkins.TokenWrite{Rename: &jenkins.TokenRename{UserID: userID, UUID: uuid, Name: name}}, settleGrace)
	if !sent {
		return jenkins.Token{}, fmt.Errorf("the run was interrupted before the rename was sent to Jenkins: %w", context.Cause(ctx))
	}
	d.reader.invalidate(userID, res.Token.UserID)
	return res.Token, res.Err
}

// revokeToken revokes a token, in a batch with the other writes of the moment (tokenWriter), and
// succeeds when Jenkins confirms it gone. "No such user" counts as gone only when jenkinsID says
// userID is an id Jenkins returned for this token: a configured spelling Jenkins never confirmed
// may name nobody while a realm that respells names (LDAP with forceUsernameLowercase, Active
// Directory's user@domain forms) made the user, and the token, under another id.
func (d *providerData) revokeToken(ctx context.Context, userID, uuid string, jenkinsID bool) error {
	res, sent := d.tokenWriter().write(ctx, userID, jenkins.TokenWrite{Revoke: &jenkins.TokenRef{UserID: userID, UUID: uuid}}, settleGrace)
	if !sent {
		return fmt.Errorf("the run was interrupted before the revocation was sent to Jenkins: %w", context.Cause(ctx))
	}
	d.reader.invalidate(userID, res.Revoked.UserID)
	if res.Err != nil {
		return res.Err
	}
	if !res.Revoked.UserFound && !jenkinsID {
		return fmt.Errorf("no Jenkins user has the id %s, a spelling Jenkins never returned for token %s, so the "+
			"token cannot be confirmed revoked: a security realm that respells user names (LDAP with forceUsernameLowercase, "+
			"Active Directory's user@domain forms) may hold it under another id. Find the token on the user's security page "+
			"or with the jenkins_user_tokens data source, revoke it there, then remove this resource from the state "+
			"(terraform state rm); if the user was deleted, removing it from the state is all that is left to do",
			shown(userID), uuid)
	}
	return nil
}

func (d *providerData) revokeTokens(ctx context.Context, refs []jenkins.TokenRef) ([]jenkins.RevokedToken, error) {
	ids := make([]string, len(refs))
	for i, r := range refs {
		ids[i] = r.UserID
	}
	defer d.writes.lock(ids...)()
	results, err := d.client.RevokeTokens(ctx, refs)
	for _, ref := range refs {
		d.reader.invalidate(ref.UserID)
	}
	for _, res := range results {
		d.reader.invalidate(res.UserID)
	}
	return results, err
}

// revokeReporting is revokeTokens for a bulk revocation (the cleanups, the action). A walk that
// fails partway has revoked what its earlier calls did: the error lists those tokens, since
// neither the state nor the plan will (the next refresh no longer finds them), and whoever reads
// the error must know which credentials are already dead.
func (d *providerData) revokeReporting(ctx context.Context, refs []jenkins.TokenRef, diags *diag.Diagnostics) ([]jenkins.RevokedToken, bool) {
	results, err := d.revokeTokens(ctx, refs)
	if err == nil {
		return results, true
	}
	var done []string
	for _, r := range results {
		if r.Revoked() {
			done = append(done, fmt.Sprintf("%s: %q (%s)", shown(r.UserID), r.Name, shown(r.UUID)))
		}
	}
	// At least: the failed call may have run in Jenkins too, so some of the rest may be revoked.
	detail := explainError(err)
	if len(done) > 0 {
		detail += fmt.Sprintf("\n\nBefore the failure, Jenkins confirmed revoking %d of the %d tokens; they stay revoked:\n%s\n\n"+
			"The call that failed may have revoked some of the others: the next plan shows what is left.", len(done), len(refs),
			strings.Join(done, "\n"))
	} else {
		detail += "\n\nJenkins confirmed no revocation before the failure; the call that failed may have revoked some of the " +
			"tokens: the next plan shows what is left."
	}
	diags.AddError("Unable to Revoke Jenkins API Tokens", detail)
	return nil, false
}

// selected is what a selection found: the tokens, the ids in the scope Jenkins has no user
// for, and the excluded ids neither Jenkins nor its security realm knows (checked only by a
// selection that asks the realm: realm_status).
type selected struct {
	tokens          []jenkins.Token
	missing         []string
	unknownExcluded []string
}

// listSelected is the one token selection behind every type that selects tokens (the data
// source, the list resource, the cleanups, the action): the tokens of userIDs (nil: every user;
// empty: nobody) minus excluded that pass sel and are not in keep (lower-case UUIDs), in one
// script call, sorted by user, name and UUID. The owners' facts are listed only when sel looks
// at owners.
func (d *providerData) listSelected(ctx context.Context, userIDs, excluded []string, sel tokenSelection, keep map[string]bool) (selected, error) {
	if userIDs != nil && len(userIDs) == 0 {
		return selected{}, nil
	}
	var l jenkins.TokenList
	var err error
	if sel.needsFacts() {
		l, err = d.client.ListTokensWithFacts(ctx, userIDs, excluded, sel.RealmStatuses != nil)
	} else {
		l, err = d.client.ListTokensInScope(ctx, userIDs, excluded)
	}
	if err != nil {
		return selected{}, err
	}
	if err := sel.supportedBy(l.Info); err != nil {
		return selected{}, err
	}
	now := d.now()
	out := selected{missing: l.Missing, unknownExcluded: l.UnknownExcluded}
	for _, t := range l.Tokens {
		if keep[strings.ToLower(t.UUID)] || !sel.matches(t, now) {
			continue
		}
		if sel.needsFacts() && !sel.matchesOwner(l.Facts[t.UserID], now) {
			continue
		}
		out.tokens = append(out.tokens, t)
	}
	return out, nil
}

// leaveOutOwnCredential removes from tokens, which a bulk revocation is about to revoke, the API
// token the provider authenticates with, with a warning: revoking it would lock the provider out
// (every later plan would fail with 401 until someone issued a new credential by hand). Costs a
// script call only when tokens hold some of the provider's own user and its password can be a
// token, once per run.
func (d *providerData) leaveOutOwnCredential(ctx context.Context, tokens []jenkins.Token, diags *diag.Diagnostics) []jenkins.Token {
	info, err := d.client.ServerInfo(ctx)
	if err != nil {
		addError(diags, "Unable to Read Who the Provider Is in Jenkins", err)
		return tokens
	}
	holdsSelf := false
	for _, t := range tokens {
		holdsSelf = holdsSelf || (info.Self != "" && t.UserID == info.Self)
	}
	if !holdsSelf {
		return tokens
	}
	own, err := d.client.OwnCredential(ctx)
	if err != nil {
		addError(diags, "Unable to Tell Which Token the Provider Authenticates With", err)
		return tokens
	}
	kept := tokens[:0:0]
	for _, t := range tokens {
		if !own.Is(t) {
			kept = append(kept, t)
			continue
		}
		kind := "API token"
		if t.Legacy {
			kind = "legacy API token"
		}
		diags.AddWarning("Provider's Own Credential Left Out",
			fmt.Sprintf("The selection holds the %s %q (%s) of %s, which this provider authenticates with. Revoking it would "+
				"lock the provider out of Jenkins, so it is not revoked. To retire it, give the provider another credential "+
				"(for example a jenkins_user_api_token of a service account), then the next plan selects it.",
				kind, t.Name, t.UUID, shown(t.UserID)))
	}
	return kept
}

// jenkinsToday is Jenkins's today as the last script reported it (every listing and create
// reports it, so this costs no call after a refresh), or "" when it cannot be had.
func (d *providerData) jenkinsToday(ctx context.Context) string {
	info, err := d.client.ServerInfo(ctx)
	if err != nil {
		tflog.Warn(ctx, "cannot read Jenkins's date; expiry days and rotation are decided at the next refresh", map[string]any{"error": err.Error()})
		return ""
	}
	return info.Today
}

// selectTokens is the selection of the jenkins_user_tokens data source (listSelected), where a
// user Jenkins does not know is an error.
func (d *providerData) selectTokens(ctx context.Context, userIDs []string, legacy, expired, neverExpires types.Bool,
	nameRegex types.String, unusedForDays types.Int64, createdBefore types.String) ([]jenkins.Token, diag.Diagnostics) {
	tokens, missing, diags := d.selectTokensAndMissing(ctx, userIDs, legacy, expired, neverExpires, nameRegex, unusedForDays, createdBefore)
	if !diags.HasError() && len(missing) > 0 {
		diags.AddError("Unknown Jenkins User", fmt.Sprintf("%s. Check the spelling (whether case matters depends on "+
			"Jenkins's security realm): the data source lists the tokens of users Jenkins has a record of, and a user "+
			"without one holds no tokens.", (&jenkins.UserNotFoundError{UserIDs: missing}).Error()))
		return nil, diags
	}
	return tokens, diags
}

// selectTokensAndMissing is selectTokens that returns the ids Jenkins has no user for, so that
// each caller words that error for what it does (the list resource's words are not the data
// source's).
func (d *providerData) selectTokensAndMissing(ctx context.Context, userIDs []string, legacy, expired, neverExpires types.Bool,
	nameRegex types.String, unusedForDays types.Int64, createdBefore types.String) ([]jenkins.Token, []string, diag.Diagnostics) {
	sel, diags := selectionFromConfig(legacy, expired, neverExpires, nameRegex, unusedForDays, createdBefore)
	if diags.HasError() {
		return nil, nil, diags
	}
	found, err := d.listSelected(ctx, userIDs, nil, sel, nil)
	if err != nil {
		addSelectionError(&diags, err)
		return nil, nil, diags
	}
	return found.tokens, found.missing, diags
}

// scopeIDs reads the user_id / user_ids pair of a selection: nil means every user.
func scopeIDs(ctx context.Context, userID types.String, userIDs interface {
	IsNull() bool
	ElementsAs(context.Context, any, bool) diag.Diagnostics
}) ([]string, diag.Diagnostics) {
	switch {
	case !userID.IsNull():
		return []string{userID.ValueString()}, nil
	case !userIDs.IsNull():
		ids := []string{}
		diags := userIDs.ElementsAs(ctx, &ids, false)
		return ids, diags
	}
	return nil, nil
}

// shutdownRevokeTimeout bounds the revocation of the ephemeral tokens left open when Terraform
// shuts the plugin down. Terraform's go-plugin (v1.6.0 in Terraform 1.11, v1.7.0 in 1.14) asks
// the plugin to stop its server, then waits 2 s for the process to exit before it kills it;
// the revocation must end, and the process exit, inside that wait.
const shutdownRevokeTimeout = 1500 * time.Millisecond

// openEphemerals is the registry of the ephemeral tokens this provider process opened and
// Terraform has not closed: what the process revokes when Terraform shuts it down
// (revokeAtShutdown). Terraform skips Close after one Ctrl-C or a cancelled CI job (the close
// nodes are downstream of the operations the interrupt halted), but it still shuts its plugins
// down gracefully. A nil registry records nothing.
type openEphemerals struct {
	mu     sync.Mutex
	tokens map[jenkins.TokenRef]*providerData
	// logCtx carries the SDK logger of the first Open, so that what happens at shutdown, when
	// no request is in flight, still reaches Terraform's log.
	logCtx context.Context
}

// add records a token Open created, with the provider data (client) that revokes it.
func (o *openEphemerals) add(ctx context.Context, data *providerData, ref jenkins.TokenRef) {
	if o == nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.tokens == nil {
		o.tokens = map[jenkins.TokenRef]*providerData{}
		o.logCtx = tflog.SetField(context.WithoutCancel(ctx), "tf_rpc", "(plugin shutdown)")
	}
	o.tokens[ref] = data
}

// remove forgets a token once it is revoked (by Close, or by an Open that was interrupted).
func (o *openEphemerals) remove(ref jenkins.TokenRef) {
	if o == nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.tokens, ref)
}

// open lists the tokens still open, grouped by the provider data that opened them.
func (o *openEphemerals) open() map[*providerData][]jenkins.TokenRef {
	if o == nil {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	groups := map[*providerData][]jenkins.TokenRef{}
	for ref, data := range o.tokens {
		groups[data] = append(groups[data], ref)
	}
	return groups
}

// revokeAtShutdown revokes every token still open, in one script call per configured client
// (a provider process is configured once, so one call), and returns within timeout whatever
// Jenkins does: the process is about to exit, and Terraform kills it 2 s after asking it to.
// It reports how many tokens Jenkins confirmed revoked or gone.
func (o *openEphemerals) revokeAtShutdown(timeout time.Duration) int {
	groups := o.open()
	if len(groups) == 0 {
		return 0
	}
	o.mu.Lock()
	logCtx := o.logCtx
	o.mu.Unlock()
	ctx, cancel := context.WithTimeout(logCtx, timeout)
	defer cancel()
	type outcome struct {
		refs    []jenkins.TokenRef
		results []jenkins.RevokedToken
		err     error
	}
	done := make(chan outcome, len(groups))
	for data, refs := range groups {
		sort.Slice(refs, func(i, j int) bool { return refs[i].UUID < refs[j].UUID })
		// revokeTokens takes the users' write locks, which a create still settling may hold
		// past the deadline: wait for the answer or the deadline, whichever comes first.
		go func() {
			results, err := data.revokeTokens(ctx, refs)
			done <- outcome{refs, results, err}
		}()
	}
	confirmed := 0
	for range groups {
		select {
		case out := <-done:
			if out.err != nil {
				tflog.Warn(ctx, "could not revoke the ephemeral API tokens Terraform did not close; they stay valid until they expire",
					map[string]any{"tokens": refsText(out.refs), "error": out.err.Error()})
				continue
			}
			// One result per ref, in order; a user ID in a result is Jenkins's spelling.
			for i, res := range out.results {
				if res.Problem != "" || i >= len(out.refs) {
					tflog.Warn(ctx, "Jenkins failed to revoke an ephemeral API token Terraform did not close",
						map[string]any{"user_id": res.UserID, "uuid": res.RequestedUUID, "problem": res.Problem})
					continue
				}
				confirmed++
				o.remove(out.refs[i])
			}
			tflog.Info(ctx, "revoked the ephemeral API tokens Terraform did not close", map[string]any{"tokens": refsText(out.refs)})
		case <-ctx.Done():
			tflog.Warn(ctx, "revoking the ephemeral API tokens Terraform did not close took too long; they stay valid until they expire",
				map[string]any{"tokens": refsText(o.stillOpen())})
			return confirmed
		}
	}
	return confirmed
}

// stillOpen is every token still open, across clients.
func (o *openEphemerals) stillOpen() []jenkins.TokenRef {
	var all []jenkins.TokenRef
	for _, refs := range o.open() {
		all = append(all, refs...)
	}
	return all
}

// refsText names tokens by user and UUID for the log (never by value, which the provider
// does not keep).
func refsText(refs []jenkins.TokenRef) string {
	s := make([]string, len(refs))
	for i, r := range refs {
		s[i] = strconv.Quote(r.UserID) + "/" + r.UUID
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}
