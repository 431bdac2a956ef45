package jenkins

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Realm statuses of a user record: what Jenkins's security realm answers when asked about it.
const (
	RealmKnown        = "known"        // the realm finds the user
	RealmUnknown      = "unknown"      // the realm answers UsernameNotFoundException
	RealmUnverifiable = "unverifiable" // the realm cannot tell (UserMayOrMayNotExistException2)
	RealmNotChecked   = "not_checked"  // not asked
	// The directory has the account and refuses it (Spring's AccountStatusException family,
	// which the ldap plugin throws since 2.2): Jenkins refuses the user's API tokens.
	RealmDisabled           = "disabled"            // DisabledException (or another AccountStatusException)
	RealmAccountExpired     = "account_expired"     // AccountExpiredException
	RealmCredentialsExpired = "credentials_expired" // CredentialsExpiredException
	RealmLocked             = "locked"              // LockedException
)

// UserRecord is one user record Jenkins holds, with what tells whether the person is around.
type UserRecord struct {
	ID          string // canonical
	FullName    string
	RealmStatus string
	// LastGrantedAt is when Jenkins last recorded the authorities of an interactive login: the
	// first web login, or the last one whose authorities changed (not every login). nil: none
	// recorded, or the record's last stamp is a sessions invalidation (SessionsInvalidatedAt),
	// which overwrote the login's date.
	LastGrantedAt *time.Time
	// LastTokenUseAt is the latest use of any of the user's tokens; nil when never used or when
	// usage statistics are off.
	LastTokenUseAt *time.Time
	// LastTokenCreatedAt is when the newest of the user's tokens was made; nil without tokens, or
	// when the only one is a migrated legacy token, which has no date.
	LastTokenCreatedAt *time.Time
	TokenCount         int
	// LastTokenUseUnknown: the user holds a legacy token without a creation date and without
	// statistics of its own. Jenkins gives the legacy token of a record last saved before 2.129 a
	// new UUID at every start and keys statistics by UUID, so LastTokenUseAt may miss a use made
	// minutes before the last restart: the last use is unknown, not never.
	LastTokenUseUnknown bool
	// SessionsInvalidatedAt is when "Invalidate sessions" (UserSeedProperty) was pressed for the
	// user, if that is the last thing LastGrantedAuthoritiesProperty stamped: Jenkins keeps one
	// timestamp, so the login before is lost, and no web login was recorded since (the next one
	// stamps again). An admin's action, not the user's: it is not activity.
	SessionsInvalidatedAt *time.Time
	HasLegacyToken        bool
}

type userRow UserRecord

func (u *userRow) UnmarshalJSON(b []byte) error {
	var granted, lastUse, lastCreated, invalidated *int64
	last, extra := &seen{dst: &u.HasLegacyToken}, &seen{dst: &json.RawMessage{}}
	fields := [11]any{&u.ID, &u.FullName, &u.RealmStatus, &granted, &lastUse, &lastCreated, &u.TokenCount, &u.LastTokenUseUnknown, &invalidated, last, extra}
	if err := json.Unmarshal(b, &fields); err != nil {
		return fmt.Errorf("user row: %w", err)
	}
	if !last.ok || extra.ok {
		return fmt.Errorf("user row has %d fields, want 10", rowLen(b))
	}
	u.LastGrantedAt, u.LastTokenUseAt, u.LastTokenCreatedAt = millis(granted), millis(lastUse), millis(lastCreated)
	u.SessionsInvalidatedAt = millis(invalidated)
	return nil
}

// UserList is every user record, and what Jenkins said about itself.
type UserList struct {
	Users []UserRecord
	Info  ServerInfo
}

// ListUsers lists every user record Jenkins saved, in one script call unless the walk's time
// budget cuts it into more (walk.go). With checkRealm the security realm is asked about each
// user: one lookup per user, which for LDAP is a query.
func (c *Client) ListUsers(ctx context.Context, checkRealm bool) (UserList, error) {
	w := c.newWalk("list_users")
	var l UserList
	var cursor *string
	for {
		var out struct {
			Users []userRow  `json:"users"`
			Walk  walkState  `json:"walk"`
			Info  ServerInfo `json:"info"`
		}
		if err := w.call(ctx, map[string]any{"checkRealm": checkRealm, "cursor": cursor}, &out); err != nil {
			return UserList{}, err
		}
		c.info.remember(&out.Info)
		l.Info = out.Info
		for _, u := range out.Users {
			l.Users = append(l.Users, UserRecord(u))
		}
		w.progress(ctx, "users", out.Walk.Done, out.Walk.Total, out.Walk.Next == nil)
		if out.Walk.Next == nil {
			return l, nil
		}
		cursor = out.Walk.Next
	}
}
