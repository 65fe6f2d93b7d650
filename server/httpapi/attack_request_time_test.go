package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// TestAttackSlowBodyPastTheTwoFactorDeadline: a request is authenticated
// when its headers arrive, and its body may come up to the server's read
// timeout later (30 s on the listeners, unbounded on the embedded one). An
// operation must be judged no earlier than the body it acts on: a password
// session of an org member without 2FA whose request body arrives after the
// org's 2FA deadline is enroll-only, and may not make an API token (one
// that would then be refused too, but the policy says no). Since
// Principal.At the policy judged it at the headers' instant, before the
// deadline, and the token was made (201).
func TestAttackSlowBodyPastTheTwoFactorDeadline(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.svc.CreateOrg(ctx, "acme", 0, false); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetUserOrg(ctx, "amy", "acme"); err != nil {
		t.Fatal(err)
	}
	grace, on := 10*time.Minute, true
	org, err := e.svc.UpdateOrg(ctx, "acme", server.OrgUpdate{Require2FA: &on, TwoFactorGrace: &grace})
	if err != nil {
		t.Fatal(err)
	}
	deadline := org.TwoFactorDeadline()
	lr := e.login()
	e.clock.Set(deadline.Add(-time.Second))

	const body = `{"name":"made-after-the-deadline"}`
	h := e.holdRequest(t, "POST", "/v1/tokens", lr.Token, body)
	e.clock.Advance(2 * time.Second) // the deadline passes while the body is on its way
	a := h.finish()
	if a.code != http.StatusForbidden || !strings.Contains(a.body, wire.ErrTwoFactorEnrollment) {
		t.Fatalf("a token made by a request whose body came after the 2FA deadline: %d %s, want 403 %s",
			a.code, a.body, wire.ErrTwoFactorEnrollment)
	}
	// The same request sent at once now is refused alike (the control).
	if code, _ := e.do("POST", "/v1/tokens", lr.Token, body, nil); code != http.StatusForbidden {
		t.Fatalf("create token after the deadline: %d, want 403", code)
	}
}
