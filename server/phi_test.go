package server_test

import (
	"testing"

	"github.com/latch-dev/latch/server"
)

// A token that reaches a project where the user has PHI access carries
// PHI access, and says so — also a token scoped to the PHI project alone.
func TestPHIReach(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	_, p := f.login("amy")
	clinical, _ := f.svc.CreateProject(f.ctx, "Clinical cohort", false, true)
	scratch, _ := f.svc.CreateProject(f.ctx, "Scratch", false, false)
	other, _ := f.svc.CreateProject(f.ctx, "Someone else's PHI", false, true)
	_ = other
	f.svc.AddMember(f.ctx, clinical.ID, "amy", server.LevelUpload)
	f.svc.AddMember(f.ctx, scratch.ID, "amy", server.LevelAdminister)
	all, _, _ := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: "all"}, server.Meta{})
	onlyPHI, _, _ := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: "phi", Scope: map[string]server.Level{clinical.ID: server.LevelView}}, server.Meta{})
	noPHI, _, _ := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: "scratch", Scope: map[string]server.Level{scratch.ID: server.LevelView}}, server.Meta{})
	reach, err := f.svc.PHIReach(f.ctx, p.User.ID, []server.Token{all, onlyPHI, noPHI})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{all.ID: "Clinical cohort", onlyPHI.ID: "Clinical cohort", noPHI.ID: ""} {
		got := ""
		if refs := reach[id]; len(refs) == 1 {
			got = refs[0].Name
		} else if len(refs) > 1 {
			t.Errorf("%s reaches %v", id, refs)
		}
		if got != want {
			t.Errorf("token %s reaches PHI %q, want %q", id, got, want)
		}
	}
}
