package jenkins

import "context"

// APITokenSettings is Jenkins's global ApiTokenPropertyConfiguration.
type APITokenSettings struct {
	TokenGenerationOnCreationEnabled bool `json:"tokenGenerationOnCreationEnabled"`
	CreationOfLegacyTokenEnabled     bool `json:"creationOfLegacyTokenEnabled"`
	UsageStatisticsEnabled           bool `json:"usageStatisticsEnabled"`
}

// DefaultAPITokenSettings are Jenkins's defaults (false, false, true).
var DefaultAPITokenSettings = APITokenSettings{UsageStatisticsEnabled: true}

// GetAPITokenSettings reads the three global API token switches.
func (c *Client) GetAPITokenSettings(ctx context.Context) (APITokenSettings, error) {
	var s APITokenSettings
	err := c.runScript(ctx, "api_token_settings", map[string]any{"set": nil}, &s)
	return s, err
}

// SetAPITokenSettings sets them (only those that differ, since each setter
// saves) and returns what Jenkins holds afterwards.
func (c *Client) SetAPITokenSettings(ctx context.Context, want APITokenSettings) (APITokenSettings, error) {
	var s APITokenSettings
	err := c.runScript(ctx, "api_token_settings", map[string]any{"set": want}, &s)
	return s, err
}
