package security

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

type action int

const (
	actEnable action = iota
	actDisable
	actRegen
	actReenroll
	actPassword
	actSignOut
	actAddKey
	actProfile
)

var actionLabels = map[action]string{
	actEnable:   "Enable two-factor authentication",
	actDisable:  "Turn off two-factor authentication",
	actRegen:    "Regenerate backup codes",
	actReenroll: "Move 2FA to a new phone (new QR code)",
	actPassword: "Change password",
	actSignOut:  "Sign out everywhere",
	actAddKey:   "Add an SSH key",
	actProfile:  "Change name or email",
}

// overviewKeys are the keys of the security overview.
type overviewKeys struct {
	common.ListKeys
	Do, Remove, SignOut, Refresh, Back key.Binding
}

func newOverviewKeys() overviewKeys {
	return overviewKeys{
		ListKeys: common.NewListKeys(),
		Do:       common.Bind("enter", "do it", "enter"),
		Remove:   common.Bind("enter/x", "remove key", "enter", "x", "delete", "backspace"),
		SignOut:  common.Bind("enter/x", "sign this session out", "enter", "x", "delete", "backspace"),
		Refresh:  common.Bind("r", "reload", "r"),
		Back:     common.Bind("esc", "back", "esc"),
	}
}

// overview is the security screen's main component: the two-factor
// state, the actions, then the SSH keys and the active sessions (the
// cursor runs on from the actions into both).
type overview struct {
	common.Common
	keys     overviewKeys
	cursor   common.Cursor
	status   *wire.TwoFactorStatus
	sessions []wire.Token
	sshKeys  []wire.SSHKey
	// apiTokens counts the active API tokens, which a credentials change
	// offers to revoke.
	apiTokens int
	err       string
	keysErr   string
	notice    string

	// What the overview asks of its screen, at once: keys typed right
	// after reach the form or dialog it opens.
	onStart   func(action) tea.Cmd
	onRemove  func(wire.SSHKey) tea.Cmd
	onSignOut func(wire.Token) tea.Cmd
}

func newOverview(ctx *common.Context) *overview {
	o := &overview{Common: common.NewCommon(ctx), keys: newOverviewKeys()}
	o.cursor.SetHeight(1 << 20) // the rows are few; the screen is drawn whole
	return o
}

func (o *overview) Init() tea.Cmd { return nil }

func (o *overview) enrollOnly() bool { return o.Ctx.Session != nil && o.Ctx.Session.EnrollOnly }

// actions are what the person can do now.
func (o *overview) actions() []action {
	switch {
	case o.status == nil:
		return nil
	case o.enrollOnly():
		return []action{actEnable}
	case o.status.State == "on":
		return []action{actDisable, actRegen, actReenroll, actPassword, actSignOut, actAddKey, actProfile}
	}
	return []action{actEnable, actPassword, actSignOut, actAddKey, actProfile}
}

// sync puts the cursor back inside the rows: the actions, the keys, then
// the sessions.
func (o *overview) sync() {
	o.cursor.SetLen(len(o.actions()) + len(o.keyRows()) + len(o.sessionRows()))
}

// keyRows and sessionRows are the keys and sessions listed (none while
// the status is unknown, or for an enroll-only session).
func (o *overview) keyRows() []wire.SSHKey {
	if o.status == nil || o.enrollOnly() {
		return nil
	}
	return o.sshKeys
}

func (o *overview) sessionRows() []wire.Token {
	if o.status == nil || o.enrollOnly() {
		return nil
	}
	return o.sessions
}

// sessionAt is the session under the cursor, nil when it is elsewhere.
func (o *overview) sessionAt() *wire.Token {
	i := o.cursor.Index - len(o.actions()) - len(o.keyRows())
	if rows := o.sessionRows(); i >= 0 && i < len(rows) {
		return &rows[i]
	}
	return nil
}

// keyAt is the SSH key under the cursor, nil when the cursor is on an
// action.
func (o *overview) keyAt() *wire.SSHKey {
	i := o.cursor.Index - len(o.actions())
	if rows := o.keyRows(); i >= 0 && i < len(rows) {
		return &rows[i]
	}
	return nil
}

func (o *overview) ShortHelp() []key.Binding {
	// The arrows' entry stands for both: a copy of Up that says so.
	choose := o.keys.Up
	choose.SetHelp("↑/↓", "choose")
	switch {
	case o.keyAt() != nil:
		return []key.Binding{choose, o.keys.Remove, o.keys.Refresh}
	case o.sessionAt() != nil:
		return []key.Binding{choose, o.keys.SignOut, o.keys.Refresh}
	}
	return []key.Binding{choose, o.keys.Do, o.keys.Refresh}
}

func (o *overview) FullHelp() [][]key.Binding {
	k := o.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.Home, k.End},
		{k.Do, k.Remove, k.SignOut, k.Refresh, k.Back},
	}
}

func (o *overview) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return o, nil
	}
	o.notice = ""
	if o.cursor.Handle(o.keys.ListKeys, k) {
		return o, nil
	}
	acts := o.actions()
	switch {
	case key.Matches(k, o.keys.Refresh):
		return o, common.Cmd(common.RefreshMsg{})
	case key.Matches(k, o.keys.Back):
		return o, common.Cmd(common.BackMsg{})
	case o.keyAt() != nil && key.Matches(k, o.keys.Remove):
		return o, o.onRemove(*o.keyAt())
	case o.sessionAt() != nil && key.Matches(k, o.keys.SignOut):
		return o, o.onSignOut(*o.sessionAt())
	case key.Matches(k, o.keys.Do) && o.cursor.Index < len(acts):
		return o, o.onStart(acts[o.cursor.Index])
	}
	return o, nil
}
