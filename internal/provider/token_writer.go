package provider

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
)

// writeBatchWindow is how long the first token write of a run waits for others: what reads wait
// (read_batch_window's default). Terraform starts its first ten operations within a millisecond
// or two of each other; 20 ms catches them on a busy machine and costs nothing next to one
// script call (a Groovy compile, tens to hundreds of milliseconds on a real controller). Later
// batches wait for the writes the last one answered instead (tokenWriter). See DESIGN.md.
const writeBatchWindow = 20 * time.Millisecond

// terraformPace is how long a later batch waits for the next of the writes it expects before
// it goes without them, unless the last call took longer. Terraform starts each new operation
// after handling an answer, and handling one includes writing the whole state file (the local
// backend writes it after every resource: 57% of Terraform's CPU in the destroy of 1,000
// tokens), so with a thousand resources in the state the writes arrive up to 130-160 ms apart
// (99th percentile, apply and destroy of 1,000 tokens in make bench). Waiting only as long as
// the last call (tens of milliseconds against the simulator) split Terraform's ten operations
// into two alternating batches: 148 calls for that destroy, 102 with this wait.
const terraformPace = 300 * time.Millisecond

// tokenWriter coalesces the token writes of one provider data instance (one Jenkins controller)
// into as few script calls as it can, as tokenReader does for reads: Terraform runs ten creates,
// renames or destroys at a time, and each would otherwise cost a script call, that is a Groovy
// compile on the controller. One batch is in flight at a time: the first write waits for the
// window, then every write that joined is sent in one WriteTokens call, which follows each
// write's own rules and answers for each; writes submitted meanwhile wait for that call to end
// and go together in the next. The next batch is sent once as many writes are pending as were
// outstanding when the call ended (each write it answered frees an operation, and Terraform
// starts the next one in its place, one after the other: tens to hundreds of milliseconds apart
// on a busy machine), or once no write joined for terraformPace or as long as that call took,
// whichever is longer (sending the stragglers on their own would cost them a call at least as
// long), or at once when a pending write's run is interrupted. A batch holds the write locks of
// all its users (userWrites, sorted as lock does) while its call runs, so the per-user write
// order holds against the bulk revocations too.
//
// A write whose run was interrupted (its context done) before its batch was sent is left out and
// reported unsent; once sent, the batch goes on until every member would have given up on a
// call of its own (its grace after its context ended: settleGrace for creates, which must read
// the answer that holds their token).
//
// With a zero window a write is sent as soon as no batch is in flight, with whatever joined it.
type tokenWriter struct {
	client *jenkins.Client
	locks  *userWrites
	window time.Duration

	mu      sync.Mutex
	pending []*pendingWrite
	sending bool // a sender is running: it takes the pending writes when its batch ends
	// changed is closed (and replaced) when a write joins the pending ones or the context of
	// one ends: what await waits on.
	changed chan struct{}
}

// pendingWrite is one write waiting for its batch.
type pendingWrite struct {
	ctx   context.Context
	write jenkins.TokenWrite
	user  string // the user whose write lock it needs, as the caller spells it
	// grace: how long the batch may go on for this write after its context ended.
	grace time.Duration
	done  chan struct{}
	res   jenkins.TokenWriteResult
	sent  bool
}

func newTokenWriter(client *jenkins.Client, locks *userWrites, window time.Duration) *tokenWriter {
	return &tokenWriter{client: client, locks: locks, window: window, changed: make(chan struct{})}
}

// notify wakes await. The caller holds mu.
func (tw *tokenWriter) notify() {
	close(tw.changed)
	tw.changed = make(chan struct{})
}

// write submits w, a write to user's tokens, and returns its outcome once its batch answered,
// and whether it was sent at all (false: ctx ended first, nothing was written).
func (tw *tokenWriter) write(ctx context.Context, user string, w jenkins.TokenWrite, grace time.Duration) (jenkins.TokenWriteResult, bool) {
	p := &pendingWrite{ctx: ctx, write: w, user: user, grace: grace, done: make(chan struct{})}
	tw.mu.Lock()
	tw.pending = append(tw.pending, p)
	tw.notify()
	if !tw.sending {
		tw.sending = true
		go tw.run()
	}
	tw.mu.Unlock()
	stop := context.AfterFunc(ctx, func() {
		tw.mu.Lock()
		tw.notify()
		tw.mu.Unlock()
	})
	defer stop()
	<-p.done
	return p.res, p.sent
}

// run sends batches, one at a time, until no write is left. The first batch waits the window;
// each later one waits for the writes the last batch answered to come back as new ones (await).
func (tw *tokenWriter) run() {
	expect, lastCall := 0, time.Duration(0)
	for {
		if expect == 0 {
			if tw.window > 0 {
				time.Sleep(tw.window)
			}
		} else {
			tw.await(expect, max(tw.window, lastCall, terraformPace))
		}
		tw.mu.Lock()
		batch := tw.pending
		tw.pending = nil
		if len(batch) == 0 {
			tw.sending = false
			tw.mu.Unlock()
			return
		}
		tw.mu.Unlock()
		start := time.Now()
		// With the values (the logger) of a request that is part of it, not its cancellation.
		detached(batch[0].ctx, func(ctx context.Context) { tw.send(ctx, batch) })
		lastCall = time.Since(start)
		tw.mu.Lock()
		// Each write the batch answered frees its operation for Terraform's next one, and those
		// that queued meanwhile are still waiting: the next batch expects as many writes.
		expect = len(batch) + len(tw.pending)
		tw.mu.Unlock()
		if tw.window == 0 {
			expect = 0
		}
	}
}

// await waits until expect writes are pending, a pending write's context ended (the run is
// being interrupted: the others are not coming), or no write joined for gap.
func (tw *tokenWriter) await(expect int, gap time.Duration) {
	quiet := time.NewTimer(gap)
	defer quiet.Stop()
	seen := -1
	for {
		tw.mu.Lock()
		n, changed := len(tw.pending), tw.changed
		interrupted := false
		for _, p := range tw.pending {
			if p.ctx.Err() != nil {
				interrupted = true
				break
			}
		}
		tw.mu.Unlock()
		if n >= expect || interrupted {
			return
		}
		if seen >= 0 && n > seen {
			quiet.Reset(gap)
		}
		seen = n
		select {
		case <-changed:
		case <-quiet.C:
			return
		}
	}
}

// send writes batch in one WriteTokens call (a walk: several, when it outlasts the time budget)
// under the write locks of its users, and hands each write its outcome.
func (tw *tokenWriter) send(ctx context.Context, batch []*pendingWrite) {
	users := make([]string, len(batch))
	for i, p := range batch {
		users[i] = p.user
	}
	unlock := tw.locks.lock(users...)
	defer unlock()
	var sent []*pendingWrite
	for _, p := range batch {
		if p.ctx.Err() != nil {
			close(p.done) // interrupted before anything was sent: nothing written
			continue
		}
		sent = append(sent, p)
	}
	if len(sent) == 0 {
		return
	}
	bctx, cancel := batchContext(ctx, sent)
	defer cancel()
	writes := make([]jenkins.TokenWrite, len(sent))
	for i, p := range sent {
		writes[i] = p.write
	}
	results := tw.client.WriteTokens(bctx, writes)
	tflog.Debug(ctx, "batched token writes", map[string]any{"writes": len(writes)})
	for i, p := range sent {
		p.res, p.sent = results[i], true
		close(p.done)
	}
}

// batchContext is ctx (the batch's, detached from any one request), cancelled once every member
// would have given up on a call of its own: grace after its context ended.
func batchContext(ctx context.Context, members []*pendingWrite) (context.Context, context.CancelFunc) {
	bctx, cancel := context.WithCancel(ctx)
	left := int64(len(members))
	var stops []func() bool
	for _, p := range members {
		stops = append(stops, context.AfterFunc(p.ctx, func() {
			t := time.AfterFunc(p.grace, func() {
				if atomic.AddInt64(&left, -1) == 0 {
					cancel()
				}
			})
			context.AfterFunc(bctx, func() { t.Stop() })
		}))
	}
	return bctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
	}
}
