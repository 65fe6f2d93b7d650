package login

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
	"github.com/latch-dev/latch/tui/form"
)

// CreateUser makes the first account of an embedded server (the HTTP API
// has no sign-up): the command wires it to the service.
type CreateUser func(ctx context.Context, username, fullName, password string) error

// Setup is the first-run screen: create the first account, then sign in
// with it.
type Setup struct {
	common.Common
	create CreateUser
	form   *form.Form
	v      struct{ user, name, pass, again string }
	err    string // from the server
	busy   bool
}

type setupDoneMsg struct {
	resp *wire.LoginResponse
	err  error
}

// NewSetup builds the first-run screen.
func NewSetup(ctx *common.Context, create CreateUser) *Setup {
	m := &Setup{Common: common.NewCommon(ctx), create: create}
	m.v.user = ctx.Username
	keys := form.NewKeyMap("create account")
	keys.Save.SetEnabled(false)
	keys.Cancel.SetEnabled(false)
	m.form = form.New(ctx, keys,
		form.Text("username", "Username", &m.v.user).Placeholder("lower-case, e.g. amy").Limit(32),
		form.Text("name", "Full name", &m.v.name).Placeholder("optional").Limit(100),
		form.Text("password", "Password", &m.v.pass).Secret().Placeholder("at least 8 characters"),
		form.Text("again", "Again", &m.v.again).Secret().Placeholder("the same password again"),
	)
	return m
}

func (m *Setup) Init() tea.Cmd { return m.form.Init() }

func (m *Setup) SetSize(w, h int) {
	m.Common.SetSize(w, h)
	m.form.SetSize(min(60, max(30, w-8)), 4)
}

func (m *Setup) Capturing() bool { return true }

func (m *Setup) ShortHelp() []key.Binding  { return m.form.ShortHelp() }
func (m *Setup) FullHelp() [][]key.Binding { return m.form.FullHelp() }

func (m *Setup) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.ThemeMsg:
		m.form.Restyle()
		return m, nil
	case setupDoneMsg:
		m.busy = false
		if msg.err != nil {
			m.form.SetErr(msg.err.Error())
			return m, nil
		}
		r := msg.resp
		s := &common.Session{API: m.Ctx.API.WithToken(r.Token), TokenID: r.TokenID, User: r.User,
			IdleTimeout: r.IdleTimeout.Std(), EnrollOnly: r.EnrollOnly}
		return m, common.Cmd(common.LoggedInMsg{Session: s})
	case tea.KeyPressMsg:
		switch {
		case m.busy:
			return m, nil
		case m.form.Submits(msg):
			return m, m.submit()
		}
	}
	return m, m.form.Update(msg)
}

func (m *Setup) submit() tea.Cmd {
	user := strings.ToLower(strings.TrimSpace(m.v.user))
	name := strings.TrimSpace(m.v.name)
	pw := m.v.pass
	switch {
	case user == "":
		return m.form.Fail("username", "Choose a username.")
	case len(pw) < 8:
		return m.form.Fail("password", "The password needs at least 8 characters.")
	case pw != m.v.again:
		m.form.Clear("again")
		return m.form.Fail("again", "The two passwords differ.")
	}
	m.busy = true
	m.form.SetErr("")
	create, api, base := m.create, m.Ctx.API, m.Ctx.Base
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, common.CallTimeout)
		defer cancel()
		if err := create(ctx, user, name, pw); err != nil {
			return setupDoneMsg{err: err}
		}
		resp, err := api.Login(ctx, wire.LoginRequest{Username: user, Password: pw})
		return setupDoneMsg{resp: resp, err: err}
	}
}

func (m *Setup) View() string {
	s := m.Styles()
	inner := min(60, max(30, m.Width-8))
	var b strings.Builder
	b.WriteString(s.Title.Render("Welcome to latch") + "\n\n")
	b.WriteString(wrap("This server has no account yet. Create the first one; you will be signed in with it.", inner) + "\n\n")
	b.WriteString(row(s, m.form.LabelWidth(), "Server", m.Ctx.API.Server()))
	b.WriteString(m.form.View())
	switch {
	case m.busy:
		b.WriteString("\n\n" + s.Muted.Render("Creating the account…"))
	case m.form.Err() == "":
		b.WriteString("\n\n" + s.Muted.Render(m.form.Keys().Submit.Help().Key+" on the last field: create"))
	}
	return lipgloss.Place(m.Width, m.Height, lipgloss.Center, lipgloss.Center, s.Box.Width(inner+4).Render(b.String()))
}
