package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

// Names stored before the server refused control characters (or sent by
// another server) reach the reader's terminal escaped: an OSC 52 clipboard
// write, colour codes and a bidi override in a token name and a project
// name act on nothing, in tables, prompts and JSON alike.
func TestStoredControlCharactersNeverReachTheTerminal(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("0")
	u, err := w.srv.Store.UserByName(w.ctx, "amy")
	if err != nil {
		t.Fatal(err)
	}
	evil := "ci\x1b]52;c;ZWNobw==\x07\x1b[31mred\u009b\u202egnp.exe"
	now := w.clock.Now()
	if err := w.srv.Store.CreateToken(w.ctx, server.Token{ID: server.NewTokenID(), UserID: u.ID, Name: evil,
		Kind: server.KindAPI, SecretHash: server.HashSecret(server.NewTokenSecret()), CreatedAt: now,
		ExpiresAt: now.Add(24 * time.Hour)}, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.srv.Store.CreateProject(w.ctx, server.Project{ID: "project-evil", Name: "P\x1b]0;owned\x07", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := w.srv.Store.SetMember(w.ctx, "project-evil", u.ID, server.LevelAdminister, nil); err != nil {
		t.Fatal(err)
	}
	unsafe := func(s string) bool { return strings.ContainsAny(s, "\x1b\x07\u009b\u202e") }
	for _, args := range [][]string{
		{"token", "list"}, {"token", "list", "--wide"}, {"token", "list", "--json"},
		{"select", "--public"},
	} {
		r := w.run("9\n", nil, args...)
		if unsafe(r.stdout) || unsafe(r.stderr) {
			t.Errorf("%v printed raw control characters:\n%q\n%q", args, r.stdout, r.stderr)
		}
	}
	r := w.run("", nil, "token", "list")
	if !strings.Contains(r.stdout, `ci\x1b]52`) {
		t.Errorf("token list does not show the escaped name:\n%s", r.stdout)
	}
	r = w.run("", nil, "token", "list", "--json")
	if !strings.Contains(r.stdout, `\u001b]52`) || !strings.Contains(r.stdout, `\u202e`) {
		t.Errorf("token list --json does not keep the name as JSON escapes:\n%s", r.stdout)
	}
}
