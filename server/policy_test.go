package server_test

import (
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

func ptrTo[T any](v T) *T { return &v }

// Org policy is read live: turning require2FA on reaches sessions and
// tokens that already exist, after the grace period when one is set.
func TestRequire2FAReachesExistingCredentials(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.CreateOrg(f.ctx, "lab", 0, false); err != nil {
		t.Fatal(err)
	}
	f.user("amy", "lab")
	sres, session := f.login("amy")
	_, api, err := f.svc.CreateToken(f.ctx, session, server.TokenSpec{Name: "ci"}, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	updates, err := f.svc.WatchToken(f.ctx, session)
	if err != nil {
		t.Fatal(err)
	}
	if first := <-updates; first.State.Credential != server.CredPasswordSession {
		t.Fatalf("first state %+v", first)
	}

	// With a grace period, nothing changes until it ends.
	if _, err := f.svc.UpdateOrg(f.ctx, "lab", server.OrgUpdate{Require2FA: ptrTo(true), TwoFactorGrace: ptrTo(48 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ListTokens(f.ctx, f.auth(sres.Secret)); err != nil {
		t.Fatalf("within the grace period: %v", err)
	}
	select {
	case u := <-updates:
		if u.End != nil || u.State.Credential != server.CredPasswordSession || !u.State.TwoFactorDeadline.Equal(t0.Add(48*time.Hour)) {
			t.Errorf("the stream after require2FA with grace: %+v", u)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream did not hear of the policy change")
	}

	// Past the deadline the same session is enroll-only, and the API token
	// is refused with a reason that says to enroll.
	f.clock.Advance(48*time.Hour + time.Second)
	_, session2 := f.login("amy") // the old one idled out over two days
	if _, err := f.svc.ListTokens(f.ctx, session2); server.ErrorKind(err) != server.KindEnrollmentRequired {
		t.Errorf("session after the grace period: %v", err)
	}
	pAPI := f.auth(api)
	_, err = f.svc.ListProjects(f.ctx, pAPI, server.ProjectFilter{})
	if e, ok := err.(*server.Error); !ok || e.Kind != server.KindEnrollmentRequired || e.Reason != server.ReasonEnroll {
		t.Errorf("API token after the grace period: %v", err)
	}
	if _, err := f.svc.TwoFactorStatus(f.ctx, pAPI); err != nil {
		t.Errorf("an enroll-only credential may read the 2FA status: %v", err)
	}

	// Without a grace period it applies at once.
	if _, err := f.svc.UpdateOrg(f.ctx, "lab", server.OrgUpdate{Require2FA: ptrTo(false)}); err != nil {
		t.Fatal(err)
	}
	r3, s3 := f.login("amy")
	if _, err := f.svc.ListTokens(f.ctx, s3); err != nil {
		t.Fatalf("after require2FA off: %v", err)
	}
	if _, err := f.svc.UpdateOrg(f.ctx, "lab", server.OrgUpdate{Require2FA: ptrTo(true), TwoFactorGrace: ptrTo(time.Duration(0))}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ListTokens(f.ctx, f.auth(r3.Secret)); server.ErrorKind(err) != server.KindEnrollmentRequired {
		t.Errorf("existing session after require2FA without grace: %v", err)
	}
	// Every member got an event for each change.
	evs, _, err := f.svc.Events(f.ctx, f.auth(api), 0, 50)
	if server.ErrorKind(err) != server.KindEnrollmentRequired {
		t.Fatalf("events with an enroll-only token: %v", err)
	}
	u, _ := f.store.UserByName(f.ctx, "amy")
	all, _ := f.store.ListEvents(f.ctx, u.ID, 0, 0, 100)
	n := 0
	for _, e := range all {
		if e.Type == server.EventOrgPolicyChanged {
			n++
		}
	}
	if n != 3 || len(evs) != 0 {
		t.Errorf("%d org.policy-changed events, want 3", n)
	}
}

// A shorter autoLogoutAfter applies to existing sessions at once.
func TestShorterAutoLogoutAppliesToExistingSessions(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.CreateOrg(f.ctx, "lab", time.Hour, false); err != nil {
		t.Fatal(err)
	}
	f.user("amy", "lab")
	res, _ := f.login("amy")
	f.clock.Advance(10 * time.Minute)
	f.auth(res.Secret) // used at +10 min: an hour's limit leaves it alive
	if _, err := f.svc.UpdateOrg(f.ctx, "lab", server.OrgUpdate{AutoLogoutAfter: ptrTo(5 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(6 * time.Minute)
	if r := f.authErr(res.Secret); r.Reason != "idle" {
		t.Errorf("a session idle 6 minutes under a new 5-minute policy: %+v", r)
	}
}

// Removing an SSH key ends the sessions it opened, and their streams.
func TestRemovingAKeyEndsItsSessions(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	pres, p := f.login("amy")
	key, line := newSSHKey(t)
	k, err := f.svc.AddSSHKey(f.ctx, p, line, server.FreshProof{Password: "pw-amy-secret"}, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.LoginWithKey(f.ctx, "amy", key, "", server.Meta{Method: "ssh"})
	if err != nil {
		t.Fatal(err)
	}
	pk := f.auth(res.Secret)
	if pk.Credential(f.clock.Now()) != server.CredKeySession || pk.Token.SSHKey != k.Fingerprint {
		t.Fatalf("key session %+v", pk.Token)
	}
	keys, _ := f.svc.ListSSHKeys(f.ctx, p)
	if len(keys) != 1 || keys[0].AddedWith != "password session" || !keys[0].LastUsedAt.Equal(t0) {
		t.Errorf("key list %+v: want added with a password session, last used at login", keys)
	}
	ends := endOf(t, f, pk)
	if err := f.svc.RemoveSSHKey(f.ctx, p, k.Fingerprint, server.Meta{}); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-ends:
		if server.ErrorKind(err) != server.KindInvalidAuthentication {
			t.Errorf("the key session's stream ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the key session's stream did not end when the key was removed")
	}
	if r := f.authErr(res.Secret); r.Reason != "revoked" {
		t.Errorf("key session after the key was removed: %+v", r)
	}
	f.auth(pres.Secret) // the password session stays
}

// Org and membership changes are recorded for the users they affect.
func TestMembershipChangesAreEvents(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.CreateOrg(f.ctx, "lab", 0, false); err != nil {
		t.Fatal(err)
	}
	u := f.user("amy", "")
	p, _ := f.svc.CreateProject(f.ctx, "Scratch", false, false)
	if _, err := f.svc.AddMember(f.ctx, p.ID, "amy", server.LevelView); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetUserOrg(f.ctx, "amy", "lab"); err != nil {
		t.Fatal(err)
	}
	evs, _ := f.store.ListEvents(f.ctx, u.ID, 0, 0, 10)
	var types []string
	for _, e := range evs {
		types = append(types, e.Type)
	}
	if len(evs) != 2 || evs[0].Type != server.EventOrgMembership || evs[1].Type != server.EventProjectMembership {
		t.Errorf("events %v", types)
	}
}
