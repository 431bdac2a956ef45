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
//     once, and every later read is answered from it.
//  3. Writes in the same run forget what they touch (forget), so no read returns stale data.
//
// With a zero window every read is its own script call, as without batching.
type tokenReader struct {
	client *jenkins.Client
	window time.Duration

	mu      sync.Mutex
	users   map[string]map[string]jenkins.Token // lower-case user ID -> uuid -> token; nil map: no such user
	full    bool                                // users holds every user's tokens (absent: no such user or no tokens)
	batches int                                 // scoped batches sent so far
	pending *readBatch                          // batch still collecting user IDs
	loading *readBatch                          // inventory fetch in flight
}

// readBatch is one script call in flight and what it asked for.
type readBatch struct {
	ids  map[string]string // lower-case -> as written
	done chan struct{}
	err  error
}

func newTokenReader(client *jenkins.Client, window time.Duration) *tokenReader {
	return &tokenReader{client: client, window: window, users: map[string]map[string]jenkins.Token{}}
}

// readToken returns what Jenkins holds for one token, or nil when the token or its user is gone.
func (r *tokenReader) readToken(ctx context.Context, userID, uuid string) (*jenkins.Token, error) {
	if r.window <= 0 {
		tokens, _, err := r.client.ListTokensOf(ctx, []string{userID})
		if err != nil {
			return nil, err
		}
		return findToken(tokens, uuid), nil
	}
	key := strings.ToLower(userID)
	for {
		r.mu.Lock()
		if tokens, ok := r.users[key]; ok {
			r.mu.Unlock()
			return tokenByUUID(tokens, uuid), nil
		}
		if r.full {
			r.mu.Unlock()
			return nil, nil
		}
		b := r.joinLocked(ctx, key, userID)
		r.mu.Unlock()

		select {
		case <-b.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if b.err != nil {
			return nil, b.err
		}
		// Answered now, unless a write in between forgot the user: then ask again.
	}
}

// joinLocked returns the batch that will answer key: the inventory once one batch was sent, else
// the batch being collected, started when there is none.
func (r *tokenReader) joinLocked(ctx context.Context, key, userID string) *readBatch {
	if r.loading != nil {
		return r.loading
	}
	if r.batches > 0 {
		b := &readBatch{done: make(chan struct{})}
		r.loading = b
		go r.fetchInventory(context.WithoutCancel(ctx), b)
		return b
	}
	if r.pending == nil {
		r.pending = &readBatch{ids: map[string]string{}, done: make(chan struct{})}
		go r.sendAfterWindow(context.WithoutCancel(ctx), r.pending)
	}
	r.pending.ids[key] = userID
	return r.pending
}

// sendAfterWindow waits for the window, then lists the tokens of every user the batch collected.
func (r *tokenReader) sendAfterWindow(ctx context.Context, b *readBatch) {
	time.Sleep(r.window)
	r.mu.Lock()
	r.pending = nil
	r.batches++
	ids := make([]string, 0, len(b.ids))
	for _, id := range b.ids {
		ids = append(ids, id)
	}
	r.mu.Unlock()

	tokens, missing, err := r.client.ListTokensOf(ctx, ids)
	tflog.Debug(ctx, "batched token read", map[string]any{"users": len(ids), "tokens": len(tokens)})
	r.mu.Lock()
	if err == nil {
		for key := range b.ids {
			r.users[key] = map[string]jenkins.Token{}
		}
		for _, id := range missing {
			r.users[strings.ToLower(id)] = nil
		}
		r.storeLocked(tokens)
	}
	r.mu.Unlock()
	b.err = err
	close(b.done)
}

// fetchInventory lists every user's tokens in one call.
func (r *tokenReader) fetchInventory(ctx context.Context, b *readBatch) {
	tokens, err := r.client.ListTokens(ctx, nil)
	tflog.Debug(ctx, "read the whole token inventory", map[string]any{"tokens": len(tokens)})
	r.mu.Lock()
	if err == nil {
		r.storeLocked(tokens)
		r.full = true
	}
	r.loading = nil
	r.mu.Unlock()
	b.err = err
	close(b.done)
}

func (r *tokenReader) storeLocked(tokens []jenkins.Token) {
	for _, t := range tokens {
		key := strings.ToLower(t.UserID)
		if r.users[key] == nil {
			r.users[key] = map[string]jenkins.Token{}
		}
		r.users[key][strings.ToLower(t.UUID)] = t
	}
}

// forget drops what the reader knows about userID after a write to that user's tokens.
func (r *tokenReader) forget(userID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.users, strings.ToLower(userID))
	// The inventory no longer covers that user: absence from it means nothing for them now.
	r.full = false
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
