package common

import (
	"context"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

// CallTimeout bounds one API call made by a screen.
const CallTimeout = 30 * time.Second

// Persist saves what the console remembers between runs, the way the command
// line does (`latch select`, the last username). Nil means nothing is saved.
type Persist interface {
	SaveProject(id, name string) error
	SaveUsername(username string) error
}

// ProjectRef is the current project.
type ProjectRef struct {
	ID   string
	Name string
}

// Session is the logged-in state: the token (in memory only), who it is
// and the inactivity limit the server applies to it.
type Session struct {
	API         API // authenticates with the session's token
	TokenID     string
	User        wire.User
	Org         *wire.Org
	IdleTimeout time.Duration // 0: none
	EnrollOnly  bool          // the org requires 2FA: only enrollment is allowed
	// External is true when the token came from outside (saved
	// credentials): quitting the console does not log it out.
	External bool
	// Ended is set when the server already ended the session (2FA was
	// just turned on) while a screen still shows something: no call is
	// made and no countdown runs.
	Ended bool
	// ExpiresAt is when the token expires; TwoFactorDeadline, while the
	// org requires 2FA of a user without it, when the session becomes (or
	// became) enroll-only. Both follow the server's watch stream.
	ExpiresAt         time.Time
	TwoFactorDeadline *time.Time
	// SignInNote is what the person is told of their last sign-in, as
	// every latch front end says it (client.LastSignInLines), and
	// FailedSignIns how many failed since; none for a saved token.
	SignInNote    []string
	FailedSignIns int

	ending int // calls of the console's own in flight that may end the session
}

// Ending reports whether a call of the console's own that may end the
// session (a password change, revoking its own token) is in flight: an end
// reported meanwhile by the server's stream waits for its answer.
func (s *Session) Ending() bool { return s.ending > 0 }

// EndingDone counts one such call as answered.
func (s *Session) EndingDone() { s.ending = max(0, s.ending-1) }

// EndOwn ends the session after an action of the console's own (a password
// change, 2FA turned off, its token revoked): from now on the server is not
// called, and the login screen says reason.
func EndOwn(ctx *Context, reason string) tea.Cmd {
	if s := ctx.Session; s != nil {
		s.Ended = true
	}
	return Cmd(SessionEndedMsg{Reason: reason})
}

// Context is the injected state every screen shares within one program.
// The root model owns it; screens read it and never keep copies.
type Context struct {
	Base   context.Context // ends when the program (SSH session) ends
	API    API             // unauthenticated: login
	Width  int
	Height int
	Styles Styles
	Keys   GlobalKeys
	Now    func() time.Time
	// Loc is the person's time zone: dates are shown in it, with its
	// name, and a date typed means through the end of that day there.
	Loc     *time.Location
	Persist Persist
	// Tick schedules a timer message (tea.Tick); tests replace it.
	Tick func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd

	// Remote: the console runs on the server for someone elsewhere (SSH),
	// so it must not write files; OfferCodes (may be nil) keeps backup
	// codes for a one-time download and returns the command to run.
	Remote bool
	// SSHCommand is how the person runs a command where the console runs
	// for them over SSH (`ssh -p 2222 amy@host`); "": the local `latch`.
	SSHCommand string
	OfferCodes func(codes []string) (command string, err error)

	// Open shows a screen over the tabs (the 2FA wizard) at once, within
	// the key press that asks, so the keys typed next reach it; Close
	// closes it. The root sets both.
	Open  func(Screen) tea.Cmd
	Close func() tea.Cmd

	// NoColor: the terminal shows no colours (NO_COLOR, or not a colour
	// terminal), so what is drawn takes the terminal's own foreground and
	// background. BackgroundKnown: the terminal reported its background
	// (Styles.Dark says which); when it did not, screens draw for a dark
	// one.
	NoColor         bool
	BackgroundKnown bool

	Session  *Session    // nil when logged out
	Project  *ProjectRef // the current project
	Username string      // last username, to prefill the login

	lastTouch atomic.Int64 // unix nanos of the last call the server counted
}

// NewContext builds a context with dark styles until the terminal says
// otherwise.
func NewContext(base context.Context, api API, now func() time.Time) *Context {
	if base == nil {
		base = context.Background()
	}
	if now == nil {
		now = time.Now
	}
	return &Context{Base: base, API: api, Styles: NewStyles(true), Keys: NewGlobalKeys(), Now: now, Loc: time.Local,
		Tick: tickUntilDone(base), Width: 80, Height: 24,
		Open: func(s Screen) tea.Cmd { return s.Init() }, Close: func() tea.Cmd { return nil }}
}

// tickUntilDone is tea.Tick that also ends with base: a timer of a
// console that closed must not keep its goroutine for the minute it was
// set for.
func tickUntilDone(base context.Context) func(time.Duration, func(time.Time) tea.Msg) tea.Cmd {
	return func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		return func() tea.Msg {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case now := <-t.C:
				return fn(now)
			case <-base.Done():
				return nil
			}
		}
	}
}

// Date shows t in the person's zone, to the minute, with the zone's name.
func (c *Context) Date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return client.FormatTime(t, c.Loc)
}

// Authed is the API of the session (the unauthenticated one when none).
func (c *Context) Authed() API {
	if c.Session != nil {
		return c.Session.API
	}
	return c.API
}

// Touch records that the server saw the session's token at t. Calls end
// in any order: a slow one that started earlier never moves the last use
// (and the countdown, and its timer) back.
func (c *Context) Touch(t time.Time) {
	n := t.UnixNano()
	for {
		old := c.lastTouch.Load()
		if n <= old || c.lastTouch.CompareAndSwap(old, n) {
			return
		}
	}
}

// LastTouch is when the server last counted the session as active.
func (c *Context) LastTouch() time.Time { return time.Unix(0, c.lastTouch.Load()) }

// Call runs fn against the session's API in a command, with a timeout. A
// refused token (revoked elsewhere, expired, idle) becomes SessionEndedMsg
// so the root can send the person to the login screen; anything else goes
// to done, which builds the screen's own result message.
func Call[T any](c *Context, fn func(context.Context, API) (T, error), done func(T, error) tea.Msg) tea.Cmd {
	return call(c, false, fn, done)
}

// CallReauth is Call for requests that check the password again: there an
// "invalid" authentication error means a wrong password, not a dead token.
func CallReauth[T any](c *Context, fn func(context.Context, API) (T, error), done func(T, error) tea.Msg) tea.Cmd {
	return call(c, true, fn, done)
}

// CallEnding is Call (CallReauth with reauth) for a request that may end
// the session itself — a password change, turning 2FA on or off, revoking
// its own token. Until its answer is handled, the end that the server's
// stream reports at the same moment waits (the root holds it), so the
// person first sees what the answer says: the backup codes, the reason.
func CallEnding[T any](c *Context, reauth bool, fn func(context.Context, API) (T, error), done func(T, error) tea.Msg) tea.Cmd {
	s := c.Session
	cmd := call(c, reauth, fn, done)
	if s == nil {
		return cmd
	}
	s.ending++
	return func() tea.Msg { return EndingDoneMsg{Session: s, Msg: cmd()} }
}

func call[T any](c *Context, reauth bool, fn func(context.Context, API) (T, error), done func(T, error) tea.Msg) tea.Cmd {
	api := c.Authed()
	base := c.Base
	now := c.Now
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, CallTimeout)
		defer cancel()
		start := now()
		v, err := fn(ctx, api)
		if client.SessionEnded(err, reauth) {
			reason, _ := SessionEnded(err)
			return SessionEndedMsg{Reason: reason, Unexpected: true}
		}
		// The server counted the token as used unless it could not be
		// reached.
		if !client.IsUnreachable(err) {
			c.Touch(start)
		}
		return done(v, err)
	}
}

// Command is `latch ARGS` as the person runs it from where they are: over
// SSH `ssh … ARGS` (args must be a command offered there), else `latch
// ARGS`. Texts name it in place of a command that does not exist there.
func (c *Context) Command(args string) string {
	if c.Remote && c.SSHCommand != "" {
		return "`" + c.SSHCommand + " " + args + "`"
	}
	return "`latch " + args + "`"
}

// SeeEvents is where the person reads the account's events from where
// they are (client.LastSignInLines): over SSH the console's Activity tab
// alone, on a computer `latch events` too.
func (c *Context) SeeEvents() string {
	if c.Remote {
		return "the Activity tab"
	}
	return client.CLISeeEvents
}
