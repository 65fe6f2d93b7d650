package tokens

import (
	"context"
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

// revokeAllChoices are what "revoke all" can end.
var revokeAllChoices = []struct {
	label string
	req   wire.RevokeAllRequest
}{
	{"All API tokens (scripts and jobs using them stop at once)", wire.RevokeAllRequest{Kind: wire.KindAPI}},
	{"All other sessions (sign out everywhere else)", wire.RevokeAllRequest{Kind: wire.KindSession, ExceptCurrent: true}},
	{"Everything, this session included (logs you out)", wire.RevokeAllRequest{Kind: "all"}},
}

func (m *Model) formKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.busy {
		return nil
	}
	switch msg.String() {
	case "esc":
		m.form, m.mode = nil, modeList
		return nil
	case "ctrl+s":
		return m.submit()
	case "enter":
		if m.form.onLast() {
			return m.submit()
		}
	}
	return m.form.update(msg)
}

func (m *Model) submit() tea.Cmd {
	req, err := m.form.request(m.ctx.Now())
	if err != "" {
		m.form.err = err
		return nil
	}
	m.busy, m.form.err = true, ""
	return common.Call(m.ctx, func(ctx context.Context, api common.API) (*wire.CreateTokenResponse, error) {
		return api.CreateToken(ctx, req)
	}, func(r *wire.CreateTokenResponse, err error) tea.Msg { return createdMsg{resp: r, err: err} })
}

func (m *Model) created(msg createdMsg) tea.Cmd {
	m.busy = false
	if msg.err != nil {
		if m.form != nil {
			m.form.err = msg.err.Error()
		}
		return nil
	}
	m.form = nil
	m.secret, m.copied = msg.resp, false
	m.mode = modeSecret
	return m.load()
}

func (m *Model) secretKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Copy):
		m.copied = true
		return tea.SetClipboard(m.secret.Token)
	case key.Matches(msg, m.keys.Done), msg.String() == "esc":
		m.notice = "Token “" + m.secret.Info.Name + "” created. Its secret is no longer shown."
		m.secret, m.mode = nil, modeList
	}
	return nil
}

func (m *Model) confirmKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.busy {
		return nil
	}
	switch {
	case key.Matches(msg, m.keys.Yes):
		t := *m.confirm
		m.busy = true
		return common.Call(m.ctx, func(ctx context.Context, api common.API) (struct{}, error) {
			return struct{}{}, api.RevokeToken(ctx, t.ID)
		}, func(_ struct{}, err error) tea.Msg { return revokedMsg{token: t, err: err} })
	case key.Matches(msg, m.keys.No):
		m.confirm, m.mode = nil, modeList
	}
	return nil
}

func (m *Model) revoked(msg revokedMsg) tea.Cmd {
	m.busy, m.confirm, m.mode = false, nil, modeList
	if msg.err != nil {
		m.notice = "Could not revoke: " + msg.err.Error()
		return m.load()
	}
	if msg.token.ID == m.currentID() {
		return common.Cmd(common.SessionEndedMsg{Reason: "You revoked the token of this session, so you are logged out."})
	}
	m.notice = "Revoked “" + msg.token.Name + "”."
	return m.load()
}

func (m *Model) revokeAllKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.busy {
		return nil
	}
	switch msg.String() {
	case "up", "k":
		m.allChoice = max(0, m.allChoice-1)
	case "down", "j":
		m.allChoice = min(len(revokeAllChoices)-1, m.allChoice+1)
	case "esc", "n":
		m.mode = modeList
	case "enter", "y":
		req := revokeAllChoices[m.allChoice].req
		m.busy = true
		return common.Call(m.ctx, func(ctx context.Context, api common.API) (*wire.RevokeResponse, error) {
			return api.RevokeAll(ctx, req)
		}, func(r *wire.RevokeResponse, err error) tea.Msg { return revokedAllMsg{resp: r, err: err} })
	}
	return nil
}

func (m *Model) revokedAll(msg revokedAllMsg) tea.Cmd {
	m.busy, m.mode = false, modeList
	if msg.err != nil {
		m.notice = "Could not revoke: " + msg.err.Error()
		return m.load()
	}
	if msg.resp.LoggedOut {
		return common.Cmd(common.SessionEndedMsg{Reason: "You revoked all your tokens, this session's included, so you are logged out."})
	}
	m.notice = "Revoked " + plural(msg.resp.Revoked, "token") + "."
	return m.load()
}

func (m *Model) currentID() string {
	if s := m.ctx.Session; s != nil {
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
