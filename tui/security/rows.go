package security

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

// The confirmations of the overview's rows: remove an SSH key, sign one
// session out; and what their answers do.

func (m *Model) confirmRemove(k wire.SSHKey) *common.Confirm {
	s := m.Styles()
	inner := min(58, max(34, m.Width-10))
	fp := k.Fingerprint
	return common.NewConfirm(m.Ctx, "Remove this SSH key?", "yes, remove the key",
		func() tea.Cmd {
			return common.CallEnding(m.Ctx, false, func(ctx context.Context, api common.API) (struct{}, error) {
				return struct{}{}, api.RemoveSSHKey(ctx, fp)
			}, func(_ struct{}, err error) tea.Msg { return keyRemovedMsg{fingerprint: fp, err: err} })
		},
		func() tea.Cmd { return m.closeDialog("") }).
		Body(common.Truncate(k.Fingerprint, inner) + "\n" + s.Muted.Render(common.Truncate(k.Comment, inner))).
		Note("Connections with it will need your password again, and the sessions it opened end at once.").
		Busy("Removing…")
}

// confirmSignOut asks before one session is signed out (revoked).
func (m *Model) confirmSignOut(t wire.Token) *common.Confirm {
	s := m.Styles()
	inner := min(58, max(34, m.Width-10))
	used := "never used"
	if t.LastUsedAt != nil {
		used = "used " + common.Ago(*t.LastUsedAt, m.Ctx.Now())
	}
	if t.LastUsedAddr != "" {
		used += " from " + t.LastUsedAddr
	}
	c := common.NewConfirm(m.Ctx, "Sign this session out?", "yes, sign it out",
		func() tea.Cmd {
			return common.CallEnding(m.Ctx, false, func(ctx context.Context, api common.API) (struct{}, error) {
				return struct{}{}, api.RevokeToken(ctx, t.ID)
			}, func(_ struct{}, err error) tea.Msg { return sessionEndedMsg{session: t, err: err} })
		},
		func() tea.Cmd { return m.closeDialog("") }).
		Body(common.Truncate(t.Name, inner) + "\n" + s.Muted.Render(common.Truncate(used, inner))).
		Note("Whoever uses it — a browser, a terminal, an SSH session — is signed out at once.").
		Busy("Signing out…")
	if m.Ctx.Session != nil && t.ID == m.Ctx.Session.TokenID {
		c.Warn("This is the session of this console: you will be logged out here.")
	}
	return c
}

func (m *Model) sessionSignedOut(msg sessionEndedMsg) tea.Cmd {
	m.dialog = nil
	if msg.err != nil {
		m.overview.notice = "Could not sign the session out: " + common.ErrorText(msg.err) + "."
		return m.load()
	}
	if s := m.Ctx.Session; s != nil && msg.session.ID == s.TokenID {
		return common.EndOwn(m.Ctx, "You signed out the session of this console.")
	}
	m.overview.notice = "Signed out “" + msg.session.Name + "”."
	return m.load()
}

func (m *Model) keyAdded(msg keyAddedMsg) tea.Cmd {
	if m.page == nil {
		return nil
	}
	if msg.err != nil {
		if e, ok := client.AsError(msg.err); ok && (e.Type == wire.ErrInvalidAuthentication || e.Type == wire.ErrTwoFactorRequired) {
			return m.page.failed(msg.err, "password")
		}
		m.page.busy = false
		return m.page.form.Fail("key", keyError(msg.err))
	}
	m.page = nil
	m.overview.notice = "Added SSH key " + keyLabel(*msg.key) + ": `ssh` to this server with it opens the console without your password."
	return m.load()
}

func (m *Model) keyRemoved(msg keyRemovedMsg) tea.Cmd {
	m.dialog = nil
	if msg.err != nil {
		m.overview.notice = "Could not remove the key: " + common.ErrorText(msg.err) + "."
		return nil
	}
	m.overview.notice = "Removed SSH key " + msg.fingerprint + "."
	return m.load()
}
