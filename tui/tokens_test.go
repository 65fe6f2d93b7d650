package tui_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/wire"
)

// Enter on a row shows everything the server knows of the token but its
// secret: the full name, id, scope project by project with PHI marked,
// inactivity limit, last use and from where.
func TestTokenDetails(t *testing.T) {
	srv := seeded(t)
	c := newConsole(t, srv, 80, 24)
	c.login(t, "")
	long := "nightly upload of the SAM importer runs to the scratch area, kept for audits"
	made, err := elsewhere(t, srv).CreateToken(context.Background(), wire.CreateTokenRequest{
		Name: long, IdleTimeout: wire.Duration(2 * time.Hour),
		Scope: &wire.Scope{Projects: map[string]string{srv.Projects["Scratch Project"]: wire.LevelUpload, srv.Projects["SAM importer test"]: wire.LevelView}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mustClient(t, srv, made.Token).Whoami(context.Background()); err != nil { // a last use to show
		t.Fatal(err)
	}
	c.Keys("2")
	c.WaitFor("2 projects")
	c.Keys("/")
	c.Type("nightly")
	c.Keys("enter", "enter")
	c.Expect("nightly upload of the SAM importer runs to the scratch area, kept for", "audits",
		made.ID, "api", "active", "Inactivity limit", "logged out after 2 hours unused",
		"Scope", "2 projects", "SAM importer test", "VIEW", "Scratch Project", "UPLOAD", "PHI", "from 127.0.0.1")
	c.Refute(made.Token)
	if strings.Count(c.Screen(), "PHI") != 1 {
		t.Fatalf("PHI marks only Scratch Project:\n%s", c.Screen())
	}
	// x revokes it from here, with the usual confirmation.
	c.Keys("x")
	c.Expect("Revoke this token?")
	c.Keys("y")
	c.Expect("Revoked “nightly upload")
	c.Keys("esc")
}

// The table says which rows show ("1–17 of 41"), marks the cursor with ▸,
// sorts either way, and an empty filter says so with the counts.
func TestTokenListPositionSortAndFilter(t *testing.T) {
	srv := seeded(t)
	c := newConsole(t, srv, 80, 24)
	c.login(t, "")
	other := elsewhere(t, srv)
	for i := range 39 {
		if _, err := other.CreateToken(context.Background(), wire.CreateTokenRequest{Name: fmt.Sprintf("job %02d", i)}); err != nil {
			t.Fatal(err)
		}
		srv.Clock.Advance(time.Second) // distinct creation times
	}
	c.Keys("2", "r")
	// The cursor stayed on this session's token while the others came.
	c.Expect("41 active", "25–41 of 41", "sorted by created ↓", "▸ ● tui session")
	c.Keys("home")
	c.Expect("1–17 of 41")
	c.Expect("▸   job 38") // the newest first, under the cursor marker
	c.Keys("pgdown")
	c.Expect("2–18 of 41")
	c.Keys("S")
	c.Expect("sorted by created ↑")
	c.Keys("home")
	c.Expect("1–17 of 41")
	c.Expect("▸   cli session") // the oldest first now
	c.Keys("/")
	c.Type("job 1")
	c.Expect("10 of 41 shown")
	c.Type("x")
	c.Expect("0 of 41 shown", "No token matches the filter. esc clears it.")
	c.Keys("esc")
	c.Expect("41 active", "1–17 of 41")
	c.Refute("No token matches")
}
