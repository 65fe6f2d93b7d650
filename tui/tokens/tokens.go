// Package tokens is the API tokens screen: a table of the person's tokens
// (sessions included) with sort and filter, a form to create one, the new
// secret shown once with copy to clipboard, and revocation with
// confirmation, one by one or all at once. Each of these is a component
// with its own keymap; the screen routes to the one showing.
package tokens

import (
	"context"
	"fmt"
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

// Model is the tokens screen.
type Model struct {
	common.Common
	list     *list
	form     *tokenForm       // nil unless a token is being made
	dialog   common.Component // the secret, a confirmation; nil when none
	projects []wire.Project
	// projectsLoaded: projects is the server's answer, not yet nothing.
	projectsLoaded bool
}

type (
	loadedMsg struct {
		tokens []wire.Token
		err    error
	}
	projectsMsg struct {
		projects []wire.Project
		err      error
	}
	createdMsg struct {
		resp *wire.CreateTokenResponse
		err  error
	}
	revokedMsg struct {
		token wire.Token
		err   error
	}
	rotatedMsg struct {
		old  wire.Token
		resp *wire.CreateTokenResponse
		err  error
	}
	revokedAllMsg struct {
		resp *wire.RevokeResponse
		err  error
	}
)

// New builds the tokens screen.
func New(ctx *common.Context) *Model {
	m := &Model{Common: common.NewCommon(ctx), list: newList(ctx)}
	m.list.onNew, m.list.onRevoke, m.list.onRevokeAll = m.openForm, m.askRevoke, m.askRevokeAll
	m.list.onDetails = m.openDetails
	return m
}

// The components open and close each other through the screen, within
// the key press that asks: keys typed right after reach what was opened.

func (m *Model) openForm() tea.Cmd {
	m.form = newTokenForm(m.Ctx, m.projects, m.projectsLoaded, m.closeForm)
	m.form.SetSize(m.Width, m.Height)
	return m.form.Init()
}

func (m *Model) closeForm() tea.Cmd {
	m.form = nil
	return nil
}

func (m *Model) openDialog(d common.Component) tea.Cmd {
	m.dialog = d
	d.SetSize(m.Width, m.Height)
	return d.Init()
}

// closeDialog closes the dialog; notice (if any) goes under the table.
func (m *Model) closeDialog(notice string) tea.Cmd {
	m.dialog = nil
	if notice != "" {
		m.list.notice = notice
	}
	return nil
}

func (m *Model) askRevoke(t wire.Token) tea.Cmd { return m.openDialog(m.confirmRevoke(t)) }

func (m *Model) openDetails(t wire.Token) tea.Cmd {
	return m.openDialog(newDetails(m.Ctx, t, m.projects, m.askRevoke, m.askRotate, func() tea.Cmd { return m.closeDialog("") }))
}

func (m *Model) askRevokeAll() tea.Cmd {
	return m.openDialog(newRevokeAllDialog(m.Ctx, m.revokeAll, func() tea.Cmd { return m.closeDialog("") }))
}

func (m *Model) Init() tea.Cmd { return tea.Batch(m.load(), m.loadProjects()) }

func (m *Model) SetSize(w, h int) {
	m.Common.SetSize(w, h)
	for _, c := range m.components() {
		c.SetSize(w, h)
	}
}

// components are those alive, the one showing last.
func (m *Model) components() []common.Component {
	cs := []common.Component{m.list}
	if m.form != nil {
		cs = append(cs, m.form)
	}
	if m.dialog != nil {
		cs = append(cs, m.dialog)
	}
	return cs
}

// active is the component that has the keyboard (no allocation: it is
// asked on every key press and every frame).
func (m *Model) active() common.Component {
	switch {
	case m.dialog != nil:
		return m.dialog
	case m.form != nil:
		return m.form
	}
	return m.list
}

// Capturing: the form and the dialogs keep the keyboard, and so does the
// filter while it is typed in.
func (m *Model) Capturing() bool { return m.form != nil || m.dialog != nil || m.list.filtering }

func (m *Model) ShortHelp() []key.Binding  { return m.active().ShortHelp() }
func (m *Model) FullHelp() [][]key.Binding { return m.active().FullHelp() }
func (m *Model) View() string              { return m.active().View() }

func (m *Model) load() tea.Cmd {
	return common.Call(m.Ctx, func(ctx context.Context, api common.API) ([]wire.Token, error) {
		return api.Tokens(ctx)
	}, func(t []wire.Token, err error) tea.Msg { return loadedMsg{tokens: t, err: err} })
}

func (m *Model) loadProjects() tea.Cmd {
	return common.Call(m.Ctx, func(ctx context.Context, api common.API) ([]wire.Project, error) {
		return api.Projects(ctx, wire.LevelView, true)
	}, func(ps []wire.Project, err error) tea.Msg { return projectsMsg{projects: ps, err: err} })
}

// SetTokens replaces the table's tokens (tests and benchmarks).
func (m *Model) SetTokens(toks []wire.Token) { m.list.setTokens(toks) }

func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.ThemeMsg:
		m.list.restyle()
		if m.form != nil {
			m.form.form.Restyle()
		}
		return m, nil
	case common.RefreshMsg:
		if m.form == nil && m.dialog == nil {
			return m, m.load()
		}
		return m, nil
	case common.AccountEventsMsg:
		// Tokens and sessions made or ended elsewhere appear and go,
		// under an open form or dialog as well. Hidden, the list waits to
		// be shown, but for what the tab counts (expiring API tokens).
		hidden := !msg.Shown && m.form == nil && m.dialog == nil
		if common.TokensTouched(msg.Events) && (!hidden || common.APITokensTouched(msg.Events)) {
			return m, m.load()
		}
		return m, nil
	case common.OnlineMsg:
		return m, tea.Batch(m.load(), m.loadProjects())
	case loadedMsg:
		if msg.err != nil {
			if text := common.LoadError(msg.err, m.list.loaded); text != "" {
				m.list.err = text
			}
			return m, nil
		}
		m.list.setTokens(msg.tokens)
		if d, ok := m.dialog.(*details); ok {
			d.set(msg.tokens)
		}
		return m, common.Cmd(common.ExpiringMsg{N: client.ExpiringTokens(msg.tokens, m.Ctx.Now())})
	case projectsMsg:
		if msg.err != nil {
			return m, nil // the scope column shows ids until the names come
		}
		m.projects, m.projectsLoaded = msg.projects, true
		m.list.setProjects(msg.projects)
		// A form or details opened before the projects came list them now.
		if m.form != nil {
			m.form.scope.setProjects(msg.projects, true)
		}
		if d, ok := m.dialog.(*details); ok {
			d.setProjects(msg.projects)
		}
		return m, nil
	case createdMsg:
		return m, m.created(msg)
	case revokedMsg:
		return m, m.revoked(msg)
	case rotatedMsg:
		return m, m.rotated(msg)
	case revokedAllMsg:
		return m, m.revokedAll(msg)
	case tea.KeyPressMsg, tea.PasteMsg:
		_, cmd := m.active().Update(msg)
		return m, cmd
	}
	// Anything else (the form's own messages) goes to the form.
	if m.form != nil {
		_, cmd := m.form.Update(msg)
		return m, cmd
	}
	return m, nil
}

func (m *Model) created(msg createdMsg) tea.Cmd {
	if m.form == nil {
		return nil
	}
	if msg.err != nil {
		m.form.failed(msg.err)
		return nil
	}
	m.form = nil
	return tea.Batch(m.openDialog(newSecretDialog(m.Ctx, msg.resp, m.list.table.scopeText(msg.resp.Info, true), m.closeDialog)), m.load())
}

func (m *Model) confirmRevoke(t wire.Token) *common.Confirm {
	s := m.Styles()
	c := common.NewConfirm(m.Ctx, "Revoke this token?", "yes, revoke it",
		func() tea.Cmd {
			return common.CallEnding(m.Ctx, false, func(ctx context.Context, api common.API) (struct{}, error) {
				return struct{}{}, api.RevokeToken(ctx, t.ID)
			}, func(_ struct{}, err error) tea.Msg { return revokedMsg{token: t, err: err} })
		},
		func() tea.Cmd { return m.closeDialog("") }).
		Body(fmt.Sprintf("%s  (%s, %s)\n%s", t.Name, t.Kind, m.list.table.scopeText(t, true), s.Muted.Render(t.ID))).
		Note("Anything using it — scripts, jobs, uploads — stops working at once. This cannot be undone.").
		Busy("Revoking…")
	if t.ID == currentID(m.Ctx) {
		c.Warn("This is the token of the session you are using now: revoking it logs you out of this console.")
	}
	return c
}

func (m *Model) revoked(msg revokedMsg) tea.Cmd {
	m.dialog = nil
	if msg.err != nil {
		m.list.notice = "Could not revoke: " + common.ErrorText(msg.err) + "."
		return m.load()
	}
	if msg.token.ID == currentID(m.Ctx) {
		return common.EndOwn(m.Ctx, "You revoked the token of this session, so you are logged out.")
	}
	m.list.notice = "Revoked “" + msg.token.Name + "”."
	return m.load()
}

func (m *Model) revokeAll(req wire.RevokeAllRequest) tea.Cmd {
	return common.CallEnding(m.Ctx, false, func(ctx context.Context, api common.API) (*wire.RevokeResponse, error) {
		return api.RevokeAll(ctx, req)
	}, func(r *wire.RevokeResponse, err error) tea.Msg { return revokedAllMsg{resp: r, err: err} })
}

func (m *Model) revokedAll(msg revokedAllMsg) tea.Cmd {
	m.dialog = nil
	if msg.err != nil {
		m.list.notice = "Could not revoke: " + common.ErrorText(msg.err) + "."
		return m.load()
	}
	if msg.resp.LoggedOut {
		return common.EndOwn(m.Ctx, "You revoked all your tokens, this session's included, so you are logged out.")
	}
	m.list.notice = "Revoked " + plural(msg.resp.Revoked, "token") + "."
	return m.load()
}

func currentID(ctx *common.Context) string {
	if s := ctx.Session; s != nil {
		return s.TokenID
	}
	return ""
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
