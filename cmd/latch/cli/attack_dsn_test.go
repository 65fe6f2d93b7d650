package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAttackKeyValueDSNNeverEchoed: a PostgreSQL key=value connection
// string given where latch wants a SQLite file — with libpq's optional
// spaces around "=", to `admin backup`'s --db, to `admin migrate --from`,
// to `latch serve --db` — is refused as a usage error that never repeats
// its password, and leaves no file named after it.
func TestAttackKeyValueDSNNeverEchoed(t *testing.T) {
	const spaced = "host = db1.internal dbname = latch user = latch password = hunter2-secret"
	const plain = "host=db1.internal dbname=latch user=latch password=hunter2-secret"
	cases := []struct {
		name string
		args []string
	}{
		{"spaces around =", []string{"admin", "--db", spaced, "user", "list"}},
		{"sslpassword only", []string{"admin", "--db", "sslpassword=hunter2-secret sslkey=/k", "user", "list"}},
		{"admin backup", []string{"admin", "--db", plain, "backup", "copy.db"}},
		{"admin migrate --from", []string{"admin", "migrate", "--from", plain, "--to", "postgres://latch@127.0.0.1:1/latch"}},
		{"serve --db", []string{"serve", "--db", plain, "--listen", "127.0.0.1:0"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			var out, errb bytes.Buffer
			e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			code := run(ctx, e, c.args)
			if code != 2 || strings.Contains(out.String()+errb.String(), "hunter2") || !strings.Contains(errb.String(), "postgres://") {
				t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
			}
			if left, _ := filepath.Glob("*"); len(left) > 0 {
				t.Errorf("files left behind: %v", left)
			}
		})
	}
}

// TestAttackMigrateToNeverEchoesItsPassword: `admin migrate --to` a URL
// that cannot be parsed or reached fails without repeating its password.
func TestAttackMigrateToNeverEchoesItsPassword(t *testing.T) {
	db := filepath.Join(t.TempDir(), "latch.db")
	if code, _, errOut := runAdminCmd(t, db, "", "org", "create", "lab"); code != 0 {
		t.Fatalf("org create: %d %s", code, errOut)
	}
	for _, to := range []string{
		"postgres://latch:hunter2-secret@[::1/latch",                                   // unparseable
		"postgres://latch:hunter2-secret@127.0.0.1:1/latch?connect_timeout=2",          // nobody there
		"postgres://latch@127.0.0.1:1/latch?password=hunter2-secret&connect_timeout=2", // in the query
		"postgres://latch:hunter2%2Dsecret@127.0.0.1:1/latch?connect_timeout=2",        // escaped
	} {
		code, out, errOut := runAdminCmd(t, db, "", "migrate", "--from", db, "--to", to)
		t.Logf("--to %s: %s", to, errOut)
		if code == 0 || strings.Contains(out+errOut, "hunter2") || strings.Contains(out+errOut, "%2Dsecret") {
			t.Errorf("--to %s: exit %d, stdout %q, stderr %q", to, code, out, errOut)
		}
	}
}
