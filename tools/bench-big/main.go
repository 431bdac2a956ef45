// Command bench-big measures the provider's walks on a big controller behind a reverse proxy
// (`make bench-big`): a listing of every user with realm checks when each directory lookup takes
// -lookup, and the revocation of -tokens users' tokens when each save of a user record takes
// -save, through a proxy that answers 504 after -proxy-timeout (nginx's default is 60 s), with
// the client's time budget per script call (-budget), then the same revocation with the proxy
// cutting the connection of the revocation's first call midway. For comparison, the listing as one
// call (a budget longer than the proxy's timeout, no retry): what the provider did before walks.
// It uses the provider's Jenkins client and the simulator directly, without Terraform.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

type config struct {
	users, tokens        int
	lookup, save         time.Duration
	proxyTimeout, budget time.Duration
	today                bool
}

func main() {
	var c config
	flag.IntVar(&c.users, "users", 10000, "user records, each known to the directory")
	flag.IntVar(&c.tokens, "tokens", 1000, "users holding a token to revoke (the first ones)")
	flag.DurationVar(&c.lookup, "lookup", 10*time.Millisecond, "time of one directory lookup")
	flag.DurationVar(&c.save, "save", 20*time.Millisecond, "time of one save of a user record")
	flag.DurationVar(&c.proxyTimeout, "proxy-timeout", 60*time.Second, "the proxy's read timeout")
	flag.DurationVar(&c.budget, "budget", jenkins.DefaultScriptTimeBudget, "script_time_budget")
	flag.BoolVar(&c.today, "today", true, "also time the listing as one call (what the provider did before walks)")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "bench-big:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	if c.users < 1 || c.tokens < 0 || c.tokens > c.users {
		return errors.New("need -users >= 1 and 0 <= -tokens <= -users")
	}
	ctx := context.Background()
	sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	sim, err := jenkinssim.Start(sctx, jenkinssim.Options{})
	cancel()
	if err != nil {
		return err
	}
	defer sim.Close()
	ids := make([]string, c.users)
	for i := range ids {
		ids[i] = fmt.Sprintf("user%05d", i)
	}
	fmt.Printf("bench-big: %d users, %d with a token to revoke; lookup %s, save %s; proxy timeout %s; budget %s\n",
		c.users, c.tokens, c.lookup, c.save, c.proxyTimeout, c.budget)
	if err := fixtures(ctx, sim, ids, c.tokens); err != nil {
		return err
	}
	proxy, err := sim.Proxy(c.proxyTimeout)
	if err != nil {
		return err
	}
	defer proxy.Close()
	client := func(budget time.Duration, retries int) (*jenkins.Client, error) {
		return jenkins.New(jenkins.Config{BaseURL: proxy.URL, Username: sim.AdminUser, Password: sim.AdminPassword,
			ScriptTimeBudget: budget, MaxRetries: retries, RequestTimeout: budget + c.proxyTimeout, RetryBudget: 10 * time.Minute})
	}
	walking, err := client(c.budget, -1)
	if err != nil {
		return err
	}

	fmt.Println()
	fmt.Println("| run | time | script calls | realm lookups | user saves | 504s | cut connections | longest call | result |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	if err := sim.SetLatency(ctx, c.lookup, 0); err != nil {
		return err
	}
	err = measure(ctx, sim, proxy, fmt.Sprintf("listing, realm checks, budget %s", c.budget), func() (string, error) {
		l, err := walking.ListUsers(ctx, true)
		return fmt.Sprintf("%d users", len(l.Users)), err
	})
	if err != nil {
		return err
	}
	if c.today {
		single, err := client(time.Hour, 0)
		if err != nil {
			return err
		}
		err = measure(ctx, sim, proxy, "listing, realm checks, one call (before walks)", func() (string, error) {
			l, err := single.ListUsers(ctx, true)
			if err != nil {
				return "failed: " + firstLine(err), nil
			}
			return fmt.Sprintf("%d users", len(l.Users)), nil
		})
		if err != nil {
			return err
		}
	}

	if err := sim.SetLatency(ctx, 0, c.save); err != nil {
		return err
	}
	for _, cut := range []bool{false, true} {
		refs, err := bulkRefs(ctx, walking)
		if err != nil {
			return err
		}
		name := fmt.Sprintf("revoking %d users' tokens, budget %s", len(refs), c.budget)
		if cut {
			after := min(5*time.Second, c.budget/2)
			name += fmt.Sprintf(", first call cut after %s", after)
			proxy.CutWhen("/scriptText", func(body []byte) bool {
				form, err := url.ParseQuery(string(body))
				return err == nil && strings.Contains(form.Get("script"), "Revokes many tokens in one run")
			}, after)
		}
		err = measure(ctx, sim, proxy, name, func() (string, error) {
			res, err := walking.RevokeTokens(ctx, refs)
			if err != nil {
				return "", err
			}
			revoked, lost := 0, 0
			for _, r := range res {
				if r.Revoked() {
					revoked++
				}
				if r.AfterLostAnswer {
					lost++
				}
			}
			left, err := bulkRefs(ctx, walking)
			return fmt.Sprintf("%d revoked (%d by the cut call), %d left", revoked, lost, len(left)), err
		})
		if err != nil {
			return err
		}
		if !cut {
			if err := sim.SetLatency(ctx, 0, 0); err != nil {
				return err
			}
			if err := fixtures(ctx, sim, ids[:c.tokens], c.tokens); err != nil {
				return err
			}
			if err := sim.SetLatency(ctx, 0, c.save); err != nil {
				return err
			}
		}
	}
	return nil
}

// measure runs f and prints one row: its time and the simulator's and the proxy's counts.
func measure(ctx context.Context, sim *jenkinssim.Sim, proxy *jenkinssim.Proxy, name string, f func() (string, error)) error {
	before, err := sim.Stats(ctx)
	if err != nil {
		return err
	}
	pb := proxy.Stats()
	proxy.ResetLongest()
	start := time.Now()
	result, err := f()
	took := time.Since(start)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	// The calls a 504 or a cut left running finish before the counts are read.
	if err := proxy.WaitUpstream(ctx); err != nil {
		return err
	}
	after, err := sim.Stats(ctx)
	if err != nil {
		return err
	}
	pa := proxy.Stats()
	fmt.Printf("| %s | %.1f s | %d | %d | %d | %d | %d | %.1f s | %s |\n", name, took.Seconds(),
		after["scriptText"]-before["scriptText"], after["realmLookup"]-before["realmLookup"], after["userSave"]-before["userSave"],
		pa.GatewayTimeouts-pb.GatewayTimeouts, pa.Cuts-pb.Cuts, pa.Longest.Seconds(), result)
	return nil
}

// fixtures makes a record for each id, known to the directory, and a token named bulk for the
// first n, in a few script calls.
func fixtures(ctx context.Context, sim *jenkinssim.Sim, ids []string, n int) error {
	if err := sim.AddRealmUsers(ctx, ids...); err != nil {
		return err
	}
	const chunk = 2000
	for i := 0; i < len(ids); i += chunk {
		part := ids[i:min(i+chunk, len(ids))]
		withToken := max(0, min(len(part), n-i))
		out, err := sim.ScriptArgs(ctx, `params.ids.eachWithIndex { id, i ->
    def u = User.getById(id, true)
    if (i < params.withToken) {
        u.getProperty(jenkins.security.ApiTokenProperty).getTokenStore().generateNewToken('bulk')
    }
    u.save()
}
print 'ok'`, map[string]any{"ids": part, "withToken": withToken})
		if err != nil || out != "ok" {
			return fmt.Errorf("fixtures: %q, %w", out, err)
		}
	}
	return nil
}

// bulkRefs lists the tokens named bulk.
func bulkRefs(ctx context.Context, c *jenkins.Client) ([]jenkins.TokenRef, error) {
	l, err := c.ListTokensInScope(ctx, nil, nil)
	if err != nil {
		return nil, err
	}
	var refs []jenkins.TokenRef
	for _, t := range l.Tokens {
		if t.Name == "bulk" {
			refs = append(refs, jenkins.TokenRef{UserID: t.UserID, UUID: t.UUID, Name: t.Name})
		}
	}
	return refs, nil
}

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}
