package sshd

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/latch-dev/latch/server/testenv"
)

// "make current" in a console over SSH is kept by the server for the
// account: another instance on the same database (as after a restart)
// opens its consoles with it.
func TestOpenSSHMakeCurrentIsKeptOnTheServer(t *testing.T) {
	sshAvailable(t)
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	tm := w.openssh("amy", k, 80, 24)
	tm.Expect("1 Projects", "Scratch Project")
	tm.Keys("/", "Scratch", "enter", "enter")
	tm.Expect("Current project: Scratch Project, kept for your account")
	tm.Keys("q")
	tm.Ended(5 * time.Second)

	cur, err := w.apiLogin("amy", "").CurrentProject(context.Background())
	if err != nil || cur == nil || cur.Name != testenv.Scratch {
		t.Fatalf("the server keeps %+v, %v", cur, err)
	}

	other := newWorldWith(t, []testenv.Option{testenv.OnStore(testenv.SQLite(t, filepath.Join(w.dir, "latch.db")))})
	tm = other.openssh("amy", k, 80, 24)
	tm.Expect("1 Projects", "project: Scratch Project", "● Scratch Project")
}
