package tui_test

import (
	"context"
	"errors"

	"net/http/httptest"
	"strings"
	"testing"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/server/testenv"
	"github.com/latch-dev/latch/tui"
)

func TestLoginWithTwoFactorCode(t *testing.T) {
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	secret, _ := enable2FA(t, srv)
	c := newConsole(t, srv, 80, 24)
	c.Expect("Sign in to latch", "Server", "127.0.0.1", "amy")

	c.Type(testenv.Password)
	c.Keys("enter")
	c.Expect("Two-factor authentication is on", "Code")
	if c.session() != nil {
		t.Fatal("logged in without a code")
	}
	c.Type("000000")
	c.Keys("enter")
	c.Expect("That code was not accepted.", "Automatic Date and Time")

	c.Type(srv.Code(t, secret, 0))
	c.Keys("enter")
	c.Expect("1 Projects", "SAM importer test", "Scratch Project", "auto-logout in 15 min")
	if got := c.session().User.Username; got != "amy" {
		t.Fatalf("session of %q", got)
	}
	if c.persist.username != "amy" {
		t.Error("the username was not remembered")
	}
}

func TestLoginWithBackupCode(t *testing.T) {
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	_, codes := enable2FA(t, srv)
	c := newConsole(t, srv, 80, 24)
	c.Type(testenv.Password)
	c.Keys("enter", "ctrl+b")
	c.Expect("Enter one of your backup codes")
	c.Type(codes[3])
	c.Keys("enter")
	c.Expect("1 Projects")
	if m := c.session().User.Username; m != "amy" {
		t.Fatal(m)
	}
	// The same code again is called used, not blamed on the clock.
	c.Keys("L")
	c.Type(testenv.Password)
	c.Keys("enter", "ctrl+b")
	c.Type(codes[3])
	c.Keys("enter")
	c.Expect("That backup code was already used", "another one, or a code from your app")
	c.Refute("clock")
}

func TestLoginErrors(t *testing.T) {
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	c := newConsole(t, srv, 80, 24)
	c.Type("wrong password")
	c.Keys("enter")
	c.Expect("Incorrect username or password.")
	// Guessing is throttled: the screen counts down the server's
	// Retry-After.
	for range 10 {
		c.Type("wrong password")
		c.Keys("enter")
	}
	c.Expect("Too many failed attempts. Try again in 2")
	c.Type(testenv.Password)
	c.Keys("enter")
	if c.session() != nil {
		t.Fatal("a throttled login went through")
	}
}

func TestLoginServerUnreachable(t *testing.T) {
	dead := httptest.NewServer(nil)
	url := dead.URL
	dead.Close()
	cl, _ := client.New(url, "")
	srv := testenv.New(t)
	c := newConsole(t, srv, 80, 24, func(o *tui.Options) { o.API = tui.ClientAPI(cl) })
	c.Type("whatever1")
	c.Keys("enter")
	c.Expect("Cannot reach the server at")
	if !strings.Contains(strings.ReplaceAll(c.Screen(), "\n", " "), strings.TrimPrefix(url, "http://")) {
		t.Fatalf("the error does not name %s:\n%s", url, c.Screen())
	}
}

func TestFirstRunCreatesAccount(t *testing.T) {
	srv := testenv.New(t)
	var made string
	c := newConsole(t, srv, 80, 24, func(o *tui.Options) {
		o.Username = ""
		o.NeedsSetup = true
		o.CreateFirstUser = func(ctx context.Context, username, fullName, password string) error {
			made = username
			return srv.CreateUser(ctx, username, fullName, password)
		}
	})
	c.Expect("Welcome to latch", "no account yet")
	c.Type("zoe")
	c.Keys("tab")
	c.Type("Zoe")
	c.Keys("tab")
	c.Type("a long password")
	c.Keys("enter")
	c.Type("a different one")
	c.Keys("enter")
	c.Expect("The two passwords differ.")
	c.Type("a long password")
	c.Keys("enter")
	if made != "zoe" || c.session() == nil {
		t.Fatalf("first account not made and used (%q):\n%s", made, c.Screen())
	}
}

// The host hears of each sign-in; when it refuses one (the SSH server's
// per-user cap), the console logs that session out and ends.
func TestOnSignInHookAcceptsAndRefuses(t *testing.T) {
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	var heard []tui.SignIn
	c := newConsole(t, srv, 80, 24, func(o *tui.Options) {
		o.OnSignIn = func(s tui.SignIn) error { heard = append(heard, s); return nil }
	})
	c.login(t, "")
	if len(heard) != 1 || heard[0].User.Username != "amy" || heard[0].TokenID != c.session().TokenID || heard[0].API == nil {
		t.Fatalf("heard %+v", heard)
	}

	var refused tui.SignIn
	r := newConsole(t, srv, 80, 24, func(o *tui.Options) {
		o.OnSignIn = func(s tui.SignIn) error { refused = s; return errors.New("too many sessions") }
	})
	r.Type(testenv.Password)
	r.Keys("enter")
	if !r.Quit || r.session() != nil {
		t.Fatalf("a refused sign-in opened the console (quit %v):\n%s", r.Quit, r.Screen())
	}
	if _, err := refused.API.Whoami(context.Background()); !client.IsAuth(err) {
		t.Fatalf("the refused session still works: %v", err)
	}
}
