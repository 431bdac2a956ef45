package jenkins

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// A walk is a script that goes through many users or tokens (list_users, list_tokens,
// revoke_tokens): on a big controller, with a directory that answers in tens of milliseconds or
// a disk that saves slowly, one call doing all of it would outlive a reverse proxy's read timeout
// (nginx's default is 60 s). So each call works to a time budget, stops after the unit (a user, a
// token) that spent it, and says where it stopped; the client calls again from there until the
// walk is done. The cursor of a listing is the key of the last user done (IdStrategy.keyFor, so
// users made or deleted meanwhile neither shift nor repeat the walk); a revocation sends the refs
// not done yet (lib/walk.groovy).
//
// A call cut off before its answer (a gateway's 502, 503 or 504, or a connection cut: the
// script may still run to its end in Jenkins) is not retried blindly: the walk sends it again
// from the same position, with half the budget, and logs it. Reads repeat at most that call's
// work. Writes stay exactly once in Jenkins: revoking a token that a lost call already revoked
// finds it gone, and the revocation walk reports a token it finds gone from the position of a
// lost call on as revoked by this run (RevokedToken.AfterLostAnswer): the lost call, which
// Jenkins runs to its end, revoked it, unless someone else did in the same moments.

// DefaultScriptTimeBudget is how long one call of a walk works in Jenkins before it stops and
// reports where: well under the 60 s read timeout of nginx and most load balancers, with room for
// the unit that spends it (one directory lookup, one save).
const DefaultScriptTimeBudget = 20 * time.Second

// minScriptTimeBudget is as far as a walk halves its budget after calls cut off (a budget set
// lower stays as it is).
const minScriptTimeBudget = time.Second

// walkState is what every walking script reports of its position.
type walkState struct {
	// Next is the cursor to continue from; nil when the walk is done.
	Next *string `json:"next"`
	// Done counts the units done so far (before the cursor and in this call); Total all of them.
	Done  int `json:"done"`
	Total int `json:"total"`
	// ExclusionsNext: list_tokens has more realm lookups of exclusions to make, from this index,
	// before it walks any user.
	ExclusionsNext *int `json:"exclusionsNext"`
}

// walker carries one walk's budget across its calls.
type walker struct {
	c      *Client
	script string
	budget time.Duration
	start  time.Time
	calls  int
	// cuts counts the calls cut off before their answer so far.
	cuts int
	// tellRetries: the script takes the parameter "retry" (runScriptTellingRetries), true once
	// a call of this walk may have run without its answer: from a cut on, for the rest of the
	// walk, since the lost call may have gone further than the calls sent since.
	tellRetries bool
}

func (c *Client) newWalk(script string) *walker {
	return &walker{c: c, script: script, budget: c.scriptBudget, start: time.Now()}
}

// call runs one call of the walk with params (whose position the caller set) into out. A call
// cut off is sent again from the same position with half the budget, within the client's
// retries and retry budget.
func (w *walker) call(ctx context.Context, params map[string]any, out any) error {
	return w.callWith(ctx, params, nil, out)
}

// callWith is call with form fields posted beside the script (scriptFields).
func (w *walker) callWith(ctx context.Context, params map[string]any, fields scriptFields, out any) error {
	deadline := time.Now().Add(w.c.budget)
	url := w.c.BaseURL() + "scriptText"
	for attempt := 1; ; attempt++ {
		params["budgetMs"] = w.budget.Milliseconds()
		if w.tellRetries {
			params["retry"] = w.cuts > 0
		}
		err := w.c.runScriptWith(ctx, w.script, "", params, fields, w.tellRetries, out, true)
		if err == nil {
			w.calls++
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("POST %s: %w", url, context.Cause(ctx))
		}
		if !cutOff(err) {
			return err
		}
		// The retries and their limits are the client's (retry.go), with the same words.
		if limit := retryLimit(ctx, w.c.maxRetries); attempt > limit {
			return &RetryError{Method: "POST", URL: url, Attempts: attempt,
				Reason: fmt.Sprintf("%d retries exhausted", limit), Last: err}
		}
		wait := w.c.backoff(attempt)
		var ae *APIError
		if errors.As(err, &ae) {
			if ra := parseRetryAfter(ae.retryAfter, time.Now()); ra > 0 {
				wait = ra
			}
		}
		if time.Now().Add(wait).After(deadline) {
			return &RetryError{Method: "POST", URL: url, Attempts: attempt,
				Reason: fmt.Sprintf("retry budget of %s exhausted", w.c.budget), Last: err}
		}
		w.cuts++
		w.budget = max(w.budget/2, min(minScriptTimeBudget, w.budget)) // halved, never raised
		tflog.Info(ctx, "A Jenkins call was cut off before its answer: continuing from the last position with a smaller time budget", map[string]any{
			"script": w.script, "attempt": attempt, "budget_ms": w.budget.Milliseconds(), "wait_ms": wait.Milliseconds(),
			"cause": w.c.masker.mask(err.Error()),
		})
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("POST %s: %w (while waiting to retry after: %v)", url, context.Cause(ctx), err)
		case <-t.C:
		}
	}
}

// progress logs where a walk that takes more than one call is, at INFO, so that TF_LOG=info
// shows where a long plan is.
func (w *walker) progress(ctx context.Context, what string, done, total int, finished bool) {
	if w.calls < 2 && finished {
		return
	}
	msg := "Working through Jenkins " + what
	if finished {
		msg = "Done with Jenkins " + what
	}
	tflog.Info(ctx, msg, map[string]any{"script": w.script, "done": done, "total": total, "calls": w.calls,
		"elapsed_ms": time.Since(w.start).Milliseconds()})
}

// cutOff reports whether err means the call may have run in Jenkins with its answer lost to
// something between: a gateway's 502 or 504, a 503 that did not come from Jenkins (Jenkins's own
// 503 while starting is retried as usual), or a failure of the connection (not a TLS error).
func cutOff(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.StatusCode == 502 || ae.StatusCode == 504 || (ae.StatusCode == 503 && !ae.Jenkins)
	}
	var te *TransportError
	var tooLarge *ResponseTooLargeError
	var downgrade *DowngradeError
	var crossOrigin *CrossOriginRedirectError
	return errors.As(err, &te) && !IsTLSError(err) && !errors.As(err, &tooLarge) && !errors.As(err, &downgrade) &&
		!errors.As(err, &crossOrigin)
}
