package testenv

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/latch-dev/latch/server"
)

// OpenRefusing opens a store on a new, empty database and returns it with
// a function that makes the database refuse every new event from then on
// (a trigger, a constraint: the engine's own means, through a connection
// of its own), as a full disk or a broken table would.
type OpenRefusing func(t *testing.T) (s server.Store, refuseEvents func(t *testing.T))

// RunAudit checks that no change is made without its audit event: once the
// database refuses events, every change the service makes fails, and
// leaves the data as it was; a refusal (a wrong password) that cannot be
// recorded fails too, instead of answering as if it were.
func RunAudit(t *testing.T, open OpenRefusing) {
	st, refuse := open(t)
	c := newCluster(t, st, nil)
	in := c.a
	c.user("amy")
	bob := c.user("bob")
	if _, err := in.svc.CreateOrg(bg, "lab", 0, false); err != nil {
		t.Fatal(err)
	}
	proj, err := in.svc.CreateProject(bg, "Genomes", false, false)
	must(t, err, "CreateProject")
	_, p := c.login(in, "amy")
	tok, _, err := in.svc.CreateToken(bg, p, server.TokenSpec{Name: "ci"}, meta)
	must(t, err, "CreateToken")
	keyLine := newKeyLine(t)
	bobSecret, _ := c.enroll("bob")
	c.clock.Advance(30 * time.Second)
	code := func() string {
		c.clock.Advance(30 * time.Second) // a step not used yet
		code, err := server.TOTPCode(bobSecret, server.TOTPStep(c.clock.Now()))
		must(t, err, "TOTPCode")
		return code
	}
	res, err := in.svc.Login(bg, server.LoginInput{Username: "bob", Password: password("bob"), Code: code(), Meta: meta})
	must(t, err, "bob's login with a code")
	bobP := c.auth(in, res.Secret)
	evsBefore := allEvents(t, st)

	refuse(t)

	amyNow := func() server.User {
		u, err := st.UserByName(bg, "amy")
		must(t, err, "UserByName")
		return u
	}
	before := amyNow()
	tokens := func(name string) int {
		u, err := st.UserByName(bg, name)
		must(t, err, "UserByName")
		toks, err := st.ListTokens(bg, u.ID)
		must(t, err, "ListTokens")
		live := 0
		for _, tk := range toks {
			if tk.RevokedAt.IsZero() {
				live++
			}
		}
		return live
	}
	live := tokens("amy")
	changes := []struct {
		name string
		do   func() error
	}{
		{"create a token", func() error {
			_, _, err := in.svc.CreateToken(bg, p, server.TokenSpec{Name: "more"}, meta)
			return err
		}},
		{"revoke a token", func() error { return in.svc.RevokeToken(bg, p, tok.ID, meta) }},
		{"revoke all tokens", func() error { _, _, err := in.svc.RevokeAll(bg, p, nil, true, meta); return err }},
		{"log out", func() error { return in.svc.Logout(bg, p, meta) }},
		{"log in", func() error {
			_, err := in.svc.Login(bg, server.LoginInput{Username: "amy", Password: password("amy"), Meta: meta})
			return err
		}},
		{"a wrong password", func() error {
			_, err := in.svc.Login(bg, server.LoginInput{Username: "amy", Password: "wrong-password", Meta: meta})
			return err
		}},
		{"change the password", func() error {
			_, err := in.svc.ChangePassword(bg, p, password("amy"), "a-new-long-password", "", false, meta)
			return err
		}},
		{"change the email", func() error {
			_, err := in.svc.UpdateProfile(bg, p, "Amy", "amy@example.org", password("amy"), "", false, meta)
			return err
		}},
		{"start 2FA", func() error { _, err := in.svc.BeginEnrollment(bg, p, password("amy"), "", meta); return err }},
		{"add an SSH key", func() error {
			_, err := in.svc.AddSSHKey(bg, p, keyLine, server.FreshProof{Password: password("amy")}, meta)
			return err
		}},
		{"turn 2FA off", func() error {
			_, err := in.svc.DisableTwoFactor(bg, bobP, password("bob"), code(), false, meta)
			return err
		}},
		{"admin: reset a password", func() error { _, err := in.svc.ResetPassword(bg, "amy", "an-admin-password", false); return err }},
		{"admin: move to an org", func() error { return in.svc.SetUserOrg(bg, "amy", "lab") }},
		{"admin: add to a project", func() error {
			_, err := in.svc.AddMember(bg, proj.ID, "amy", server.LevelView)
			return err
		}},
	}
	for _, ch := range changes {
		err := ch.do()
		var de *server.Error
		if err == nil || errors.As(err, &de) {
			t.Errorf("%s with events refused: got %v, want the store's failure", ch.name, err)
		}
	}

	after := amyNow()
	if after.PasswordHash != before.PasswordHash || after.Email != before.Email || after.FullName != before.FullName ||
		after.OrgID != before.OrgID || after.TwoFactor != before.TwoFactor {
		t.Errorf("amy changed without events: %+v, was %+v", after, before)
	}
	if n := tokens("amy"); n != live {
		t.Errorf("amy has %d live tokens, had %d", n, live)
	}
	if keys, err := st.ListSSHKeys(bg, before.ID); err != nil || len(keys) != 0 {
		t.Errorf("SSH keys %v (%v), want none", keys, err)
	}
	if a, err := st.ProjectForUser(bg, before.ID, proj.ID); err != nil || a.MemberLevel != server.LevelNone {
		t.Errorf("amy's level in the project: %v (%v), want none", a.MemberLevel, err)
	}
	if u, err := st.UserByID(bg, bob.ID); err != nil || u.TwoFactor != server.TwoFactorOn {
		t.Errorf("bob's 2FA is %q (%v), want still on", u.TwoFactor, err)
	}
	if got := allEvents(t, st); got != evsBefore {
		t.Errorf("%d events, was %d: something was recorded", got, evsBefore)
	}
}

func allEvents(t *testing.T, st server.Store) int {
	t.Helper()
	users, err := st.ListUsers(bg)
	must(t, err, "ListUsers")
	n := 0
	for _, id := range append([]int64{0}, ids(users)...) {
		evs, err := st.ListEvents(bg, id, 0, 0, 0)
		must(t, err, "ListEvents")
		n += len(evs)
	}
	return n
}

func ids(users []server.User) []int64 {
	out := make([]int64, len(users))
	for i, u := range users {
		out[i] = u.ID
	}
	return out
}

// newKeyLine is a fresh ed25519 public key as an authorized_keys line.
func newKeyLine(t *testing.T) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	must(t, err, "GenerateKey")
	pk, err := ssh.NewPublicKey(pub)
	must(t, err, "NewPublicKey")
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk))) + " amy@laptop"
}
