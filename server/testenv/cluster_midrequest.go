package testenv

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/latch-dev/latch/server"
)

// testWriteOfAPrincipalGoneOnTheOther: a request authenticated on B whose
// write comes after A ended every session and API token of the account, or
// locked it (a body that came late, a password that hashed), makes
// nothing: the write re-reads the principal in its own transaction. Before,
// B made a live API token after A's "end every session and token" had
// returned, and added a key to a locked account.
func testWriteOfAPrincipalGoneOnTheOther(t *testing.T, c *cluster) {
	c.user("wren")
	_, p := c.login(c.b, "wren")
	if _, err := c.a.svc.AdminEndSessions(bg, "wren", true); err != nil {
		t.Fatal(err)
	}
	_, _, err := c.b.svc.CreateToken(bg, p, server.TokenSpec{Name: "after-the-end"}, meta)
	wantReason(t, err, server.ReasonRevoked, "a token made on B after A ended every session")
	c.noLiveToken("wren", "after A ended every session")

	_, p = c.login(c.b, "wren")
	must(t, c.a.svc.AdminLock(bg, "wren", true), "AdminLock")
	_, _, err = c.b.svc.CreateToken(bg, p, server.TokenSpec{Name: "after-the-lock"}, meta)
	wantReason(t, err, server.ReasonLocked, "a token made on B after A locked the account")
	must(t, c.a.svc.AdminLock(bg, "wren", false), "AdminUnlock")
	toks, err := c.a.store.ListTokens(bg, p.User.ID)
	must(t, err, "ListTokens")
	for _, tok := range toks {
		if tok.Name == "after-the-lock" {
			t.Errorf("a token made after the lock was stored: %s", tok.ID)
		}
	}

	// Racing: tokens made on B while A ends every session and token are each
	// refused or ended, never live once A's call returned.
	for round := range 3 {
		_, p = c.login(c.b, "wren")
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				_, _, _ = c.b.svc.CreateToken(bg, p, server.TokenSpec{Name: fmt.Sprintf("race-%d-%d", round, i)}, meta)
			})
		}
		wg.Go(func() {
			if _, err := c.a.svc.AdminEndSessions(bg, "wren", true); err != nil {
				t.Errorf("AdminEndSessions: %v", err)
			}
		})
		wg.Wait()
		c.noLiveToken("wren", fmt.Sprintf("round %d, after A ended every session while B made tokens", round))
	}
}

// noLiveToken fails the test when name has a token that works.
func (c *cluster) noLiveToken(name, when string) {
	c.t.Helper()
	u, err := c.a.store.UserByName(bg, name)
	must(c.t, err, "UserByName")
	toks, err := c.a.store.ListTokens(bg, u.ID)
	must(c.t, err, "ListTokens")
	for _, tok := range toks {
		if tok.State(c.clock.Now()) == server.StateActive {
			c.t.Fatalf("%s: %s %q is live", when, tok.ID, tok.Name)
		}
	}
}

func wantReason(t *testing.T, err error, reason server.Reason, what string) {
	t.Helper()
	var se *server.Error
	if !errors.As(err, &se) || se.Reason != reason {
		t.Errorf("%s: %v, want refused (%s)", what, err, reason)
	}
}
