package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// A rejected code is an attempt, recorded whatever became of the token
// that sent it: a confirmation with a wrong code whose session was ended
// while its body was on its way left no 2fa.code-rejected event (the
// event's write was refused with the actor's 401, and the audit lost the
// attempt while the guess stayed charged).
func TestAttackEndedMidRequestKeepsTheRejectedCodeEvent(t *testing.T) {
	e := newEnv(t)
	lr := e.login()
	if code, _ := e.do("POST", "/v1/account/2fa/enroll", lr.Token, `{"password":"amy-password"}`, nil); code/100 != 2 {
		t.Fatalf("begin enrollment: %d", code)
	}
	h := e.holdRequest(t, "POST", "/v1/account/2fa/confirm", lr.Token, `{"code":"000000"}`)
	if _, err := e.svc.AdminEndSessions(context.Background(), "amy", true); err != nil {
		t.Fatal(err)
	}
	a := h.finish()
	if a.code != http.StatusUnauthorized && a.code != http.StatusBadRequest {
		t.Fatalf("a wrong code on a session ended meanwhile: %d %s", a.code, a.body)
	}
	evs, err := e.svc.Store().ListEvents(context.Background(), e.stored(t).ID, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.Type == server.Event2FACodeRejected {
			return
		}
	}
	t.Fatalf("no %s event for the wrong code (answer %d %s)", server.Event2FACodeRejected, a.code, a.body)
}

// A right code is no guess: a confirmation whose session was ended while
// its body was on its way kept its charge (the refused write skipped the
// refund), and ten of them left the person throttled out of signing in.
func TestAttackEndedMidRequestRefundsTheRightCode(t *testing.T) {
	e := newEnv(t)
	for i := range 10 {
		lr := e.login()
		var en wire.EnrollResponse
		if code, _ := e.do("POST", "/v1/account/2fa/enroll", lr.Token, `{"password":"amy-password"}`, &en); code/100 != 2 {
			t.Fatalf("begin enrollment %d: %d", i, code)
		}
		code, _ := server.TOTPCode(en.Secret, server.TOTPStep(e.clock.Now()))
		h := e.holdRequest(t, "POST", "/v1/account/2fa/confirm", lr.Token, `{"code":"`+code+`"}`)
		if _, err := e.svc.AdminEndSessions(context.Background(), "amy", true); err != nil {
			t.Fatal(err)
		}
		if a := h.finish(); a.code != http.StatusUnauthorized {
			t.Fatalf("confirmation %d on a session ended meanwhile: %d %s, want 401", i, a.code, a.body)
		}
	}
	if code, _ := e.do("POST", "/v1/auth/login", "", `{"username":"amy","password":"amy-password"}`, nil); code != 200 {
		t.Fatalf("sign in after ten right codes: %d, want 200", code)
	}
}
