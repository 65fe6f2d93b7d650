package tui_test

import (
	"context"

	"github.com/latch-dev/latch/server"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/tui"
	"github.com/latch-dev/latch/tui/internal/tuitest"
)

func TestLoginWithTwoFactorCode(t *testing.T) {
	srv := tuitest.NewServer(t)
	srv.SeedAmy(t, false)
	secret, _ := enable2FA(t, srv)
	c := newConsole(t, srv, 80, 24)
	c.Expect("Sign in to latch", "Server", "127.0.0.1", "amy")

	c.Type(tuitest.Password)
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
	c.Expect("1 Projects", "SAM importer test", "Scratch Project", "auto-logout in 15:00")
	if got := c.session().User.Username; got != "amy" {
		t.Fatalf("session of %q", got)
	}
	if c.persist.username != "amy" {
		t.Error("the username was not remembered")
	}
}

func TestLoginWithBackupCode(t *testing.T) {
	srv := tuitest.NewServer(t)
	srv.SeedAmy(t, false)
	_, codes := enable2FA(t, srv)
	c := newConsole(t, srv, 80, 24)
	c.Type(tuitest.Password)
	c.Keys("enter", "ctrl+b")
	c.Expect("Enter one of your backup codes")
	c.Type(codes[3])
	c.Keys("enter")
	c.Expect("1 Projects")
	if m := c.session().User.Username; m != "amy" {
		t.Fatal(m)
	}
}

func TestLoginErrors(t *testing.T) {
	srv := tuitest.NewServer(t)
	srv.SeedAmy(t, false)
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
	c.Type(tuitest.Password)
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
	srv := tuitest.NewServer(t)
	c := newConsole(t, srv, 80, 24, func(o *tui.Options) { o.API = tui.ClientAPI(cl) })
	c.Type("whatever1")
	c.Keys("enter")
	c.Expect("Cannot reach the server at")
	if !strings.Contains(strings.ReplaceAll(c.Screen(), "\n", " "), strings.TrimPrefix(url, "http://")) {
		t.Fatalf("the error does not name %s:\n%s", url, c.Screen())
	}
}

func TestFirstRunCreatesAccount(t *testing.T) {
	srv := tuitest.NewServer(t)
	var made string
	c := newConsole(t, srv, 80, 24, func(o *tui.Options) {
		o.Username = ""
		o.NeedsSetup = true
		o.CreateFirstUser = func(ctx context.Context, username, fullName, password string) error {
			made = username
			_, err := srv.Svc.CreateUser(ctx, server.NewUser{Username: username, FullName: fullName, Password: password})
			return err
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
