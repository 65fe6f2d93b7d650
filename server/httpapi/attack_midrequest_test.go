package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// gatedBody is a request body that holds its first read until released:
// with "Expect: 100-continue" the client sends it only once the handler
// asks for it, so its first read tells the test that the handler runs —
// the token was authenticated — and nothing of the body has arrived.
type gatedBody struct {
	r       io.Reader
	once    sync.Once
	reading chan struct{}
	release chan struct{}
}

func newGatedBody(s string) *gatedBody {
	return &gatedBody{r: strings.NewReader(s), reading: make(chan struct{}), release: make(chan struct{})}
}

func (b *gatedBody) Read(p []byte) (int, error) {
	b.once.Do(func() {
		close(b.reading)
		<-b.release
	})
	return b.r.Read(p)
}

// heldRequest is a request whose headers have reached the handler (its
// token was authenticated) and whose body is held back until finish.
type heldRequest struct {
	t    *testing.T
	gb   *gatedBody
	done chan heldAnswer
}

type heldAnswer struct {
	code int
	body string
	err  error
}

// holdRequest sends method path with token and body, and returns once the
// handler runs and asks for the body, before any of it is sent.
func (e *env) holdRequest(t *testing.T, method, path, token, body string) *heldRequest {
	t.Helper()
	tr := e.srv.Client().Transport.(*http.Transport).Clone()
	tr.ExpectContinueTimeout = time.Minute
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	h := &heldRequest{t: t, gb: newGatedBody(body), done: make(chan heldAnswer, 1)}
	req, err := http.NewRequest(method, e.srv.URL+path, h.gb)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Expect", "100-continue")
	go func() {
		resp, err := client.Do(req)
		if err != nil {
			h.done <- heldAnswer{err: err}
			return
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		h.done <- heldAnswer{code: resp.StatusCode, body: string(raw)}
	}()
	select {
	case <-h.gb.reading:
	case a := <-h.done:
		t.Fatalf("%s %s answered before its body was asked for: %d %s %v", method, path, a.code, a.body, a.err)
	case <-time.After(20 * time.Second):
		t.Fatalf("%s %s: the handler never asked for the body", method, path)
	}
	return h
}

// finish sends the body and returns the answer.
func (h *heldRequest) finish() heldAnswer {
	h.t.Helper()
	close(h.gb.release)
	a := <-h.done
	if a.err != nil {
		h.t.Fatal(a.err)
	}
	return a
}

// The write a request makes is refused when its token was revoked, or its
// account locked, after the request was authenticated and before the
// write: a body may come up to 30 s after the headers (the read timeout),
// and a password change hashes for tens of milliseconds before it writes.
// "End every session and API token" (or a lock) must leave nothing made by
// a request that was already on its way: before the check moved into the
// write, the token below was made (201) after every token of the account
// had been revoked, and it worked.
func TestAttackRevokedMidRequestMakesNoToken(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stop   func(e *env)
		reason string
	}{
		{"sessions ended", func(e *env) {
			if _, err := e.svc.AdminEndSessions(context.Background(), "amy", true); err != nil {
				t.Fatal(err)
			}
		}, `"reason":"revoked"`},
		{"account locked", func(e *env) {
			if err := e.svc.AdminLock(context.Background(), "amy", true); err != nil {
				t.Fatal(err)
			}
		}, `"reason":"locked"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			lr := e.login()
			h := e.holdRequest(t, "POST", "/v1/tokens", lr.Token, `{"name":"made-after-the-revoke"}`)
			tc.stop(e)
			a := h.finish()
			if a.code != http.StatusUnauthorized || !strings.Contains(a.body, tc.reason) {
				t.Fatalf("a token made by a request on its way when %s: %d %s, want 401 %s", tc.name, a.code, a.body, tc.reason)
			}
			ctx := context.Background()
			u, err := e.svc.Store().UserByName(ctx, "amy")
			if err != nil {
				t.Fatal(err)
			}
			toks, err := e.svc.Store().ListTokens(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, tok := range toks {
				if tok.Name == "made-after-the-revoke" {
					t.Fatalf("the token was stored: %+v", tok)
				}
			}
		})
	}
}

// TestAttackEndedMidRequestChangesNothing: every change a person makes with
// a body, sent on a session that "end every session and API token" ends
// while the body is on its way, is refused as revoked and changes nothing.
func TestAttackEndedMidRequestChangesNothing(t *testing.T) {
	_, key := newKey(t)
	for _, tc := range []struct {
		method, path, body string
		unchanged          func(t *testing.T, e *env)
	}{
		{"POST", "/v1/account/password", `{"currentPassword":"amy-password","newPassword":"a-new-password-of-hers"}`, func(t *testing.T, e *env) {
			if code, _ := e.do("POST", "/v1/auth/login", "", `{"username":"amy","password":"amy-password"}`, nil); code != 200 {
				t.Errorf("the old password stopped working: %d", code)
			}
		}},
		{"PATCH", "/v1/account/profile", `{"fullName":"Mallory"}`, func(t *testing.T, e *env) {
			if u := e.stored(t); u.FullName == "Mallory" {
				t.Errorf("the name changed: %q", u.FullName)
			}
		}},
		{"POST", "/v1/account/2fa/enroll", `{"password":"amy-password"}`, func(t *testing.T, e *env) {
			if u := e.stored(t); u.TwoFactor != server.TwoFactorOff {
				t.Errorf("2FA is %s", u.TwoFactor)
			}
		}},
		{"POST", "/v1/account/ssh-keys", fmt.Sprintf(`{"publicKey":%q,"password":"amy-password"}`, key), func(t *testing.T, e *env) {
			keys, err := e.svc.Store().ListSSHKeys(context.Background(), e.stored(t).ID)
			if err != nil || len(keys) != 0 {
				t.Errorf("keys %v %v", keys, err)
			}
		}},
		{"PUT", "/v1/account/project", `{"project":"SCRATCH"}`, func(t *testing.T, e *env) {
			cur, err := e.svc.Store().CurrentProject(context.Background(), e.stored(t).ID)
			if err == nil && cur.Project.ID != "" {
				t.Errorf("the current project became %q", cur.Project.Name)
			}
		}},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			e := newEnv(t)
			lr := e.login()
			p, err := e.svc.FindProject(context.Background(), "Scratch Project")
			if err != nil {
				t.Fatal(err)
			}
			body := strings.ReplaceAll(tc.body, "SCRATCH", p.ID)
			h := e.holdRequest(t, tc.method, tc.path, lr.Token, body)
			if _, err := e.svc.AdminEndSessions(context.Background(), "amy", true); err != nil {
				t.Fatal(err)
			}
			a := h.finish()
			if a.code != http.StatusUnauthorized || !strings.Contains(a.body, `"reason":"revoked"`) {
				t.Fatalf("sent on a session ended meanwhile: %d %s, want 401 revoked", a.code, a.body)
			}
			tc.unchanged(t, e)
		})
	}
}

// TestAttackExpiredMidRequestMakesNoToken: a session that expires while its
// request's body is on its way makes no token that would outlive it.
func TestAttackExpiredMidRequestMakesNoToken(t *testing.T) {
	e := newEnv(t)
	lr := e.login()
	h := e.holdRequest(t, "POST", "/v1/tokens", lr.Token, `{"name":"outliving-its-session"}`)
	e.clock.Set(lr.ExpiresAt.Add(time.Second))
	a := h.finish()
	if a.code != http.StatusUnauthorized || !strings.Contains(a.body, `"reason":"expired"`) {
		t.Fatalf("a token made by a session that expired mid-request: %d %s, want 401 expired", a.code, a.body)
	}
}

// stored is amy as the store has her now.
func (e *env) stored(t *testing.T) server.User {
	t.Helper()
	u, err := e.svc.Store().UserByName(context.Background(), "amy")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestAttackEndedMidRequestChecksNoPassword: a fresh proof sent on a
// session ended while the body was on its way is not checked at all. The
// answer was "the current password is not correct" for a wrong password
// and "revoked" (from the write) for the right one: the ended session
// could still tell a right password from a wrong one.
func TestAttackEndedMidRequestChecksNoPassword(t *testing.T) {
	for _, password := range []string{"amy-password", "not-her-password"} {
		e := newEnv(t)
		lr := e.login()
		body := fmt.Sprintf(`{"currentPassword":%q,"newPassword":"a-new-password-of-hers"}`, password)
		h := e.holdRequest(t, "POST", "/v1/account/password", lr.Token, body)
		if _, err := e.svc.AdminEndSessions(context.Background(), "amy", false); err != nil {
			t.Fatal(err)
		}
		a := h.finish()
		if a.code != http.StatusUnauthorized || !strings.Contains(a.body, `"reason":"revoked"`) {
			t.Errorf("password %q on a session ended meanwhile: %d %s, want 401 revoked", password, a.code, a.body)
		}
	}
}

// TestAttackEndedMidRequestEveryCredential: the write's re-read holds for
// the narrower credentials too: a scoped API token making a token within
// its scope, and an enroll-only session (its org requires 2FA, its grace
// is over) starting enrollment, each ended while its body is on its way.
func TestAttackEndedMidRequestEveryCredential(t *testing.T) {
	t.Run("scoped API token", func(t *testing.T) {
		e := newEnv(t)
		lr := e.login()
		p, err := e.svc.FindProject(context.Background(), "Scratch Project")
		if err != nil {
			t.Fatal(err)
		}
		var scoped wire.CreateTokenResponse
		body := `{"name":"scoped","scope":{"projects":{"` + p.ID + `":"VIEW"}}}`
		if code, _ := e.do("POST", "/v1/tokens", lr.Token, body, &scoped); code != 201 {
			t.Fatalf("make the scoped token: %d", code)
		}
		h := e.holdRequest(t, "POST", "/v1/tokens", scoped.Token, `{"name":"made-by-the-scoped"}`)
		if _, err := e.svc.AdminEndSessions(context.Background(), "amy", true); err != nil {
			t.Fatal(err)
		}
		if a := h.finish(); a.code != http.StatusUnauthorized || !strings.Contains(a.body, `"reason":"revoked"`) {
			t.Fatalf("a scoped token ended meanwhile: %d %s, want 401 revoked", a.code, a.body)
		}
	})
	t.Run("enroll-only session", func(t *testing.T) {
		e := newEnv(t)
		ctx := context.Background()
		if _, err := e.svc.CreateOrg(ctx, "acme", 0, false); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SetUserOrg(ctx, "amy", "acme"); err != nil {
			t.Fatal(err)
		}
		on, none := true, time.Duration(0)
		if _, err := e.svc.UpdateOrg(ctx, "acme", server.OrgUpdate{Require2FA: &on, TwoFactorGrace: &none}); err != nil {
			t.Fatal(err)
		}
		lr := e.login()
		var who wire.Whoami
		if code, _ := e.do("GET", "/v1/whoami", lr.Token, "", &who); code != 200 || who.Credential != wire.CredEnrollOnly {
			t.Fatalf("whoami: %d, credential %q, want enroll-only", code, who.Credential)
		}
		h := e.holdRequest(t, "POST", "/v1/account/2fa/enroll", lr.Token, `{"password":"amy-password"}`)
		if err := e.svc.AdminLock(ctx, "amy", true); err != nil {
			t.Fatal(err)
		}
		if a := h.finish(); a.code != http.StatusUnauthorized || !strings.Contains(a.body, `"reason":"locked"`) {
			t.Fatalf("an enroll-only session locked meanwhile: %d %s, want 401 locked", a.code, a.body)
		}
		if u := e.stored(t); u.TwoFactor != server.TwoFactorOff {
			t.Errorf("2FA is %s", u.TwoFactor)
		}
	})
}
