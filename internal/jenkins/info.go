package jenkins

import (
	"context"
	"sync"
	"time"
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
	// Now is Jenkins's clock (System.currentTimeMillis) when the script ran, in milliseconds; 0
	// when the answer had none.
	Now int64 `json:"now"`
	// OperationsCenter says whether this Jenkins is part of a CloudBees CI cluster: "server" (an
	// operations center: its tokens work on every joined controller), "client" (a controller
	// joined to one), or "" (neither), from the plugins installed and active.
	OperationsCenter string `json:"operationsCenter"`
}

type infoCache struct {
	// fetch is held by the one ServerInfo call that asks Jenkins, so that concurrent callers wait
	// for its answer instead of asking too.
	fetch sync.Mutex
	mu    sync.Mutex
	info  *ServerInfo
	// at is when info was remembered, by this process's monotonic clock: Jenkins's clock has
	// run at least as long since info.Now was read.
	at time.Time
}

func (c *infoCache) remember(i *ServerInfo) {
	if i == nil || i.Today == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	cp := *i
	c.info = &cp
	c.at = time.Now()
}

// jenkinsNow is a lower bound of Jenkins's clock now, in milliseconds: the last Now Jenkins
// reported plus the time that has passed here since its answer arrived (which is more than has
// passed in Jenkins since it read its clock). It is false when no answer reported Jenkins's clock.
func (c *infoCache) jenkinsNow() (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.info == nil || c.info.Now <= 0 {
		return 0, false
	}
	return c.info.Now + time.Since(c.at).Milliseconds(), true
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
	// Terraform plans ten resources at a time: the first ones to ask all find nothing yet, and
	// one call answers them all.
	c.info.fetch.Lock()
	defer c.info.fetch.Unlock()
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

// JenkinsNow is a lower bound of Jenkins's clock now (milliseconds since the epoch), from the last
// answer that reported it, or from one server_info script call when none has yet. Tokens Jenkins
// creates after this call is made are dated at or after it (HashedToken.buildNew dates them with
// the same clock), unless Jenkins's clock is set back meanwhile.
func (c *Client) JenkinsNow(ctx context.Context) (int64, error) {
	if now, ok := c.info.jenkinsNow(); ok {
		return now, nil
	}
	var out struct {
		Info ServerInfo `json:"info"`
	}
	if err := c.runScript(ctx, "server_info", map[string]any{}, &out); err != nil {
		return 0, err
	}
	c.info.remember(&out.Info)
	if now, ok := c.info.jenkinsNow(); ok {
		return now, nil
	}
	return 0, &ScriptError{Script: "server_info", Exception: "Jenkins did not report its clock"}
}
