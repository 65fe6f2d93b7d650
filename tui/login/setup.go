package login

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

// CreateUser makes the first account of an embedded server (the HTTP API
// has no sign-up): the command wires it to the service.
type CreateUser func(ctx context.Context, username, fullName, password string) error

// Setup is the first-run screen: create the first account, then sign in
// with it.
type Setup struct {
	ctx    *common.Context
	create CreateUser
	keys   keyMap
	fields []textinput.Model // username, full name, password, again
	focus  int
	err    string
	busy   bool
	width  int
	height int
}

var setupLabels = []string{"Username", "Full name", "Password", "Again"}

type setupDoneMsg struct {
	resp *wire.LoginResponse
	err  error
}

// NewSetup builds the first-run screen.
func NewSetup(ctx *common.Context, create CreateUser) *Setup {
	s := ctx.Styles
	m := &Setup{ctx: ctx, create: create}
	m.keys = keyMap{
		Next:   common.Bind("tab/↓", "next field", "tab", "down"),
		Prev:   common.Bind("shift+tab/↑", "previous field", "shift+tab", "up"),
		Submit: common.Bind("enter", "create account", "enter"),
	}
	m.fields = []textinput.Model{
		common.NewInput(s, "lower-case, e.g. amy", 32),
		common.NewInput(s, "optional", 100),
		common.NewSecretInput(s, "at least 8 characters"),
		common.NewSecretInput(s, "the same password again"),
	}
	m.fields[0].SetValue(ctx.Username)
	m.fields[0].Focus()
	return m
}

func (m *Setup) Init() tea.Cmd { return nil }

func (m *Setup) SetSize(w, h int) {
	m.width, m.height = w, h
	for i := range m.fields {
		m.fields[i].SetWidth(min(40, max(10, w-24)))
	}
}

func (m *Setup) Capturing() bool { return true }

func (m *Setup) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Submit, m.keys.Next, m.keys.Prev}
}

func (m *Setup) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

func (m *Setup) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.ThemeMsg:
		for i := range m.fields {
			m.fields[i].SetStyles(m.ctx.Styles.Input)
		}
	case setupDoneMsg:
		m.busy = false
		if msg.err != nil {
			m.err = msg.err.Error()
			return m, nil
		}
		r := msg.resp
		s := &common.Session{API: m.ctx.API.WithToken(r.Token), TokenID: r.TokenID, User: r.User,
			IdleTimeout: time.Duration(r.IdleTimeout) * time.Second, EnrollOnly: r.EnrollOnly}
		return m, common.Cmd(common.LoggedInMsg{Session: s})
	case tea.KeyPressMsg:
		if m.busy {
			return m, nil
		}
		switch {
		case key.Matches(msg, m.keys.Submit):
			if m.focus < len(m.fields)-1 {
				m.setFocus(m.focus + 1)
				return m, nil
			}
			return m, m.submit()
		case key.Matches(msg, m.keys.Next):
			m.setFocus((m.focus + 1) % len(m.fields))
			return m, nil
		case key.Matches(msg, m.keys.Prev):
			m.setFocus((m.focus + len(m.fields) - 1) % len(m.fields))
			return m, nil
		}
		var cmd tea.Cmd
		m.fields[m.focus], cmd = m.fields[m.focus].Update(msg)
		return m, cmd
	case tea.PasteMsg:
		var cmd tea.Cmd
		m.fields[m.focus], cmd = m.fields[m.focus].Update(msg)
		return m, cmd
	}
	return m, nil
}

func (m *Setup) setFocus(i int) {
	m.fields[m.focus].Blur()
	m.focus = i
	m.fields[m.focus].Focus()
}

func (m *Setup) submit() tea.Cmd {
	user := strings.ToLower(strings.TrimSpace(m.fields[0].Value()))
	name := strings.TrimSpace(m.fields[1].Value())
	pw, again := m.fields[2].Value(), m.fields[3].Value()
	switch {
	case user == "":
		m.err = "Choose a username."
		m.setFocus(0)
		return nil
	case len(pw) < 8:
		m.err = "The password needs at least 8 characters."
		m.setFocus(2)
		return nil
	case pw != again:
		m.err = "The two passwords differ."
		m.fields[3].SetValue("")
		m.setFocus(3)
		return nil
	}
	m.busy, m.err = true, ""
	create, api, base := m.create, m.ctx.API, m.ctx.Base
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
	s := m.ctx.Styles
	inner := min(60, max(30, m.width-8))
	var b strings.Builder
	b.WriteString(s.Title.Render("Welcome to latch") + "\n\n")
	b.WriteString(wrap("This server has no account yet. Create the first one; you will be signed in with it.", inner) + "\n\n")
	b.WriteString(s.Label.Width(12).Render("Server") + m.ctx.API.Server() + "\n")
	for i, f := range m.fields {
		ls := s.Label
		if i == m.focus {
			ls = s.Focused
		}
		b.WriteString(ls.Width(12).Render(setupLabels[i]) + f.View() + "\n")
	}
	b.WriteString("\n")
	switch {
	case m.busy:
		b.WriteString(s.Muted.Render("Creating the account…"))
	case m.err != "":
		b.WriteString(s.Error.Render(wrap(m.err, inner)))
	default:
		b.WriteString(s.Muted.Render("enter on the last field: create"))
	}
	return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, s.Box.Width(inner+4).Render(b.String()))
}
