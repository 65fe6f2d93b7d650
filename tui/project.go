package tui

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

// Where the console keeps the current project, in one place: on a
// computer, in the CLI's config file beside `latch select`'s choice
// (Persist); over SSH (Remote) the console runs in the server, where no
// file is the person's, so the server keeps it for the account — every
// SSH session and every instance starts with it, after restarts too.

type (
	// currentProjectMsg: the project the server keeps for the account,
	// read at sign-in.
	currentProjectMsg struct {
		session *common.Session
		project *wire.Project
		err     error
	}
	// projectKeptMsg: the server's answer to keeping a choice.
	projectKeptMsg struct {
		name string
		err  error
	}
)

// loadCurrentProject reads the account's current project over SSH.
func (m *Model) loadCurrentProject() tea.Cmd {
	s := m.ctx.Session
	if !m.ctx.Remote || s == nil || s.EnrollOnly {
		return nil
	}
	return common.Call(m.ctx, func(ctx context.Context, api common.API) (*wire.Project, error) {
		return api.CurrentProject(ctx)
	}, func(p *wire.Project, err error) tea.Msg { return currentProjectMsg{session: s, project: p, err: err} })
}

// currentProjectLoaded takes the account's project, unless the person
// chose one meanwhile. A failure leaves none: choosing one works still.
func (m *Model) currentProjectLoaded(msg currentProjectMsg) {
	if msg.session != m.ctx.Session || msg.err != nil || msg.project == nil || m.ctx.Project != nil {
		return
	}
	m.ctx.Project = &common.ProjectRef{ID: msg.project.ID, Name: msg.project.Name}
}

func (m *Model) selectProject(p wire.Project) tea.Cmd {
	m.ctx.Project = &common.ProjectRef{ID: p.ID, Name: p.Name}
	if m.ctx.Remote {
		id := p.ID
		return common.Call(m.ctx, func(ctx context.Context, api common.API) (*wire.Project, error) {
			return api.SelectProject(ctx, id)
		}, func(_ *wire.Project, err error) tea.Msg { return projectKeptMsg{name: p.Name, err: err} })
	}
	text, isErr := "Current project: "+p.Name, false
	if per := m.ctx.Persist; per != nil {
		if err := per.SaveProject(p.ID, p.Name); err != nil {
			text, isErr = "Selected "+p.Name+" but could not save it: "+err.Error(), true
		}
	}
	m.setFlash(text, isErr)
	return nil
}

// projectKept says whether the server kept the choice.
func (m *Model) projectKept(msg projectKeptMsg) {
	if msg.err != nil {
		m.setFlash(msg.name+" is current in this session only: "+common.ErrorText(msg.err), true)
		return
	}
	m.setFlash("Current project: "+msg.name+", kept for your account", false)
}
