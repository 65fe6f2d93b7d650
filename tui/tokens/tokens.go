// Package tokens is the API tokens screen: a table of the person's tokens
// (sessions included) with sort and filter, a form to create one, the new
// secret shown once with copy to clipboard, and revocation with
// confirmation, one by one or all at once.
package tokens

import (
	"context"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

type mode int

const (
	modeList mode = iota
	modeFilter
	modeForm
	modeSecret
	modeConfirm
	modeRevokeAll
)

type keyMap struct {
	list                                          common.ListKeys
	New, Revoke, RevokeAll, Filter, Sort, ShowAll key.Binding
	Refresh, Back, Done, Copy, Yes, No            key.Binding
}

// Model is the tokens screen.
type Model struct {
	ctx    *common.Context
	keys   keyMap
	mode   mode
	table  table
	cursor common.Cursor
	filter textinput.Model

	form      *form
	secret    *wire.CreateTokenResponse // shown once, then dropped
	copied    bool
	confirm   *wire.Token // the token to revoke
	allChoice int         // revoke-all: which kind

	loaded        bool
	busy          bool
	err           string
	notice        string
	projects      []wire.Project
	width, height int
}

type (
	loadedMsg struct {
		tokens []wire.Token
		err    error
	}
	projectsMsg struct {
		projects []wire.Project
	}
	createdMsg struct {
		resp *wire.CreateTokenResponse
		err  error
	}
	revokedMsg struct {
		token wire.Token
		err   error
	}
	revokedAllMsg struct {
		resp *wire.RevokeResponse
		err  error
	}
)

// New builds the tokens screen.
func New(ctx *common.Context) *Model {
	m := &Model{ctx: ctx}
	m.table.desc = true // newest first
	m.keys = keyMap{
		list:      common.NewListKeys(),
		New:       common.Bind("n", "new token", "n"),
		Revoke:    common.Bind("x/del", "revoke", "x", "delete"),
		RevokeAll: common.Bind("X", "revoke all…", "X"),
		Filter:    common.Bind("/", "filter", "/"),
		Sort:      common.Bind("s", "sort", "s"),
		ShowAll:   common.Bind("a", "show inactive", "a"),
		Refresh:   common.Bind("r", "reload", "r"),
		Back:      common.Bind("esc", "back", "esc"),
		Done:      common.Bind("enter", "done", "enter"),
		Copy:      common.Bind("c", "copy", "c"),
		Yes:       common.Bind("y", "yes, revoke", "y"),
		No:        common.Bind("n/esc", "cancel", "n", "esc"),
	}
	m.filter = common.NewInput(ctx.Styles, "name, id, kind, state or project", 100)
	m.filter.Prompt = "/ "
	return m
}

func (m *Model) Init() tea.Cmd { return tea.Batch(m.load(), m.loadProjects()) }

func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.filter.SetWidth(max(10, w-20))
	m.cursor.SetHeight(m.listHeight())
	if m.form != nil {
		m.form.setSize(w, h)
	}
}

// Capturing: text fields, and the dialogs, keep the keyboard so no global
// shortcut dismisses them by accident.
func (m *Model) Capturing() bool { return m.mode != modeList }

func (m *Model) load() tea.Cmd {
	return common.Call(m.ctx, func(ctx context.Context, api common.API) ([]wire.Token, error) {
		return api.Tokens(ctx)
	}, func(t []wire.Token, err error) tea.Msg { return loadedMsg{tokens: t, err: err} })
}

func (m *Model) loadProjects() tea.Cmd {
	return common.Call(m.ctx, func(ctx context.Context, api common.API) ([]wire.Project, error) {
		return api.Projects(ctx, wire.LevelView, true)
	}, func(ps []wire.Project, err error) tea.Msg { return projectsMsg{projects: ps} })
}

// SetTokens replaces the table's tokens (tests and benchmarks).
func (m *Model) SetTokens(toks []wire.Token) {
	m.table.set(toks)
	m.loaded, m.err = true, ""
	m.refilter()
}

func (m *Model) refilter() {
	m.table.apply(m.filter.Value())
	m.cursor.SetLen(len(m.table.shown))
}

func (m *Model) selected() (wire.Token, bool) {
	if len(m.table.shown) == 0 {
		return wire.Token{}, false
	}
	return m.table.all[m.table.shown[m.cursor.Index]], true
}

func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.ThemeMsg:
		m.filter.SetStyles(m.ctx.Styles.Input)
		if m.form != nil {
			m.form.restyle()
		}
	case common.RefreshMsg:
		if m.mode == modeList {
			return m, m.load()
		}
	case loadedMsg:
		if msg.err != nil {
			m.err = msg.err.Error()
			return m, nil
		}
		m.SetTokens(msg.tokens)
	case projectsMsg:
		m.projects = msg.projects
		m.table.names = make(map[string]string, len(msg.projects))
		for _, p := range msg.projects {
			m.table.names[p.ID] = p.Name
		}
		m.table.set(m.table.all)
	case createdMsg:
		return m, m.created(msg)
	case revokedMsg:
		return m, m.revoked(msg)
	case revokedAllMsg:
		return m, m.revokedAll(msg)
	case tea.PasteMsg:
		return m, m.paste(msg)
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

func (m *Model) paste(msg tea.PasteMsg) tea.Cmd {
	var cmd tea.Cmd
	switch m.mode {
	case modeFilter:
		m.filter, cmd = m.filter.Update(msg)
		m.refilter()
	case modeForm:
		cmd = m.form.update(msg)
	}
	return cmd
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	switch m.mode {
	case modeFilter:
		return m.filterKey(msg)
	case modeForm:
		return m.formKey(msg)
	case modeSecret:
		return m.secretKey(msg)
	case modeConfirm:
		return m.confirmKey(msg)
	case modeRevokeAll:
		return m.revokeAllKey(msg)
	}
	k := m.keys
	if m.cursor.Handle(k.list, msg) {
		return nil
	}
	m.notice = ""
	switch {
	case key.Matches(msg, k.New):
		m.form = newForm(m.ctx, m.projects)
		m.form.setSize(m.width, m.height)
		m.mode = modeForm
		return m.form.focusCmd()
	case key.Matches(msg, k.Revoke):
		if t, ok := m.selected(); ok {
			if t.State != wire.StateActive {
				m.notice = "That token is already " + t.State + "."
				return nil
			}
			m.confirm = &t
			m.mode = modeConfirm
		}
	case key.Matches(msg, k.RevokeAll):
		m.mode, m.allChoice = modeRevokeAll, 0
	case key.Matches(msg, k.Filter):
		m.mode = modeFilter
		return m.filter.Focus()
	case key.Matches(msg, k.Sort):
		m.table.nextSort()
		m.refilter()
	case key.Matches(msg, k.ShowAll):
		m.table.showAll = !m.table.showAll
		m.refilter()
	case key.Matches(msg, k.Refresh):
		return m.load()
	case key.Matches(msg, k.Back):
		if m.filter.Value() != "" {
			m.filter.SetValue("")
			m.refilter()
			return nil
		}
		return common.Cmd(common.BackMsg{})
	}
	return nil
}

func (m *Model) filterKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		m.filter.SetValue("")
		fallthrough
	case "enter":
		m.mode = modeList
		m.filter.Blur()
		m.refilter()
		return nil
	case "up", "down", "pgup", "pgdown":
		m.cursor.Handle(m.keys.list, msg)
		return nil
	}
	var cmd tea.Cmd
	m.filter, cmd = m.filter.Update(msg)
	m.refilter()
	return cmd
}
