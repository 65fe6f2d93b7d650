package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/testenv"
)

// The server's words in an error reach the terminal escaped too: here
// they quote what was typed (a fingerprint with an OSC title sequence and
// a bidi override), as a proxy's plain-text error page could hold anything.
func TestAttackServerErrorTextIsPrintable(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("0")
	r := w.run("", nil, "ssh-key", "remove", "SHA256:\x1b]0;owned\x07\u202eevil")
	if r.code == 0 {
		t.Fatalf("removed a key that is not there: %+v", r)
	}
	if strings.ContainsAny(r.stdout+r.stderr, "\x1b\x07\u202e") {
		t.Errorf("the error printed raw control characters: %q", r.stderr)
	}
	if !strings.Contains(r.stderr, `\x1b]0;owned`) {
		t.Errorf("the error does not show what was refused, escaped: %q", r.stderr)
	}
}

// An operator's commands print names stored before the server refused
// control characters escaped, as the tables do.
func TestAttackAdminPrintsStoredNamesEscaped(t *testing.T) {
	db := filepath.Join(t.TempDir(), "latch.db")
	if code, out, errOut := runAdminCmd(t, db, "password-of-amy\n", "user", "create", "amy", "--password-stdin"); code != 0 {
		t.Fatalf("user create: %s %s", out, errOut)
	}
	st := testenv.SQLite(t, db)
	if err := st.CreateProject(context.Background(), server.Project{ID: "project-BBBBBBBBBBBBBBBBBBBBBBBB", Name: "P\x1b]0;owned\x07\u202e", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, args := range [][]string{
		{"project", "add-member", "project-BBBBBBBBBBBBBBBBBBBBBBBB", "amy", "VIEW"},
		{"project", "add-member", "project-BBBBBBBBBBBBBBBBBBBBBBBB", "amy", "NONE"},
		{"project", "list"},
	} {
		code, out, errOut := runAdminCmd(t, db, "", args...)
		if code != 0 || strings.ContainsAny(out+errOut, "\x1b\x07\u202e") || !strings.Contains(out, `\x1b]0;owned`) {
			t.Errorf("admin %v: exit %d, printed %q %q", args, code, out, errOut)
		}
	}
}
