package tui_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server/testenv"
	"github.com/latch-dev/latch/tui/common"
)

// elsewhere is amy in another terminal: her own session, over HTTP.
func elsewhere(t *testing.T, srv *testenv.Env) *client.Client {
	t.Helper()
	c, _ := client.New(srv.URL, "", client.WithClientName("cli"))
	lr, err := c.Login(context.Background(), wire.LoginRequest{Username: "amy", Password: testenv.Password})
	if err != nil {
		t.Fatal(err)
	}
	return c.WithToken(lr.Token)
}

// A revoke from another terminal brings the console to the login screen
// by itself, saying why; a key pressed after that is not typed into the
// password field.
func TestLiveRevokedElsewhere(t *testing.T) {
	srv := seeded(t)
	c := newConsole(t, srv, 80, 24)
	c.login(t, "")
	c.Keys("2")
	c.Expect("tui session")
	if err := elsewhere(t, srv).RevokeToken(context.Background(), c.session().TokenID); err != nil {
		t.Fatal(err)
	}
	took := c.WaitFor("Sign in to latch")
	t.Logf("revoke elsewhere → login screen: %s", took.Round(time.Millisecond))
	c.Expect("Your session was revoked", "Press enter to sign in again")
	c.Refute("latch login") // the command line's advice does not apply here
	// "n" and "x" were meant for the tokens screen: they must not become
	// part of a password.
	c.Keys("n", "x")
	c.Expect("Keys typed until then")
	c.Keys("enter")
	c.Type(testenv.Password)
	c.Keys("enter")
	if c.session() == nil {
		t.Fatalf("the keys typed before enter reached the password field:\n%s", c.Screen())
	}
	c.Expect("1 Projects")
}

// A password changed in another terminal is a credentials change: the
// console's session ends at once, and the login screen says so.
func TestLivePasswordChangedElsewhere(t *testing.T) {
	srv := seeded(t)
	c := newConsole(t, srv, 80, 24)
	c.login(t, "")
	_, err := elsewhere(t, srv).ChangePassword(context.Background(), wire.ChangePasswordRequest{
		CurrentPassword: testenv.Password, NewPassword: "another good password"})
	if err != nil {
		t.Fatal(err)
	}
	c.WaitFor("Sign in to latch")
	c.Expect("credentials changed")
}

// Tokens and sessions made or ended elsewhere appear and go in the lists
// without a key pressed.
func TestLiveTokenCreatedElsewhere(t *testing.T) {
	srv := seeded(t)
	c := newConsole(t, srv, 80, 24)
	c.login(t, "")
	c.Keys("2")
	c.Expect("1 active", "tui session")
	other := elsewhere(t, srv) // a new session: it shows too
	c.WaitFor("2 active")
	made, err := other.CreateToken(context.Background(), wire.CreateTokenRequest{Name: "made by a script"})
	if err != nil {
		t.Fatal(err)
	}
	took := c.WaitFor("made by a script")
	t.Logf("token created elsewhere → on the screen: %s", took.Round(time.Millisecond))
	c.Expect("3 active")
	if err := other.RevokeToken(context.Background(), made.ID); err != nil {
		t.Fatal(err)
	}
	c.WaitFor("2 active")
	c.Refute("made by a script")
	c.Keys("3")
	c.Expect("Active sessions (2)")
	if err := other.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	c.WaitFor("Active sessions (1)")
}

// A lost server puts up a banner, keeps what is on the screen, retries by
// itself and says when it is back; what changed meanwhile shows then.
func TestLiveServerLostAndBack(t *testing.T) {
	srv := seeded(t)
	c := newConsole(t, srv, 80, 24)
	c.login(t, "")
	c.Keys("2")
	c.Expect("1 active", "tui session")
	srv.Stop()
	c.WaitFor("Offline")
	c.Expect("tui session", "1 active", "may be out of date")
	// A reload while it is away keeps the list and shows no raw error.
	c.Keys("r")
	c.Expect("tui session", "Offline")
	c.Refute("connection refused")
	// Meanwhile a token is made on the server's database.
	srv.TokenOnService(t, "amy", "made while away")
	srv.Start(t)
	took := c.WaitFor("Back online")
	t.Logf("server back → banner down: %s", took.Round(time.Millisecond))
	c.Refute("Offline")
	c.WaitFor("made while away")
	if c.session() == nil {
		t.Fatal("the session ended while the server was away")
	}
}

// An org's policy changes the running console at once: the countdown
// takes the new inactivity limit, and requiring 2FA switches it to
// enroll-only.
func TestLivePolicyChange(t *testing.T) {
	srv := seeded(t)
	c := newConsole(t, srv, 80, 24)
	c.login(t, "")
	c.Expect("auto-logout in 15 min")
	srv.SetAutoLogout(t, testenv.OrgName, 5*time.Minute)
	c.WaitFor("auto-logout in 5 min")
	c.Expect("auto-logout after 5 minutes")
	// 2FA required with two days' grace: the console says from when.
	srv.Require2FA(t, testenv.OrgName, 48*time.Hour)
	c.WaitFor("2FA required from 2026-11-27 09:00")
	c.Keys("3")
	c.Expect("Required", "from 2026-11-27 09:00 UTC (in 2d)")
	c.Expect("2FA required from 2026-11-27 09:00 UTC: see Security.") // whole, beside the countdown
	c.Keys("1")
	// The grace ends: enroll-only at once.
	srv.SetTwoFactorGrace(t, testenv.OrgName, 0)
	c.WaitFor("enable it to continue")
	c.Expect("Account security", "Enable two-factor authentication")
	c.Refute("Change password")
	c.Keys("1") // the other tabs are closed now
	c.Expect("Account security")
	if !c.session().EnrollOnly {
		t.Fatal("the session is not enroll-only")
	}
}

// Turning 2FA on ends every session, this one too, at the moment the code
// is confirmed: the backup codes stay on the screen until they are saved.
func TestLiveBackupCodesStayAfterTheEnd(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	srv := seeded(t)
	c := newConsole(t, srv, 100, 40)
	c.login(t, "")
	c.Keys("3", "enter", "enter")
	c.Type(testenv.Password)
	c.Keys("enter")
	c.Expect("Scan this code")
	secret := srv.PendingSecret(t, "amy")
	c.Keys("enter")
	c.Type(srv.Code(t, secret, 0))
	c.Keys("enter")
	c.Expect("I saved my backup codes")
	c.Pump(time.Second) // the stream reports the end meanwhile
	c.Expect("I saved my backup codes")
	c.Refute("Sign in to latch")
	// An event makes the screens behind reload, and the server refuses
	// them (the session has ended): the codes stay all the same.
	c.Send(common.AccountEventsMsg{Events: []wire.Event{{ID: 99, Type: "2fa.enabled"}}})
	c.Expect("I saved my backup codes")
	c.Refute("Sign in to latch")
	c.Keys("d", "space", "enter")
	c.Expect("All set.")
	c.Keys("enter")
	c.Expect("Sign in to latch", "Two-factor authentication is on")
}

// The time from a revoke in another terminal to the login screen, over
// ten runs: the figure the README quotes.
func TestLiveRevokeLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the latency figure takes ten logins")
	}
	srv := seeded(t)
	var took []time.Duration
	for range 10 {
		c := newConsole(t, srv, 80, 24)
		c.login(t, "")
		c.Pump(50 * time.Millisecond) // the stream is open
		start := time.Now()
		if err := elsewhere(t, srv).RevokeToken(context.Background(), c.session().TokenID); err != nil {
			t.Fatal(err)
		}
		c.WaitFor("Sign in to latch")
		took = append(took, time.Since(start))
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	var parts []string
	for _, d := range took {
		parts = append(parts, d.Round(time.Millisecond).String())
	}
	t.Logf("revoke elsewhere → login screen, 10 runs: median %s (all: %s)",
		((took[4] + took[5]) / 2).Round(time.Millisecond), strings.Join(parts, " "))
}

// An operator locks the account: the open console hears it at once.
func TestLiveAccountLocked(t *testing.T) {
	srv := seeded(t)
	c := newConsole(t, srv, 80, 24)
	c.login(t, "")
	srv.Lock(t, "amy")
	c.WaitFor("Sign in to latch")
	c.Expect("locked by an administrator")
}
