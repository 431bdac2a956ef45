package jenkins

import (
	"context"
	"sync"
)

// ServerInfo is what the provider must know of a Jenkins to decide as Jenkins does. Every
// listing and create reports it; ServerInfo asks for it only when no script has yet.
type ServerInfo struct {
	Version string `json:"version"`
	// Today is Jenkins's date, YYYY-MM-DD: LocalDate.now() in the controller JVM's time zone,
	// what token expiry compares with (HashedToken.isExpired). It can differ from UTC's today.
	Today    string `json:"today"`
	TimeZone string `json:"timeZone"`
	// IDStrategy is the class name of the security realm's user id strategy, for example
	// jenkins.model.IdStrategy$CaseInsensitive.
	IDStrategy string `json:"idStrategy"`
	// UsageStatistics: Jenkins keeps token usage statistics. When it does not,
	// ApiTokenStats answers "never used" for every token, whatever is on disk.
	UsageStatistics bool `json:"usageStatistics"`
	// Self is the provider's own user as Jenkins spells it (User.current()).
	Self string `json:"self"`
	// AllowNonExistentUserToLogin: Jenkins runs with hudson.model.User.allowNonExistentUserToLogin,
	// so the API tokens of users its security realm does not know still log in (local automation
	// users): realm status "unknown" then proves nothing about token access.
	AllowNonExistentUserToLogin bool `json:"allowNonExistentUserToLogin"`
}

type infoCache struct {
	mu   sync.Mutex
	info *ServerInfo
}

func (c *infoCache) remember(i *ServerInfo) {
	if i == nil || i.Today == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	cp := *i
	c.info = &cp
}

func (c *infoCache) get() *ServerInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.info == nil {
		return nil
	}
	cp := *c.info
	return &cp
}

// ServerInfo returns what the last script reported of this Jenkins, or asks with one script
// call when none has yet. A provider process lives for one Terraform command, so the cached
// "today" is at most that old.
func (c *Client) ServerInfo(ctx context.Context) (ServerInfo, error) {
	if i := c.info.get(); i != nil {
		return *i, nil
	}
	var out struct {
		Info ServerInfo `json:"info"`
	}
	if err := c.runScript(ctx, "server_info", map[string]any{}, &out); err != nil {
		return ServerInfo{}, err
	}
	c.info.remember(&out.Info)
	return out.Info, nil
}
