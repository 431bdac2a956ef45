package jenkins

import (
	"context"
)

// LookupUsers resolves ids the way Jenkins does (case-insensitively, by id,
// never creating a user) in one script call. The map goes from each
// requested id to Jenkins's canonical id. If some are unknown the map holds
// the known ones and the error is a *UserNotFoundError naming the rest.
func (c *Client) LookupUsers(ctx context.Context, ids []string) (map[string]string, error) {
	if len(ids) == 0 {
		return map[string]string{}, nil
	}
	var out struct {
		Found   [][2]string `json:"found"`
		Missing []string    `json:"missing"`
	}
	if err := c.runScript(ctx, "lookup_users", map[string]any{"userIds": ids}, &out); err != nil {
		return nil, err
	}
	m := make(map[string]string, len(out.Found))
	for _, f := range out.Found {
		m[f[0]] = f[1]
	}
	if len(out.Missing) > 0 {
		return m, &UserNotFoundError{UserIDs: out.Missing}
	}
	return m, nil
}

// UserExists reports whether Jenkins knows id, and its canonical form.
func (c *Client) UserExists(ctx context.Context, id string) (canonical string, exists bool, err error) {
	m, err := c.LookupUsers(ctx, []string{id})
	if IsUserNotFound(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return m[id], true, nil
}
