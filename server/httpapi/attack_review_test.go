package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// An attacker's review of issue 11's policy: each test here is an attack
// that got through at the policy commits (0c31755). All but the event
// stream one still get through on aee7966; they fail until the hole is
// closed.

// bothStores runs an attack on SQLite and on PostgreSQL.
func bothStores(t *testing.T, attack func(*testing.T, *env)) {
	t.Run("sqlite", func(t *testing.T) { attack(t, newEnv(t)) })
	t.Run("postgres", func(t *testing.T) { attack(t, newPostgresEnv(t)) })
}

// answer is one response of a burst.
type answer struct {
	status int
	err    wire.Error
}

// burst sends n copies of a request at once (all released together) and
// returns their answers.
func (e *env) burst(n int, method, path, token string, body func(i int) string) []answer {
	e.t.Helper()
	out := make([]answer, n)
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body(i)))
			req.Header.Set("Authorization", "Bearer "+token)
			ready.Done()
			<-start
			resp, err := e.srv.Client().Do(req)
			if err != nil {
				out[i] = answer{status: -1, err: wire.Error{Message: err.Error()}}
				return
			}
			defer resp.Body.Close()
			var eb wire.ErrorBody
			decodeJSONBody(resp, &eb)
			out[i] = answer{status: resp.StatusCode, err: eb.Error}
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return out
}

func decodeJSONBody(resp *http.Response, out any) {
	_ = json.NewDecoder(resp.Body).Decode(out) // a 204 has no body
}

func tally(as []answer) map[string]int {
	m := map[string]int{}
	for _, a := range as {
		m[fmt.Sprintf("%d %s/%s", a.status, a.err.Type, a.err.Reason)]++
	}
	return m
}

// unscopedToken is an unscoped API token of amy's, made from a session.
func unscopedToken(t *testing.T, e *env) (session wire.LoginResponse, api wire.CreateTokenResponse) {
	t.Helper()
	session = e.login()
	if code, _ := e.do("POST", "/v1/tokens", session.Token, `{"name":"leaked"}`, &api); code != 201 {
		t.Fatalf("make the API token: %d", code)
	}
	return session, api
}

// An email change needs the password. strings.EqualFold folds Unicode, so
// "ſam@example.com" (U+017F LONG S) counts as the same address as
// "sam@example.com": a leaked unscoped API token changes the email to
// another mailbox without the password, and no session is signed out.
func TestReviewEmailChangeByUnicodeCaseFoldNeedsTheProof(t *testing.T) {
	e := newEnv(t)
	session, api := unscopedToken(t, e)
	if code, _ := e.do("PATCH", "/v1/account/profile", session.Token, `{"email":"sam@example.com","password":"amy-password"}`, nil); code != 200 {
		t.Fatalf("set the email: %d", code)
	}
	// The email change signed the session out; the API token survives.
	var eb wire.ErrorBody
	code, _ := e.do("PATCH", "/v1/account/profile", api.Token, `{"email":"ſam@example.com"}`, &eb)
	var who wire.Whoami
	e.do("GET", "/v1/whoami", api.Token, "", &who)
	if code != 401 || eb.Error.Reason != wire.ReasonProofNeeded {
		t.Errorf("email sam@ → ſam@ without the password: %d %+v, now %q (want 401 %s)", code, eb.Error, who.User.Email, wire.ReasonProofNeeded)
	}
}

// Org policy is read live: turning require2FA on makes an API token of a
// member without 2FA enroll-only at once, and enroll-only credentials may
// not read the account's events. An event stream opened before the
// change kept delivering the account's events: it authorized each poll
// with the principal read when the stream opened. Closed on main by the
// stream loop (a275217), which reads the credential live; kept as the
// regression test that main lacks.
func TestReviewEventStreamStopsWhenTheCredentialBecomesEnrollOnly(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.svc.CreateOrg(ctx, "acme", 0, false); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetUserOrg(ctx, "amy", "acme"); err != nil {
		t.Fatal(err)
	}
	_, api := unscopedToken(t, e)
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(sctx, "GET", e.srv.URL+"/v1/events?follow=true", nil)
	req.Header.Set("Authorization", "Bearer "+api.Token)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("stream: %d", resp.StatusCode)
	}
	lines := make(chan string, 256)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	on := true
	if _, err := e.svc.UpdateOrg(ctx, "acme", server.OrgUpdate{Require2FA: &on}); err != nil {
		t.Fatal(err)
	}
	// Now enroll-only: a direct read is refused...
	if code, _ := e.do("GET", "/v1/events", api.Token, "", nil); code != 403 {
		t.Fatalf("GET /v1/events after require2FA: %d, want 403", code)
	}
	time.Sleep(500 * time.Millisecond) // let the stream deliver what came so far
	drain(lines)
	// ...yet a new event of the account reaches the open stream.
	e.do("POST", "/v1/auth/login", "", `{"username":"amy","password":"wrong-password"}`, nil)
	deadline := time.After(3 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				return // the stream ended: held
			}
			if strings.HasPrefix(l, "data:") && strings.Contains(l, "login.failure") {
				t.Fatalf("an enroll-only credential's open stream still delivers the account's events: %s", l)
			}
		case <-deadline:
			return
		}
	}
}

func drain(lines chan string) {
	for {
		select {
		case <-lines:
		default:
			return
		}
	}
}

// A shorter autoLogoutAfter applies at once to existing sessions. The auth
// cache keeps the token as stored and applies the org's limit only on a
// miss, so a request served from the cache (no commit since the previous
// one, e.g. within the second before the usage flush) sees the limit the
// session was born with: whoami reports it, and the idle check uses it.
func TestReviewCachedSessionKeepsTheOldInactivityLimit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.svc.CreateOrg(ctx, "acme", 0, false); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetUserOrg(ctx, "amy", "acme"); err != nil {
		t.Fatal(err)
	}
	lr := e.login() // 15 minutes
	short := 5 * time.Minute
	if _, err := e.svc.UpdateOrg(ctx, "acme", server.OrgUpdate{AutoLogoutAfter: &short}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		var who wire.Whoami
		e.do("GET", "/v1/whoami", lr.Token, "", &who)
		if who.Token.IdleTimeout.Std() != 5*time.Minute {
			t.Errorf("whoami #%d right after autoLogoutAfter became 5m reports an inactivity limit of %s", i+1, who.Token.IdleTimeout.Std())
		}
	}
	e.clock.Advance(10 * time.Minute)
	var eb wire.ErrorBody
	if code, _ := e.do("GET", "/v1/whoami", lr.Token, "", &eb); code != 401 || eb.Error.Reason != "idle" {
		t.Errorf("after 10 idle minutes under a 5-minute policy: %d %+v, want 401 idle", code, eb.Error)
	}
}

// Streams are capped at 4 per token and 16 per user (a275217). A leaked
// VIEW token mints three children within its limits and opens four
// streams on each: the account's 16 are taken, and the owner's own
// session is refused the stream of its own credential — the one every
// credential may watch, which the console follows to react live. The
// owner cannot tell the children from other tokens to revoke them.
func TestReviewLeakedScopedTokenCannotTakeTheOwnersStreams(t *testing.T) {
	e := newEnv(t)
	session, _, view := viewToken(t, e)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tokens := []string{view}
	for range 3 {
		var c wire.CreateTokenResponse
		if code, _ := e.do("POST", "/v1/tokens", view, `{"name":"ci-cache"}`, &c); code != 201 {
			t.Fatalf("child: %d", code)
		}
		tokens = append(tokens, c.Token)
	}
	open := 0
	for _, tok := range tokens {
		for range 4 {
			if status, _ := openWatch(t, ctx, e, tok); status == 200 {
				open++
			}
		}
	}
	status, eb := openWatch(t, ctx, e, session.Token)
	if status != 200 {
		t.Errorf("with %d streams held by a leaked VIEW token and its children, the owner's session watching itself: %d %+v", open, status, eb.Error)
	}
}

// openWatch opens GET /v1/watch, kept open until ctx ends.
func openWatch(t *testing.T, ctx context.Context, e *env, token string) (int, wire.ErrorBody) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/v1/watch", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var eb wire.ErrorBody
	if resp.StatusCode != 200 {
		decodeJSONBody(resp, &eb)
		resp.Body.Close()
	}
	return resp.StatusCode, eb
}
