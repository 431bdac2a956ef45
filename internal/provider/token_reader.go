package provider

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
)

// tokenReader answers the Read of every jenkins_user_api_token in one Terraform run. Terraform
// refreshes resources concurrently (10 at a time by default) and every refresh would otherwise
// cost a script-console call, each a Groovy compile on the Jenkins controller. So:
//
//  1. The first reads are coalesced: a read waits up to the batch window for others, then one
//     script call lists the tokens of every user asked for.
//  2. A run that needs a second batch holds many tokens: the next call lists the whole inventory
//     once, and later reads are answered from it.
//  3. A write invalidates the user it touched (invalidate): the inventory no longer covers that
//     user, and a batch that was in flight when the write happened does not store its older
//     answer for them.
//
// Users are keyed by the id Jenkins returns, resolved by Jenkins's own id strategy: Go never
// folds case, so "bob" and "Bob" are one user on a case-insensitive Jenkins and two on a
// case-sensitive one, exactly as Jenkins sees them.
//
// With a zero window every read is its own script call, as without batching.
type tokenReader struct {
	client *jenkins.Client
	window time.Duration

	mu sync.Mutex
	// users holds what is known of each user's tokens, by canonical id -> uuid -> token. An
	// entry with an empty map: the user holds no tokens.
	users map[string]map[string]jenkins.Token
	// alias maps an id as some configuration wrote it to the canonical id ("": no such user).
	alias map[string]string
	// full: the inventory of every user was read; a user it does not list (and that was not
	// invalidated since) holds no tokens.
	full bool
	// invalidated: users written to since the inventory was read; it does not cover them.
	invalidated map[string]bool
	// epoch counts writes; invalidatedAt says when each id was last written to, so that a batch
	// sent before a write does not store its answer for that user.
	epoch         int
	invalidatedAt map[string]int
	batches       int        // scoped batches sent so far
	pending       *readBatch // batch still collecting user IDs
	loading       *readBatch // inventory fetch in flight

	// listed, when set (tests), runs after a batch's script call returns and before its answer
	// is stored: where a write from another resource can land.
	listed func()
}

// readBatch is one script call in flight and what it asked for.
type readBatch struct {
	ids   map[string]bool
	epoch int // the write count when it was sent
	done  chan struct{}
	err   error
}

func newTokenReader(client *jenkins.Client, window time.Duration) *tokenReader {
	return &tokenReader{
		client:        client,
		window:        window,
		users:         map[string]map[string]jenkins.Token{},
		alias:         map[string]string{},
		invalidated:   map[string]bool{},
		invalidatedAt: map[string]int{},
	}
}

// readToken returns what Jenkins holds for one token, or nil when the token or its user is gone.
func (r *tokenReader) readToken(ctx context.Context, userID, uuid string) (*jenkins.Token, error) {
	if r.window <= 0 {
		l, err := r.client.ListTokensOf(ctx, []string{userID})
		if err != nil {
			return nil, err
		}
		return findToken(l.Tokens, uuid), nil
	}
	for {
		r.mu.Lock()
		if tokens, ok := r.lookupLocked(userID); ok {
			r.mu.Unlock()
			return tokenByUUID(tokens, uuid), nil
		}
		b := r.joinLocked(ctx, userID)
		r.mu.Unlock()

		select {
		case <-b.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if b.err != nil {
			return nil, b.err
		}
		// Answered now, unless a write in between invalidated the user, or the inventory could
		// not resolve how this id is spelled: then ask again, with a scoped batch.
	}
}

// lookupLocked returns userID's tokens when the reader knows them (nil map: none, or no such
// user), and whether it does.
func (r *tokenReader) lookupLocked(userID string) (map[string]jenkins.Token, bool) {
	canonical, resolved := r.alias[userID]
	if resolved && canonical == "" {
		return nil, true // Jenkins has no such user
	}
	if !resolved {
		// Without Jenkins's answer for this spelling, only an id spelled exactly as Jenkins
		// spells it can be looked up in the inventory.
		if _, listed := r.users[userID]; !listed {
			return nil, false
		}
		canonical = userID
	}
	if tokens, ok := r.users[canonical]; ok {
		return tokens, true
	}
	if r.full && !r.invalidated[canonical] {
		return nil, true // the inventory does not list the user: no tokens
	}
	return nil, false
}

// joinLocked returns the batch that will answer userID: the inventory when one scoped batch was
// sent and the inventory was not read yet, else the scoped batch being collected, started when
// there is none.
func (r *tokenReader) joinLocked(ctx context.Context, userID string) *readBatch {
	if r.loading != nil {
		return r.loading
	}
	if r.batches > 0 && !r.full {
		b := &readBatch{epoch: r.epoch, done: make(chan struct{})}
		r.loading = b
		go detached(ctx, func(c context.Context) { r.fetchInventory(c, b) })
		return b
	}
	if r.pending == nil {
		r.pending = &readBatch{ids: map[string]bool{}, done: make(chan struct{})}
		b := r.pending
		go detached(ctx, func(c context.Context) { r.sendAfterWindow(c, b) })
	}
	r.pending.ids[userID] = true
	return r.pending
}

// batchTimeout bounds one batched call. A batch answers every read that joined it, so it must not
// end with the read that started it (whose context Terraform may cancel); bounded, a Jenkins that
// never answers cannot hold it for ever. The client's retry budget normally ends it long before.
const batchTimeout = 15 * time.Minute

// detached runs f with ctx's values (such as log masks) but not its cancellation, bounded by
// batchTimeout.
func detached(ctx context.Context, f func(context.Context)) {
	c, cancel := context.WithTimeout(context.WithoutCancel(ctx), batchTimeout)
	defer cancel()
	f(c)
}

// sendAfterWindow waits for the window, then lists the tokens of every user the batch collected.
func (r *tokenReader) sendAfterWindow(ctx context.Context, b *readBatch) {
	time.Sleep(r.window)
	r.mu.Lock()
	r.pending = nil
	r.batches++
	b.epoch = r.epoch
	ids := make([]string, 0, len(b.ids))
	for id := range b.ids {
		ids = append(ids, id)
	}
	r.mu.Unlock()

	l, err := r.client.ListTokensOf(ctx, ids)
	tflog.Debug(ctx, "batched token read", map[string]any{"users": len(ids), "tokens": len(l.Tokens)})
	if r.listed != nil {
		r.listed()
	}
	r.mu.Lock()
	if err == nil {
		byUser := groupByUser(l.Tokens)
		for _, id := range ids {
			canonical := l.Canonical[id] // "" when missing
			if r.writtenSince(b.epoch, id, canonical) {
				continue
			}
			r.alias[id] = canonical
			if canonical != "" {
				tokens := byUser[canonical]
				if tokens == nil {
					tokens = map[string]jenkins.Token{} // known to hold none
				}
				r.users[canonical] = tokens
				delete(r.invalidated, canonical)
			}
		}
	}
	r.mu.Unlock()
	b.err = err
	close(b.done)
}

// fetchInventory lists every user's tokens in one call.
func (r *tokenReader) fetchInventory(ctx context.Context, b *readBatch) {
	l, err := r.client.ListTokensInScope(ctx, nil, nil)
	tflog.Debug(ctx, "read the whole token inventory", map[string]any{"tokens": len(l.Tokens)})
	if r.listed != nil {
		r.listed()
	}
	r.mu.Lock()
	if err == nil {
		for id, tokens := range groupByUser(l.Tokens) {
			if !r.writtenSince(b.epoch, id) {
				r.users[id] = tokens
			}
		}
		// Users written to while the inventory was read: it does not cover them.
		for id, at := range r.invalidatedAt {
			if at > b.epoch {
				r.invalidated[id] = true
			}
		}
		r.full = true
	}
	r.loading = nil
	r.mu.Unlock()
	b.err = err
	close(b.done)
}

// groupByUser indexes tokens by canonical user id and lower-case UUID.
func groupByUser(tokens []jenkins.Token) map[string]map[string]jenkins.Token {
	byUser := map[string]map[string]jenkins.Token{}
	for _, t := range tokens {
		if byUser[t.UserID] == nil {
			byUser[t.UserID] = map[string]jenkins.Token{}
		}
		byUser[t.UserID][strings.ToLower(t.UUID)] = t
	}
	return byUser
}

// writtenSince reports whether any of ids was invalidated after epoch.
func (r *tokenReader) writtenSince(epoch int, ids ...string) bool {
	for _, id := range ids {
		if id != "" && r.invalidatedAt[id] > epoch {
			return true
		}
	}
	return false
}

// invalidate drops what the reader knows about a user's tokens after a write to them. ids are
// the spellings the caller knows (as configured, and as Jenkins returned it).
func (r *tokenReader) invalidate(ids ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.epoch++
	for _, id := range ids {
		if id == "" {
			continue
		}
		canonical, resolved := r.alias[id]
		delete(r.alias, id)
		if !resolved {
			// An id the inventory lists is spelled as Jenkins spells it.
			_, resolved = r.users[id]
			canonical = id
		}
		for _, k := range []string{id, canonical} {
			if k == "" {
				continue
			}
			r.invalidatedAt[k] = r.epoch
			delete(r.users, k)
			r.invalidated[k] = true
		}
		if !resolved && r.full {
			// A spelling Jenkins never resolved for us may name a user the inventory lists
			// under another spelling: it no longer answers for anyone.
			r.full = false
		}
	}
}

// canonicalID returns how Jenkins spells the user that id names ("" when Jenkins has none),
// resolved by Jenkins's own id strategy: from what this run already learnt, else with one
// script call.
func (r *tokenReader) canonicalID(ctx context.Context, id string) (string, error) {
	r.mu.Lock()
	c, ok := r.alias[id]
	r.mu.Unlock()
	if ok {
		return c, nil
	}
	l, err := r.client.ListTokensOf(ctx, []string{id})
	if err != nil {
		return "", err
	}
	c = l.Canonical[id]
	if r.window > 0 {
		r.mu.Lock()
		r.alias[id] = c
		r.mu.Unlock()
	}
	return c, nil
}

func tokenByUUID(tokens map[string]jenkins.Token, uuid string) *jenkins.Token {
	t, ok := tokens[strings.ToLower(uuid)]
	if !ok {
		return nil
	}
	return &t
}

func findToken(tokens []jenkins.Token, uuid string) *jenkins.Token {
	for i := range tokens {
		if strings.EqualFold(tokens[i].UUID, uuid) {
			return &tokens[i]
		}
	}
	return nil
}
