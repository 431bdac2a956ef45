package jenkins

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"sync"
)

// OwnCredential is the API token the client authenticates with, when it authenticates with one.
type OwnCredential struct {
	// Self is the provider's own user as Jenkins spells it.
	Self string
	// UUID is the token's UUID; "" when the password is not one of Self's API tokens.
	UUID   string
	Legacy bool
}

// Is reports whether t is the credential, or, for a legacy credential, the user's legacy token
// under any UUID: Jenkins gives a legacy token a new UUID at a restart for records saved
// before 2.129, and the user has only one.
func (o OwnCredential) Is(t Token) bool {
	if o.UUID == "" || t.UserID != o.Self {
		return false
	}
	return t.UUID == o.UUID || (o.Legacy && t.Legacy)
}

// secretRE is what ApiTokenStore hashes and compares: 32 lowercase hex characters, legacy and
// new tokens alike (a new token's value is "11" + those 32).
var secretRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

// credentialHash is the SHA-256 (hex) Jenkins compares a presented password with when it tries
// it as an API token (ApiTokenStore.findMatchingToken: a 34-character value loses its first two
// characters, any other is taken whole), or "" when the password cannot be a token. Scripts
// that look for a token by its value (own_token, token_has_value, revoke_token_by_value) send
// this and compare it with HashedToken.match: only the hash of a 128-bit random secret ever
// leaves the machine, a real password is never sent, even hashed, and the secret never appears
// in the script text Jenkins logs.
func credentialHash(password string) string {
	secret := password
	if len(password) == 34 {
		secret = password[2:]
	}
	if !secretRE.MatchString(secret) {
		return ""
	}
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

type ownCredentialCache struct {
	mu   sync.Mutex
	done bool
	own  OwnCredential
}

// OwnCredential finds which of its user's tokens the client authenticates with: one script
// call, once per client, and none when the password cannot be an API token (then only Self is
// filled, from ServerInfo).
func (c *Client) OwnCredential(ctx context.Context) (OwnCredential, error) {
	c.own.mu.Lock()
	defer c.own.mu.Unlock()
	if c.own.done {
		return c.own.own, nil
	}
	hash := credentialHash(c.password)
	if hash == "" {
		info, err := c.ServerInfo(ctx)
		if err != nil {
			return OwnCredential{}, err
		}
		c.own.own, c.own.done = OwnCredential{Self: info.Self}, true
		return c.own.own, nil
	}
	var out struct {
		Self   *string `json:"self"`
		UUID   *string `json:"uuid"`
		Legacy bool    `json:"legacy"`
	}
	if err := c.runScript(ctx, "own_token", map[string]any{"credentialHash": hash}, &out); err != nil {
		return OwnCredential{}, err
	}
	var own OwnCredential
	if out.Self != nil {
		own.Self = *out.Self
	}
	if out.UUID != nil {
		own.UUID, own.Legacy = *out.UUID, out.Legacy
	}
	c.own.own, c.own.done = own, true
	return own, nil
}
