package httpapi_test

import (
	"context"
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

	tr := e.srv.Client().Transport.(*http.Transport).Clone()
	tr.ExpectContinueTimeout = time.Minute
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	const body = `{"name":"made-after-the-deadline"}`
	gb := newGatedBody(body)
	req, err := http.NewRequest("POST", e.srv.URL+"/v1/tokens", gb)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(body))
	req.Header.Set("Authorization", "Bearer "+lr.Token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Expect", "100-continue")
	type answer struct {
		code int
		body string
		err  error
	}
	done := make(chan answer, 1)
	go func() {
		resp, err := client.Do(req)
		if err != nil {
			done <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		done <- answer{code: resp.StatusCode, body: string(raw)}
	}()
	select {
	case <-gb.reading:
	case a := <-done:
		t.Fatalf("answered before the body was asked for: %d %s %v", a.code, a.body, a.err)
	case <-time.After(20 * time.Second):
		t.Fatal("the handler never asked for the body")
	}
	e.clock.Advance(2 * time.Second) // the deadline passes while the body is on its way
	close(gb.release)
	a := <-done
	if a.err != nil {
		t.Fatal(a.err)
	}
	if a.code != http.StatusForbidden || !strings.Contains(a.body, wire.ErrTwoFactorEnrollment) {
		t.Fatalf("a token made by a request whose body came after the 2FA deadline: %d %s, want 403 %s",
			a.code, a.body, wire.ErrTwoFactorEnrollment)
	}
	// The same request sent at once now is refused alike (the control).
	if code, _ := e.do("POST", "/v1/tokens", lr.Token, body, nil); code != http.StatusForbidden {
		t.Fatalf("create token after the deadline: %d, want 403", code)
	}
}
