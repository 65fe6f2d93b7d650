package projects

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

// One key press (cursor down) on a list of 5,000 projects: Update and
// View, the work of one frame.
func BenchmarkProjectsKeyPress5k(b *testing.B) {
	levels := []string{wire.LevelView, wire.LevelUpload, wire.LevelContribute, wire.LevelAdminister}
	ps := make([]wire.Project, 5000)
	for i := range ps {
		ps[i] = wire.Project{ID: fmt.Sprintf("project-%024d", i), Name: fmt.Sprintf("Project %04d", i),
			Level: levels[i%4], PHI: i%7 == 0, Public: i%11 == 0, Member: true}
	}
	for _, size := range [][2]int{{80, 21}, {200, 57}} {
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			ctx := common.NewContext(nil, nil, time.Now)
			ctx.Project = &common.ProjectRef{ID: ps[2500].ID, Name: ps[2500].Name}
			m := New(ctx)
			m.SetSize(size[0], size[1])
			m.SetProjects(ps)
			down, up := tea.KeyPressMsg{Code: tea.KeyDown}, tea.KeyPressMsg{Code: tea.KeyUp}
			i := 0
			for b.Loop() {
				k := down
				if i%2000 >= 1000 {
					k = up
				}
				i++
				m.Update(k)
				_ = m.View()
			}
		})
	}
}
