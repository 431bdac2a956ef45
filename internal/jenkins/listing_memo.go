package jenkins

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
)

// Recent listings, shared by the readers of one plan.
//
// In a fleet plan, the fleet view lists a leaver's tokens on every controller, and a moment later
// each controller's cleanup lists the same tokens again for its refresh and its dry run: two
// script calls per controller, the second ones queued behind Terraform's parallelism. A caller
// that only reads for a plan (WithRecentListing) may take a listing this client made with the same
// parameters in the last listingMemoAge, unless a write went through the client since that
// listing began. Applies never ask for it: what an apply revokes is selected when it runs.

// listingMemoAge is how old a remembered listing may be. A plan reads everything within seconds;
// this only bounds what a very slow plan could reuse.
const listingMemoAge = 30 * time.Second

// readOnlyScripts are the scripts that change nothing in Jenkins: every other script call
// makes the remembered listings stale.
var readOnlyScripts = map[string]bool{
	"list_tokens": true, "list_users": true, "server_info": true, "own_token": true, "token_has_value": true,
}

type recentListingKey struct{}

// WithRecentListing marks ctx as a plan's read: a token listing may come from one this client
// made with the same parameters moments before (see listingMemo).
func WithRecentListing(ctx context.Context) context.Context {
	return context.WithValue(ctx, recentListingKey{}, true)
}

func acceptsRecentListing(ctx context.Context) bool {
	ok, _ := ctx.Value(recentListingKey{}).(bool)
	return ok
}

type listingMemo struct {
	mu sync.Mutex
	// writes counts the write scripts sent, before and after each: a listing that overlapped a
	// write, or came before one, is never reused.
	writes  uint64
	entries map[string]memoEntry
}

type memoEntry struct {
	list   TokenList
	at     time.Time
	writes uint64 // the count when the listing began
}

// wrote marks the remembered listings stale; a write calls it when it is sent and when it ends.
func (m *listingMemo) wrote() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writes++
	m.entries = nil
}

// begin returns the write count a listing starting now is valid for.
func (m *listingMemo) begin() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.writes
}

// get returns a remembered listing for key, if one is fresh and no write happened since it began.
func (m *listingMemo) get(key string) (TokenList, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok || e.writes != m.writes || time.Since(e.at) > listingMemoAge {
		return TokenList{}, false
	}
	return e.list.clone(), true
}

// put remembers a listing that began at write count writes.
func (m *listingMemo) put(key string, writes uint64, l TokenList) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if writes != m.writes {
		return // a write went through while it ran
	}
	if m.entries == nil {
		m.entries = map[string]memoEntry{}
	}
	m.entries[key] = memoEntry{list: l.clone(), at: time.Now(), writes: writes}
}

// listingKey names a listing by its parameters: the same users and exclusions in any order.
func listingKey(userIDs, excluded []string, allowMissing, facts, checkRealm bool) string {
	// "every user" and a list start differently, so no list of ids (not even ["*"]) reads as it.
	users := "A" // every user
	if userIDs != nil {
		s := slices.Clone(userIDs)
		slices.Sort(s)
		users = "L" + strings.Join(s, "\x00")
	}
	ex := slices.Clone(excluded)
	slices.Sort(ex)
	flags := []byte{'0', '0', '0'}
	for i, b := range []bool{allowMissing, facts, checkRealm} {
		if b {
			flags[i] = '1'
		}
	}
	return users + "\x01" + strings.Join(ex, "\x00") + "\x01" + string(flags)
}

// clone copies what a caller could change.
func (l TokenList) clone() TokenList {
	c := l
	c.Tokens = slices.Clone(l.Tokens)
	c.Missing = slices.Clone(l.Missing)
	c.UnknownExcluded = slices.Clone(l.UnknownExcluded)
	if l.Canonical != nil {
		c.Canonical = make(map[string]string, len(l.Canonical))
		for k, v := range l.Canonical {
			c.Canonical[k] = v
		}
	}
	if l.Facts != nil {
		c.Facts = make(map[string]UserFacts, len(l.Facts))
		for k, v := range l.Facts {
			c.Facts[k] = v
		}
	}
	return c
}
