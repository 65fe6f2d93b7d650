package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latch-dev/latch/server/sqlite"
)

// `latch admin backup FILE` beside a running server: a 0600 copy that
// holds what the server acknowledged; an existing FILE and a PostgreSQL
// URL are refused, saying what to do.
func TestAdminBackupBesideARunningServer(t *testing.T) {
	w := startServe(t)
	url := w.addr("http")
	r := w.run(amyPassword+"\n", nil, "login", "--server", url, "--username", "amy", "--password-stdin", "--noprojects")
	expect(t, r, exitOK, nil, nil)
	r = w.run("", nil, "token", "create", "--name", "before-the-backup")
	expect(t, r, exitOK, nil, nil)

	dest := filepath.Join(t.TempDir(), "latch-backup.db")
	r = w.run("", nil, "admin", "backup", "--db", w.db, dest)
	expect(t, r, exitOK, []string{"Backed up " + w.db + " to " + dest, "integrity_check ok in", "mode 0600"}, nil)
	if m := fileMode(t, dest); m != 0o600 {
		t.Errorf("backup mode %o", m)
	}
	if !strings.Contains(r.stdout, "server key file "+filepath.Join(filepath.Dir(w.db), "latch.key")+" is not in the backup") {
		t.Errorf("backup does not name the key file to keep apart:\n%s", r.stdout)
	}
	// The copy opens with the database's key file, as a restore has it.
	cp, err := sqlite.OpenWith(dest, sqlite.Options{KeyFile: filepath.Join(filepath.Dir(w.db), "latch.key")})
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	u, err := cp.UserByName(context.Background(), "amy")
	if err != nil {
		t.Fatal(err)
	}
	toks, err := cp.ListTokens(context.Background(), u.ID)
	if err != nil || len(toks) < 2 || toks[0].Name != "before-the-backup" {
		t.Fatalf("tokens in the copy: %v %+v", err, toks)
	}

	r = w.run("", nil, "admin", "backup", "--db", w.db, dest)
	expect(t, r, exitError, nil, []string{"already exists"})
	r = w.run("", nil, "admin", "backup", "--db", "postgres://u@127.0.0.1/db", dest+"2")
	expect(t, r, exitUsage, nil, []string{"pg_dump"})
	r = w.run("", nil, "admin", "backup")
	expect(t, r, exitUsage, nil, []string{"usage: latch admin backup FILE"})
}
