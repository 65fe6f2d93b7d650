package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/sqlite"
)

// TestAttackAdminListsHostileNames: the operator's lists (users, orgs,
// projects) print names people chose, or that were stored before the
// server refused control characters. A newline in one made a row that is
// not there (tabwriter, behind a writer that lets newlines and tabs
// through), and a wide character pushed the columns after it out of line.
// They now go through the CLI's one table writer.
func TestAttackAdminListsHostileNames(t *testing.T) {
	db := filepath.Join(t.TempDir(), "latch.db")
	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	org := &server.Org{Name: "lab\nspoofed-org  1h0m0s  false  -", AutoLogoutAfter: time.Hour}
	if err := st.CreateOrg(ctx, org); err != nil {
		t.Fatal(err)
	}
	for _, u := range []server.User{
		{Username: "mallory", FullName: "Mal\nroot  Root  root@example.org  lab  on  2020-01-01", Email: "m\x1b[2J@example.org", CreatedAt: now},
		{Username: "kenji", FullName: "東京の健二", Email: "kenji@example.org", OrgID: org.ID, CreatedAt: now},
		{Username: "amy", FullName: "Amy", Email: "amy@example.org", CreatedAt: now},
	} {
		u.PasswordHash, u.TwoFactor = "x", server.TwoFactorOff
		if err := st.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"Open\tData\nproject-spoofed  Spoofed  true  true", "東京データ", "Scratch"} {
		if err := st.CreateProject(ctx, server.Project{ID: server.NewProjectID(), Name: name, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	for _, list := range []struct {
		what       string
		rows       int
		last, cell string // the last column's header, and every row's last cell
	}{{"user", 3, "CREATED", "2026-11-30"}, {"org", 1, "2FA-GRACE", "-"}, {"project", 3, "PHI", "false"}} {
		code, out, errOut := runAdminCmd(t, db, "", list.what, "list")
		if code != 0 {
			t.Fatalf("admin %s list: %d %s", list.what, code, errOut)
		}
		if bad := unsafeOutput(out); bad != "" {
			t.Errorf("admin %s list wrote %s:\n%q", list.what, bad, out)
		}
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) != list.rows+1 {
			t.Errorf("admin %s list: %d lines for a header and %d rows:\n%s", list.what, len(lines), list.rows, out)
			continue
		}
		// The last column starts at the same display column on every line
		// (a wide character before it counts two).
		want := ansi.StringWidth(lines[0]) - ansi.StringWidth(list.last)
		for _, l := range lines[1:] {
			if !strings.HasSuffix(l, list.cell) {
				t.Errorf("admin %s list: a row does not end in %q: %q", list.what, list.cell, l)
			} else if at := ansi.StringWidth(l) - ansi.StringWidth(list.cell); at != want {
				t.Errorf("admin %s list: a row's last column starts at %d, the header's at %d:\n%s", list.what, at, want, out)
			}
		}
	}
	if _, out, _ := runAdminCmd(t, db, "", "user", "list"); !strings.Contains(out, `Mal\x0aroot`) || !strings.Contains(out, `m\x1b[2J@example.org`) {
		t.Errorf("the hostile names are not shown escaped:\n%s", out)
	}
}
