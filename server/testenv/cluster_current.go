package testenv

import (
	"testing"

	"github.com/latch-dev/latch/server"
)

// testCurrentProjectAcrossInstances: the current project chosen on one
// instance is the one every instance reads (an SSH console on A, a command
// on B), and a restarted service reads it too; a project the user cannot
// reach is refused as not found, a membership removed since hides it, a
// scoped token neither reads nor sets it, and an empty id clears it.
func testCurrentProjectAcrossInstances(t *testing.T, c *cluster) {
	c.user("cora")
	scratch, err := c.a.svc.CreateProject(bg, "Scratch", false, false)
	must(t, err, "CreateProject")
	pub, err := c.a.svc.CreateProject(bg, "Open data", true, false)
	must(t, err, "CreateProject")
	other, err := c.a.svc.CreateProject(bg, "Someone else's", false, false)
	must(t, err, "CreateProject")
	_, err = c.a.svc.AddMember(bg, scratch.ID, "cora", server.LevelView)
	must(t, err, "AddMember")

	_, pa := c.login(c.a, "cora")
	_, pb := c.login(c.b, "cora")
	current := func(in *instance, p *server.Principal) string {
		t.Helper()
		v, err := in.svc.CurrentProject(bg, p)
		must(t, err, "CurrentProject on "+in.name)
		if v == nil {
			return ""
		}
		return v.Name + "/" + v.Level.String()
	}
	if got := current(c.b, pb); got != "" {
		t.Fatalf("before any choice: %q", got)
	}
	v, err := c.a.svc.SelectProject(bg, pa, scratch.ID)
	if err != nil || v == nil || v.ID != scratch.ID {
		t.Fatalf("SelectProject on A: %+v, %v", v, err)
	}
	if got := current(c.b, pb); got != "Scratch/VIEW" {
		t.Errorf("B reads %q after A's choice, want Scratch/VIEW", got)
	}
	// A restart: a new service on B's store, a new session.
	restarted := &instance{name: "B restarted", store: c.b.store,
		svc: server.NewService(c.b.store, server.Options{Clock: c.clock, Argon2: CheapArgon2})}
	t.Cleanup(func() { restarted.svc.Close() })
	_, pr := c.login(restarted, "cora")
	if got := current(restarted, pr); got != "Scratch/VIEW" {
		t.Errorf("after a restart: %q, want Scratch/VIEW", got)
	}

	// A public project may be current; a project of others may not, and
	// the refusal does not tell it exists.
	if _, err := c.b.svc.SelectProject(bg, pb, pub.ID); err != nil {
		t.Errorf("a public project: %v", err)
	}
	if got := current(c.a, pa); got != "Open data/VIEW" {
		t.Errorf("A reads %q after B's choice", got)
	}
	for _, id := range []string{other.ID, "project-000000000000000000000000"} {
		_, err := c.a.svc.SelectProject(bg, pa, id)
		if de, ok := err.(*server.Error); !ok || de.Kind != server.KindNotFound {
			t.Errorf("select %s: %v, want NotFound", id, err)
		}
	}
	if _, err := c.a.svc.SelectProject(bg, pa, "Scratch"); err == nil {
		t.Error("a name instead of an id was accepted")
	}
	if got := current(c.a, pa); got != "Open data/VIEW" {
		t.Errorf("refused choices changed it: %q", got)
	}

	// Removed from the project since: not current any more.
	_, err = c.b.svc.SelectProject(bg, pb, scratch.ID)
	must(t, err, "SelectProject")
	_, err = c.a.svc.AddMember(bg, scratch.ID, "cora", server.LevelNone)
	must(t, err, "remove member")
	if got := current(c.b, pb); got != "" {
		t.Errorf("after the membership ended: %q, want none", got)
	}

	// A scoped token acts only inside its scope, never on the account.
	_, scoped, err := c.a.svc.CreateToken(bg, pa, server.TokenSpec{Name: "ci", Scope: map[string]server.Level{pub.ID: server.LevelView}}, meta)
	must(t, err, "CreateToken")
	ps := c.auth(c.b, scoped)
	if _, err := c.b.svc.SelectProject(bg, ps, pub.ID); err == nil {
		t.Error("a scoped token chose the current project")
	}
	if _, err := c.b.svc.CurrentProject(bg, ps); err == nil {
		t.Error("a scoped token read the current project")
	}

	// Cleared.
	_, err = c.a.svc.SelectProject(bg, pa, pub.ID)
	must(t, err, "SelectProject")
	if _, err := c.b.svc.SelectProject(bg, pb, ""); err != nil {
		t.Fatal(err)
	}
	if got := current(c.a, pa); got != "" {
		t.Errorf("after clearing on B, A reads %q", got)
	}
}
