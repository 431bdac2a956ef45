package jenkins

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"sync"
)

// crumbState is the CSRF crumb and the HTTP session it is bound to (since
// Jenkins 2.186 a crumb is only valid with its session cookie). API-token
// authentication needs no crumb, so the client starts without one and only
// fetches it when a POST is refused with "No valid crumb was included in the
// request"; from then on every POST carries it. When the session expires the
// crumb stops working, the same refusal comes back and a new pair is fetched.
type crumbState struct {
	mu           sync.Mutex
	field, crumb string
	jar          http.CookieJar
	gen          int // bumped on every refresh; 0 = never fetched
}

func (s *crumbState) get() (field, crumb string, jar http.CookieJar, gen int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.field, s.crumb, s.jar, s.gen
}

type crumbJSON struct {
	Crumb             string `json:"crumb"`
	CrumbRequestField string `json:"crumbRequestField"`
}

// refreshCrumb fetches a crumb in a new session, unless another request
// already refreshed it since usedGen was read.
func (c *Client) refreshCrumb(ctx context.Context, usedGen int) error {
	c.crumb.mu.Lock()
	defer c.crumb.mu.Unlock()
	if c.crumb.gen != usedGen {
		return nil
	}
	// A fresh jar drops the stale session: reusing it could keep us bound
	// to an expired session forever.
	jar, err := cookiejar.New(nil)
	if err != nil {
		return err
	}
	resp, err := c.do(ctx, &request{method: http.MethodGet, path: "crumbIssuer/api/json", jar: jar})
	if err != nil {
		if IsNotFound(err) {
			return fmt.Errorf("no crumb issuer in Jenkins (/crumbIssuer/api/json answered 404), yet asked for a crumb")
		}
		return err
	}
	var cj crumbJSON
	if err := json.Unmarshal(resp.body, &cj); err != nil || cj.Crumb == "" {
		return fmt.Errorf("unexpected answer from /crumbIssuer/api/json (%s)", describeBody(resp))
	}
	if cj.CrumbRequestField == "" {
		cj.CrumbRequestField = "Jenkins-Crumb"
	}
	c.masker.add(cj.Crumb)
	c.crumb.field, c.crumb.crumb, c.crumb.jar = cj.CrumbRequestField, cj.Crumb, jar
	c.crumb.gen++
	return nil
}
