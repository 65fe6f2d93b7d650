package sshd

import (
	"context"
	"strings"
	"testing"
	"time"
)

// The consoles and commands of SSH sessions call the API in process: with
// the API's address pointing nowhere, everything still works, and the
// events say where the person is and that they came over SSH.
func TestSessionsReachTheAPIInProcess(t *testing.T) {
	w := newWorld(t, func(c *Config) {
		c.APIBaseURL = "http://127.0.0.1:9" // discard: nothing answers there
		c.RunCommand = fakeCLI
	})
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")

	tm := w.console("amy", nil, 80, 24)
	tm.Expect("Sign in to latch")
	tm.Keys(amyPassword, "enter")
	tm.Expect("1 Projects", "SAM importer test")
	tm.Keys("q")
	tm.Ended(5 * time.Second)

	out, errOut, code := w.run("amy", k, "", "whoami")
	if code != 0 || !strings.Contains(out, "amy ssh-key") {
		t.Fatalf("whoami over SSH: %d %q %q", code, out, errOut)
	}

	evs, err := w.apiLogin("amy", "").Events(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var login, keyLogin, logout bool
	for _, e := range evs.Events {
		if e.Method != "ssh" {
			continue
		}
		if e.Addr != "127.0.0.1" {
			t.Errorf("event %s over SSH has address %q, want the SSH client's", e.Type, e.Addr)
		}
		switch {
		case e.Type == "login.success" && strings.HasPrefix(e.Detail, "password"):
			login = true
		case e.Type == "login.success" && strings.HasPrefix(e.Detail, "ssh-key"):
			keyLogin = true
		case e.Type == "logout":
			logout = true
		}
	}
	if !login || !keyLogin || !logout {
		t.Fatalf("events with method ssh: password login %v, key login %v, logout %v; all: %+v", login, keyLogin, logout, evs.Events)
	}
}
