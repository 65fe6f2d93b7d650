package common

import (
	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client/wire"
)

// Screen is one page of the console. The root model routes messages to
// the active screen and draws its View between the tab bar and the help
// and status lines.
type Screen interface {
	help.KeyMap
	Init() tea.Cmd
	Update(msg tea.Msg) (Screen, tea.Cmd)
	// View draws the screen in the size last given to SetSize.
	View() string
	SetSize(width, height int)
	// Capturing is true while a text field (or a form) has the keyboard:
	// the root then fires no bare-letter shortcut.
	Capturing() bool
}

// Guard is a screen that must not be left without asking first — one that
// shows backup codes not saved yet. LeaveWarning says why ("" when it may
// be left); the root asks before quitting or logging out.
type Guard interface {
	LeaveWarning() string
}

// Messages the screens and the root route with.
type (
	// LoggedInMsg: a login (or a saved token) succeeded.
	LoggedInMsg struct {
		Session *Session
	}
	// SessionEndedMsg: the server refused the session's token, or the
	// console logged out; Reason is shown on the login screen.
	SessionEndedMsg struct {
		Reason string
		// Logout asks the root to revoke the token first (when the
		// console itself ends the session).
		Logout bool
		// Unexpected: the person did not ask for it (revoked elsewhere,
		// expired, idle). The login screen then takes no key but enter
		// until it is read, so a key meant for the screen that was
		// showing never lands in the password field.
		Unexpected bool
	}
	// EndingDoneMsg carries the answer (Msg) of a CallEnding request.
	EndingDoneMsg struct {
		Session *Session
		Msg     tea.Msg
	}
	// AccountEventsMsg: the account's new events, from the server's stream
	// (another terminal created a token, signed in, changed the password).
	// Screens reload what the events touch; one not Shown may wait, since
	// showing it reloads it (RefreshMsg).
	AccountEventsMsg struct {
		Events []wire.Event
		Shown  bool // the screen that receives it is on screen
	}
	// OnlineMsg: the server answers again after it was lost; screens
	// reload what they show.
	OnlineMsg struct{}
	// ProjectSelectedMsg: the person chose a current project.
	ProjectSelectedMsg struct {
		Project wire.Project
	}
	// BackMsg: the screen had nothing left to close on Esc.
	BackMsg struct{}
	// FlashMsg shows a short notice in the status bar.
	FlashMsg struct {
		Text  string
		Error bool
	}
	// ThemeMsg: the styles changed (the terminal reported its background).
	ThemeMsg struct{}
	// RefreshMsg asks a screen to reload its data.
	RefreshMsg struct{}
	// ExpiringMsg: the tokens screen read the tokens; N active API tokens
	// expire within a week (the status bar says so).
	ExpiringMsg struct{ N int }
)

// Cmd wraps a message in a command.
func Cmd(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// tokenEvents are the event types after which the list of tokens and
// sessions differs: one made, revoked, signed in or out, or ended by a
// credentials change or a policy (docs/api.md lists the types).
var tokenEvents = map[string]bool{
	"login.success": true, "logout": true, "token.created": true, "token.revoked": true,
	"tokens.revoked": true, "password.changed": true, "password.reset": true, "session.expired": true,
	"2fa.enabled": true, "2fa.disabled": true, "profile.changed": true, "ssh-key.removed": true,
	"org.policy-changed": true, "token.rotated": true, "2fa.reset-by-admin": true,
	"sessions.ended-by-admin": true, "account.locked": true, "token.expired": true,
}

// sessionEvents change sessions only, never an API token.
var sessionEvents = map[string]bool{"login.success": true, "logout": true, "session.expired": true}

// APITokensTouched tells whether evs may change the API tokens (what the
// Tokens tab counts as expiring, on screen or not).
func APITokensTouched(evs []wire.Event) bool {
	for _, e := range evs {
		if tokenEvents[e.Type] && !sessionEvents[e.Type] {
			return true
		}
	}
	return false
}

// TokensTouched tells whether evs change the list of tokens and sessions.
func TokensTouched(evs []wire.Event) bool {
	for _, e := range evs {
		if tokenEvents[e.Type] {
			return true
		}
	}
	return false
}
