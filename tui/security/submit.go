package security

import (
	"context"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
	"github.com/latch-dev/latch/tui/login"
)

func (m *Model) submit() tea.Cmd {
	f := &m.form
	f.Err = ""
	switch m.mode {
	case modePassword:
		req := wire.ChangePasswordRequest{CurrentPassword: f.Value(0), NewPassword: f.Value(1),
			Code: strings.TrimSpace(f.Value(3)), RevokeTokens: f.Fields[4].On}
		switch {
		case req.CurrentPassword == "":
			f.Err = "Enter your current password."
			return f.FocusField(0)
		case len(req.NewPassword) < 8:
			f.Err = "The new password needs at least 8 characters."
			return f.FocusField(1)
		case req.NewPassword != f.Value(2):
			f.Err = "The two new passwords differ."
			f.Fields[2].Input.SetValue("")
			return f.FocusField(2)
		case !f.Fields[3].Hidden && req.Code == "":
			f.Err = "Two-factor authentication is on: enter a code from your app or a backup code."
			return f.FocusField(3)
		}
		m.busy = true
		return common.CallReauth(m.ctx, func(ctx context.Context, api common.API) (*wire.RevokeResponse, error) {
			return api.ChangePassword(ctx, req)
		}, func(r *wire.RevokeResponse, err error) tea.Msg { return doneMsg{resp: r, err: err, what: modePassword} })
	case modeDisable:
		req := wire.DisableRequest{Password: f.Value(0), Code: strings.TrimSpace(f.Value(1)), RevokeTokens: f.Fields[2].On}
		if req.Password == "" || req.Code == "" {
			f.Err = "Enter your password and a code from your app (or a backup code)."
			return nil
		}
		m.busy = true
		return common.CallReauth(m.ctx, func(ctx context.Context, api common.API) (*wire.RevokeResponse, error) {
			return api.DisableTwoFactor(ctx, req)
		}, func(r *wire.RevokeResponse, err error) tea.Msg { return doneMsg{resp: r, err: err, what: modeDisable} })
	case modeAddKey:
		line := strings.TrimSpace(f.Value(0))
		if line == "" {
			f.Err = "Paste one public key line: the contents of ~/.ssh/id_ed25519.pub on your own computer (never the private key)."
			return f.FocusField(0)
		}
		if strings.Contains(line, "PRIVATE KEY") {
			f.Fields[0].Input.SetValue("")
			f.Err = "That is a private key: it never leaves your computer. Paste the .pub file's line instead."
			return f.FocusField(0)
		}
		req := wire.AddSSHKeyRequest{PublicKey: line, Password: f.Value(1), Code: strings.TrimSpace(f.Value(2))}
		switch {
		case req.Password == "":
			f.Err = "Enter your current password: a key opens sessions with your full rights."
			return f.FocusField(1)
		case !f.Fields[2].Hidden && req.Code == "":
			f.Err = "Two-factor authentication is on: enter a code from your app or a backup code."
			return f.FocusField(2)
		}
		m.busy = true
		return common.CallReauth(m.ctx, func(ctx context.Context, api common.API) (*wire.SSHKey, error) {
			return api.AddSSHKey(ctx, req)
		}, func(k *wire.SSHKey, err error) tea.Msg { return keyAddedMsg{key: k, err: err} })
	case modeRegen:
		req := wire.ReauthRequest{Password: f.Value(0), Code: strings.TrimSpace(f.Value(1))}
		if req.Password == "" || req.Code == "" {
			f.Err = "Enter your password and a code from your app (or a backup code)."
			return nil
		}
		m.busy = true
		return common.CallReauth(m.ctx, func(ctx context.Context, api common.API) (*wire.BackupCodesResponse, error) {
			return api.RegenerateBackupCodes(ctx, req)
		}, func(r *wire.BackupCodesResponse, err error) tea.Msg { return regenMsg{resp: r, err: err} })
	}
	return nil
}

// reauthError says what was wrong with a password and code.
func reauthError(err error) string {
	e, ok := common.AsAPIError(err)
	switch {
	case ok && e.Type == wire.ErrInvalidAuthentication:
		return "That password is not correct."
	case ok && e.Type == wire.ErrTwoFactorRequired && e.Reason == "replayed":
		return "That code was already used: wait for the next one."
	case ok && e.Type == wire.ErrTwoFactorRequired:
		return "That code was not accepted. " + login.ClockAdvice
	}
	return err.Error()
}

func (m *Model) done(msg doneMsg) tea.Cmd {
	m.busy = false
	if msg.err != nil {
		if msg.what == modeSignOut {
			m.mode, m.notice = modeList, "Could not sign out everywhere: "+msg.err.Error()
			return nil
		}
		m.form.Err = reauthError(msg.err)
		return nil
	}
	var reason string
	switch msg.what {
	case modePassword:
		reason = "Your password was changed and every session was signed out. Sign in with the new password."
	case modeDisable:
		reason = "Two-factor authentication is off, and every session was signed out. Sign in with your password."
	case modeSignOut:
		reason = "You signed out everywhere (" + plural(msg.resp.Revoked, "session") + " ended)."
	}
	if msg.resp.LoggedOut || msg.what != modeSignOut {
		return common.Cmd(common.SessionEndedMsg{Reason: reason})
	}
	m.mode, m.notice = modeList, reason
	return m.load()
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return itoa(n) + " " + what + "s"
}

// keyError says what was wrong with a pasted key.
func keyError(err error) string {
	if e, ok := common.AsAPIError(err); ok && e.Message != "" {
		return e.Message
	}
	return err.Error()
}

// keyLabel is a key's fingerprint with its comment.
func keyLabel(k wire.SSHKey) string {
	if k.Comment != "" {
		return k.Fingerprint + " (" + k.Comment + ")"
	}
	return k.Fingerprint
}
