package tokens

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

// A form (or the details) opened before the person's projects arrived
// lists them when they come; until then it says they are loading, not
// that there are none. (Before, such a form said "(you have no projects)"
// for as long as it was open.)
func TestFormOpenedBeforeProjectsListsThem(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	m := New(common.NewContext(nil, nil, func() time.Time { return now }))
	m.SetSize(80, 24)
	m.openForm()
	scope := func() string { return ansi.Strip(m.form.scope.View()) }
	if s := scope(); !strings.Contains(s, "loading your projects") {
		t.Fatalf("before the projects came, the scope field shows:\n%s", s)
	}
	tok := wire.Token{ID: "token-1", Name: "ci", Kind: wire.KindAPI, State: wire.StateActive,
		Scope: &wire.Scope{Projects: map[string]string{"p2": wire.LevelView}}}
	m.openDialog(newDetails(m.Ctx, tok, m.projects, m.askRevoke, m.askRotate, func() tea.Cmd { return nil }))

	ps := []wire.Project{{ID: "p1", Name: "Scratch Project", Level: wire.LevelUpload}, {ID: "p2", Name: "SAM importer test", Level: wire.LevelView}}
	m.Update(projectsMsg{projects: ps})
	if s := scope(); !strings.Contains(s, "[ ] Scratch Project") || !strings.Contains(s, "[ ] SAM importer test") {
		t.Fatalf("after the projects came, the scope field shows:\n%s", s)
	}
	if d := m.dialog.(*details); d.projects["p2"].Name != "SAM importer test" {
		t.Errorf("the details opened before the projects came name p2 %q", d.projects["p2"].Name)
	}

	// A pick survives a later reload; a level above the person's own
	// now is lowered to it.
	m.form.scope.rows[0].on, m.form.scope.rows[0].level = true, levelIndex(wire.LevelUpload)
	ps[0].Level = wire.LevelView
	m.Update(projectsMsg{projects: ps})
	if got := m.form.scope.picked(); len(got) != 1 || got["p1"] != wire.LevelView {
		t.Fatalf("picked after a reload: %v; want p1 at view", got)
	}

	empty := newScopeField(m.Ctx, nil, true)
	if s := ansi.Strip(empty.View()); !strings.Contains(s, "(you have no projects)") {
		t.Fatalf("with no projects, the scope field shows:\n%s", s)
	}
}
