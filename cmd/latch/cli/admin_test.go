package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// runAdmin runs `latch admin --db DB args...` with stdin and returns the
// exit code, stdout and stderr.
func runAdminCmd(t *testing.T, db, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := run(context.Background(), e, append([]string{"admin", "--db", db}, args...))
	return code, out.String(), errb.String()
}

func TestAdminCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "latch.db")
	steps := []struct {
		stdin   string
		args    []string
		code    int
		outHas  string
		errHas  string
		capture string // remember stdout under this name
	}{
		{"", []string{"org", "create", "lab", "--auto-logout-after", "5m"}, 0, "autoLogoutAfter 5m0s", "", ""},
		{"", []string{"org", "create", "lab"}, 1, "", "already exists", ""},
		{"", []string{"org", "create", "bad", "--auto-logout-after", "1s"}, 1, "", "between 1 minute and 7 days", ""},
		{"password-of-amy\n", []string{"user", "create", "Amy", "--password-stdin", "--org", "lab", "--email", "amy@example.org"}, 0, "created user amy", "", ""},
		{"short\n", []string{"user", "create", "bob", "--password-stdin"}, 1, "", "at least 8 characters", ""},
		{"password-of-bob\n", []string{"user", "create", "bob", "--password-stdin", "--org", "nope"}, 1, "", `no org "nope"`, ""},
		{"", []string{"user", "create", "bob"}, 2, "", "usage", ""},
		{"", []string{"project", "create", "Scratch Project"}, 0, "project-", "", "scratch"},
		{"", []string{"project", "create", "Open Data", "--public", "--phi"}, 0, "project-", "", ""},
		{"", []string{"project", "add-member", "Scratch Project", "amy", "ADMINISTER"}, 0, "amy has ADMINISTER on Scratch Project", "", ""},
		{"", []string{"project", "add-member", "Scratch Project", "amy", "OWNER"}, 2, "", "unknown access level", ""},
		{"", []string{"project", "add-member", "No Such", "amy", "VIEW"}, 1, "", `no project named "No Such"`, ""},
		{"", []string{"org", "set", "lab", "--require-2fa=true"}, 0, "require2FA true", "", ""},
		{"", []string{"org", "set", "lab"}, 2, "", "nothing to change", ""},
		{"", []string{"org", "set", "lab", "--2fa-grace", "48h"}, 0, "keep their rights until", "", ""},
		{"", []string{"org", "set", "lab", "--2fa-grace", "2400h"}, 1, "", "between 0 and 90 days", ""},
		{"", []string{"org", "list"}, 0, "48h0m0s", "", ""},
		{"", []string{"user", "reset-2fa", "amy"}, 1, "", "no two-factor authentication to reset", ""},
		{"", []string{"user", "revoke-sessions", "amy", "--revoke-tokens"}, 0, "0 sessions and 0 API tokens ended", "", ""},
		{"", []string{"user", "lock", "amy"}, 0, "amy is locked", "", ""},
		{"", []string{"user", "unlock", "amy"}, 0, "amy is unlocked", "", ""},
		{"", []string{"user", "lock"}, 2, "", "usage: latch admin user lock USERNAME", ""},
		{"new-password-of-amy\n", []string{"user", "reset-password", "amy", "--password-stdin"}, 0, "password of amy reset", "", ""},
		{"", []string{"user", "list"}, 0, "amy@example.org", "", ""},
		{"", []string{"project", "list"}, 0, "Open Data", "", ""},
		{"", []string{"frobnicate", "now"}, 2, "", "unknown action", ""},
	}
	for _, s := range steps {
		code, out, errOut := runAdminCmd(t, db, s.stdin, s.args...)
		if code != s.code || !strings.Contains(out, s.outHas) || !strings.Contains(errOut, s.errHas) {
			t.Fatalf("admin %s: exit %d (want %d)\nstdout: %s\nstderr: %s", strings.Join(s.args, " "), code, s.code, out, errOut)
		}
		if s.capture != "" && strings.Count(strings.TrimSpace(out), "\n") != 0 {
			t.Fatalf("project create must print the id alone, got %q", out)
		}
	}
	_, out, _ := runAdminCmd(t, db, "", "user", "list", "--json")
	var users []struct {
		Username string `json:"username"`
		Org      string `json:"org"`
	}
	if err := json.Unmarshal([]byte(out), &users); err != nil || len(users) != 1 || users[0].Org != "lab" {
		t.Fatalf("user list --json: %q %v", out, err)
	}
	if strings.Contains(out, "password") || strings.Contains(out, "argon2") {
		t.Fatal("user list shows password material")
	}
}

// TestKeyValueDSNIsRefusedWithoutItsPassword: `--db 'host=… password=…'`
// is a usage error that names the URL form, repeats no password, and
// leaves no SQLite file named after the string.
func TestKeyValueDSNIsRefusedWithoutItsPassword(t *testing.T) {
	t.Chdir(t.TempDir())
	code, out, errOut := runAdminCmd(t, "host=db1 dbname=latch user=latch password=hunter2-secret", "", "user", "list")
	if code != 2 || !strings.Contains(errOut, "postgres://") || strings.Contains(out+errOut, "hunter2") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if left, _ := filepath.Glob("*"); len(left) > 0 {
		t.Errorf("files left behind: %v", left)
	}
}
