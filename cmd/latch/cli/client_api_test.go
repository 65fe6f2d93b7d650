package cli

import (
	"context"
	"testing"
	"time"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// The client package against the real server: what the CLI does not
// exercise (profile, 2FA status, events, the event stream).

func TestClientAccountAndEvents(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	c := w.apiClient("")
	res, err := c.Login(w.ctx, wire.LoginRequest{Username: "amy", Password: amyPassword})
	if err != nil {
		t.Fatal(err)
	}
	c = c.WithToken(res.Token)

	name := "Amelia Pond"
	u, err := c.UpdateProfile(w.ctx, wire.ProfileRequest{FullName: &name})
	if err != nil || u.User.FullName != name || u.Revoked != 0 {
		t.Fatalf("UpdateProfile = %+v, %v", u, err)
	}
	st, err := c.TwoFactorStatus(w.ctx)
	if err != nil || st.State != "off" {
		t.Fatalf("TwoFactorStatus = %+v, %v", st, err)
	}
	evs, err := c.Events(w.ctx, 0, 10)
	if err != nil || len(evs.Events) == 0 || evs.Events[0].Type == "" {
		t.Fatalf("Events = %+v, %v", evs, err)
	}
	if h, err := c.Health(w.ctx); err != nil || h.Status != "ok" {
		t.Fatalf("Health = %+v, %v", h, err)
	}
	if _, err := c.Project(w.ctx, w.projects["Reference genomes"]); err != nil {
		t.Fatalf("Project: %v", err)
	}
}

// A stream sees new events, and ends with the revocation's reason as soon
// as its token is revoked.
func TestClientFollowEventsEndsOnRevoke(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	c := w.apiClient("")
	res, err := c.Login(w.ctx, wire.LoginRequest{Username: "amy", Password: amyPassword})
	if err != nil {
		t.Fatal(err)
	}
	c = c.WithToken(res.Token)
	ctx, cancel := context.WithTimeout(w.ctx, 10*time.Second)
	defer cancel()
	events, errc := c.FollowEvents(ctx, 0)
	// Let the stream open before acting, so its starting point is now.
	time.Sleep(100 * time.Millisecond)
	if _, err := c.CreateToken(ctx, wire.CreateTokenRequest{Name: "seen"}); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-events:
		if ev.Type != server.EventTokenCreated {
			t.Fatalf("first event %+v", ev)
		}
	case <-ctx.Done():
		t.Fatal("no event")
	}
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	for range events {
	}
	err = <-errc
	if !client.IsAuth(err) || client.Reason(err) != wire.ReasonRevoked {
		t.Fatalf("stream ended with %v", err)
	}
}

// An org that requires 2FA lets a member without it only enroll; login
// says so instead of offering projects.
func TestLoginEnrollOnly(t *testing.T) {
	w := newCLIWorld(t)
	if _, err := w.srv.Svc.CreateOrg(w.ctx, "acme", 15*time.Minute, true); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Svc.CreateUser(w.ctx, server.NewUser{Username: "amy", Password: amyPassword, Org: "acme"}); err != nil {
		t.Fatal(err)
	}
	r := w.run(amyPassword+"\n", nil, "login", "--username", "amy", "--password-stdin")
	expect(t, r, exitOK, nil, []string{"requires two-factor authentication", "latch 2fa enable"})
	r = w.run("", nil, "token", "list")
	expect(t, r, exitAuthNeed, nil, []string{"requires two-factor authentication"})
}
