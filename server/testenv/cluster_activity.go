package testenv

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/storetest"
)

// Issue 19 across instances: what the server notices by itself (a token's
// expiry, a token at a new address) is recorded once however many
// instances notice it, and a sign-in's summary counts the failures made on
// any instance.

// eventsOf lists the types and details of a user's events of one type.
func (c *cluster) eventsOf(p *server.Principal, typ string) []server.Event {
	c.t.Helper()
	evs, err := c.a.store.ListEvents(bg, p.User.ID, 0, 0, 500)
	must(c.t, err, "ListEvents")
	var out []server.Event
	for _, e := range evs {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// testExpiryOnceAcrossInstances: both instances sweep at once, again and
// again; each expired API token has one token.expired event.
func testExpiryOnceAcrossInstances(t *testing.T, c *cluster) {
	c.user("xena")
	_, p := c.login(c.a, "xena")
	var ids []string
	for i := range 5 {
		tok, _, err := c.a.svc.CreateToken(bg, p, server.TokenSpec{Name: fmt.Sprintf("t%d", i),
			ExpiresAt: ptr(c.clock.Now().Add(time.Duration(i+1) * time.Hour))}, meta)
		must(t, err, "CreateToken")
		ids = append(ids, tok.ID)
	}
	c.clock.Advance(3*time.Hour + time.Minute) // three of five expired
	total := 0
	for range 3 {
		counts := make(chan int, storetest.Racers)
		c.raceOn(func(in *instance, _ int) (bool, error) {
			n, err := in.svc.RecordExpiries(bg)
			counts <- n
			return n > 0, err
		})
		close(counts)
		for n := range counts {
			total += n
		}
	}
	got := c.eventsOf(p, server.EventTokenExpired)
	if total != 3 || len(got) != 3 {
		t.Fatalf("sweeps recorded %d, %d token.expired events; want 3 and 3", total, len(got))
	}
	seen := map[string]bool{}
	for _, e := range got {
		for _, id := range ids[:3] {
			if strings.Contains(e.Detail, id) {
				seen[id] = true
			}
		}
	}
	if len(seen) != 3 {
		t.Errorf("token.expired events %v do not name the three expired tokens %v", got, ids[:3])
	}
}

// testNewAddressOnceAcrossInstances: a token at a new address on
// both instances in one interval has one token.new-address event, with the
// address and the client.
func testNewAddressOnceAcrossInstances(t *testing.T, c *cluster) {
	c.user("yuri")
	_, p := c.login(c.a, "yuri")
	_, secret, err := c.a.svc.CreateToken(bg, p, server.TokenSpec{Name: "ci"}, meta)
	must(t, err, "CreateToken")
	away := server.Meta{Addr: "198.51.100.4", Method: "http", Agent: "curl/8.5.0"}
	for _, in := range []*instance{c.a, c.b} {
		if _, err := in.svc.Authenticate(bg, secret, meta); err != nil {
			t.Fatal(err)
		}
		c.clock.Advance(time.Second)
		if _, err := in.svc.Authenticate(bg, secret, away); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{}, 2)
	for _, in := range []*instance{c.a, c.b} {
		go func() { in.svc.FlushUsage(bg); done <- struct{}{} }()
	}
	<-done
	<-done
	got := c.eventsOf(p, server.EventTokenNewAddress)
	if len(got) != 1 {
		t.Fatalf("token.new-address events %+v, want one", got)
	}
	if e := got[0]; e.Addr != away.Addr || e.Method != "http" || e.Agent != "curl/8.5.0" || e.Auth != "token" {
		t.Errorf("new-address event %+v, want the address, client, agent and auth of the use", e)
	}
	if n := len(c.eventsOf(p, server.EventTokenNewAddress)); n != 1 {
		t.Errorf("%d events after flushing again", n)
	}
}

// testSignInSummaryAcrossInstances: failures on either instance count in
// the next sign-in's summary, which names the sign-in before.
func testSignInSummaryAcrossInstances(t *testing.T, c *cluster) {
	c.user("zoe")
	first, err := c.a.svc.Login(bg, server.LoginInput{Username: "zoe", Password: password("zoe"), Meta: meta})
	must(t, err, "first login")
	if first.LastSignIn.Previous.ID != 0 || first.LastSignIn.Failed != 0 {
		t.Errorf("first sign-in summary %+v, want none", first.LastSignIn)
	}
	c.clock.Advance(time.Hour)
	for i, in := range []*instance{c.a, c.b, c.b} {
		bad := server.Meta{Addr: fmt.Sprintf("203.0.113.%d", i+1), Method: "cli"}
		if _, err := in.svc.Login(bg, server.LoginInput{Username: "zoe", Password: "wrong", Meta: bad}); err == nil {
			t.Fatal("a wrong password signed in")
		}
	}
	res, err := c.b.svc.Login(bg, server.LoginInput{Username: "zoe", Password: password("zoe"), Meta: meta})
	must(t, err, "login")
	prev := res.LastSignIn.Previous
	if !sameTime(prev.Time, first.Token.CreatedAt) || prev.Addr != meta.Addr || prev.Auth != "password" || res.LastSignIn.Failed != 3 {
		t.Errorf("summary %+v, failed %d; want the first sign-in (at %v from %s, password) and 3 failures",
			prev, res.LastSignIn.Failed, first.Token.CreatedAt, meta.Addr)
	}
	again, err := c.a.svc.Login(bg, server.LoginInput{Username: "zoe", Password: password("zoe"), Meta: meta})
	must(t, err, "login again")
	if again.LastSignIn.Failed != 0 || again.LastSignIn.Previous.Detail != "password, session "+res.Token.ID {
		t.Errorf("after a clean sign-in: %+v, want no failures and the sign-in on B", again.LastSignIn)
	}
}
